import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { AppendFile, TurnBatchedStream, type LineTarget } from '../../src/server/log-stream.ts';

const LOG_STREAM = join(import.meta.dirname, '../../src/server/log-stream.ts');

class Recorder implements LineTarget {
  writes: string[] = [];
  flushes = 0;
  failWith: Error | undefined;
  write(text: string): void {
    if (this.failWith) throw this.failWith;
    this.writes.push(text);
  }
  flushSync(): void {
    this.flushes++;
  }
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('lines logged in one event-loop turn reach the target in one write, in order; the next turn writes again', async () => {
  const target = new Recorder();
  const logger = pino({ base: null, timestamp: false }, new TurnBatchedStream(target, 'test'));
  logger.info('one');
  logger.info('two');
  logger.info('three');
  assert.equal(target.writes.length, 0, 'nothing is written before the turn ends');
  await nextTurn();
  assert.equal(target.writes.length, 1);
  assert.deepEqual(
    target.writes[0]!.trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { msg: string }).msg),
    ['one', 'two', 'three'],
  );
  logger.info('four');
  await nextTurn();
  assert.equal(target.writes.length, 2);
  assert.match(target.writes[1]!, /"msg":"four"/);
});

test('flushSync and pino flush() write what is pending at once', () => {
  const target = new Recorder();
  const stream = new TurnBatchedStream(target, 'test');
  const logger = pino({ base: null, timestamp: false }, stream);
  logger.info('pending');
  stream.flushSync();
  assert.equal(target.writes.length, 1);
  assert.equal(target.flushes, 1);
  logger.info('again');
  let called = false;
  logger.flush(() => (called = true));
  assert.equal(target.writes.length, 2);
  assert.ok(called);
});

test('a failing target loses the lines without throwing into the caller', async () => {
  const target = new Recorder();
  target.failWith = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  const stream = new TurnBatchedStream(target, 'test');
  stream.write('{"msg":"lost"}\n');
  await nextTurn();
  target.failWith = undefined;
  stream.write('{"msg":"kept"}\n');
  await nextTurn();
  assert.deepEqual(target.writes, ['{"msg":"kept"}\n']);
});

function child(script: string): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stderr: r.stderr };
}

test('process exit, by process.exit or an uncaught exception, writes the lines of the last turn', () => {
  const dir = mkdtempSync(join(tmpdir(), 'otp-radius-log-'));
  const setup = (file: string): string =>
    `import { AppendFile, TurnBatchedStream } from ${JSON.stringify(LOG_STREAM)};
     const s = new TurnBatchedStream(new AppendFile(${JSON.stringify(file)}), 'audit');
     s.write('{"msg":"last words"}\\n');`;
  const exited = join(dir, 'exit.log');
  assert.equal(child(`${setup(exited)} process.exit(3);`).status, 3);
  assert.equal(readFileSync(exited, 'utf8'), '{"msg":"last words"}\n');

  const crashed = join(dir, 'crash.log');
  const r = child(`${setup(crashed)} throw new Error('boom');`);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /boom/);
  assert.equal(readFileSync(crashed, 'utf8'), '{"msg":"last words"}\n');
});

test('a write failure is said on stderr once, with the log and the lines lost', () => {
  const r = child(
    `import { TurnBatchedStream } from ${JSON.stringify(LOG_STREAM)};
     const s = new TurnBatchedStream({ write() { throw new Error('EIO: i/o error, write'); }, flushSync() {} }, '/var/log/otp-radius/audit.log');
     s.write('a\\n'); s.write('b\\n');
     setImmediate(() => { s.write('c\\n'); });`,
  );
  assert.equal(r.status, 0);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  const event = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(event.log, '/var/log/otp-radius/audit.log');
  assert.equal(event.err, 'EIO: i/o error, write');
  assert.equal(event.linesLost, 2);
  assert.equal(event.level, 50);
});

test('AppendFile appends, creates the file 0640 and its directory, and reopen() follows a rename (logrotate)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'otp-radius-log-'));
  const path = join(dir, 'sub', 'audit.log');
  const file = new AppendFile(path);
  try {
    file.write('first\n');
    assert.equal(statSync(path).mode & 0o777, 0o640 & ~process.umask());
    renameSync(path, `${path}.1`);
    file.write('second\n');
    file.reopen();
    file.write('third\n');
    assert.equal(readFileSync(`${path}.1`, 'utf8'), 'first\nsecond\n');
    assert.equal(readFileSync(path, 'utf8'), 'third\n');
    // An existing file is appended to, not truncated.
    file.reopen();
    file.write('fourth\n');
    assert.equal(readFileSync(path, 'utf8'), 'third\nfourth\n');
  } finally {
    file.close();
  }
});

test('AppendFile.reopen() that cannot open the path throws and keeps writing to the old file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'otp-radius-log-'));
  const logDir = join(dir, 'logs');
  const path = join(logDir, 'audit.log');
  const file = new AppendFile(path);
  try {
    file.write('before\n');
    renameSync(logDir, join(dir, 'logs.old'));
    // A regular file where the directory was: neither mkdir nor open can succeed.
    writeFileSync(logDir, '');
    assert.throws(() => file.reopen(), /EEXIST|ENOTDIR/);
    file.write('after\n');
    assert.equal(readFileSync(join(dir, 'logs.old', 'audit.log'), 'utf8'), 'before\nafter\n');
  } finally {
    file.close();
  }
});
