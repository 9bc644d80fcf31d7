// Ties a database to its key file. On first open the store writes a value
// sealed with the seed key and derived from the pepper into store_meta; every
// later open checks it, so a wrong key file stops the start instead of every
// login (wrong seed key) or every PIN check (wrong pepper). Shared by the
// SQLite and PostgreSQL stores.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { StoreError } from './errors.ts';
import { loadOrCreateKeyFile, type StoreKeys } from './keyfile.ts';
import { seal, unseal } from './seed-crypto.ts';

const KEY_CHECK_CONTEXT = 'otp-radius key check';

function expected(keys: StoreKeys): Buffer {
  return createHmac('sha256', keys.pepper).update(KEY_CHECK_CONTEXT).digest();
}

/** The value to store when the database has none yet. */
export function newKeyCheck(keys: StoreKeys): string {
  return seal(expected(keys), KEY_CHECK_CONTEXT, keys.seedKey);
}

/** Throws a 'key' StoreError when `stored` was not made from these keys. */
export function verifyKeyCheck(stored: string, keys: StoreKeys, where: string, keyFile: string | undefined, hint = ''): void {
  const want = expected(keys);
  let opened: Buffer | undefined;
  try {
    opened = unseal(stored, KEY_CHECK_CONTEXT, keys.seedKey);
  } catch (err) {
    throw new StoreError('corrupt', `${where}: stored key check is malformed: ${(err as Error).message}`);
  }
  if (!opened || opened.length !== want.length || !timingSafeEqual(opened, want)) {
    const which = keyFile ? `key file ${keyFile}` : 'the given keys';
    throw new StoreError('key', `${which} does not match ${where}: the database was set up with another key file${hint}`);
  }
}

export interface KeySource {
  keyFile?: string;
  keys?: StoreKeys;
  createKeyFile?: boolean;
}

/**
 * The keys from the options. A key file is created only when allowed and the
 * database has no key check yet: a database with seeds and no key file needs
 * the old file restored, and a new one would only hide that.
 */
export function loadKeys(src: KeySource, hasKeyCheck: boolean, where: string, what: string): StoreKeys {
  if ((src.keyFile === undefined) === (src.keys === undefined)) throw new StoreError('invalid', `${what}: give exactly one of keyFile and keys`);
  if (src.keys) return src.keys;
  const keyFile = src.keyFile!;
  try {
    return loadOrCreateKeyFile(keyFile, { create: (src.createKeyFile ?? true) && !hasKeyCheck });
  } catch (err) {
    if (err instanceof StoreError && hasKeyCheck && /does not exist/.test(err.message)) {
      throw new StoreError('key', `key file ${keyFile} does not exist, but ${where} holds seeds encrypted with a key file: restore that key file from backup (a new key cannot decrypt them)`);
    }
    throw err;
  }
}
