import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultSeedBytes, generateSeed, parseSeed } from '../../src/otp/seed.ts';

test('parseSeed hex and base32', () => {
  assert.deepEqual(parseSeed('3132333435363738393031323334353637383930', 'hex'), Buffer.from('12345678901234567890'));
  assert.deepEqual(parseSeed('31 32 33 34\n35 36 37 38 39 30 3a3B', 'hex'), Buffer.from('1234567890:;'));
  assert.deepEqual(parseSeed('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 'base32'), Buffer.from('12345678901234567890'));
  assert.deepEqual(parseSeed('gezd gnbv gy3t qojq gezd gnbv gy3t qojq', 'base32'), Buffer.from('12345678901234567890'));
});

test('parseSeed errors are specific', () => {
  assert.throws(() => parseSeed('', 'hex'), { name: 'OtpInputError', message: 'seed: empty (no hex digits given)' });
  assert.throws(() => parseSeed('   ', 'base32'), { message: 'seed: empty (no base32 digits given)' });
  assert.throws(() => parseSeed('abc', 'hex'), { message: 'seed: not valid hex (odd number of digits: 3)' });
  assert.throws(() => parseSeed('abcg', 'hex'), { message: "seed: not valid hex (character 'g' at 3)" });
  assert.throws(() => parseSeed('0x1234', 'hex'), { message: "seed: not valid hex (character 'x' at 1)" });
  assert.throws(() => parseSeed('JBSW1Y3DP', 'base32'), { message: "seed: not valid base32 (character '1' at 4)" });
  assert.throws(() => parseSeed('ab', 'base64' as never), { message: "seed: unknown encoding 'base64', expected base32 or hex" });
});

test('generateSeed lengths and randomness', () => {
  assert.equal(generateSeed().length, 20);
  assert.equal(generateSeed('sha1').length, 20);
  assert.equal(generateSeed('sha256').length, 32);
  assert.equal(generateSeed('sha512').length, 64);
  assert.equal(generateSeed(16).length, 16);
  assert.equal(defaultSeedBytes('sha256'), 32);
  assert.notDeepEqual(generateSeed(), generateSeed());
});

test('generateSeed refuses sizes below RFC 4226 minimum and nonsense', () => {
  assert.throws(() => generateSeed(10), /seed length: expected 16 to 1024 bytes or sha1\/sha256\/sha512, got 10/);
  assert.throws(() => generateSeed(20.5), /got 20.5/);
  assert.throws(() => generateSeed(4096), /got 4096/);
  assert.throws(() => generateSeed('md5' as never), /got md5/);
});
