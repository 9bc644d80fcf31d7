import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timeStepAt, totp } from '../../src/otp/totp.ts';
import type { OtpAlgorithm } from '../../src/otp/algorithm.ts';

// RFC 6238 Appendix B: the seeds are the ASCII digits repeated to the hash size.
const SEEDS: Record<OtpAlgorithm, Buffer> = {
  sha1: Buffer.from('12345678901234567890', 'ascii'),
  sha256: Buffer.from('12345678901234567890123456789012', 'ascii'),
  sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234', 'ascii'),
};

const TIMES = [59, 1111111109, 1111111111, 1234567890, 2000000000, 20000000000];
const STEPS = [1, 0x23523ec, 0x23523ed, 0x273ef07, 0x3f940aa, 0x27bc86aa];
const CODES: Record<OtpAlgorithm, string[]> = {
  sha1: ['94287082', '07081804', '14050471', '89005924', '69279037', '65353130'],
  sha256: ['46119246', '68084774', '67062674', '91819424', '90698825', '77737706'],
  sha512: ['90693936', '25091201', '99943326', '93441116', '38618901', '47863826'],
};

test('RFC 6238 Appendix B time steps (T column)', () => {
  for (const [i, time] of TIMES.entries()) assert.equal(timeStepAt(time), STEPS[i], `time ${time}`);
});

for (const algorithm of ['sha1', 'sha256', 'sha512'] as const) {
  test(`RFC 6238 Appendix B vectors, ${algorithm}`, () => {
    TIMES.forEach((time, i) => {
      assert.equal(totp(SEEDS[algorithm], time, { digits: 8, algorithm }), CODES[algorithm][i], `time ${time}`);
    });
  });
}

test('defaults: 6 digits, sha1, 30 seconds', () => {
  assert.equal(totp(SEEDS.sha1, 59), '287082');
  assert.equal(totp(SEEDS.sha1, 59, { period: 30 }), '287082');
});

test('time step boundaries, period and t0', () => {
  assert.equal(timeStepAt(0), 0);
  assert.equal(timeStepAt(29), 0);
  assert.equal(timeStepAt(30), 1);
  assert.equal(timeStepAt(59.999), 1);
  assert.equal(timeStepAt(120, 60), 2);
  assert.equal(timeStepAt(1000, 30, 100), 30);
  assert.equal(timeStepAt(2 ** 40, 30), Math.floor(2 ** 40 / 30));
  assert.equal(totp(SEEDS.sha1, 89, { t0: 30, digits: 8 }), CODES.sha1[0]);
});

test('bad input gives specific errors', () => {
  assert.throws(() => timeStepAt(10, 0), /period: expected a positive whole number of seconds, got 0/);
  assert.throws(() => timeStepAt(10, 1.5), /period: expected a positive whole number of seconds, got 1.5/);
  assert.throws(() => timeStepAt(Number.NaN), /time: expected a finite number of seconds, got NaN/);
  assert.throws(() => timeStepAt(5, 30, 10), /time: 5 is before the start time 10/);
  assert.throws(() => totp(SEEDS.sha1, 59, { digits: 12 }), /digits: expected an integer from 1 to 10, got 12/);
});
