import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as otp from '../../src/otp/index.ts';

test('index re-exports the public API', () => {
  const names = Object.keys(otp).sort();
  assert.deepEqual(names, [
    'HASH_BYTES',
    'MIN_SEED_BYTES',
    'OTP_ALGORITHMS',
    'OtpInputError',
    'base32Decode',
    'base32Encode',
    'buildOtpauthUri',
    'defaultSeedBytes',
    'generateChallengeQuestion',
    'generateSeed',
    'hotp',
    'isOtpAlgorithm',
    'ocra',
    'ocraDataInput',
    'ocraTimeStep',
    'parseAlgorithm',
    'parseOcraSuite',
    'parseOtpauthUri',
    'parseSeed',
    'timeStepAt',
    'totp',
  ]);
});

test('parseAlgorithm accepts common spellings and names the bad one', () => {
  assert.equal(otp.parseAlgorithm('SHA1'), 'sha1');
  assert.equal(otp.parseAlgorithm('sha-256'), 'sha256');
  assert.equal(otp.parseAlgorithm(' SHA512 '), 'sha512');
  assert.throws(() => otp.parseAlgorithm('md5', 'hashlib'), { name: 'OtpInputError', message: "hashlib: expected SHA1, SHA256 or SHA512, got 'md5'" });
  assert.equal(otp.isOtpAlgorithm('sha1'), true);
  assert.equal(otp.isOtpAlgorithm('SHA1'), false);
});

test('a seed enrolled through otpauth gives the same codes as the seed itself', () => {
  const seed = otp.generateSeed('sha256');
  const uri = otp.buildOtpauthUri({ type: 'totp', issuer: 'otp-radius', account: 'alice', seed, algorithm: 'sha256', digits: 8, period: 30 });
  const key = otp.parseOtpauthUri(uri);
  const now = 1_700_000_000;
  assert.equal(otp.totp(key.seed, now, { digits: key.digits, algorithm: key.algorithm, period: key.period }), otp.totp(seed, now, { digits: 8, algorithm: 'sha256' }));
  assert.deepEqual(otp.parseSeed(otp.base32Encode(seed), 'base32'), seed);
});
