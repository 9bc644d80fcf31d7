import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createSecretKey } from 'node:crypto';
import { CodeBook, currentStep, hotp6, StepPlan, wrongCode } from '../../bench/codes.ts';
import { hotp } from '../../src/otp/hotp.ts';

describe('StepPlan', () => {
  test("a user's first code is the current step's, then the following steps in order", () => {
    const plan = new StepPlan(2);
    assert.equal(plan.take(0, 100), 100);
    assert.equal(plan.take(0, 100), 101);
    assert.equal(plan.take(0, 100), 102);
    assert.equal(plan.take(1, 100), 100, 'users are independent');
  });

  test('never a step before the current one, once time has moved past the plan', () => {
    const plan = new StepPlan(1);
    plan.take(0, 100);
    assert.equal(plan.take(0, 105), 105);
  });

  test('lead: how far ahead of now the furthest user went', () => {
    const plan = new StepPlan(3);
    assert.equal(plan.lead(100), 0);
    plan.take(1, 100);
    plan.take(1, 100);
    plan.take(1, 100);
    assert.equal(plan.lead(100), 2);
  });
});

describe('codes', () => {
  test('CodeBook gives RFC 6238 codes (SHA-1 vector at T=59: 94287082, six digits 287082)', () => {
    const book = new CodeBook([Buffer.from('12345678901234567890', 'ascii')]);
    assert.equal(book.code(0, currentStep(59_000)), '287082');
    assert.equal(book.code(0, 1), '287082', 'cached');
    assert.throws(() => book.code(1, 1), /user 1: no seed \(have 1\)/);
  });

  test('wrongCode is six digits and never the right one, also at the wrap-around', () => {
    for (const right of ['000000', '499999', '500000', '999999', '287082']) {
      const w = wrongCode(right);
      assert.match(w, /^\d{6}$/);
      assert.notEqual(w, right);
    }
    assert.throws(() => wrongCode('12345'), /expected six digits, got "12345"/);
  });
});

test("hotp6 agrees with the project's HOTP on RFC 4226's vectors and on large counters", () => {
  const seed = Buffer.from('12345678901234567890', 'ascii');
  const key = createSecretKey(seed);
  const rfc = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
  for (const [counter, code] of rfc.entries()) assert.equal(hotp6(key, counter), code);
  for (const counter of [58_000_000, 2 ** 32 + 5, 2 ** 40]) assert.equal(hotp6(key, counter), hotp(seed, counter, 6, 'sha1'));
});
