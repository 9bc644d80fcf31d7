// Tokens in bulk: the store's own createToken (validation, seed encryption,
// row format), run inside one SQLite transaction per batch. Through the
// ordinary store every createToken is its own transaction and fsync, which
// makes a million tokens an hour's work; batched it is seconds.

import Database from 'better-sqlite3';
import { DEFAULT_TOKENS } from '../src/model/token-defaults.ts';
import { openStore } from '../src/store/index.ts';
import { loadOrCreateKeyFile } from '../src/store/keyfile.ts';
import { migrateSqlite } from '../src/store/sqlite/schema.ts';
import { SqliteTokenStore } from '../src/store/sqlite/store.ts';
import type { TokenOwner } from '../src/model/token.ts';
import { buildToken } from '../src/tokens/index.ts';

export interface StorePaths {
  dbPath: string;
  keyFile: string;
}

export interface FillSpec {
  /** Token numbers from..to-1 are created (serial BENCH<number>). */
  from: number;
  to: number;
  seedOf: (n: number) => Buffer;
  ownerOf: (n: number) => TokenOwner;
  /** One PIN hash for every token: the verify cost is the same, and hashing 100,000 PINs would take minutes. */
  pinHash: string | null;
  maxFail: number;
}

export const BATCH = 10_000;

export function serialOf(n: number): string {
  return `BENCH${String(n).padStart(7, '0')}`;
}

/** Creates the store (key file, schema) the way the server would, and hashes the bench PIN with its pepper. */
export async function createStore(paths: StorePaths, pin: string): Promise<string> {
  const store = await openStore({ sqlite: { path: paths.dbPath }, keyFile: paths.keyFile });
  try {
    return await store.pins.hash(pin);
  } finally {
    await store.close();
  }
}

/** Adds tokens from..to-1 in batches; the store must exist (createStore). */
export async function fillTokens(paths: StorePaths, spec: FillSpec, onBatch?: (done: number) => void): Promise<void> {
  if (!(Number.isInteger(spec.from) && Number.isInteger(spec.to) && spec.from >= 0 && spec.to >= spec.from)) {
    throw new RangeError(`fillTokens: expected 0 <= from <= to, got ${spec.from}..${spec.to}`);
  }
  const keys = loadOrCreateKeyFile(paths.keyFile, { create: false });
  const db = new Database(paths.dbPath);
  // Set-up data only: a crash here just means running the bench again.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  migrateSqlite(db, paths.dbPath);
  const store = new SqliteTokenStore(db, keys, `sqlite:${paths.dbPath}`);
  const defaults = { ...DEFAULT_TOKENS, maxFail: spec.maxFail };
  const now = Date.now() / 1000;
  try {
    for (let start = spec.from; start < spec.to; start += BATCH) {
      const end = Math.min(spec.to, start + BATCH);
      const created: Promise<unknown>[] = [];
      // better-sqlite3 runs each insert synchronously inside createToken, so they all land in this transaction.
      db.transaction(() => {
        for (let n = start; n < end; n++) {
          const { token } = buildToken({ type: 'totp', serial: serialOf(n), seed: spec.seedOf(n), owner: spec.ownerOf(n), pinHash: spec.pinHash }, defaults);
          created.push(store.createToken(token, now));
        }
      })();
      await Promise.all(created);
      onBatch?.(end - spec.from);
    }
  } finally {
    await store.close();
  }
}
