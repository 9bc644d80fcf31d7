// OTPs are compared in constant time: a comparison that stops at the first
// wrong digit would tell a patient attacker how many leading digits are right.

import { timingSafeEqual } from 'node:crypto';
import { counterCode, otpValue, parseOtp, type CounterCode } from '../otp/counter-code.ts';
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
 */
export function otpAt(token: Token, otp: string): OtpAt {
  const want = parseOtp(otp, token.otpLength);
  if (want < 0) return () => false;
  const code = codeOf(token);
  const digits = token.otpLength;
  return (counter) => otpValue(code.binaryAt(counter), digits) === want;
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
