import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseOcraSuite } from '../../src/otp/ocra.ts';
import { DEFAULT_TOKENS } from '../../src/model/token-defaults.ts';
import { buildToken, provisioningUri, tokenKind, TokenTypeError } from '../../src/tokens/index.ts';
import { token } from './fixtures.ts';

const KEY20 = Buffer.from('12345678901234567890', 'ascii');
const KEY32 = Buffer.from('12345678901234567890123456789012', 'ascii');
const ocra = tokenKind('ocra');
const challenge = ocra.challenge!;

test('ocra: question-only suite answers RFC 6287 C.1 and takes no PIN+OTP', () => {
  const t = token({ type: 'ocra', seed: KEY20, info: { ocrasuite: 'OCRA-1:HOTP-SHA1-6:QN08' } });
  assert.deepEqual(challenge.checkResponse(t, '00000000', '237653', 0), { kind: 'match', counter: 0 });
  assert.deepEqual(challenge.checkResponse(t, '11111111', '243178', 0), { kind: 'match', counter: 0 });
  assert.deepEqual(challenge.checkResponse(t, '11111111', '237653', 0), { kind: 'none' });
  assert.deepEqual(ocra.checkOtp(t, '237653', 0), { kind: 'none' });
});

test('ocra: counter suite with PIN hash — window ahead, replay behind (RFC 6287 C.1)', () => {
  const codes = ['65347737', '86775851', '78192410', '71565254', '10104329'];
  const info = { ocrasuite: 'OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1', ocraPinHash: '7110eda4d09e062aa5e4a390b0a572ac0d2c0220' };
  const t = token({ type: 'ocra', seed: KEY32, counter: 2, window: 2, info });
  assert.deepEqual(challenge.checkResponse(t, '12345678', codes[3]!, 0), { kind: 'match', counter: 3 });
  assert.deepEqual(challenge.checkResponse(t, '12345678', codes[4]!, 0), { kind: 'none' });
  assert.deepEqual(challenge.checkResponse(t, '12345678', codes[1]!, 0), { kind: 'replay', counter: 1 });
});

test('ocra: time suite checks a window of time steps (RFC 6287 C.1 T1M)', () => {
  const KEY64 = Buffer.from('1234567890123456789012345678901234567890123456789012345678901234', 'ascii');
  const T = 0x132d0b6; // minutes
  const t = token({ type: 'ocra', seed: KEY64, window: 2, info: { ocrasuite: 'OCRA-1:HOTP-SHA512-8:QN08-T1M' } });
  assert.deepEqual(challenge.checkResponse(t, '00000000', '95209754', T * 60 + 90), { kind: 'match', counter: T });
  assert.deepEqual(challenge.checkResponse(t, '00000000', '95209754', T * 60 + 200), { kind: 'none' });
  assert.deepEqual(challenge.checkResponse({ ...t, counter: T + 1 }, '00000000', '95209754', T * 60), { kind: 'replay', counter: T });
});

test('ocra: the server question has the suite format and length', () => {
  const t = token({ type: 'ocra', seed: KEY20, info: { ocrasuite: 'OCRA-1:HOTP-SHA1-6:QN08' } });
  for (let i = 0; i < 20; i++) assert.match(challenge.create(t, 0).data, /^\d{8}$/);
  const h = token({ type: 'ocra', seed: KEY20, info: { ocrasuite: 'OCRA-1:HOTP-SHA1-6:QH40' } });
  assert.match(challenge.create(h, 0).data, /^[0-9A-F]{40}$/);
});

test('ocra: enrollment keeps the suite, refuses S suites and a missing P PIN, and builds a URI', () => {
  const { token: row } = buildToken({ type: 'ocra', seed: KEY20, ocrasuite: 'OCRA-1:HOTP-SHA1-6:QN08', serial: 'OCRA1' }, DEFAULT_TOKENS);
  assert.equal(row.info?.ocrasuite, 'OCRA-1:HOTP-SHA1-6:QN08');
  assert.equal(row.otpLength, 6);
  assert.equal(row.algorithm, 'sha1');
  const d = buildToken({ type: 'ocra' }, DEFAULT_TOKENS).token;
  assert.equal(d.info?.ocrasuite, 'OCRA-1:HOTP-SHA256-8:C-QN08');
  assert.equal(d.seed.length, 32);
  assert.throws(() => buildToken({ type: 'ocra', ocrasuite: 'OCRA-1:HOTP-SHA1-6:QN08-S064' }, DEFAULT_TOKENS), TokenTypeError);
  assert.throws(() => buildToken({ type: 'ocra', ocrasuite: 'OCRA-1:HOTP-SHA1-6:QN08-PSHA1' }, DEFAULT_TOKENS), /--ocra-pin/);
  const p = buildToken({ type: 'ocra', ocrasuite: 'OCRA-1:HOTP-SHA1-6:QN08-PSHA1', ocraPin: '1234' }, DEFAULT_TOKENS).token;
  assert.equal(p.info?.ocraPinHash, '7110eda4d09e062aa5e4a390b0a572ac0d2c0220');
  const uri = provisioningUri({ ...token({ type: 'ocra', seed: KEY20 }), info: { ocrasuite: 'OCRA-1:HOTP-SHA256-8:C-QN08' } }, 'alice', 'ACME VPN');
  assert.equal(uri, 'otpauth://ocra/ACME%20VPN:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME%20VPN&ocrasuite=OCRA-1%3AHOTP-SHA256-8%3AC-QN08&counter=0');
  assert.ok(parseOcraSuite(row.info!.ocrasuite!));
});

test('enrollment of hotp/totp: defaults, given seed, bad options', () => {
  const t = buildToken({ type: 'totp' }, DEFAULT_TOKENS).token;
  assert.equal(t.otpLength, 6);
  assert.equal(t.timeStep, 30);
  assert.equal(t.window, 180);
  assert.equal(t.seed.length, 20);
  assert.match(t.serial, /^TOTP[0-9A-F]{8}$/);
  const h = buildToken({ type: 'hotp', digits: 8, algorithm: 'sha512', serial: 'hw-0001' }, DEFAULT_TOKENS).token;
  assert.equal(h.seed.length, 64);
  assert.equal(h.window, 10);
  assert.throws(() => buildToken({ type: 'hotp', digits: 9 }, DEFAULT_TOKENS), /digits: expected 6, 7 or 8, got 9/);
  assert.throws(() => buildToken({ type: 'hotp', period: 60 }, DEFAULT_TOKENS), /TOTP tokens only/);
  assert.throws(() => buildToken({ type: 'totp', serial: 'bad serial' }, DEFAULT_TOKENS), /serial: expected/);
  const uri = provisioningUri({ ...token({ type: 'totp' }) }, 'alice', 'otp-radius');
  assert.match(uri, /^otpauth:\/\/totp\/otp-radius:alice\?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=otp-radius/);
});
