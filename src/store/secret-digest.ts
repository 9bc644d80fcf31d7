// Digests of high-entropy secrets (API key secrets, session ids): HMAC-SHA256
// under the key file's pepper. A KDF would add nothing for 256 random bits,
// and a digest lets the store find the row by it.

import { createHash, createHmac } from 'node:crypto';

export function secretDigest(pepper: Buffer): (secret: string) => string {
  // A key of its own, so a digest here never equals a PIN hash input elsewhere.
  const key = createHash('sha256').update('otp-radius secret digest\u0000').update(pepper).digest();
  return (secret) => createHmac('sha256', key).update(secret, 'utf8').digest('hex');
}
