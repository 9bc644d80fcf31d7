import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { startCheckpointer } from '../../src/store/checkpointer.ts';
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
  const cp = startCheckpointer(path, logger, 60_000);
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
  const cp = startCheckpointer(path, logger, 20);
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

test('a failing checkpoint is logged once a minute, names the store, and does not throw', () => {
  const { path, writer } = walWithFrames();
  const { logger, lines } = captureLogs();
  const cp = startCheckpointer(path, logger, 60_000);
  try {
    writeFileSync(`${path}-wal`, Buffer.alloc(100, 0xff));
    assert.equal(cp.checkpoint(), undefined);
    assert.equal(cp.checkpoint(), undefined);
    const warnings = lines.filter((l) => l.msg === 'WAL checkpoint failed; workers checkpoint themselves once the WAL reaches its limit');
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!.store, path);
    assert.match(String(warnings[0]!.err), /disk I\/O error/);
  } finally {
    cp.stop();
    writer.close();
  }
});

test('a store file that does not exist is an error at start', () => {
  const { logger } = captureLogs();
  assert.throws(() => startCheckpointer(join(dir, 'missing.db'), logger), /unable to open database file/);
});
