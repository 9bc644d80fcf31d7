// PIN+OTP in one password: the OTP is the last (or first) otp length
// characters, the PIN the rest.

export type PinPosition = 'prepend' | 'append';

export interface PinOtp {
  pin: string;
  otp: string;
}

/** Undefined when the password is shorter than the OTP itself. */
export function splitPinOtp(password: string, otpLength: number, position: PinPosition): PinOtp | undefined {
  // Count characters, not UTF-16 units, so a PIN with non-ASCII letters splits right.
  const chars = [...password];
  if (chars.length < otpLength) return undefined;
  if (position === 'prepend') return { pin: chars.slice(0, chars.length - otpLength).join(''), otp: chars.slice(chars.length - otpLength).join('') };
  return { pin: chars.slice(otpLength).join(''), otp: chars.slice(0, otpLength).join('') };
}
