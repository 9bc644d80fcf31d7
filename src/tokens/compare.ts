// OTPs are compared in constant time: a comparison that stops at the first
// wrong digit would tell a patient attacker how many leading digits are right.

import { timingSafeEqual } from 'node:crypto';

export function sameOtp(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
