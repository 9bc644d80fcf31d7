// `serve --workers N` and several servers on one store: all workers answer,
// a killed worker is replaced, and an OTP raced across processes is accepted once.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_TOKENS } from '../../src/model/token-defaults.ts';
import { totp } from '../../src/otp/totp.ts';
import { buildRequest, RadiusClient } from '../../src/radius/client.ts';
import { CODE } from '../../src/radius/packet.ts';
import { openStore } from '../../src/store/index.ts';
import { buildToken } from '../../src/tokens/index.ts';
import { APART_MIN_LENGTH } from '../../src/users/users-file-apart.ts';
import { workerEnv, workerExecArgv } from '../../src/server/workers.ts';
import { delay, freeUdpPort, SECRET } from '../helpers/radius.ts';
import { askAlice, serveProcess, waitForLines } from '../helpers/serve-process.ts';
import { writeStackConfig } from '../helpers/stack.ts';

const SEED = Buffer.from('12345678901234567890', 'ascii');

test('workers get a small young generation and a slow-growing old one unless the operator chose sizes on the command line or in NODE_OPTIONS', () => {
  const semi = '--max-semi-space-size=4';
  const growth = '--heap-growing-percent=50';
  assert.deepEqual(workerExecArgv([], undefined), [semi, growth]);
  assert.deepEqual(workerExecArgv(['--enable-source-maps'], ''), ['--enable-source-maps', semi, growth]);
  assert.deepEqual(workerExecArgv(['--max-semi-space-size=32'], undefined), ['--max-semi-space-size=32', growth]);
  assert.deepEqual(workerExecArgv([], '--trace-gc --max_semi_space_size=2'), [growth]);
  assert.deepEqual(workerExecArgv(['--heap-growing-percent=200'], '--max-semi-space-size=8'), ['--heap-growing-percent=200']);
  // A flag that only starts like ours is another flag.
  assert.deepEqual(workerExecArgv(['--max-semi-space-size-x=1'], undefined), ['--max-semi-space-size-x=1', semi, growth]);
});

test('workers get two malloc arenas and five pool threads unless the operator set MALLOC_ARENA_MAX or UV_THREADPOOL_SIZE', () => {
  assert.deepEqual(workerEnv(3, {}), { OTP_RADIUS_WORKER: '3', MALLOC_ARENA_MAX: '2', UV_THREADPOOL_SIZE: '5' });
  assert.deepEqual(workerEnv(1, { MALLOC_ARENA_MAX: '8' }), { OTP_RADIUS_WORKER: '1', MALLOC_ARENA_MAX: '8', UV_THREADPOOL_SIZE: '5' });
  assert.deepEqual(workerEnv(2, { UV_THREADPOOL_SIZE: '16' }), { OTP_RADIUS_WORKER: '2', MALLOC_ARENA_MAX: '2', UV_THREADPOOL_SIZE: '16' });
});

describe('serve --workers', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'otp-radius-workers-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  test('N workers answer; a killed worker is replaced; SIGHUP and SIGTERM reach all', async () => {
    const port = await freeUdpPort();
    const s = serveProcess(await writeStackConfig(dir, port), 2);
    try {
      await waitForLines(s, (l) => l.msg === 'otp-radius started' && l.workers === 2);
      for (let i = 0; i < 24; i++) assert.equal(await askAlice(port, 'x'), CODE.AccessReject);
      const workers = new Set(
        s
          .lines()
          .filter((l) => l.event === 'auth')
          .map((l) => l.worker),
      );
      assert.deepEqual([...workers].sort(), [1, 2], 'requests from 24 source ports reached both workers');

      const victim = s.lines().find((l) => l.msg === 'worker started' && l.worker === 2)!.pid as number;
      const flags = readFileSync(`/proc/${victim}/cmdline`, 'latin1').split('\0');
      assert.ok(flags.includes('--max-semi-space-size=4') && flags.includes('--heap-growing-percent=50'), `worker runs with the V8 heap flags: ${flags.join(' ')}`);
      const environ = readFileSync(`/proc/${victim}/environ`, 'latin1').split('\0');
      assert.ok(environ.includes('MALLOC_ARENA_MAX=2'), 'worker runs with two malloc arenas');
      assert.ok(environ.includes('UV_THREADPOOL_SIZE=5'), 'worker runs with five pool threads');
      process.kill(victim, 'SIGKILL');
      await waitForLines(s, (l) => l.msg === 'worker died; starting a new one');
      await waitForLines(s, (l) => l.msg === 'worker started', 3);
      for (let i = 0; i < 8; i++) assert.equal(await askAlice(port, 'x'), CODE.AccessReject, 'answered after the restart');

      s.child.kill('SIGHUP');
      await waitForLines(s, (l) => l.msg === 'config reloaded', 2);
      s.child.kill('SIGTERM');
      assert.equal(await s.exited, 0);
      assert.equal(s.lines().filter((l) => l.msg === 'otp-radius stopped').length, 2);
    } finally {
      s.child.kill('SIGKILL');
    }
  });

  test('a users file large enough to be parsed in a child process loads in every worker and reloads on SIGHUP', async () => {
    const port = await freeUdpPort();
    const own = await mkdtemp(join(dir, 'big-users-'));
    // Twelve wrong logins per round from one address: the throttle would answer most of them before the users file is read.
    const config = await writeStackConfig(own, port, 'policy: { throttle: false }');
    const usersFile = join(own, 'users.yaml');
    const filler = Array.from({ length: 800 }, (_, i) => `  - login: filler${i}\n    email: filler${i}@example.org\n    groups: [staff]\n`).join('');
    await writeFile(usersFile, `users:\n  - login: alice\n    id: "1001"\n${filler}`);
    assert.ok((await stat(usersFile)).size >= APART_MIN_LENGTH);
    const s = serveProcess(config, 2);
    try {
      await waitForLines(s, (l) => l.msg === 'otp-radius started' && l.workers === 2);
      const reasons = async (): Promise<Set<unknown>> => {
        const seen = s.lines().length;
        for (let i = 0; i < 12; i++) assert.equal(await askAlice(port, 'x'), CODE.AccessReject);
        const audits = s
          .lines()
          .slice(seen)
          .filter((l) => l.event === 'auth' && l.user === 'alice');
        assert.deepEqual(new Set(audits.map((l) => l.worker)), new Set([1, 2]), 'both workers answered');
        return new Set(audits.map((l) => l.reason));
      };
      // Alice is found (she has no token) in both workers.
      assert.deepEqual(await reasons(), new Set(['no token']));
      await writeFile(usersFile, `users:\n${filler}  - login: carol\n`);
      s.child.kill('SIGHUP');
      await waitForLines(s, (l) => l.msg === 'config reloaded', 2);
      assert.deepEqual(await reasons(), new Set(['unknown user']));
      assert.equal(s.lines().filter((l) => /child process/.test(String(l.msg))).length, 0, 'no worker fell back to parsing in itself');
      s.child.kill('SIGTERM');
      assert.equal(await s.exited, 0);
    } finally {
      s.child.kill('SIGKILL');
    }
  });

  test("the supervisor checkpoints the workers' WAL into the database file", async () => {
    const port = await freeUdpPort();
    // A store of its own: alice's token here must not be a second token of hers in the race test below.
    const config = await writeStackConfig(await mkdtemp(join(dir, 'ckpt-')), port);
    const { store: storeConfig } = (await import('../../src/config/load.ts')).loadConfig(config).config;
    const store = await openStore(storeConfig);
    const owner = { realm: 'default', resolver: 'local', userId: '1001', login: 'alice' };
    await store.createToken(buildToken({ type: 'totp', seed: SEED, serial: 'CKPT', owner }, DEFAULT_TOKENS).token);
    await store.close();
    const dbPath = (storeConfig as { sqlite: { path: string } }).sqlite.path;
    const s = serveProcess(config, 2);
    try {
      await waitForLines(s, (l) => l.msg === 'otp-radius started' && l.workers === 2);
      const before = createHash('sha256').update(readFileSync(dbPath)).digest('hex');
      // Each wrong OTP is a fail-counter write: a few WAL frames, far below any worker's own checkpoint threshold.
      for (let i = 0; i < 6; i++) assert.equal(await askAlice(port, '000000', i), CODE.AccessReject);
      let changed = false;
      for (let i = 0; i < 100 && !changed; i++) {
        await delay(50);
        changed = createHash('sha256').update(readFileSync(dbPath)).digest('hex') !== before;
      }
      assert.ok(changed, 'the fail counters reached the database file while the workers run');
    } finally {
      s.child.kill('SIGKILL');
    }
  });

  test('the same OTP raced across two server processes sharing SQLite yields exactly one accept', async () => {
    const ports = [await freeUdpPort(), await freeUdpPort()];
    const configs = [await writeStackConfig(dir, ports[0]!), await writeStackConfig(dir, ports[1]!)];
    const store = await openStore((await import('../../src/config/load.ts')).loadConfig(configs[0]!).config.store);
    const owner = { realm: 'default', resolver: 'local', userId: '1001', login: 'alice' };
    await store.createToken(buildToken({ type: 'totp', seed: SEED, serial: 'XPROC', owner }, DEFAULT_TOKENS).token);
    await store.close();
    const servers = configs.map((c) => serveProcess(c, 1));
    try {
      for (const s of servers) await waitForLines(s, (l) => l.msg === 'otp-radius started');
      const code = totp(SEED, Date.now() / 1000);
      const clients = [new RadiusClient('127.0.0.1', ports[0]!), new RadiusClient('127.0.0.1', ports[1]!)];
      const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => clients[i % 2]!.send(buildRequest({ identifier: i, secret: SECRET, userName: 'alice', password: code }), SECRET, 5000)));
      for (const c of clients) c.close();
      const codes = answers.map((a) => a?.packet.code);
      assert.equal(codes.filter((c) => c === CODE.AccessAccept).length, 1, `codes: ${codes.join(',')}`);
      assert.equal(codes.filter((c) => c === CODE.AccessReject).length, 39);
    } finally {
      for (const s of servers) s.child.kill('SIGKILL');
    }
  });
});
