// otpAt: the test a window search runs at each counter, against codes made
// independently, and its refusal of OTPs that cannot be codes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { counterCode, otpValue } from '../../src/otp/counter-code.ts';
import type { OtpAlgorithm } from '../../src/otp/algorithm.ts';
import { otpAt } from '../../src/tokens/compare.ts';
import { RFC_SEED, token } from './fixtures.ts';

const code = (seed: Buffer, algorithm: OtpAlgorithm, counter: number, digits: number): string => otpValue(counterCode(seed, algorithm).binaryAt(counter), digits).toString().padStart(digits, '0');

test('otpAt finds exactly the counter an OTP belongs to, in any order asked', () => {
  for (const algorithm of ['sha1', 'sha256', 'sha512'] as const) {
    const seed = algorithm === 'sha1' ? RFC_SEED : randomBytes(32);
    const t = token({ seed, algorithm, otpLength: 8 });
    const asked = [103, 96, 100, 5000, 2 ** 33 + 5, 99, 97, 101];
    for (const target of [100, 97, 96, 2 ** 33 + 5, 5000, 7]) {
      const shows = otpAt(t, code(seed, algorithm, target, 8));
      for (const c of asked) assert.equal(shows(c), c === target, `${algorithm} target ${target}, asked ${c}`);
    }
  }
});

test('otpAt refuses an OTP of the wrong length or with non-digits', () => {
  const t = token({ otpLength: 6 });
  for (const bad of ['75522', '7552244', '75522x', '', '７５５２２４']) {
    const shows = otpAt(t, bad);
    assert.equal(
      [0, 1, 2, 3].some((c) => shows(c)),
      false,
      bad,
    );
  }
  assert.equal(otpAt(t, '755224')(0), true, 'RFC 4226 counter 0');
});
