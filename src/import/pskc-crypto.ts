// The cryptography of RFC 6030 (PSKC) containers: XML Encryption ciphers
// for key values (AES-CBC with the IV in front of the ciphertext and XML
// Encryption's padding, or AES key wrap), the MAC over each encrypted value
// (HMAC over IV || ciphertext, with a MAC key carried encrypted in the file),
// and PBKDF2 for password-based encryption keys.

import { createCipheriv, createDecipheriv, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { ImportError } from './errors.ts';

const XMLENC = 'http://www.w3.org/2001/04/xmlenc#';
const XMLDSIG = 'http://www.w3.org/2000/09/xmldsig#';
const XMLDSIG_MORE = 'http://www.w3.org/2001/04/xmldsig-more#';
export const PBKDF2_URI = 'http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#pbkdf2';

interface Cipher {
  mode: 'cbc' | 'wrap';
  keyBytes: number;
  openssl: string;
}

const CIPHERS: Readonly<Record<string, Cipher>> = {
  [`${XMLENC}aes128-cbc`]: { mode: 'cbc', keyBytes: 16, openssl: 'aes-128-cbc' },
  [`${XMLENC}aes192-cbc`]: { mode: 'cbc', keyBytes: 24, openssl: 'aes-192-cbc' },
  [`${XMLENC}aes256-cbc`]: { mode: 'cbc', keyBytes: 32, openssl: 'aes-256-cbc' },
  [`${XMLENC}kw-aes128`]: { mode: 'wrap', keyBytes: 16, openssl: 'id-aes128-wrap' },
  [`${XMLENC}kw-aes192`]: { mode: 'wrap', keyBytes: 24, openssl: 'id-aes192-wrap' },
  [`${XMLENC}kw-aes256`]: { mode: 'wrap', keyBytes: 32, openssl: 'id-aes256-wrap' },
};

const MACS: Readonly<Record<string, string>> = {
  [`${XMLDSIG}hmac-sha1`]: 'sha1',
  [`${XMLDSIG_MORE}hmac-sha224`]: 'sha224',
  [`${XMLDSIG_MORE}hmac-sha256`]: 'sha256',
  [`${XMLDSIG_MORE}hmac-sha384`]: 'sha384',
  [`${XMLDSIG_MORE}hmac-sha512`]: 'sha512',
};

/** The PBKDF2 PRFs; RFC 8018's default is HMAC-SHA1. */
const PRFS: Readonly<Record<string, string>> = {
  '': 'sha1',
  [`${XMLDSIG}hmac-sha1`]: 'sha1',
  'http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#hmac-sha1': 'sha1',
  [`${XMLDSIG_MORE}hmac-sha256`]: 'sha256',
  [`${XMLDSIG_MORE}hmac-sha512`]: 'sha512',
};

const KW_IV = Buffer.from('A6A6A6A6A6A6A6A6', 'hex');

export function cipherFor(uri: string): Cipher {
  const c = CIPHERS[uri];
  if (!c) throw new ImportError([`encryption algorithm ${uri || '(none given)'} is not supported (AES-CBC and AES key wrap are)`]);
  return c;
}

export function macFor(uri: string): string {
  const m = MACS[uri];
  if (!m) throw new ImportError([`MAC algorithm ${uri || '(none given)'} is not supported (HMAC-SHA1/224/256/384/512 are)`]);
  return m;
}

export function prfFor(uri: string): string {
  const p = PRFS[uri];
  if (!p) throw new ImportError([`PBKDF2 PRF ${uri} is not supported (HMAC-SHA1, -SHA256, -SHA512 are)`]);
  return p;
}

/** Decrypts one CipherValue (base64 already decoded): IV || ciphertext for CBC, the wrapped key for key wrap. */
export function decrypt(uri: string, key: Buffer, data: Buffer, what: string): Buffer {
  const c = cipherFor(uri);
  if (key.length !== c.keyBytes) throw new ImportError([`${what}: ${uri.split('#')[1]} needs a ${c.keyBytes * 8}-bit key, the one given has ${key.length * 8} bits`]);
  const fail = (): never => {
    throw new ImportError([`${what}: does not decrypt (wrong key or password, or a damaged value)`]);
  };
  if (c.mode === 'wrap') {
    try {
      const d = createDecipheriv(c.openssl, key, KW_IV);
      return Buffer.concat([d.update(data), d.final()]);
    } catch {
      return fail();
    }
  }
  if (data.length < 32 || data.length % 16 !== 0) return fail();
  const d = createDecipheriv(c.openssl, key, data.subarray(0, 16));
  d.setAutoPadding(false);
  const plain = Buffer.concat([d.update(data.subarray(16)), d.final()]);
  // XML Encryption padding: the last byte says how many bytes to drop; the others are arbitrary.
  const n = plain[plain.length - 1]!;
  if (n < 1 || n > 16) return fail();
  return plain.subarray(0, plain.length - n);
}

/** AES-CBC with a random IV, as XML Encryption writes it: IV || ciphertext, PKCS #7 padding (a valid XML Encryption padding). */
export function encrypt(uri: string, key: Buffer, plain: Buffer): Buffer {
  const c = cipherFor(uri);
  if (c.mode !== 'cbc' || key.length !== c.keyBytes) throw new Error(`encrypt: ${uri} with a ${key.length}-byte key`);
  const iv = randomBytes(16);
  const e = createCipheriv(c.openssl, key, iv);
  return Buffer.concat([iv, e.update(plain), e.final()]);
}

export function mac(hash: string, key: Buffer, data: Buffer): Buffer {
  return createHmac(hash, key).update(data).digest();
}

export function checkMac(hash: string, key: Buffer, data: Buffer, expected: Buffer, what: string): void {
  const actual = mac(hash, key, data);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) throw new ImportError([`${what}: ValueMAC does not match (the file was changed, or the key is wrong)`]);
}

export function pbkdf2(password: string, salt: Buffer, iterations: number, keyLength: number, prf: string): Buffer {
  return pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, keyLength, prf);
}

export const AES128_CBC = `${XMLENC}aes128-cbc`;
export const AES192_CBC = `${XMLENC}aes192-cbc`;
export const AES256_CBC = `${XMLENC}aes256-cbc`;
export const HMAC_SHA1 = `${XMLDSIG}hmac-sha1`;
export const HMAC_SHA256 = `${XMLDSIG_MORE}hmac-sha256`;
