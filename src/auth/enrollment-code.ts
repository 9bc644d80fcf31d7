// Enrollment codes: what an admin reads to a user over the phone, so 16
// characters of an alphabet without look-alikes (no 0/O, 1/I), in groups
// of four; 80 random bits, stored only as an HMAC under the key file's
// pepper, typed back in any case and with or without the dashes.

import { randomInt } from 'node:crypto';

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const LENGTH = 16;

/** A fresh code, e.g. K7PM-2XQD-9RTF-H4WN. */
export function newEnrollmentCode(): string {
  const chars = Array.from({ length: LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]!);
  return chars.join('').match(/.{4}/g)!.join('-');
}

/** The code as typed, without blanks and dashes, upper case; undefined when it cannot be one. */
export function normalizeEnrollmentCode(typed: string): string | undefined {
  const plain = typed.replace(/[\s-]/g, '').toUpperCase();
  return plain.length === LENGTH && [...plain].every((c) => ALPHABET.includes(c)) ? plain : undefined;
}

/** What the store keeps of a code: the HMAC of its normalized form. */
export function enrollmentCodeId(digest: (secret: string) => string, normalized: string): string {
  return digest(`otp-radius enrollment code ${normalized}`);
}
