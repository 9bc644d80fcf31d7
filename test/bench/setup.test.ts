// The bench's set-up: configs the server's own loader accepts, and tokens
// filled in bulk that the ordinary store reads back.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createStore, fillTokens, serialOf } from '../../bench/fill.ts';
import { BENCH_MAX_FAIL, prepare, serverConfig } from '../../bench/setup.ts';
import { loadConfig } from '../../src/config/load.ts';
import { openStore } from '../../src/store/index.ts';

describe('bench set-up', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bench-setup-test-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  test('both server configs pass the config loader, with the PIN policy each names', async () => {
    const env = { port: 18999, dbPath: join(dir, 't.db'), keyFile: join(dir, 't.key'), usersFile: join(dir, 'users.yaml'), auditFile: join(dir, 'audit.log') };
    await writeFile(env.usersFile, 'users:\n  - login: u000000\n');
    for (const policy of ['none', 'token'] as const) {
      const file = join(dir, `c-${policy}.yaml`);
      await writeFile(file, serverConfig(env, policy));
      const { config } = loadConfig(file);
      assert.equal(config.policy.otppin, policy);
      assert.equal(config.listen.port, 18999);
      assert.equal(config.log.audit, env.auditFile);
    }
  });

  test('fillTokens: bulk tokens the ordinary store decrypts, owned and PIN-protected as asked', async () => {
    const paths = { dbPath: join(dir, 'fill.db'), keyFile: join(dir, 'fill.key') };
    const pinHash = await createStore(paths, '1234');
    const seeds = Array.from({ length: 25 }, () => randomBytes(20));
    const spec = { seedOf: (n: number) => seeds[n]!, ownerOf: (n: number) => ({ realm: 'default', resolver: 'local', userId: `u${n}`, login: `u${n}` }), pinHash, maxFail: BENCH_MAX_FAIL };
    let reported = 0;
    await fillTokens(paths, { ...spec, from: 0, to: 10 }, (n) => (reported = n));
    await fillTokens(paths, { ...spec, from: 10, to: 25 });
    assert.equal(reported, 10);
    const store = await openStore({ sqlite: { path: paths.dbPath }, keyFile: paths.keyFile, createKeyFile: false });
    try {
      const [t] = await store.tokensOfUser('local', 'u24');
      assert.equal(t?.serial, serialOf(24));
      assert.deepEqual(t?.seed, seeds[24]);
      assert.equal(t?.maxFail, BENCH_MAX_FAIL);
      assert.equal(await store.pins.verify('1234', t!.pinHash), true);
      assert.equal((await store.listTokens()).length, 25);
    } finally {
      await store.close();
    }
    await assert.rejects(fillTokens(paths, { ...spec, from: 0, to: 1 }), /already exists/);
    await assert.rejects(fillTokens(paths, { ...spec, from: 5, to: 2 }), /expected 0 <= from <= to, got 5\.\.2/);
  });

  test('prepare: users file with the workload users only, more tokens when asked, cleanup removes it all', async () => {
    const env = await prepare({ parent: dir, users: 3, tokens: 5, keep: false, log: () => {} });
    assert.equal(env.seeds.length, 3);
    assert.equal((await readFile(env.usersFile, 'utf8')).match(/- login: /g)?.length, 3);
    assert.match(await readFile(env.configFor('none'), 'utf8'), /otppin: none/);
    assert.doesNotMatch(await readFile(env.configFor('token'), 'utf8'), /otppin/);
    const store = await openStore({ sqlite: { path: env.dbPath }, keyFile: env.keyFile, createKeyFile: false });
    assert.equal((await store.listTokens()).length, 5);
    await store.close();
    await env.cleanup();
    await assert.rejects(readFile(env.usersFile), /ENOENT/);
  });
});
