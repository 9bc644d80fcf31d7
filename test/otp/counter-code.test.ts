// The allocation-free HMAC path must give exactly what node:crypto gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac, randomBytes, randomInt } from 'node:crypto';
import { counterCode, otpValue, parseOtp } from '../../src/otp/counter-code.ts';
import { Sha1Hmac } from '../../src/otp/sha1-wasm.ts';
import { counterBytes, hotp } from '../../src/otp/hotp.ts';
import type { OtpAlgorithm } from '../../src/otp/algorithm.ts';

const ALGORITHMS: OtpAlgorithm[] = ['sha1', 'sha256', 'sha512'];

function otp(seed: Buffer, counter: number, digits: number, algorithm: OtpAlgorithm): string {
  return otpValue(counterCode(seed, algorithm).binaryAt(counter), digits).toString().padStart(digits, '0');
}

test('RFC 4226 Appendix D: HOTP values for counters 0..9', () => {
  const seed = Buffer.from('12345678901234567890', 'ascii');
  const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
  const code = counterCode(seed, 'sha1');
  for (const [counter, value] of expected.entries()) assert.equal(otpValue(code.binaryAt(counter), 6).toString().padStart(6, '0'), value, `counter ${counter}`);
  // Appendix D's truncated decimal column, before the modulus.
  assert.equal(code.binaryAt(0), 1284755224);
  assert.equal(code.binaryAt(9), 645520489);
});

test('RFC 6238 Appendix B: the TOTP vectors of all three hashes', () => {
  const seeds: Record<OtpAlgorithm, Buffer> = {
    sha1: Buffer.from('12345678901234567890', 'ascii'),
    sha256: Buffer.from('12345678901234567890123456789012', 'ascii'),
    sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234', 'ascii'),
  };
  const steps = [1, 0x23523ec, 0x23523ed, 0x273ef07, 0x3f940aa, 0x27bc86aa];
  const codes: Record<OtpAlgorithm, string[]> = {
    sha1: ['94287082', '07081804', '14050471', '89005924', '69279037', '65353130'],
    sha256: ['46119246', '68084774', '67062674', '91819424', '90698825', '77737706'],
    sha512: ['90693936', '25091201', '99943326', '93441116', '38618901', '47863826'],
  };
  for (const algorithm of ALGORITHMS) {
    for (const [i, step] of steps.entries()) assert.equal(otp(seeds[algorithm], step, 8, algorithm), codes[algorithm][i], `${algorithm} step ${step}`);
  }
});

/** The RFC 4226 truncated value worked out from node:crypto, independently of src/otp. */
function expectedBinary(seed: Buffer, algorithm: OtpAlgorithm, counter: number): number {
  const mac = createHmac(algorithm, seed).update(counterBytes(counter)).digest();
  return mac.readUInt32BE(mac[mac.length - 1]! & 0x0f) & 0x7fffffff;
}

test('agrees with node:crypto HMAC for seeds of 1..200 bytes (across the 64-byte block) and large counters', () => {
  const counters = [0, 1, 255, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 7, 2 ** 48 + 12345, Number.MAX_SAFE_INTEGER];
  for (const algorithm of ALGORITHMS) {
    for (let length = 1; length <= 200; length++) {
      const seed = randomBytes(length);
      const code = counterCode(seed, algorithm);
      const counter = counters[length % counters.length]!;
      assert.equal(code.binaryAt(counter), expectedBinary(seed, algorithm, counter), `${algorithm}, ${length}-byte seed ${seed.toString('hex')}, counter ${counter}`);
    }
  }
});

test('one code source serves many counters and keys do not share state', () => {
  const a = randomBytes(20);
  const b = randomBytes(32);
  const codeA = counterCode(a, 'sha1');
  const codeB = counterCode(b, 'sha256');
  for (let i = 0; i < 300; i++) {
    const counter = randomInt(0, 2 ** 40);
    // Interleaved on purpose: the scratch blocks are shared between keys.
    assert.equal(otp(b, counter, 8, 'sha256'), hotp(b, counter, 8, 'sha256'));
    assert.equal(otpValue(codeA.binaryAt(counter), 6).toString().padStart(6, '0'), hotp(a, counter, 6, 'sha1'));
    assert.equal(otpValue(codeB.binaryAt(counter), 7).toString().padStart(7, '0'), hotp(b, counter, 7, 'sha256'));
  }
});

test('parseOtp takes exactly the OTP length in decimal digits', () => {
  assert.equal(parseOtp('007081', 6), 7081);
  assert.equal(parseOtp('000000', 6), 0);
  assert.equal(parseOtp('9999999999', 10), 9999999999);
  for (const bad of ['07081', '0070812', '00708a', ' 07081', '-07081', '0x1234', '', '１２３４５６']) {
    assert.equal(parseOtp(bad, 6), -1, JSON.stringify(bad));
  }
});

test('bad seeds, algorithms and digits get clear errors', () => {
  assert.throws(() => counterCode(Buffer.alloc(0), 'sha1'), /seed: must not be empty/);
  assert.throws(() => counterCode(Buffer.alloc(20), 'md5' as OtpAlgorithm), /algorithm: expected sha1, sha256 or sha512, got 'md5'/);
  assert.throws(() => otpValue(123, 11), /digits: expected an integer from 1 to 10, got 11/);
});

test('SHA-1 in WebAssembly and in JavaScript agree with node:crypto, also with several keys taking turns', () => {
  const seeds = [randomBytes(20), randomBytes(64), randomBytes(65), randomBytes(1)];
  const fast = seeds.map((s) => counterCode(s, 'sha1'));
  const js = seeds.map((s) => counterCode(s, 'sha1', 'js'));
  for (let i = 0; i < 400; i++) {
    const k = i % seeds.length; // another key each call: the module's loaded states must follow
    const counter = i % 3 === 0 ? randomInt(2 ** 47) * 64 + randomInt(64) : 58_000_000 + i;
    const expected = expectedBinary(seeds[k]!, 'sha1', counter);
    assert.equal(fast[k]!.binaryAt(counter), expected, `wasm, key ${k}, counter ${counter}`);
    assert.equal(js[k]!.binaryAt(counter), expected, `js, key ${k}, counter ${counter}`);
  }
});

test('binariesAt: four SHA-1 codes at once agree with node:crypto at every start, at the end of the list, and across keys', () => {
  const seeds = [Buffer.from('12345678901234567890', 'ascii'), randomBytes(32), randomBytes(64), randomBytes(100), randomBytes(3)];
  const counters = [0, 1, 2 ** 32 - 1, 2 ** 32, 58_000_000, 58_000_001, randomInt(2 ** 47) * 64 + 63, 7, 1_000_000_007];
  for (const [k, seed] of seeds.entries()) {
    for (const algorithm of ALGORITHMS) {
      const code = counterCode(seed, algorithm);
      for (let from = 0; from < counters.length; from++) {
        const into = new Int32Array(counters.length).fill(-1);
        const made = code.binariesAt(counters, from, into);
        const expectMade = algorithm === 'sha1' ? Math.min(4, counters.length - from) : 1;
        assert.equal(made, from === counters.length - 1 ? 1 : expectMade, `${algorithm} key ${k} from ${from}`);
        into.forEach((v, i) => {
          if (i >= from && i < from + made) assert.equal(v, expectedBinary(seed, algorithm, counters[i]!), `${algorithm} key ${k} from ${from}, counter ${counters[i]}`);
          else assert.equal(v, -1, `entry ${i} untouched`);
        });
        // Another key in between: the module's loaded states must follow.
        counterCode(seeds[(k + 1) % seeds.length]!, 'sha1').binaryAt(5);
      }
    }
  }
  const rfc = counterCode(Buffer.from('12345678901234567890', 'ascii'), 'sha1');
  const into = new Int32Array(10);
  rfc.binariesAt([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 6, into);
  assert.deepEqual(
    [...into.slice(6)].map((b) => otpValue(b, 6)),
    [287922, 162583, 399871, 520489],
    'RFC 4226 Appendix D, counters 6..9',
  );
});

test('this Node.js runs SHA-1 codes in WebAssembly, four lanes at once; bad states are refused', () => {
  const engine = Sha1Hmac.create(new Int32Array(5), new Int32Array(5));
  assert.ok(engine, 'WebAssembly is available, so the fast path is on');
  assert.ok(engine.fourLanes, 'WebAssembly SIMD is available, so wrong-OTP searches take four codes at a time');
  assert.throws(() => Sha1Hmac.create(new Int32Array(8), new Int32Array(5)), /states of 5 words expected, got 8 and 5/);
});

test('without WebAssembly (as under node --jitless) SHA-1 codes come from JavaScript, with the same values', () => {
  // --jitless itself would also stop Node from loading .ts files, so the global goes instead.
  const url = new URL('../../src/otp/counter-code.ts', import.meta.url).href;
  const script = `const { counterCode, otpValue } = await import('${url}');
    delete globalThis.WebAssembly;
    const c = counterCode(Buffer.from('12345678901234567890'), 'sha1');
    console.log(typeof WebAssembly, [0, 1, 9].map((n) => otpValue(c.binaryAt(n), 6)).join(','));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(out.trim(), 'undefined 755224,287082,520489');
});
