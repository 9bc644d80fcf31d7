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
  // Without surrogate pairs the two counts agree, and slicing the string is enough.
  if (!/[\uD800-\uDFFF]/.test(password)) {
    if (password.length < otpLength) return undefined;
    if (position === 'prepend') return { pin: password.slice(0, password.length - otpLength), otp: password.slice(password.length - otpLength) };
    return { pin: password.slice(otpLength), otp: password.slice(0, otpLength) };
  }
  const chars = [...password];
  if (chars.length < otpLength) return undefined;
  if (position === 'prepend') return { pin: chars.slice(0, chars.length - otpLength).join(''), otp: chars.slice(chars.length - otpLength).join('') };
  return { pin: chars.slice(otpLength).join(''), otp: chars.slice(0, otpLength).join('') };
}
