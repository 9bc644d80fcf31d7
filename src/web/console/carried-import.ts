// The import preview hands the file back to the browser for its second step
// sealed (AES-256-GCM under a key from the store's key file, bound to the
// session, valid for a while): the page then holds no seed and no PSKC key
// or password in readable form, and a sealed file is of no use to another
// session or later.

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** What the import step needs again from the preview's form. */
export interface CarriedImport {
  content: Buffer;
  filename: string;
  format: string;
  psk: string;
  password: string;
  user: string;
  realm: string;
}

/** How long a preview may be confirmed after it was shown. */
export const CARRY_SECONDS = 30 * 60;

const VERSION = 1;

function aad(session: string): Buffer {
  return Buffer.from(`otp-radius import preview ${session}`);
}

/** `session` is a secret of the session (its CSRF token); `now` in unix seconds. */
export function sealImport(key: Buffer, session: string, carried: CarriedImport, now: number): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad(session));
  const plain = Buffer.from(JSON.stringify({ until: now + CARRY_SECONDS, ...carried, content: carried.content.toString('base64') }));
  const sealed = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([Buffer.of(VERSION), iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

/** The carried form, or why it cannot be used. */
export function openImport(key: Buffer, session: string, text: string, now: number): CarriedImport | 'invalid' | 'expired' {
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.length < 30 || bytes[0] !== VERSION) return 'invalid';
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(1, 13));
    decipher.setAAD(aad(session));
    decipher.setAuthTag(bytes.subarray(13, 29));
    plain = Buffer.concat([decipher.update(bytes.subarray(29)), decipher.final()]);
  } catch {
    return 'invalid';
  }
  const v = JSON.parse(plain.toString('utf8')) as Omit<CarriedImport, 'content'> & { until: number; content: string };
  if (now > v.until) return 'expired';
  return { content: Buffer.from(v.content, 'base64'), filename: v.filename, format: v.format, psk: v.psk, password: v.password, user: v.user, realm: v.realm };
}
