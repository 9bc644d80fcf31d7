import assert from 'node:assert/strict';
import { fdatasync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { GroupCommit } from '../../src/store/sqlite/group-commit.ts';
import { WalSync, WalSyncError, type SyncFile } from '../../src/store/sqlite/wal-sync.ts';

const dir = mkdtempSync(join(tmpdir(), 'group-commit-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function open(): { path: string; writer: Database.Database; other: Database.Database; close: () => void } {
  const path = join(dir, `t${n++}.db`);
  const other = new Database(path);
  other.pragma('journal_mode = WAL');
  other.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)');
  const writer = new Database(path, { timeout: 0 });
  writer.pragma('busy_timeout = 0');
  const close = (): void => {
    writer.close();
    other.close();
  };
  return { path, writer, other, close };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test('writes of one turn share one transaction, and each promise gets its own result', async () => {
  const db = open();
  const group = new GroupCommit(db.writer, { busyTimeoutMs: 1000 });
  const insert = db.writer.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
  let transactions = 0;
  const inTx = () => (db.writer.inTransaction ? transactions++ : undefined);
  const results = await Promise.allSettled([
    group.write(() => {
      inTx();
      return insert.run('a', 1).changes;
    }),
    group.write(() => insert.run('a', 2).changes), // primary key: fails alone
    group.write(() => insert.run('b', 3).changes),
  ]);
  assert.equal(transactions, 1);
  assert.deepEqual(results[0], { status: 'fulfilled', value: 1 });
  assert.equal(results[1]!.status, 'rejected');
  assert.match(String((results[1] as PromiseRejectedResult).reason.code), /SQLITE_CONSTRAINT/);
  assert.deepEqual(results[2], { status: 'fulfilled', value: 1 });
  assert.deepEqual(db.other.prepare('SELECT k, v FROM t ORDER BY k').all(), [
    { k: 'a', v: 1 },
    { k: 'b', v: 3 },
  ]);
  db.close();
});

test('a write lock held by another connection is waited for without blocking the event loop', async () => {
  const db = open();
  const group = new GroupCommit(db.writer, { busyTimeoutMs: 5000 });
  db.other.exec('BEGIN IMMEDIATE');
  db.other.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run('held', 0);
  let settled = false;
  const write = group
    .write(() => db.writer.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run('mine', 1).changes)
    .then((v) => {
      settled = true;
      return v;
    });
  // The event loop turns while the lock is held: timers and immediates keep running.
  let turns = 0;
  const started = performance.now();
  while (performance.now() - started < 30) {
    await tick();
    turns++;
  }
  assert.ok(turns > 10, `event loop turned ${turns} times`);
  assert.equal(settled, false, 'nothing is committed while the other connection holds the lock');
  assert.ok(group.pending >= 1);
  // More writes join the waiting batch.
  const second = group.write(() => db.writer.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run('later', 2).changes);
  db.other.exec('COMMIT');
  assert.deepEqual(await Promise.all([write, second]), [1, 1]);
  assert.deepEqual(db.other.prepare('SELECT k FROM t ORDER BY k').pluck().all(), ['held', 'later', 'mine']);
  db.close();
});

test('after busyTimeoutMs of a held lock the batch fails with SQLITE_BUSY, and later writes still get their turn', async () => {
  const db = open();
  const group = new GroupCommit(db.writer, { busyTimeoutMs: 60 });
  db.other.exec('BEGIN IMMEDIATE');
  const started = performance.now();
  const first = group.write(() => db.writer.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run('x', 1));
  await assert.rejects(first, (err: { code?: string }) => err.code === 'SQLITE_BUSY');
  const waited = performance.now() - started;
  assert.ok(waited >= 55 && waited < 2000, `gave up after ${waited.toFixed(0)} ms`);
  db.other.exec('ROLLBACK');
  assert.equal(await group.write(() => db.writer.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run('y', 2).changes), 1);
  assert.deepEqual(db.other.prepare('SELECT k FROM t').pluck().all(), ['y']);
  db.close();
});

test('flushNow commits what is queued at once, waiting for the lock like a busy timeout', async () => {
  const db = open();
  const group = new GroupCommit(db.writer, { busyTimeoutMs: 2000 });
  const write = group.write(() => db.writer.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run('z', 1).changes);
  group.flushNow();
  assert.equal(group.pending, 0);
  assert.deepEqual(db.other.prepare('SELECT k FROM t').pluck().all(), ['z']);
  assert.equal(await write, 1);
  assert.equal(db.writer.pragma('busy_timeout', { simple: true }), 0, 'the writer goes back to not sleeping');
  db.close();
});

test('a failed commit rejects every write of the batch and leaves no transaction open', async () => {
  const db = open();
  const group = new GroupCommit(db.writer, { busyTimeoutMs: 1000 });
  db.writer.exec('CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (p INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)');
  db.writer.pragma('foreign_keys = ON');
  const results = await Promise.allSettled([
    group.write(() => db.writer.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run('ok', 1)),
    group.write(() => db.writer.prepare('INSERT INTO child (p) VALUES (42)').run()), // deferred: fails at COMMIT
  ]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['rejected', 'rejected'],
  );
  assert.equal(db.writer.inTransaction, false);
  assert.deepEqual(db.other.prepare('SELECT k FROM t').pluck().all(), []);
  db.close();
});

/** A real fdatasync that finishes only when the test calls release(): fsyncs on a fast disk beat any tick. */
function heldSync(): { syncFile: SyncFile; started: () => number; release: () => void } {
  let count = 0;
  const held: (() => void)[] = [];
  return {
    syncFile: (fd, cb) => {
      count++;
      held.push(() => fdatasync(fd, cb));
    },
    started: () => count,
    release: () => {
      for (const go of held.splice(0)) go();
    },
  };
}

/** A writer as the store sets it up for a WalSync: no sync inside COMMIT, the WalSync syncs after. */
function openSynced(syncFile?: SyncFile, walPath?: string): ReturnType<typeof open> & { walSync: WalSync } {
  const db = open();
  db.writer.pragma('synchronous = NORMAL');
  return { ...db, walSync: new WalSync(walPath ?? `${db.path}-wal`, { syncFile }) };
}

test('with a WalSync, a write settles only after the fsync that followed its commit', async () => {
  const sync = heldSync();
  const db = openSynced(sync.syncFile);
  const { walSync } = db;
  const group = new GroupCommit(db.writer, { busyTimeoutMs: 1000, walSync });
  let settled = false;
  const write = group
    .write(() => db.writer.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run('a', 1).changes)
    .then((v) => {
      settled = true;
      return v;
    });
  await tick();
  await tick();
  // Committed (other connections see it) but not reported while its sync runs.
  assert.deepEqual(db.other.prepare('SELECT k FROM t').pluck().all(), ['a']);
  assert.equal(sync.started(), 1);
  assert.equal(settled, false);
  assert.equal(group.pending, 1);
  assert.equal(walSync.busy, true);
  sync.release();
  assert.equal(await write, 1);
  assert.equal(group.pending, 0);
  assert.equal(walSync.busy, false);
  group.flushNow();
  db.close();
});

test('writes queued while an fsync runs wait for it, then share one transaction and one more fsync', async () => {
  const sync = heldSync();
  const db = openSynced(sync.syncFile);
  const { walSync } = db;
  const group = new GroupCommit(db.writer, { busyTimeoutMs: 1000, walSync });
  const insert = db.writer.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
  const transactions = new Set<number>();
  let tx = 0;
  const first = group.write(() => insert.run('first', ++tx).changes);
  await tick();
  assert.equal(walSync.busy, true, 'the first commit is being synced');
  const later = ['b', 'c', 'd'].map((k) =>
    group.write(() => {
      transactions.add(tx);
      return insert.run(k, tx).changes;
    }),
  );
  await tick();
  await tick();
  assert.deepEqual(db.other.prepare('SELECT k FROM t ORDER BY k').pluck().all(), ['first'], 'no transaction while the fsync runs');
  assert.equal(sync.started(), 1);
  sync.release();
  assert.equal(await first, 1);
  // The waiting batch commits right after the first sync, and waits for a sync of its own.
  await tick();
  assert.deepEqual(db.other.prepare('SELECT k FROM t ORDER BY k').pluck().all(), ['b', 'c', 'd', 'first']);
  assert.equal(sync.started(), 2);
  sync.release();
  assert.deepEqual(await Promise.all(later), [1, 1, 1]);
  assert.equal(transactions.size, 1);
  group.flushNow();
  db.close();
});

test('minIntervalMs spaces transactions out; an idle writer commits at once', async () => {
  const db = open();
  const group = new GroupCommit(db.writer, { busyTimeoutMs: 1000, minIntervalMs: 80 });
  const insert = db.writer.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
  const t0 = performance.now();
  const first = group.write(() => insert.run('a', 1));
  await tick();
  assert.equal(group.pending, 0, 'the first write was committed in the next turn, without waiting');
  await first;
  const both = Promise.all([group.write(() => insert.run('b', 2)), group.write(() => insert.run('c', 3))]);
  await tick();
  assert.equal(group.pending, 2, 'the next batch waits for the interval');
  await both;
  const secondMs = performance.now() - t0;
  assert.ok(secondMs >= 79, `the second transaction began ${secondMs.toFixed(0)} ms after the first`);
  db.close();
});

test('flushNow with a WalSync commits and syncs at once, and later writes fail', async () => {
  const db = openSynced();
  const { walSync } = db;
  const group = new GroupCommit(db.writer, { busyTimeoutMs: 1000, walSync, minIntervalMs: 1000 });
  const insert = db.writer.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
  await group.write(() => insert.run('a', 1));
  const queued = group.write(() => insert.run('b', 2).changes);
  group.flushNow();
  assert.equal(group.pending, 0);
  assert.equal(await queued, 1);
  assert.deepEqual(db.other.prepare('SELECT k FROM t ORDER BY k').pluck().all(), ['a', 'b']);
  await assert.rejects(new Promise((resolve, reject) => walSync.afterCommit((err) => (err ? reject(err) : resolve(undefined)))), /the store is closed/);
  db.close();
});

test('a failed fsync rejects its writes and every later one, naming the file, and no later write is committed', async () => {
  const missing = join(dir, 'no-such-dir', 'x.db-wal');
  const db = openSynced(undefined, missing);
  const group = new GroupCommit(db.writer, { busyTimeoutMs: 1000, walSync: db.walSync });
  const insert = db.writer.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
  const failed = (err: unknown) => err instanceof WalSyncError && err.message.includes(missing) && err.errno === 'ENOENT' && /restarted/.test(err.message);
  await assert.rejects(
    group.write(() => insert.run('a', 1)),
    failed,
  );
  let ran = false;
  await assert.rejects(
    group.write(() => {
      ran = true;
      return insert.run('b', 2);
    }),
    failed,
  );
  assert.equal(ran, false, 'no transaction after the failure');
  // 'a' was committed before its sync failed (and rejected); nothing went into the WAL after that.
  assert.deepEqual(db.other.prepare('SELECT k FROM t').pluck().all(), ['a']);
  db.close();
});
