import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hotp, truncate } from '../../src/otp/hotp.ts';
import { OtpInputError } from '../../src/otp/errors.ts';

const RFC4226_SEED = Buffer.from('12345678901234567890', 'ascii');

// RFC 4226 Appendix D: HOTP values for counters 0..9.
const RFC4226_CODES = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];

test('RFC 4226 Appendix D vectors, counters 0-9', () => {
  RFC4226_CODES.forEach((code, counter) => {
    assert.equal(hotp(RFC4226_SEED, counter), code, `counter ${counter}`);
    assert.equal(hotp(RFC4226_SEED, BigInt(counter), 6, 'sha1'), code, `counter ${counter}n`);
  });
});

test('RFC 4226 §5.4 truncation example', () => {
  const mac = Buffer.from('1f8698690e02ca16618550ef7f19da8e945b555a', 'hex');
  assert.equal(truncate(mac, 6), '872921');
  // DBC2 = 0x50ef7f19 = 1357872921; 10 digits show the whole 31-bit value.
  assert.equal(truncate(mac, 10), '1357872921');
});

test('a code of d digits is the last d digits of the 10-digit code', () => {
  const ten = hotp(RFC4226_SEED, 3, 10);
  assert.equal(ten.length, 10);
  for (let d = 1; d <= 10; d++) {
    const code = hotp(RFC4226_SEED, 3, d);
    assert.equal(code.length, d);
    assert.equal(code, ten.slice(10 - d), `digits ${d}`);
  }
});

test('codes are zero-padded', () => {
  // A crafted MAC whose truncated value is 1 shows the left padding.
  const mac = Buffer.alloc(20);
  mac[19] = 0; // offset 0 -> value 0x00000001
  mac[3] = 1;
  assert.equal(truncate(mac, 8), '00000001');
});

test('large counters: bigint up to 2^64-1, numbers up to 2^53-1', () => {
  const max = (1n << 64n) - 1n;
  assert.match(hotp(RFC4226_SEED, max), /^\d{6}$/);
  assert.equal(hotp(RFC4226_SEED, Number.MAX_SAFE_INTEGER), hotp(RFC4226_SEED, BigInt(Number.MAX_SAFE_INTEGER)));
  assert.notEqual(hotp(RFC4226_SEED, 2n ** 32n), hotp(RFC4226_SEED, 0));
});

test('bad input gives specific errors', () => {
  assert.throws(() => hotp(RFC4226_SEED, -1), { name: 'OtpInputError', message: /counter: expected a non-negative integer, got -1/ });
  assert.throws(() => hotp(RFC4226_SEED, 1.5), /counter: expected a non-negative integer, got 1.5/);
  assert.throws(() => hotp(RFC4226_SEED, 2 ** 53), /counter: expected a non-negative integer/);
  assert.throws(() => hotp(RFC4226_SEED, 1n << 64n), /counter: expected 0..2\^64-1/);
  assert.throws(() => hotp(RFC4226_SEED, -1n), /counter: expected 0..2\^64-1, got -1/);
  assert.throws(() => hotp(RFC4226_SEED, 0, 0), /digits: expected an integer from 1 to 10, got 0/);
  assert.throws(() => hotp(RFC4226_SEED, 0, 11), /digits: expected an integer from 1 to 10, got 11/);
  assert.throws(() => hotp(RFC4226_SEED, 0, 6.5), /digits: expected an integer from 1 to 10/);
  assert.throws(() => hotp(Buffer.alloc(0), 0), /seed: must not be empty/);
  assert.throws(() => hotp(RFC4226_SEED, 0, 6, 'md5' as never), /algorithm: expected sha1, sha256 or sha512, got 'md5'/);
  assert.throws(() => hotp(RFC4226_SEED, -1), OtpInputError);
});
