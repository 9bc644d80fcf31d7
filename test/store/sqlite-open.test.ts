import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { newToken, SEED, tempDir } from './helpers.ts';

test('an in-memory store with keys given directly', async () => {
  const store = await openSqliteStore({ path: ':memory:', keys: { seedKey: Buffer.alloc(32, 7), pepper: Buffer.alloc(32, 8) } });
  assert.equal(store.description, 'sqlite::memory:');
  await store.createToken(newToken('M1'));
  assert.deepEqual((await store.getToken('M1'))!.seed, SEED);
  await store.close();
  await assert.rejects(store.ping(), /not open/);
});

test('option checks', async () => {
  const keys = { seedKey: Buffer.alloc(32), pepper: Buffer.alloc(32) };
  await assert.rejects(openSqliteStore({ path: ':memory:' }), /give exactly one of keyFile and keys/);
  await assert.rejects(openSqliteStore({ path: ':memory:', keys, busyTimeoutMs: -1 }), /busyTimeoutMs: expected an integer 0\.\.600000, got -1/);
  await assert.rejects(openSqliteStore({ path: ':memory:', keys: { seedKey: Buffer.alloc(16), pepper: Buffer.alloc(32) } }), /seed key must be 32 bytes, got 16/);
  await assert.rejects(openStore({ keyFile: 'x' } as never), /no backend in the options \(expected a 'sqlite' section, got keys: keyFile\)/);
});

test('store.pins hashes with the key file pepper', async () => {
  const dir = tempDir();
  const path = join(dir, 'a.db');
  const keyFile = join(dir, 'a.key');
  const store = await openStore({ sqlite: { path }, keyFile });
  const hash = await store.pins.hash('2468');
  assert.equal(await store.pins.verify('2468', hash), true);
  assert.equal(await store.pins.verify('2469', hash), false);
  await store.close();
  const reopened = await openStore({ sqlite: { path }, keyFile });
  assert.equal(await reopened.pins.verify('2468', hash), true);
  await reopened.close();
  const dir2 = tempDir();
  const other = await openStore({ sqlite: { path: join(dir2, 'b.db') }, keyFile: join(dir2, 'b.key') });
  assert.equal(await other.pins.verify('2468', hash), false, 'another pepper');
  await other.close();
});

test('worker processes starting together on a new file agree on schema and key', async () => {
  const dir = tempDir();
  const path = join(dir, 'data', 'shared.db');
  const keyFile = join(dir, 'data', 'shared.key');
  const moduleUrl = new URL('../../src/store/index.ts', import.meta.url).href;
  const script = `import { openStore } from ${JSON.stringify(moduleUrl)};
const store = await openStore({ sqlite: { path: ${JSON.stringify(path)} }, keyFile: ${JSON.stringify(keyFile)} });
await store.createToken({ serial: 'W' + process.pid, type: 'hotp', seed: Buffer.from('seed'), otpLength: 6, algorithm: 'sha1', timeStep: 30, window: 10, syncWindow: 100, maxFail: 5 });
const n = (await store.listTokens()).length;
await store.close();
process.stdout.write(String(n));`;
  const run = () =>
    new Promise<number>((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], (err, stdout, stderr) => (err ? reject(new Error(stderr || String(err))) : resolve(Number(stdout))));
    });
  await Promise.all(Array.from({ length: 5 }, run));
  const store = await openStore({ sqlite: { path }, keyFile });
  const tokens = await store.listTokens();
  assert.equal(tokens.length, 5, 'every worker wrote with the one key, and every seed decrypts');
  for (const t of tokens) assert.deepEqual(t.seed, Buffer.from('seed'));
  assert.equal(readFileSync(keyFile, 'utf8').match(/^seed-key:/gm)?.length, 1);
  await store.close();
});
