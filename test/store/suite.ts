// The TokenStore test suite, run against every backend: sqlite.test.ts and
// postgres.test.ts hand it a factory for fresh databases. Behaviour that
// only one backend has (files and modes, PostgreSQL timeouts) is tested in
// those files.

import { after } from 'node:test';
import type { KeyedTokenStore, StoreOptions } from '../../src/store/index.ts';
import { openStore } from '../../src/store/index.ts';
import { adminSuite } from './suite-admin.ts';
import { casSuite } from './suite-cas.ts';
import { challengeSuite } from './suite-challenges.ts';
import { codesSuite } from './suite-codes.ts';
import { importSuite } from './suite-import.ts';
import { openSuite } from './suite-open.ts';
import { selfServiceSuite } from './suite-self-service.ts';
import { throttleSuite } from './suite-throttle.ts';
import { tokenSuite } from './suite-tokens.ts';

export interface StoreFixture {
  store: KeyedTokenStore;
  /** Opens the same database with the same key file. */
  options: StoreOptions;
  /** How the store names its database in messages (a path, or the URL without password). */
  where: string;
  keyFile: string;
  /** A temp dir for other key files. */
  dir: string;
  /** Another store instance on the same database (its own connection or pool), closed after the file. */
  open(overrides?: { keyFile?: string; createKeyFile?: boolean }): Promise<KeyedTokenStore>;
  /** Raw SQL on the database, to look behind the store or damage rows. */
  sql(text: string): Promise<Record<string, unknown>[]>;
}

export interface StoreFactory {
  name: string;
  fresh(): Promise<StoreFixture>;
  /** Options for a new, empty database with this key file (which may not exist yet). */
  emptyOptions(keyFile: string): Promise<StoreOptions>;
}

/** Opens a store and closes it when the test file ends, even after a failure. */
export async function openClosedAfter(options: StoreOptions): Promise<KeyedTokenStore> {
  const store = await openStore(options);
  after(() => store.close());
  return store;
}

export function withKeyFile(options: StoreOptions, keyFile: string, createKeyFile?: boolean): StoreOptions {
  return { ...options, keyFile, ...(createKeyFile !== undefined ? { createKeyFile } : {}) };
}

export function storeSuite(factory: StoreFactory): void {
  tokenSuite(factory);
  casSuite(factory);
  challengeSuite(factory);
  importSuite(factory);
  openSuite(factory);
  throttleSuite(factory);
  adminSuite(factory);
  codesSuite(factory);
  selfServiceSuite(factory);
}
