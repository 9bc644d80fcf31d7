// Seeds at rest: AES-256-GCM with a fresh 12-byte IV per encryption and the
// 16-byte tag, stored as 'v1:' + base64(iv | tag | ciphertext). The version
// prefix lets a later key rotation or algorithm change read old rows.
//
// The serial is bound as additional authenticated data, so a seed copied
// into another token's row (by a bad import or a hostile database write)
// fails to decrypt instead of silently giving that token someone's secret.

import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { StoreError } from './errors.ts';
import { KEY_BYTES } from './keyfile.ts';

const PREFIX = 'v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

// A KeyObject made once per key: a cipher built from a Buffer key sets the
// key up anew each time, and every token read decrypts a seed.
const keyObjects = new WeakMap<Buffer, KeyObject>();
function keyObject(key: Buffer): KeyObject {
  let k = keyObjects.get(key);
  if (!k) {
    k = createSecretKey(key);
    keyObjects.set(key, k);
  }
  return k;
}

/** Encrypts `plain` so that only the same key and the same `context` open it again. */
export function seal(plain: Buffer, context: string, key: Buffer): string {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyObject(key), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

/**
 * Opens what `seal` produced; returns undefined when the key or the context
 * is wrong or the text was altered (GCM cannot tell these apart). Throws only
 * for text that is not in the format at all.
 */
export function unseal(text: string, context: string, key: Buffer): Buffer | undefined {
  checkKey(key);
  if (!text.startsWith(PREFIX)) {
    const shown = /^[a-z0-9]{1,8}:/.exec(text)?.[0] ?? 'none';
    throw new Error(`expected the prefix ${PREFIX} (prefix found: ${shown})`);
  }
  const b64 = text.slice(PREFIX.length);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw new Error('not valid base64 after the prefix');
  const raw = Buffer.from(b64, 'base64');
  if (raw.length < IV_BYTES + TAG_BYTES) throw new Error(`too short (${raw.length} bytes, at least ${IV_BYTES + TAG_BYTES} expected)`);
  const decipher = createDecipheriv('aes-256-gcm', keyObject(key), raw.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    return undefined;
  }
}

/** Whether `text` is something seal() made. */
export function isSealed(text: string): boolean {
  return text.startsWith(PREFIX);
}

function seedContext(serial: string): string {
  return `otp-radius token seed\0${serial}`;
}

export function encryptSeed(seed: Buffer, serial: string, key: Buffer): string {
  return seal(seed, seedContext(serial), key);
}

/** Throws a StoreError naming the serial when the seed cannot be decrypted. */
export function decryptSeed(stored: string, serial: string, key: Buffer): Buffer {
  let seed: Buffer | undefined;
  try {
    seed = unseal(stored, seedContext(serial), key);
  } catch (err) {
    throw new StoreError('corrupt', `seed of token ${serial} is malformed: ${(err as Error).message}`);
  }
  if (!seed) throw new StoreError('key', `seed of token ${serial} cannot be decrypted: wrong key file?`);
  return seed;
}

/**
 * Token info values that are secrets: the hash of the PIN inside an OCRA
 * computation (suites with P) opens like a seed, so it is sealed the same
 * way, bound to its serial.
 */
export const SEALED_INFO = ['ocraPinHash'] as const;

function infoContext(serial: string, name: string): string {
  return `otp-radius token info\0${serial}\0${name}`;
}

/** The info with its secret values sealed (those already sealed stay as they are). */
export function sealInfo(info: Record<string, string>, serial: string, key: Buffer): Record<string, string> {
  let out = info;
  for (const name of SEALED_INFO) {
    const value = info[name];
    if (value === undefined || isSealed(value)) continue;
    out = { ...out, [name]: seal(Buffer.from(value, 'utf8'), infoContext(serial, name), key) };
  }
  return out;
}

/** The info with its secret values opened; a value still plain (written before sealing) is taken as it is. */
export function openInfo(info: Record<string, string>, serial: string, key: Buffer): Record<string, string> {
  let out = info;
  for (const name of SEALED_INFO) {
    const value = info[name];
    if (value === undefined || !isSealed(value)) continue;
    let plain: Buffer | undefined;
    try {
      plain = unseal(value, infoContext(serial, name), key);
    } catch (err) {
      throw new StoreError('corrupt', `info ${name} of token ${serial} is malformed: ${(err as Error).message}`);
    }
    if (!plain) throw new StoreError('key', `info ${name} of token ${serial} cannot be decrypted: wrong key file?`);
    out = { ...out, [name]: plain.toString('utf8') };
  }
  return out;
}

function checkKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new StoreError('key', `seed key must be ${KEY_BYTES} bytes, got ${key.length}`);
}
