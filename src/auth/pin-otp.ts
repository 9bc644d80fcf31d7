// PIN+OTP in one password: the OTP is the last (or first) otp length
// characters, the PIN the rest.

import type { PinPosition } from '../model/policy.ts';

export interface PinOtp {
  pin: string;
  otp: string;
}

/** Undefined when the password is shorter than the OTP itself. */
export function splitPinOtp(password: string, otpLength: number, position: PinPosition): PinOtp | undefined {
  // Count characters, not UTF-16 units, so a PIN with non-ASCII letters splits right.
  // Without surrogate pairs the two counts agree, and the string itself is sliced.
  const chars: string | string[] = /[\uD800-\uDFFF]/.test(password) ? [...password] : password;
  if (chars.length < otpLength) return undefined;
  const part = (from: number, to?: number): string => (typeof chars === 'string' ? chars.slice(from, to) : chars.slice(from, to).join(''));
  if (position === 'prepend') return { pin: part(0, chars.length - otpLength), otp: part(chars.length - otpLength) };
  return { pin: part(otpLength), otp: part(0, otpLength) };
}
