// The store's public face. openStore picks the backend from the shape of its
// options: `{ sqlite: {...} }` (the embedded default) or `{ postgres: {...} }`
// (several servers sharing one database). Both use the same key file the
// same way: seeds encrypted under its seed key, PINs hashed with its pepper.

import type { Logger } from 'pino';
import type { PinHasher } from './pin-hash.ts';
import type { PostgresPoolOptions } from './postgres/connect.ts';
import { openPostgresStore } from './postgres/store.ts';
import { openSqliteStore } from './sqlite/store.ts';
import type { TokenStore } from './types.ts';
import type { WalSyncError } from './sqlite/wal-sync.ts';

export type * from './types.ts';
export type * from './admin-types.ts';
export type * from './self-service-types.ts';
export { StoreError, type StoreErrorCode } from './errors.ts';
export { KEY_BYTES, formatKeyFile, loadOrCreateKeyFile, parseKeyFile, type LoadedKeyFile, type StoreKeys } from './keyfile.ts';
export { decryptSeed, encryptSeed, seal, unseal } from './seed-crypto.ts';
export {
  DEFAULT_PIN_PARAMS,
  PASSWORD_PARAMS,
  dummyVerify,
  hashPin,
  isKnownPinHash,
  needsRehash,
  pinHashScheme,
  pinHasher,
  verifyPin,
  type PinHashScheme,
  type PinHasher,
  type ScryptParams,
} from './pin-hash.ts';
export { MIGRATIONS, pendingMigrations, type Migration, type MigrationResult } from './migrations.ts';
export { migrateSqlite } from './sqlite/schema.ts';
export { openSqliteStore, SqliteTokenStore, type SqliteStoreOptions } from './sqlite/store.ts';
export { startCheckpointer, type Checkpointer } from './sqlite/checkpointer.ts';
export { backupSqlite, restoreSqlite, type BackupResult, type RestoreOptions, type RestoreResult } from './sqlite/backup.ts';
export { WalSyncError } from './sqlite/wal-sync.ts';
export { openPostgresStore, PostgresTokenStore } from './postgres/store.ts';
export type { PostgresPoolOptions, PostgresStoreOptions } from './postgres/connect.ts';
export { describePostgresUrl } from './postgres/url.ts';
export { DEFAULT_DB_PATH, DEFAULT_KEY_FILE, POSTGRES_SETTINGS, SQLITE_SETTINGS, type Setting } from './settings.ts';
export { migratePostgres } from './postgres/schema.ts';

interface CommonOptions {
  keyFile: string;
  /**
   * Default true: a store that does not exist yet (the SQLite file, the
   * tables of an empty PostgreSQL database) is created, with its key file.
   * False: a missing store or key file is an error naming it, and nothing is
   * written to make one.
   */
  create?: boolean;
  /** Default true: create the key file on first start. */
  createKeyFile?: boolean;
  /** Reports connection trouble the store recovers from by itself (PostgreSQL); trouble it cannot recover from is `fatal`. */
  logger?: Logger;
}

export interface SqliteBackendOptions extends CommonOptions {
  sqlite: { path: string; busyTimeoutMs?: number };
  /** Another process checkpoints the WAL (serve's supervisor, see sqlite/checkpointer.ts). */
  checkpointedElsewhere?: boolean;
}

export interface PostgresBackendOptions extends CommonOptions {
  postgres: { url: string; pool?: PostgresPoolOptions; statementTimeoutMs?: number };
}

/** One member per backend, told apart by its backend key. */
export type StoreOptions = SqliteBackendOptions | PostgresBackendOptions;

/** An opened store: the TokenStore, the PIN hashing bound to its key file's pepper, and its fatal failure. */
export interface KeyedTokenStore extends TokenStore {
  readonly pins: PinHasher;
  /** Admin passwords: the same scheme as PINs at a higher cost (PASSWORD_PARAMS). */
  readonly passwords: PinHasher;
  /** HMAC of a high-entropy secret (API key, session id) under the pepper, hex. */
  digest(secret: string): string;
  /**
   * The store's one report of a failure that only a new process recovers
   * from: it settles, once, with the error when an fsync of the SQLite WAL
   * has failed (sqlite/wal-sync.ts). Every write is refused from then on.
   * The process must stop and exit without closing the store (server/start.ts
   * says how); close() would checkpoint the suspect WAL into the database
   * file. Never rejects; never settles on PostgreSQL, whose server owns
   * durability and whose lost connections are recovered from.
   */
  readonly fatal: Promise<WalSyncError>;
}

export async function openStore(options: StoreOptions): Promise<KeyedTokenStore> {
  const sqlite = 'sqlite' in options ? options.sqlite : undefined;
  const postgres = 'postgres' in options ? options.postgres : undefined;
  if (sqlite && postgres) throw new Error("openStore: give one backend, not both 'sqlite' and 'postgres'");
  const create = options.create ?? true;
  const keys = { keyFile: options.keyFile, createKeyFile: create ? options.createKeyFile : false, create };
  if (sqlite) {
    const { checkpointedElsewhere } = options as SqliteBackendOptions;
    return openSqliteStore(present({ ...keys, path: sqlite.path, busyTimeoutMs: sqlite.busyTimeoutMs, checkpointedElsewhere }));
  }
  if (postgres) {
    const { url, pool, statementTimeoutMs } = postgres;
    return openPostgresStore(present({ ...keys, url, pool, statementTimeoutMs, logger: options.logger }));
  }
  throw new Error(`openStore: no backend in the options (expected a 'sqlite' or 'postgres' section, got keys: ${Object.keys(options).join(', ') || 'none'})`);
}

type Present<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & { [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined> };

/** The options without their undefined members: an option not given stays absent. */
function present<T extends object>(options: T): Present<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Present<T>;
}
