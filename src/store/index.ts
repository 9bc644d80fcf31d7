// The store's public face. openStore picks the backend from the shape of its
// options: `{ sqlite: {...} }` today; `{ postgres: {...} }` (issue 7) becomes
// one more member of StoreOptions and one more branch below.

import type { PinHasher } from './pin-hash.ts';
import { openSqliteStore } from './sqlite.ts';
import type { TokenStore } from './types.ts';

export type * from './types.ts';
export { StoreError, type StoreErrorCode } from './errors.ts';
export { KEY_BYTES, formatKeyFile, loadOrCreateKeyFile, parseKeyFile, type LoadedKeyFile, type StoreKeys } from './keyfile.ts';
export { decryptSeed, encryptSeed, seal, unseal } from './seed-crypto.ts';
export {
  DEFAULT_PIN_PARAMS, dummyVerify, hashPin, isKnownPinHash, needsRehash, pinHashScheme, pinHasher, verifyPin,
  type PinHashScheme, type PinHasher, type ScryptParams,
} from './pin-hash.ts';
export { MIGRATIONS, migrateSqlite, pendingMigrations, type Migration, type MigrationResult } from './migrations.ts';
export { openSqliteStore, SqliteTokenStore, type SqliteStoreOptions } from './sqlite.ts';

export interface SqliteBackendOptions {
  sqlite: { path: string; busyTimeoutMs?: number };
  keyFile: string;
  /** Default true: create the key file on first start. */
  createKeyFile?: boolean;
}

/** One member per backend, told apart by its backend key. */
export type StoreOptions = SqliteBackendOptions;

/** A store together with the PIN hashing bound to its key file's pepper. */
export interface KeyedTokenStore extends TokenStore {
  readonly pins: PinHasher;
}

export async function openStore(options: StoreOptions): Promise<KeyedTokenStore> {
  if ('sqlite' in options && options.sqlite) {
    return openSqliteStore({
      path: options.sqlite.path,
      keyFile: options.keyFile,
      ...(options.createKeyFile !== undefined ? { createKeyFile: options.createKeyFile } : {}),
      ...(options.sqlite.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.sqlite.busyTimeoutMs } : {}),
    });
  }
  throw new Error(`openStore: no backend in the options (expected a 'sqlite' section, got keys: ${Object.keys(options).join(', ') || 'none'})`);
}
