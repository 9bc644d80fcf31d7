// The two connections a SQLite store keeps on its file: the main one for
// reads and administrative writes, and the writer for the group commits of
// authentication (group-commit.ts). They agree on foreign keys, the page
// cache and who checkpoints; each has its own busy handling and sync mode.

import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '../errors.ts';
import { WORKER_AUTOCHECKPOINT_PAGES } from './checkpointer.ts';

/**
 * Page cache per connection, in SQLite's negative "KiB" form: SQLite's own
 * default rather than better-sqlite3's larger one, since in WAL mode a
 * connection drops its whole cache whenever another has committed since its
 * last read (pager_reset in pagerBeginReadTransaction), so under load a large
 * cache never stays warm and only holds memory on both of a worker's connections.
 */
const PAGE_CACHE_KIB = -2000;

/**
 * The main connection, in WAL mode; the file and its folder are created on
 * first start. Its busy timeout may block this process's event loop for a
 * moment, and its commits (administrative writes, migrations) sync inside COMMIT.
 */
export function openMain(path: string, busyTimeoutMs: number, checkpointedElsewhere: boolean): Database.Database {
  const inMemory = path === ':memory:';
  if (!inMemory) createDbFile(path);
  const db = new Database(path, { timeout: busyTimeoutMs });
  try {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (!inMemory && mode !== 'wal') throw new StoreError('schema', `${path}: cannot switch to WAL journal mode (got ${String(mode)})`);
    tuneConnection(db, checkpointedElsewhere);
    db.pragma('synchronous = FULL');
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * The group-commit connection: no busy handler (see group-commit.ts), and no
 * fsync inside COMMIT: its WalSync syncs after the commit, off the event loop
 * (see wal-sync.ts), before any caller hears of the write.
 */
export function openWriter(path: string, checkpointedElsewhere: boolean): Database.Database {
  const db = new Database(path, { timeout: 0 });
  db.pragma('busy_timeout = 0');
  tuneConnection(db, checkpointedElsewhere);
  db.pragma('synchronous = NORMAL');
  return db;
}

function tuneConnection(db: Database.Database, checkpointedElsewhere: boolean): void {
  db.pragma('foreign_keys = ON');
  db.pragma(`cache_size = ${PAGE_CACHE_KIB}`);
  if (checkpointedElsewhere) db.pragma(`wal_autocheckpoint = ${WORKER_AUTOCHECKPOINT_PAGES}`);
}

function createDbFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    // SQLite gives the -wal and -shm files the mode of the database file.
    closeSync(openSync(path, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}
