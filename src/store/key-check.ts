// Ties a database to its key file. On first open the store writes a value
// sealed with the seed key and derived from the pepper into store_meta; every
// later open checks it, so a wrong key file stops the start instead of every
// login (wrong seed key) or every PIN check (wrong pepper). Shared by the
// SQLite and PostgreSQL stores.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { StoreError } from './errors.ts';
import { loadOrCreateKeyFile, type StoreKeys } from './keyfile.ts';
import type { ScryptParams } from './pin-hash.ts';
import { seal, unseal } from './seed-crypto.ts';

const KEY_CHECK_CONTEXT = 'otp-radius key check';

/** Where a store's keys come from; both backends take these options. */
export interface KeySource {
  /** Key file path (see keyfile.ts). Give this or `keys`. */
  keyFile?: string;
  /** Keys given directly instead of a key file (tests, tools). */
  keys?: StoreKeys;
  /** Create the key file when it is absent and the database has no key check yet. Default true. */
  createKeyFile?: boolean;
  /** Default true: create a store that does not exist yet; false: a missing store or key file is a 'missing' StoreError. */
  create?: boolean;
}

/** What `otp-radius` says to do about a store or key file that does not exist. */
export const CREATE_HINT = 'create it with `otp-radius store init` (or start the server once)';

/** What both backends' open functions take besides their connection. */
export interface BackendOptions extends KeySource {
  /** scrypt parameters for new PIN hashes. */
  pinParams?: ScryptParams;
}

/** The key_check value in the database's store_meta, as a backend reads and writes it. */
export interface KeyCheckCell {
  read(): string | undefined | Promise<string | undefined>;
  /** Stores `value` unless a key check is there already. */
  insertIfAbsent(value: string): void | Promise<void>;
}

export function checkKeySource(src: KeySource, what: string): void {
  if ((src.keyFile === undefined) === (src.keys === undefined)) throw new StoreError('invalid', `${what}: give exactly one of keyFile and keys`);
}

/**
 * The keys for a database: loaded (or, for a new database, created) from
 * the options, written as the database's key check on first open, and
 * checked against it on every later one. `hint` ends the message when the
 * key file does not match.
 */
export async function tieToKeys(cell: KeyCheckCell, src: KeySource, where: string, what: string, hint = ''): Promise<StoreKeys> {
  const keys = loadKeys(src, (await cell.read()) !== undefined, where, what);
  await cell.insertIfAbsent(newKeyCheck(keys));
  verifyKeyCheck((await cell.read())!, keys, where, src.keyFile, hint);
  return keys;
}

function expected(keys: StoreKeys): Buffer {
  return createHmac('sha256', keys.pepper).update(KEY_CHECK_CONTEXT).digest();
}

/** The value to store when the database has none yet. */
function newKeyCheck(keys: StoreKeys): string {
  return seal(expected(keys), KEY_CHECK_CONTEXT, keys.seedKey);
}

/** Throws a 'key' StoreError when `stored` was not made from these keys. */
function verifyKeyCheck(stored: string, keys: StoreKeys, where: string, keyFile: string | undefined, hint: string): void {
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

/**
 * The keys from the options. A key file is created only when allowed and the
 * database has no key check yet: a database with seeds and no key file needs
 * the old file restored, and a new one would only hide that.
 */
function loadKeys(src: KeySource, hasKeyCheck: boolean, where: string, what: string): StoreKeys {
  checkKeySource(src, what);
  if (src.keys) return src.keys;
  const keyFile = src.keyFile!;
  try {
    return loadOrCreateKeyFile(keyFile, { create: (src.createKeyFile ?? true) && !hasKeyCheck });
  } catch (err) {
    if (err instanceof StoreError && hasKeyCheck && /does not exist/.test(err.message)) {
      throw new StoreError('key', `key file ${keyFile} does not exist, but ${where} holds seeds encrypted with a key file: restore that key file from backup (a new key cannot decrypt them)`);
    }
    if (err instanceof StoreError && src.create === false && /does not exist/.test(err.message)) {
      throw new StoreError('missing', `key file ${keyFile} does not exist: ${CREATE_HINT}`);
    }
    throw err;
  }
}
