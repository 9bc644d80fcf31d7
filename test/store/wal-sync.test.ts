// A failed WAL fsync is kept and reported once: the commits it covered, those
// queued behind it and every later one fail with a WalSyncError, and
// `fatal` settles with it, so that the process can stop and be restarted
// (src/server/start.ts, src/cli/serve.ts). The store itself leaves the WAL
// alone after that: closing it would checkpoint the WAL into the database.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
import { StoreError } from '../../src/store/errors.ts';
import { WalSync, WalSyncError, type SyncFile } from '../../src/store/sqlite/wal-sync.ts';
import { newToken, tempDir } from './helpers.ts';

const dir = tempDir();

/** A SyncFile that finishes each sync only when the test says, with the error it gives. */
function heldSync(): { syncFile: SyncFile; started: () => number; finish: (err: NodeJS.ErrnoException | null) => void } {
  const held: ((err: NodeJS.ErrnoException | null) => void)[] = [];
  let count = 0;
  return {
    syncFile: (_fd, cb) => {
      count++;
      held.push(cb);
    },
    started: () => count,
    finish: (err) => {
      for (const cb of held.splice(0)) cb(err);
    },
  };
}

/** Lets the callbacks of settled promises run. */
const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function eio(): NodeJS.ErrnoException {
  return Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO', errno: -5, syscall: 'fdatasync' });
}

/** Runs afterCommit, recording what it was told in `events`. */
function commit(walSync: WalSync, name: string, events: string[], errors: Error[]): void {
  walSync.afterCommit((err) => {
    events.push(`${name}:${err ? 'failed' : 'ok'}`);
    if (err) errors.push(err);
  });
}

test('a failed fsync fails its commits, those waiting and all later ones with a WalSyncError, and settles `fatal` after them', async () => {
  const wal = join(dir, 'a.db-wal');
  writeFileSync(wal, 'frames');
  const sync = heldSync();
  const events: string[] = [];
  const errors: Error[] = [];
  const fatal: WalSyncError[] = [];
  const walSync = new WalSync(wal, { syncFile: sync.syncFile });
  void walSync.fatal.then((err) => {
    fatal.push(err);
    events.push('fatal');
  });

  commit(walSync, 'first', events, errors);
  assert.equal(sync.started(), 1);
  // These wait for the next fsync while the first runs.
  commit(walSync, 'second', events, errors);
  commit(walSync, 'third', events, errors);
  assert.equal(walSync.waiting, 3);
  assert.equal(walSync.failed, undefined);

  sync.finish(eio());
  await settled();
  assert.deepEqual(events, ['first:failed', 'second:failed', 'third:failed', 'fatal'], 'every waiting commit has its error before `fatal` settles');
  assert.equal(fatal.length, 1);
  const err = fatal[0]!;
  assert.ok(err instanceof WalSyncError);
  // A StoreError 'unavailable': authentication rejects with "store unavailable", as for a PostgreSQL outage.
  assert.ok(err instanceof StoreError);
  assert.equal(err.code, 'unavailable');
  assert.equal(err.path, wal);
  assert.equal(err.errno, 'EIO');
  assert.match(err.message, /fsync failed \(EIO\)/);
  assert.ok(err.message.includes(wal));
  assert.equal((err.cause as NodeJS.ErrnoException).code, 'EIO');
  for (const e of errors) assert.equal(e, err, 'the commits get the same kept error');
  assert.equal(walSync.failed, err);
  assert.equal(walSync.waiting, 0);
  assert.equal(walSync.busy, false);

  // Kept: later commits fail at once, without another fsync.
  commit(walSync, 'later', events, errors);
  assert.deepEqual(events.slice(4), ['later:failed']);
  assert.equal(errors.at(-1), err);
  assert.equal(sync.started(), 1);
  // A failing descriptor is not synced again on close either.
  walSync.close();
  commit(walSync, 'after-close', events, errors);
  assert.equal(errors.at(-1), err, 'the sync failure stays the reason, not "closed"');
  await settled();
  assert.equal(fatal.length, 1);
});

test('a -wal file that cannot be opened for the sync fails the same way, with its errno', async () => {
  const wal = join(dir, 'missing', 'b.db-wal');
  const fatal: WalSyncError[] = [];
  const walSync = new WalSync(wal, { syncFile: () => assert.fail('no descriptor to sync') });
  void walSync.fatal.then((err) => fatal.push(err));
  const errors: Error[] = [];
  commit(walSync, 'one', [], errors);
  commit(walSync, 'two', [], errors);
  await settled();
  assert.equal(fatal.length, 1);
  assert.equal(fatal[0]!.errno, 'ENOENT');
  assert.equal(fatal[0]!.path, wal);
  assert.deepEqual(errors, [fatal[0], fatal[0]]);
});

test('good fsyncs and a plain close() never settle `fatal`', async () => {
  const wal = join(dir, 'c.db-wal');
  writeFileSync(wal, 'frames');
  const sync = heldSync();
  let fatal = 0;
  const walSync = new WalSync(wal, { syncFile: sync.syncFile });
  void walSync.fatal.then(() => fatal++);
  const events: string[] = [];
  commit(walSync, 'one', events, []);
  sync.finish(null);
  commit(walSync, 'two', events, []);
  sync.finish(null);
  // Waiting at close(): close() syncs it itself (a real fdatasync).
  commit(walSync, 'three', events, []);
  walSync.close();
  sync.finish(null);
  assert.deepEqual(events, ['one:ok', 'two:ok', 'three:ok']);
  await settled();
  assert.equal(fatal, 0);
  assert.ok(walSync.failed && !(walSync.failed instanceof WalSyncError), 'closed, which is no sync failure');
});

test('a SQLite store whose WAL sync fails settles `fatal`, refuses writes, and close() does not checkpoint the WAL into the database', async () => {
  const path = join(dir, 'store.db');
  const fatal: WalSyncError[] = [];
  const store = await openSqliteStore({ path, keys: { seedKey: Buffer.alloc(32, 7), pepper: Buffer.alloc(32, 8) } });
  void store.fatal.then((err) => fatal.push(err));
  await store.createToken(newToken('WAL1'));
  await store.createToken(newToken('WAL2'));
  // The real failure this can make without a broken disk: the group commit's first sync cannot open the -wal
  // file. SQLite's connections keep writing to the file they have open under its new name.
  const moved = `${path}-wal.moved`;
  renameSync(`${path}-wal`, moved);
  const dbBefore = createHash('sha256').update(readFileSync(path)).digest('hex');

  const failed = (err: unknown) => err instanceof WalSyncError && err.message.includes(`${path}-wal`) && err.errno === 'ENOENT';
  await assert.rejects(store.commitSuccess('WAL1', 5, 1_700_000_000), failed);
  await settled();
  assert.equal(fatal.length, 1);
  assert.equal(fatal[0]!.path, `${path}-wal`);
  assert.equal(fatal[0]!.errno, 'ENOENT');
  const walSize = statSync(moved).size;
  await assert.rejects(store.recordFailure(['WAL2'], 1_700_000_001), failed);
  assert.equal(statSync(moved).size, walSize, 'no transaction after the failure: nothing more went into the WAL');
  assert.equal(fatal.length, 1, 'reported once');

  await store.close();
  assert.equal(createHash('sha256').update(readFileSync(path)).digest('hex'), dbBefore, 'close() left the database file alone (no checkpoint)');
  assert.ok(existsSync(moved) && statSync(moved).size === walSize, 'the WAL is left for the next open to recover');
});

test('SQLite answers that mean the disk or lock failed become StoreError unavailable; others stay as they are', async () => {
  const { asOutage } = await import('../../src/store/sqlite/sql.ts');
  const { StoreError } = await import('../../src/store/errors.ts');
  for (const code of ['SQLITE_FULL', 'SQLITE_IOERR_WRITE', 'SQLITE_READONLY', 'SQLITE_BUSY', 'SQLITE_CANTOPEN']) {
    const mapped = asOutage(Object.assign(new Error('x'), { code }), 'sqlite:/db');
    assert.ok(mapped instanceof StoreError && mapped.code === 'unavailable', code);
    assert.match((mapped as Error).message, new RegExp(`^sqlite:/db: ${code}: x$`));
  }
  const constraint = Object.assign(new Error('y'), { code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
  assert.equal(asOutage(constraint, 'sqlite:/db'), constraint);
});
