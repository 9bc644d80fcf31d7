// A PIN a user sets on the self-service pages (otppin: token): typed twice
// alike, at least the configured length, and not one digit over and over,
// which is the first guess anyone makes.

import { SelfServiceError } from './errors.ts';

export function checkNewPin(pin: string, again: string, minLength: number): string {
  if (pin !== again) throw new SelfServiceError('invalid', 'pin-mismatch', 'the two PINs differ');
  if ([...pin].length < minLength) throw new SelfServiceError('invalid', 'pin-short', `the PIN must have at least ${minLength} characters`, { min: minLength });
  if (pin.length > 64) throw new SelfServiceError('invalid', 'pin-long', 'the PIN must have at most 64 characters', { max: 64 });
  if (/^(\d)\1*$/.test(pin)) throw new SelfServiceError('invalid', 'pin-one-digit', 'the PIN must not be one digit repeated');
  return pin;
}
