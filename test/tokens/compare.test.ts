// otpAt with the search order given: codes made four at a time must answer
// exactly as codes made one by one, whatever order they are asked in.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { counterCode, otpValue } from '../../src/otp/counter-code.ts';
import type { OtpAlgorithm } from '../../src/otp/algorithm.ts';
import { otpAt } from '../../src/tokens/compare.ts';
import { RFC_SEED, token } from './fixtures.ts';

const code = (seed: Buffer, algorithm: OtpAlgorithm, counter: number, digits: number): string =>
  otpValue(counterCode(seed, algorithm, 'js').binaryAt(counter), digits)
    .toString()
    .padStart(digits, '0');

test('otpAt with an order finds the same counters as without, asked in order, out of order, and outside the order', () => {
  for (const algorithm of ['sha1', 'sha256'] as const) {
    const seed = algorithm === 'sha1' ? RFC_SEED : randomBytes(32);
    const t = token({ seed, algorithm, otpLength: 8 });
    const order = [100, 101, 99, 102, 98, 103, 97, 104, 96, 2 ** 33 + 5];
    for (const target of [100, 97, 96, 2 ** 33 + 5, 5000]) {
      const otp = code(seed, algorithm, target, 8);
      const plain = otpAt(t, otp);
      const ordered = otpAt(t, otp, order);
      // In order, as the searches ask.
      assert.deepEqual(
        order.map((c) => ordered(c)),
        order.map((c) => plain(c)),
        `${algorithm} target ${target} in order`,
      );
      assert.equal(order.filter((c) => ordered(c)).length, target === 5000 ? 0 : 1);
      // Out of order and outside the order, on a fresh test.
      const shuffled = otpAt(t, otp, order);
      for (const c of [103, 96, 100, 5000, 2 ** 33 + 5, 99, 97, 101]) assert.equal(shuffled(c), c === target, `${algorithm} target ${target}, asked ${c}`);
    }
  }
});

test('otpAt refuses an OTP of the wrong length or with non-digits before making any code', () => {
  const t = token({ otpLength: 6 });
  for (const bad of ['75522', '7552244', '75522x', '']) {
    const shows = otpAt(t, bad, [0, 1, 2, 3]);
    assert.equal(
      [0, 1, 2, 3].some((c) => shows(c)),
      false,
      bad,
    );
  }
  assert.equal(otpAt(t, '755224', [3, 2, 1, 0])(0), true, 'RFC 4226 counter 0');
});
