// PIN+OTP in one password: the OTP is the last (or first) otp length
// characters, the PIN the rest.

import type { PinPosition } from '../model/policy.ts';

export interface PinOtp {
  pin: Buffer;
  /** The OTP part, one character per byte: a code is ASCII digits, and any other byte can never match one. */
  otp: string;
}

/**
 * Undefined when the password is shorter than the OTP itself. Split by bytes:
 * an OTP is ASCII, so a PIN with multi-byte characters splits where it would
 * by characters whenever the OTP part can be a code at all.
 */
export function splitPinOtp(password: Buffer, otpLength: number, position: PinPosition): PinOtp | undefined {
  if (password.length < otpLength) return undefined;
  if (position === 'prepend') return { pin: password.subarray(0, password.length - otpLength), otp: password.toString('latin1', password.length - otpLength) };
  return { pin: password.subarray(otpLength), otp: password.toString('latin1', 0, otpLength) };
}
