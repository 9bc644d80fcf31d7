// How LinOTP's default security module keeps secrets, read back:
//
// - The encKey file holds 32-byte AES-256 keys back to back (usually three,
//   96 bytes). Slot 0 is LinOTP's TOKEN_KEY: token seeds and encrypted PINs.
// - A value is turned into hex text, padded, and encrypted with AES-256-CBC
//   under a 16-byte IV. LinOTP 2 pads with 0x01 0x02 and then NULs up to the
//   block size; LinOTP 3.1 re-encrypted token seeds with PKCS #7 (but not the
//   encrypted PINs). Hex text never contains 0x00-0x10, so the two paddings
//   cannot be mistaken for each other or for data.
// - Token seeds go into that layer as their hex text, so the plaintext of a
//   seed is hex of the hex seed.
// - "@@" in LinOtpPinHash marks an encrypted PIN, "@@<iv hex>:<ciphertext hex>"
//   in LinOTP 2.x; later versions hex-encode that text once more.

import { createDecipheriv, createHmac } from 'node:crypto';
import { ImportError } from './errors.ts';

export const ENC_KEY_BYTES = 32;
/** LinOTP's TOKEN_KEY slot: seeds and encrypted PINs. */
export const TOKEN_KEY_SLOT = 0;

/** The key slots of an encKey file: raw bytes, or (as some installs keep it) the same as hex text. */
export function parseEncKey(data: Buffer, file: string): Buffer[] {
  let raw = data;
  const text = data.toString('latin1').trim();
  if (/^(?:[0-9a-fA-F]{64})+$/.test(text)) raw = Buffer.from(text, 'hex');
  if (raw.length === 0 || raw.length % ENC_KEY_BYTES !== 0) {
    throw new ImportError([`${file}: expected LinOTP's encKey, a multiple of ${ENC_KEY_BYTES} bytes (usually 96), got ${data.length} bytes`]);
  }
  const slots: Buffer[] = [];
  for (let i = 0; i < raw.length; i += ENC_KEY_BYTES) slots.push(raw.subarray(i, i + ENC_KEY_BYTES));
  return slots;
}

function hexField(text: string, what: string, bytes?: number): Buffer {
  const t = text.trim();
  if (t.length === 0 || t.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(t)) throw new ImportError([`${what}: expected hex, got ${t.length === 0 ? 'nothing' : `${t.length} characters that are not`}`]);
  const buf = Buffer.from(t, 'hex');
  if (bytes !== undefined && buf.length !== bytes) throw new ImportError([`${what}: expected ${bytes} bytes, got ${buf.length}`]);
  return buf;
}

/** Removes either padding; undefined when neither is there (a wrong key or a damaged value). */
function unpad(plain: Buffer): Buffer | undefined {
  let end = plain.length;
  while (end > 0 && plain[end - 1] === 0) end--;
  if (end >= 2 && plain[end - 2] === 0x01 && plain[end - 1] === 0x02) return plain.subarray(0, end - 2);
  const n = plain[plain.length - 1];
  if (n === undefined || n < 1 || n > 16 || n > plain.length) return undefined;
  for (let i = plain.length - n; i < plain.length; i++) if (plain[i] !== n) return undefined;
  return plain.subarray(0, plain.length - n);
}

function hexText(buf: Buffer): Buffer | undefined {
  const text = buf.toString('latin1');
  return text.length % 2 === 0 && /^[0-9a-fA-F]*$/.test(text) ? Buffer.from(text, 'hex') : undefined;
}

/** The bytes LinOTP handed to its encrypt(): decrypted, unpadded and hex-decoded. */
export function decryptValue(key: Buffer, iv: Buffer, ciphertext: Buffer, what: string): Buffer {
  if (iv.length !== 16) throw new ImportError([`${what}: IV must be 16 bytes, got ${iv.length}`]);
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) throw new ImportError([`${what}: ciphertext must be a non-empty multiple of 16 bytes, got ${ciphertext.length}`]);
  const decipher = createDecipheriv('aes-256-cbc', key, iv);
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  const body = unpad(plain);
  const value = body === undefined ? undefined : hexText(body);
  if (value === undefined) throw new ImportError([`${what}: does not decrypt with slot ${TOKEN_KEY_SLOT} of the encKey (wrong encKey, or a damaged value)`]);
  return value;
}

function slot(keys: readonly Buffer[], n: number): Buffer {
  const key = keys[n];
  if (!key) throw new ImportError([`the encKey has ${keys.length} key${keys.length === 1 ? '' : 's'}, slot ${n} is missing`]);
  return key;
}

/** A token seed from LinOtpKeyEnc and LinOtpKeyIV (both hex). */
export function decryptSeed(keys: readonly Buffer[], keyEncHex: string, ivHex: string): Buffer {
  const hexSeed = decryptValue(slot(keys, TOKEN_KEY_SLOT), hexField(ivHex, 'LinOtpKeyIV', 16), hexField(keyEncHex, 'LinOtpKeyEnc'), 'LinOtpKeyEnc');
  const seed = hexText(hexSeed);
  if (seed === undefined || seed.length === 0) throw new ImportError(['LinOtpKeyEnc: decrypts, but not to a hex seed']);
  return seed;
}

/** The PIN inside an "@@" LinOtpPinHash. */
export function decryptPin(keys: readonly Buffer[], stored: string): string {
  if (!stored.startsWith('@@')) throw new ImportError(['LinOtpPinHash: not an encrypted PIN (no @@ prefix)']);
  let body = stored.slice(2).trim();
  if (!body.includes(':')) {
    const inner = hexText(Buffer.from(body, 'latin1'));
    body = inner ? inner.toString('latin1') : '';
  }
  const m = /^([0-9a-fA-F]{32}):([0-9a-fA-F]+)$/.exec(body);
  if (!m) throw new ImportError(['LinOtpPinHash: an encrypted PIN (@@) that is not "<iv hex>:<ciphertext hex>"']);
  const pin = decryptValue(slot(keys, TOKEN_KEY_SLOT), Buffer.from(m[1]!, 'hex'), hexField(m[2]!, 'LinOtpPinHash'), 'LinOtpPinHash (encrypted PIN)');
  return pin.toString('utf8');
}

/** The PIN of an OCRA2 token's suite (P), from LinOtpTokenPinUser and its IV. */
export function decryptUserPin(keys: readonly Buffer[], encHex: string, ivHex: string): string {
  return decryptValue(slot(keys, TOKEN_KEY_SLOT), hexField(ivHex, 'LinOtpTokenPinUserIV', 16), hexField(encHex, 'LinOtpTokenPinUser'), 'LinOtpTokenPinUser').toString('utf8');
}

/**
 * A short keyed fingerprint of the PIN as LinOTP stores it, kept in token
 * info: a later import sees whether the PIN changed in LinOTP since the last
 * one, and keeps the hash here (perhaps already upgraded) when it did not.
 * Keyed with the encKey so the database alone does not allow testing PINs.
 */
export function pinFingerprint(keys: readonly Buffer[], pinHash: string, salt: string): string {
  return createHmac('sha256', slot(keys, TOKEN_KEY_SLOT)).update(`otp-radius linotp pin\0${pinHash}\0${salt}`).digest('hex').slice(0, 32);
}
