// `otp-radius serve` after a failed WAL fsync, as processes: a single process
// answers the waiting login with a reject and exits 74 (systemd restarts it),
// leaving the WAL for the next start to recover; under `--workers 2` the
// worker that saw the failure exits 74, and the supervisor stops the other
// one the same way and exits 74 itself.
//
// The failure is real without a broken disk: the -wal file is renamed after
// the server opened the store, so the group commit's first sync cannot open
// it (ENOENT) while SQLite keeps writing to the file it has open.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { DEFAULT_TOKENS } from '../../src/model/token-defaults.ts';
import { loadConfig } from '../../src/config/load.ts';
import { totp } from '../../src/otp/totp.ts';
import { CODE } from '../../src/radius/packet.ts';
import { openStore } from '../../src/store/index.ts';
import { buildToken } from '../../src/tokens/index.ts';
import { EXIT_STORE_FAILED } from '../../src/server/workers.ts';
import { freeUdpPort } from '../helpers/radius.ts';
import { askAlice, serveProcess, waitForLines, type ServeProcess } from '../helpers/serve-process.ts';
import { writeStackConfig } from '../helpers/stack.ts';

const SEED = Buffer.from('12345678901234567890', 'ascii');
const FATAL = 60;

/** A config over a store of its own holding alice's TOTP token; returns the config and the database path. */
async function setUp(dir: string, port: number, serial: string): Promise<{ config: string; db: string }> {
  // No audit table: these tests count on the accept being the last write before the WAL is damaged.
  const config = await writeStackConfig(await mkdtemp(join(dir, 'store-')), port, 'audit: { table: false }');
  const { store: storeConfig } = loadConfig(config).config;
  const store = await openStore(storeConfig);
  await store.createToken(buildToken({ type: 'totp', seed: SEED, serial, owner: { realm: 'default', resolver: 'local', userId: '1001', login: 'alice' } }, DEFAULT_TOKENS).token);
  await store.close();
  return { config, db: (storeConfig as { sqlite: { path: string } }).sqlite.path };
}

/** The exit code, or 'still running' after `ms`. */
function exitWithin(server: ServeProcess, ms: number): Promise<number | null | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), ms)));
  return Promise.race([server.exited, late]).finally(() => clearTimeout(timer));
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** The process state letter from /proc (Z: exited, not yet reaped), or undefined once it is gone. */
function procState(pid: number): string | undefined {
  try {
    return /^\d+ \(.*\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'latin1'))?.[1];
  } catch {
    return undefined;
  }
}

describe('serve after a failed WAL fsync', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'otp-radius-failstop-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  test('one process: the waiting login is rejected, one fatal line, exit 74, and the WAL is left for recovery', async () => {
    const port = await freeUdpPort();
    const { config, db } = await setUp(dir, port, 'ONE');
    const s = serveProcess(config, 1);
    try {
      await waitForLines(s, (l) => l.msg === 'otp-radius started');
      renameSync(`${db}-wal`, `${db}-wal.moved`);
      const dbBefore = sha256(db);
      // The right code: it would be accepted if its counter advance could be made durable.
      assert.equal(await askAlice(port, totp(SEED, Date.now() / 1000)), CODE.AccessReject);
      assert.equal(await exitWithin(s, 15_000), EXIT_STORE_FAILED);

      const fatal = s.lines().filter((l) => l.level === FATAL);
      assert.equal(fatal.length, 1, JSON.stringify(s.lines()));
      assert.equal(fatal[0]!.wal, `${db}-wal`);
      assert.equal(fatal[0]!.errno, 'ENOENT');
      assert.deepEqual(
        s
          .lines()
          .filter((l) => l.event === 'auth')
          .map((l) => l.decision),
        ['reject'],
      );
      // process.exit, not a close: the database file was not checkpointed from the WAL on the way out.
      assert.equal(sha256(db), dbBefore);

      // What the restart finds: the WAL is recovered and the database is whole.
      renameSync(`${db}-wal.moved`, `${db}-wal`);
      const reopened = new Database(db);
      try {
        assert.equal(reopened.pragma('integrity_check', { simple: true }), 'ok');
        assert.equal(reopened.prepare('SELECT count(*) FROM tokens WHERE serial = ?').pluck().get('ONE'), 1);
      } finally {
        reopened.close();
      }
    } finally {
      s.child.kill('SIGKILL');
    }
  });

  test('--workers 2: the worker that saw it rejects and exits 74, the other is told to stop, none is replaced, and the supervisor exits 74', async () => {
    const port = await freeUdpPort();
    const { config, db } = await setUp(dir, port, 'TWO');
    const s = serveProcess(config, 2);
    try {
      await waitForLines(s, (l) => l.msg === 'otp-radius started' && l.workers === 2);
      const pids = s
        .lines()
        .filter((l) => l.msg === 'worker started')
        .map((l) => l.pid as number);
      assert.equal(pids.length, 2);
      renameSync(`${db}-wal`, `${db}-wal.moved`);
      assert.equal(await askAlice(port, totp(SEED, Date.now() / 1000)), CODE.AccessReject);
      assert.equal(await exitWithin(s, 20_000), EXIT_STORE_FAILED);

      const fatal = s.lines().filter((l) => l.level === FATAL);
      const own = fatal.filter((l) => l.wal !== undefined);
      assert.equal(own.length, 1, JSON.stringify(fatal));
      assert.equal(own[0]!.wal, `${db}-wal`);
      assert.equal(own[0]!.errno, 'ENOENT');
      const supervisor = fatal.filter((l) => l.supervisor === true);
      assert.equal(supervisor.length, 1, JSON.stringify(fatal));
      assert.equal(supervisor[0]!.code, EXIT_STORE_FAILED);
      assert.equal(fatal.filter((l) => l.reason === 'store failed in another process').length, 1, 'the other worker was told');
      assert.equal(s.lines().filter((l) => l.msg === 'worker started').length, 2, 'no worker was started in their place');
      assert.equal(
        s.lines().some((l) => l.msg === 'worker died; starting a new one'),
        false,
      );
      for (const pid of pids) assert.equal(procState(pid), undefined, `worker ${pid} is gone`);
      // The database file is not compared here: until the supervisor hears of the failure, its checkpointer may
      // copy the moved WAL's frames, since renaming the file fails no sync of its own. With a real EIO its own
      // sync fails first (Linux reports the error to every descriptor opened before it).

      renameSync(`${db}-wal.moved`, `${db}-wal`);
      const reopened = new Database(db);
      try {
        assert.equal(reopened.pragma('integrity_check', { simple: true }), 'ok');
        assert.equal(reopened.prepare('SELECT count(*) FROM tokens WHERE serial = ?').pluck().get('TWO'), 1);
      } finally {
        reopened.close();
      }
    } finally {
      s.child.kill('SIGKILL');
    }
  });

  test("--workers 2: an I/O error in the supervisor's own checkpoint stops every worker the same way, and the supervisor exits 74", async () => {
    const port = await freeUdpPort();
    const { config, db } = await setUp(dir, port, 'THREE');
    const s = serveProcess(config, 2);
    const supervisor = s.child.pid!;
    try {
      await waitForLines(s, (l) => l.msg === 'otp-radius started' && l.workers === 2);
      // Held, so that the accept's WAL frames are still there to checkpoint when the WAL is cut short under it.
      process.kill(supervisor, 'SIGSTOP');
      try {
        assert.equal(await askAlice(port, totp(SEED, Date.now() / 1000)), CODE.AccessAccept);
        writeFileSync(`${db}-wal`, Buffer.alloc(100, 0xff));
      } finally {
        process.kill(supervisor, 'SIGCONT');
      }
      assert.equal(await exitWithin(s, 20_000), EXIT_STORE_FAILED);
      const fatal = s.lines().filter((l) => l.level === FATAL);
      const own = fatal.filter((l) => l.supervisor === true);
      assert.equal(own.length, 1, JSON.stringify(fatal));
      assert.match(String(own[0]!.code), /^SQLITE_IOERR/);
      assert.equal(own[0]!.store, db);
      assert.equal(fatal.filter((l) => l.reason === 'store failed in another process').length, 2, 'both workers were told');
      assert.equal(s.lines().filter((l) => l.msg === 'worker started').length, 2, 'none was started in their place');
    } finally {
      try {
        process.kill(supervisor, 'SIGCONT');
      } catch {
        // Already gone.
      }
      s.child.kill('SIGKILL');
    }
  });
});
