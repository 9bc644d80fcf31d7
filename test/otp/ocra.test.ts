import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { truncate } from '../../src/otp/hotp.ts';
import { generateChallengeQuestion, ocra, ocraDataInput, ocraTimeStep, parseOcraSuite } from '../../src/otp/ocra.ts';

// RFC 6287 Appendix C: ASCII keys of 20, 32 and 64 bytes, PIN "1234".
const KEY20 = Buffer.from('12345678901234567890', 'ascii');
const KEY32 = Buffer.from('12345678901234567890123456789012', 'ascii');
const KEY64 = Buffer.from('1234567890123456789012345678901234567890123456789012345678901234', 'ascii');
const PIN_SHA1 = '7110eda4d09e062aa5e4a390b0a572ac0d2c0220';
const T = 0x132d0b6; // 2008-03-25 12:06:30 UTC in minutes

test('the RFC PIN hash is SHA1("1234")', () => {
  assert.equal(createHash('sha1').update('1234').digest('hex'), PIN_SHA1);
});

test('C.1 one-way OCRA-1:HOTP-SHA1-6:QN08', () => {
  const codes = ['237653', '243178', '653583', '740991', '608993', '388898', '816933', '224598', '750600', '294470'];
  codes.forEach((code, i) => {
    assert.equal(ocra('OCRA-1:HOTP-SHA1-6:QN08', KEY20, { question: String(i).repeat(8) }), code, `Q ${i}`);
  });
});

test('C.1 one-way OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1, PIN given in clear and as hash', () => {
  const codes = ['65347737', '86775851', '78192410', '71565254', '10104329', '65983500', '70069104', '91771096', '75011558', '08522129'];
  const suite = parseOcraSuite('OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1');
  codes.forEach((code, counter) => {
    assert.equal(ocra(suite, KEY32, { counter, question: '12345678', pin: '1234' }), code, `C ${counter}`);
    assert.equal(ocra(suite, KEY32, { counter: BigInt(counter), question: '12345678', pinHash: PIN_SHA1 }), code, `C ${counter} hash`);
    assert.equal(ocra(suite, KEY32, { counter, question: '12345678', pinHash: Buffer.from(PIN_SHA1, 'hex') }), code);
  });
});

test('C.1 one-way OCRA-1:HOTP-SHA256-8:QN08-PSHA1', () => {
  const codes = ['83238735', '01501458', '17957585', '86776967', '86807031'];
  codes.forEach((code, i) => {
    assert.equal(ocra('OCRA-1:HOTP-SHA256-8:QN08-PSHA1', KEY32, { question: String(i).repeat(8), pin: '1234' }), code, `Q ${i}`);
  });
});

test('C.1 one-way OCRA-1:HOTP-SHA512-8:C-QN08', () => {
  const codes = ['07016083', '63947962', '70123924', '25341727', '33203315', '34205738', '44343969', '51946085', '20403879', '31409299'];
  codes.forEach((code, i) => {
    assert.equal(ocra('OCRA-1:HOTP-SHA512-8:C-QN08', KEY64, { counter: i, question: String(i).repeat(8) }), code, `C ${i}`);
  });
});

test('C.1 one-way OCRA-1:HOTP-SHA512-8:QN08-T1M', () => {
  const codes = ['95209754', '55907591', '22048402', '24218844', '36209546'];
  codes.forEach((code, i) => {
    assert.equal(ocra('OCRA-1:HOTP-SHA512-8:QN08-T1M', KEY64, { question: String(i).repeat(8), timestamp: T }), code, `Q ${i}`);
  });
});

test('C.2 mutual challenge-response OCRA-1:HOTP-SHA256-8:QA08, server and client', () => {
  const server = ['28247970', '01984843', '65387857', '03351211', '83412541'];
  const client = ['15510767', '90175646', '33777207', '95285278', '28934924'];
  for (let i = 0; i < 5; i++) {
    assert.equal(ocra('OCRA-1:HOTP-SHA256-8:QA08', KEY32, { question: `CLI2222${i}SRV1111${i}` }), server[i], `server ${i}`);
    assert.equal(ocra('OCRA-1:HOTP-SHA256-8:QA08', KEY32, { question: `SRV1111${i}CLI2222${i}` }), client[i], `client ${i}`);
  }
});

test('C.2 mutual challenge-response OCRA-1:HOTP-SHA512-8:QA08 and -PSHA1', () => {
  const server = ['79496648', '76831980', '12250499', '90856481', '12761449'];
  const client = ['18806276', '70020315', '01600026', '18951020', '32528969'];
  for (let i = 0; i < 5; i++) {
    assert.equal(ocra('OCRA-1:HOTP-SHA512-8:QA08', KEY64, { question: `CLI2222${i}SRV1111${i}` }), server[i], `server ${i}`);
    assert.equal(ocra('OCRA-1:HOTP-SHA512-8:QA08-PSHA1', KEY64, { question: `SRV1111${i}CLI2222${i}`, pin: '1234' }), client[i], `client ${i}`);
  }
});

test('C.3 plain signature OCRA-1:HOTP-SHA256-8:QA08 and OCRA-1:HOTP-SHA512-8:QA10-T1M', () => {
  const plain = ['53095496', '04110475', '31331128', '76028668', '46554205'];
  const timed = ['77537423', '31970405', '10235557', '95213541', '65360607'];
  for (let i = 0; i < 5; i++) {
    assert.equal(ocra('OCRA-1:HOTP-SHA256-8:QA08', KEY32, { question: `SIG1${i}000` }), plain[i], `plain ${i}`);
    assert.equal(ocra('OCRA-1:HOTP-SHA512-8:QA10-T1M', KEY64, { question: `SIG1${i}00000`, timestamp: T }), timed[i], `timed ${i}`);
  }
});

test('ocraTimeStep gives the RFC T value for 2008-03-25 12:06:30 UTC', () => {
  const unix = Date.UTC(2008, 2, 25, 12, 6, 30) / 1000;
  assert.equal(ocraTimeStep(unix, 'OCRA-1:HOTP-SHA512-8:QN08-T1M'), T);
  assert.equal(ocraTimeStep(unix, 'OCRA-1:HOTP-SHA1-6:QN08-T30S'), Math.floor(unix / 30));
  assert.equal(ocraTimeStep(unix, 'OCRA-1:HOTP-SHA1-6:QN08-T2H'), Math.floor(unix / 7200));
  assert.throws(() => ocraTimeStep(unix, 'OCRA-1:HOTP-SHA1-6:QN08'), /the suite has no timestamp \(T\)/);
  assert.throws(() => ocraTimeStep(-1, 'OCRA-1:HOTP-SHA1-6:QN08-T1M'), /time: expected non-negative seconds, got -1/);
});

test('parseOcraSuite reads every field', () => {
  assert.deepEqual(parseOcraSuite('OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1'), {
    text: 'OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1',
    algorithm: 'sha256',
    digits: 8,
    counter: true,
    questionFormat: 'N',
    questionLength: 8,
    pinHash: 'sha1',
  });
  assert.deepEqual(parseOcraSuite('OCRA-1:HOTP-SHA1-0:QH64-PSHA512-S128-T48H'), {
    text: 'OCRA-1:HOTP-SHA1-0:QH64-PSHA512-S128-T48H',
    algorithm: 'sha1',
    digits: 0,
    counter: false,
    questionFormat: 'H',
    questionLength: 64,
    pinHash: 'sha512',
    sessionLength: 128,
    timeStep: 48 * 3600,
  });
  const s = parseOcraSuite('OCRA-1:HOTP-SHA512-10:QA04-S-T59S');
  assert.equal(s.sessionLength, 64);
  assert.equal(s.timeStep, 59);
  assert.equal(s.digits, 10);
  assert.equal(parseOcraSuite('OCRA-1:HOTP-SHA1-4:QN04-T1S').timeStep, 1);
  assert.equal(parseOcraSuite('OCRA-1:HOTP-SHA1-6:QN08-T59M').timeStep, 59 * 60);
});

test('parseOcraSuite names the malformed part', () => {
  const cases: Array<[string, RegExp]> = [
    ['OCRA-1:HOTP-SHA1-6', /expected three parts separated by ':'/],
    ['OCRA-2:HOTP-SHA1-6:QN08', /unsupported algorithm 'OCRA-2', expected OCRA-1/],
    ['ocra-1:HOTP-SHA1-6:QN08', /unsupported algorithm 'ocra-1'/],
    ['OCRA-1:HOTP-MD5-6:QN08', /crypto function 'HOTP-MD5-6': expected HOTP-SHA1-t, HOTP-SHA256-t or HOTP-SHA512-t/],
    ['OCRA-1:TOTP-SHA1-6:QN08', /crypto function 'TOTP-SHA1-6'/],
    ['OCRA-1:HOTP-SHA1:QN08', /crypto function 'HOTP-SHA1'/],
    ['OCRA-1:HOTP-SHA1-3:QN08', /truncation length must be 0 or 4 to 10, got 3/],
    ['OCRA-1:HOTP-SHA1-11:QN08', /truncation length must be 0 or 4 to 10, got 11/],
    ['OCRA-1:HOTP-SHA1-006:QN08', /truncation length must be 0 or 4 to 10, got 006/],
    ['OCRA-1:HOTP-SHA1-6:', /expected \[C-\]QFxx first.*the question is mandatory/],
    ['OCRA-1:HOTP-SHA1-6:C', /expected \[C-\]QFxx first/],
    ['OCRA-1:HOTP-SHA1-6:PSHA1-QN08', /expected \[C-\]QFxx first/],
    ['OCRA-1:HOTP-SHA1-6:QX08', /question 'QX08': format must be A \(alphanumeric\), N \(numeric\) or H \(hex\), got 'X'/],
    ['OCRA-1:HOTP-SHA1-6:QN8', /question 'QN8': length must be two digits from 04 to 64/],
    ['OCRA-1:HOTP-SHA1-6:QN03', /question 'QN03': length must be from 04 to 64, got 03/],
    ['OCRA-1:HOTP-SHA1-6:QN65', /question 'QN65': length must be from 04 to 64, got 65/],
    ['OCRA-1:HOTP-SHA1-6:QN08-PMD5', /PIN hash 'PMD5': expected PSHA1, PSHA256 or PSHA512/],
    ['OCRA-1:HOTP-SHA1-6:QN08-S64', /session information 'S64': expected S followed by three digits/],
    ['OCRA-1:HOTP-SHA1-6:QN08-S000', /session information 'S000': length must be at least 001/],
    ['OCRA-1:HOTP-SHA1-6:QN08-T1', /timestamp 'T1': expected T followed by a number and S, M or H/],
    ['OCRA-1:HOTP-SHA1-6:QN08-T1D', /timestamp 'T1D'/],
    ['OCRA-1:HOTP-SHA1-6:QN08-T60S', /timestamp 'T60S': the number must be from 1 to 59 for unit S/],
    ['OCRA-1:HOTP-SHA1-6:QN08-T60M', /the number must be from 1 to 59 for unit M/],
    ['OCRA-1:HOTP-SHA1-6:QN08-T49H', /the number must be from 1 to 48 for unit H/],
    ['OCRA-1:HOTP-SHA1-6:QN08-T0H', /the number must be from 1 to 48 for unit H/],
    ['OCRA-1:HOTP-SHA1-6:QN08-T1M-PSHA1', /unexpected 'PSHA1'/],
    ['OCRA-1:HOTP-SHA1-6:QN08-PSHA1-PSHA1', /unexpected 'PSHA1' \(after the question only S, T may follow, in that order\)/],
    ['OCRA-1:HOTP-SHA1-6:QN08-C', /unexpected 'C' \(after the question only P, S, T may follow/],
    ['OCRA-1:HOTP-SHA1-6:QN08-T1M-', /unexpected ''/],
    ['OCRA-1:HOTP-SHA1-6:qn08', /expected \[C-\]QFxx first/],
  ];
  for (const [suite, message] of cases) {
    assert.throws(
      () => parseOcraSuite(suite),
      (err: Error) => {
        assert.equal(err.name, 'OtpInputError', suite);
        assert.match(err.message, message, suite);
        assert.ok(err.message.startsWith(`OCRA suite '${suite}': `), suite);
        return true;
      },
    );
  }
});

test('data input layout: suite, 0x00, C, Q, P, S, T', () => {
  const suite = 'OCRA-1:HOTP-SHA1-6:C-QH08-PSHA1-S004-T1M';
  const data = ocraDataInput(suite, { counter: 0x0102, question: 'ABC', pin: '1234', session: 'beef', timestamp: 0x0a0b });
  const head = suite.length + 1;
  assert.equal(data.length, head + 8 + 128 + 20 + 4 + 8);
  assert.equal(data.subarray(0, suite.length).toString('ascii'), suite);
  assert.equal(data[suite.length], 0);
  assert.equal(data.subarray(head, head + 8).toString('hex'), '0000000000000102');
  // Hex question left-aligned by nibble: 'ABC' -> ab c0 00 ...
  assert.equal(data.subarray(head + 8, head + 11).toString('hex'), 'abc000');
  assert.ok(data.subarray(head + 11, head + 136).every((b) => b === 0));
  assert.equal(data.subarray(head + 136, head + 156).toString('hex'), PIN_SHA1);
  // Session right-aligned (left-padded with zeros) as in the RFC's reference code.
  assert.equal(data.subarray(head + 156, head + 160).toString('hex'), '0000beef');
  assert.equal(data.subarray(head + 160).toString('hex'), '0000000000000a0b');
});

test('question encodings: numeric as hex of the value, alphanumeric as ASCII', () => {
  const n = ocraDataInput('OCRA-1:HOTP-SHA1-6:QN08', { question: '12345678' });
  const q = n.subarray('OCRA-1:HOTP-SHA1-6:QN08'.length + 1);
  assert.equal(q.length, 128);
  assert.equal(q.subarray(0, 4).toString('hex'), 'bc614e00'); // 12345678 = 0xBC614E
  const odd = ocraDataInput('OCRA-1:HOTP-SHA1-6:QN08', { question: '00000001' });
  assert.equal(odd[odd.length - 128], 0x10); // one hex digit, left-aligned
  const a = ocraDataInput('OCRA-1:HOTP-SHA1-6:QA08', { question: 'SIG10000' });
  assert.equal(a.subarray(a.length - 128, a.length - 120).toString('ascii'), 'SIG10000');
  // Same value, same response: hex case does not matter.
  assert.equal(ocra('OCRA-1:HOTP-SHA1-6:QH08', KEY20, { question: 'abcdef01' }), ocra('OCRA-1:HOTP-SHA1-6:QH08', KEY20, { question: 'ABCDEF01' }));
});

test('truncation 0 returns the whole HMAC as hex; 4 and 10 digits work', () => {
  const full = ocra('OCRA-1:HOTP-SHA512-0:QN08', KEY64, { question: '00000000' });
  assert.match(full, /^[0-9a-f]{128}$/);
  assert.match(ocra('OCRA-1:HOTP-SHA1-0:QN08', KEY20, { question: '1234' }), /^[0-9a-f]{40}$/);
  assert.match(ocra('OCRA-1:HOTP-SHA1-4:QN08', KEY20, { question: '1234' }), /^\d{4}$/);
  // The suite text is part of the HMAC input, so each suite is checked against its own HMAC.
  for (const suite of ['OCRA-1:HOTP-SHA1-10:QN08', 'OCRA-1:HOTP-SHA1-0:QN08']) {
    const mac = createHmac('sha1', KEY20)
      .update(ocraDataInput(suite, { question: '00000000' }))
      .digest();
    const expected = suite.includes('-0:') ? mac.toString('hex') : truncate(mac, 10);
    assert.equal(ocra(suite, KEY20, { question: '00000000' }), expected, suite);
  }
});

test('session information changes the response; its length is checked', () => {
  const suite = 'OCRA-1:HOTP-SHA256-8:QA08-S064';
  const a = ocra(suite, KEY32, { question: 'ABCD1234', session: Buffer.alloc(64, 1) });
  const b = ocra(suite, KEY32, { question: 'ABCD1234', session: Buffer.alloc(64, 2) });
  assert.notEqual(a, b);
  assert.equal(ocra(suite, KEY32, { question: 'ABCD1234', session: '01'.repeat(64) }), a);
  assert.throws(() => ocra(suite, KEY32, { question: 'ABCD1234', session: Buffer.alloc(65) }), /session information: at most 64 bytes, got 65/);
  assert.throws(() => ocra(suite, KEY32, { question: 'ABCD1234', session: 'xyz' }), /session information: expected bytes or an even number of hex digits/);
});

test('missing and bad inputs give specific errors', () => {
  const cases: Array<[string, Parameters<typeof ocra>[2], RegExp]> = [
    ['OCRA-1:HOTP-SHA1-6:C-QN08', { question: '12345678' }, /the suite has C, so a counter is required/],
    ['OCRA-1:HOTP-SHA1-6:C-QN08', { question: '12345678', counter: -1 }, /OCRA counter: expected a non-negative integer, got -1/],
    ['OCRA-1:HOTP-SHA1-6:QN08-PSHA1', { question: '12345678' }, /the suite has P, so a pin or pinHash is required/],
    ['OCRA-1:HOTP-SHA1-6:QN08-PSHA256', { question: '12345678', pinHash: PIN_SHA1 }, /PIN hash: expected 32 bytes of SHA256, got 20/],
    ['OCRA-1:HOTP-SHA1-6:QN08-PSHA1', { question: '12345678', pinHash: 'zz' }, /PIN hash: expected bytes or an even number of hex digits/],
    ['OCRA-1:HOTP-SHA1-6:QN08-S064', { question: '12345678' }, /the suite has S, so session information is required/],
    ['OCRA-1:HOTP-SHA1-6:QN08-T1M', { question: '12345678' }, /the suite has T, so a timestamp \(time steps\) is required/],
    ['OCRA-1:HOTP-SHA1-6:QN08', { question: '' }, /the question is empty/],
    ['OCRA-1:HOTP-SHA1-6:QN08', { question: '1234a678' }, /numeric question: character 'a' at 4 is not a decimal digit/],
    ['OCRA-1:HOTP-SHA1-6:QH08', { question: '12G4' }, /hex question: character 'G' at 2 is not a hex digit/],
    ['OCRA-1:HOTP-SHA1-6:QA08', { question: 'ABCé' }, /alphanumeric question: character at 3 is not printable ASCII/],
    ['OCRA-1:HOTP-SHA1-6:QA08', { question: 'A'.repeat(129) }, /the question does not fit in 128 bytes/],
    ['OCRA-1:HOTP-SHA1-6:QH08', { question: 'f'.repeat(257) }, /the question does not fit in 128 bytes/],
  ];
  for (const [suite, input, message] of cases) {
    assert.throws(
      () => ocra(suite, KEY20, input),
      (err: Error) => {
        assert.equal(err.name, 'OtpInputError', `${suite} ${message}`);
        assert.match(err.message, message);
        return true;
      },
    );
  }
  assert.throws(() => ocra('OCRA-1:HOTP-SHA1-6:QN08', Buffer.alloc(0), { question: '1234' }), /seed: must not be empty/);
  // Largest numeric question that fits: 2^1024 - 1 (256 hex digits).
  assert.match(ocra('OCRA-1:HOTP-SHA1-6:QN08', KEY20, { question: ((1n << 1024n) - 1n).toString() }), /^\d{6}$/);
  assert.throws(() => ocra('OCRA-1:HOTP-SHA1-6:QN08', KEY20, { question: (1n << 1024n).toString() }), /does not fit in 128 bytes/);
});

test('generateChallengeQuestion: format and full length of the suite', () => {
  for (let i = 0; i < 50; i++) {
    assert.match(generateChallengeQuestion('OCRA-1:HOTP-SHA1-6:QN08'), /^\d{8}$/);
    assert.match(generateChallengeQuestion('OCRA-1:HOTP-SHA1-6:QA64'), /^[A-Za-z0-9]{64}$/);
    assert.match(generateChallengeQuestion(parseOcraSuite('OCRA-1:HOTP-SHA1-6:C-QH10-T1M')), /^[0-9A-F]{10}$/);
  }
  assert.notEqual(generateChallengeQuestion('OCRA-1:HOTP-SHA1-6:QA64'), generateChallengeQuestion('OCRA-1:HOTP-SHA1-6:QA64'));
  // Each generated question is a valid input for its suite.
  const suite = 'OCRA-1:HOTP-SHA256-8:QH40';
  assert.match(ocra(suite, KEY32, { question: generateChallengeQuestion(suite) }), /^\d{8}$/);
});

test('generateChallengeQuestion rejects biased bytes from the random source', () => {
  // Bytes 250..255 would favour digits 0-5 for N; they must be skipped.
  let call = 0;
  const random = (size: number): Buffer => {
    call++;
    return call === 1 ? Buffer.alloc(size, 255) : Buffer.from(Array.from({ length: size }, (_, i) => 240 + (i % 10)));
  };
  assert.equal(generateChallengeQuestion('OCRA-1:HOTP-SHA1-6:QN04', random), '0123');
  assert.equal(call, 2);
});
