// OTPs are compared in constant time: a comparison that stops at the first
// wrong digit would tell a patient attacker how many leading digits are right.

import { createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

export function sameOtp(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

// One KeyObject per seed Buffer: a window search runs up to dozens of HMACs
// with the same key, and an HMAC from a Buffer key pays the key setup each time.
const keys = new WeakMap<Buffer, KeyObject>();

export function seedKey(seed: Buffer): KeyObject {
  let k = keys.get(seed);
  if (!k) {
    k = createSecretKey(seed);
    keys.set(seed, k);
  }
  return k;
}
