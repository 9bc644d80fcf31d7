// OTPs are compared in constant time: a comparison that stops at the first
// wrong digit would tell a patient attacker how many leading digits are right.

import { timingSafeEqual } from 'node:crypto';
import { counterCode, otpValue, parseOtp, type CounterCode } from '../otp/counter-code.ts';
import { checkDigits } from '../otp/hotp.ts';
import type { Token } from '../model/token.ts';

export function sameOtp(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether the token shows the given OTP at a counter (HOTP) or time step (TOTP). */
export type OtpAt = (counter: number) => boolean;

/**
 * The test one window search runs at each counter. Codes are compared as
 * numbers, which takes the same time whichever digits differ, and the typed
 * OTP is parsed once instead of formatting a string per counter.
 *
 * `order`: the counters the search will ask for, in the order it asks. Their
 * codes are then made as the code source does it fastest, four at a time for
 * SHA-1 (a wrong OTP is tried at 81 steps), each when first needed; a counter
 * outside `order` still gets its own.
 */
export function otpAt(token: Token, otp: string, order?: readonly number[]): OtpAt {
  const want = parseOtp(otp, token.otpLength);
  if (want < 0) return () => false;
  const code = codeOf(token);
  const digits = token.otpLength;
  if (!order) return (counter) => otpValue(code.binaryAt(counter), digits) === want;
  // otpValue's modulus, with its check of the digits done once rather than per code.
  checkDigits(digits);
  const modulus = 10 ** digits;
  // -1 marks a code not made yet (a truncated HMAC is 31 bits, never negative). An Int32Array,
  // because 31 bits exceed V8's small integers: a plain array would hold every element, and
  // take the modulus below, in floating point.
  const binaries = new Int32Array(order.length).fill(-1);
  let next = 0;
  return (counter) => {
    const i = order[next] === counter ? next : order.indexOf(counter);
    if (i < 0) return otpValue(code.binaryAt(counter), digits) === want;
    next = i + 1;
    if (binaries[i]! < 0) code.binariesAt(order, i, binaries);
    return binaries[i]! % modulus === want;
  };
}

// One code source per seed Buffer: a wrong OTP is searched in the window and
// then in the sync window, and a resync tests two OTPs, each with the same
// seed; the key's inner and outer states are worth computing once. A token
// read from the store has a Buffer of its own, so this lives as long as it.
const codes = new WeakMap<Buffer, CounterCode>();

function codeOf(token: Token): CounterCode {
  let code = codes.get(token.seed);
  if (!code || code.algorithm !== token.algorithm) {
    code = counterCode(token.seed, token.algorithm);
    codes.set(token.seed, code);
  }
  return code;
}
