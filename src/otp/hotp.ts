import { createHmac, type KeyObject } from 'node:crypto';
import type { OtpAlgorithm } from './algorithm.ts';
import { checkOtpAlgorithm } from './algorithm.ts';
import { OtpInputError } from './errors.ts';

const MAX_COUNTER = (1n << 64n) - 1n;

/** Validates a moving factor (HOTP counter, TOTP time step, OCRA C or T) and widens it to 64 bits. */
export function toCounter(value: number | bigint, what = 'counter'): bigint {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new OtpInputError(`${what}: expected a non-negative integer, got ${value}`);
    }
    return BigInt(value);
  }
  if (value < 0n || value > MAX_COUNTER) {
    throw new OtpInputError(`${what}: expected 0..2^64-1, got ${value}`);
  }
  return value;
}

/** The moving factor as the 8-byte big-endian block RFC 4226 §5.2 feeds to HMAC. */
export function counterBytes(value: number | bigint, what = 'counter'): Buffer {
  const block = Buffer.alloc(8);
  block.writeBigUInt64BE(toCounter(value, what));
  return block;
}

export function checkDigits(digits: number, min = 1, max = 10): void {
  if (!Number.isInteger(digits) || digits < min || digits > max) {
    throw new OtpInputError(`digits: expected an integer from ${min} to ${max}, got ${digits}`);
  }
}

/**
 * RFC 4226 §5.3 dynamic truncation of an HMAC to a decimal code of `digits`
 * digits, zero-padded. The 31-bit value has at most 10 digits, hence the cap.
 */
export function truncate(mac: Buffer, digits: number): string {
  checkDigits(digits);
  return (truncatedValue(mac) % 10 ** digits).toString().padStart(digits, '0');
}

/** The 31-bit value RFC 4226 §5.3 takes from an HMAC, before the decimal modulus. */
export function truncatedValue(mac: Buffer): number {
  return mac.readUInt32BE(mac[mac.length - 1]! & 0x0f) & 0x7fffffff;
}

/** `seed` may be a KeyObject made once for many HMACs: far cheaper than a Buffer key each time. */
export function hmac(algorithm: OtpAlgorithm, seed: Buffer | KeyObject, message: Buffer): Buffer {
  checkOtpAlgorithm(algorithm);
  return createHmac(algorithm, seed).update(message).digest();
}

/** RFC 4226 HOTP: the one-time password of `seed` at `counter`. */
export function hotp(seed: Buffer | KeyObject, counter: number | bigint, digits = 6, algorithm: OtpAlgorithm = 'sha1'): string {
  checkDigits(digits);
  if ((Buffer.isBuffer(seed) ? seed.length : (seed.symmetricKeySize ?? 0)) === 0) throw new OtpInputError('seed: must not be empty');
  return truncate(hmac(algorithm, seed, counterBytes(counter)), digits);
}
