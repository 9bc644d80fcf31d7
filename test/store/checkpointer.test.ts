import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { isStoreFailure, startCheckpointer } from '../../src/store/sqlite/checkpointer.ts';
import { captureLogs, delay } from '../helpers/radius.ts';

const dir = mkdtempSync(join(tmpdir(), 'checkpointer-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** A WAL database whose writer never checkpoints, with 200 rows (a few dozen pages) in its WAL. */
function walWithFrames(): { path: string; writer: Database.Database } {
  const path = join(dir, `c${n++}.db`);
  const writer = new Database(path);
  writer.pragma('journal_mode = WAL');
  writer.pragma('wal_autocheckpoint = 0');
  writer.exec('CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  const insert = writer.prepare('INSERT INTO t (v) VALUES (?)');
  for (let i = 0; i < 200; i++) insert.run('x'.repeat(500));
  return { path, writer };
}

test('a checkpoint copies the whole WAL into the database file', () => {
  const { path, writer } = walWithFrames();
  const before = statSync(path).size;
  const { logger } = captureLogs();
  const cp = startCheckpointer(path, logger, { intervalMs: 60_000 });
  try {
    const r = cp.checkpoint();
    assert.ok(r && r.walFrames > 20, `frames in the WAL: ${r?.walFrames}`);
    assert.equal(r.checkpointed, r.walFrames);
    assert.ok(statSync(path).size > before + 100_000, 'the rows are in the database file now');
  } finally {
    cp.stop();
    writer.close();
  }
});

test('it checkpoints by itself every intervalMs, without waiting for the writer', async () => {
  const { path, writer } = walWithFrames();
  const before = statSync(path).size;
  const { logger } = captureLogs();
  const cp = startCheckpointer(path, logger, { intervalMs: 20 });
  try {
    // A writer in the middle of a transaction does not stop a passive checkpoint of what is committed.
    writer.exec('BEGIN IMMEDIATE');
    writer.prepare('INSERT INTO t (v) VALUES (?)').run('uncommitted');
    for (let i = 0; i < 100 && statSync(path).size <= before + 100_000; i++) await delay(20);
    assert.ok(statSync(path).size > before + 100_000, 'the committed rows were copied');
    writer.exec('COMMIT');
  } finally {
    cp.stop();
    writer.close();
  }
});

test('a checkpoint that fails without an I/O error is logged once a minute, names the store, and does not throw', async () => {
  const { path, writer } = walWithFrames();
  const { logger, lines } = captureLogs();
  let fatal = 0;
  const cp = startCheckpointer(path, logger, { intervalMs: 60_000 });
  void cp.fatal.then(() => fatal++);
  try {
    // The connection closed under it: an error, but none of the disk's.
    cp.stop();
    assert.equal(cp.checkpoint(), undefined);
    assert.equal(cp.checkpoint(), undefined);
    const warnings = lines.filter((l) => l.msg === 'WAL checkpoint failed; workers checkpoint themselves once the WAL reaches its limit');
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!.store, path);
    assert.match(String(warnings[0]!.err), /not open/);
    await delay(10);
    assert.equal(fatal, 0);
  } finally {
    writer.close();
  }
});

test('which checkpoint errors are store failures: SQLite I/O errors only', () => {
  for (const code of ['SQLITE_IOERR', 'SQLITE_IOERR_FSYNC', 'SQLITE_IOERR_WRITE', 'SQLITE_IOERR_SHORT_READ']) assert.equal(isStoreFailure({ code }), true, code);
  for (const code of ['SQLITE_BUSY', 'SQLITE_FULL', 'SQLITE_LOCKED', undefined, 42]) assert.equal(isStoreFailure({ code }), false, String(code));
  assert.equal(isStoreFailure(new TypeError('The database connection is not open')), false);
});

test('an I/O error in a checkpoint is fatal: `fatal` settles, no checkpoint after it, and the connection stays open', async () => {
  const { path, writer } = walWithFrames();
  const { logger, lines } = captureLogs();
  const fatal: (Error & { code?: string })[] = [];
  const cp = startCheckpointer(path, logger, { intervalMs: 10 });
  void cp.fatal.then((err) => fatal.push(err));
  try {
    // The WAL cut short under the server: reading its frames fails (SQLITE_IOERR_SHORT_READ).
    writeFileSync(`${path}-wal`, Buffer.alloc(100, 0xff));
    for (let i = 0; i < 100 && fatal.length === 0; i++) await delay(10);
    assert.equal(fatal.length, 1);
    assert.match(String(fatal[0]!.code), /^SQLITE_IOERR/);
    await delay(50);
    assert.equal(cp.checkpoint(), undefined, 'nothing more is copied');
    assert.equal(fatal.length, 1, 'reported once');
    assert.equal(lines.filter((l) => l.level === 40).length, 0, 'fatal, not a warning');
  } finally {
    cp.abandon();
    writer.close();
  }
});

test('a store file that does not exist is an error at start', () => {
  const { logger } = captureLogs();
  assert.throws(() => startCheckpointer(join(dir, 'missing.db'), logger), /unable to open database file/);
});
