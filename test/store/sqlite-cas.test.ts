import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.ts';
import { newToken, tempDir } from './helpers.ts';

async function fresh() {
  const dir = tempDir();
  const path = join(dir, 'otp-radius.db');
  const keyFile = join(dir, 'otp-radius.key');
  const store = await openStore({ sqlite: { path }, keyFile });
  return { path, keyFile, store };
}

test('commitSuccess: the same matched counter is accepted once', async () => {
  const { store } = await fresh();
  await store.createToken(newToken('H1', { counter: 5, failCount: 2 }));
  await store.setSyncState('H1', 9, 500);
  assert.equal(await store.commitSuccess('H1', 7, 1000), true);
  assert.equal(await store.commitSuccess('H1', 7, 1001), false);
  const t = (await store.getToken('H1'))!;
  assert.equal(t.counter, 8);
  assert.equal(t.failCount, 0);
  assert.equal(t.successCount, 1);
  assert.equal(t.lastAuth, 1000);
  assert.equal(t.syncCounter, null);
  assert.equal(t.syncAt, null);
  assert.equal(t.drift, 0);
  await store.close();
});

test('commitSuccess: older counters are refused, the current and later ones accepted', async () => {
  const { store } = await fresh();
  await store.createToken(newToken('H2', { counter: 5 }));
  assert.equal(await store.commitSuccess('H2', 4, 1), false, 'below the counter');
  assert.equal(await store.commitSuccess('H2', 5, 1), true, 'exactly the counter');
  assert.equal(await store.commitSuccess('H2', 5, 1), false);
  assert.equal(await store.commitSuccess('H2', 20, 1), true, 'a jump ahead inside the window');
  assert.equal(await store.commitSuccess('H2', 19, 1), false);
  assert.equal((await store.getToken('H2'))!.counter, 21);
  assert.equal((await store.getToken('H2'))!.successCount, 2);
  assert.equal(await store.commitSuccess('NOPE', 0, 1), false, 'a missing token');
  await assert.rejects(store.commitSuccess('H2', -1, 1), /commitSuccess H2: matched: expected an integer/);
  await assert.rejects(store.commitSuccess('H2', 1.5, 1), /matched: expected an integer/);
  await assert.rejects(store.commitSuccess('H2', 30, Number.NaN), /now: expected unix seconds/);
  await store.close();
});

test('commitSuccess: drift is stored when given and kept when not', async () => {
  const { store } = await fresh();
  await store.createToken(newToken('T1', { type: 'totp', counter: 100, drift: 30 }));
  assert.equal(await store.commitSuccess('T1', 100, 3000.9), true);
  assert.equal((await store.getToken('T1'))!.drift, 30);
  assert.equal((await store.getToken('T1'))!.lastAuth, 3000);
  assert.equal(await store.commitSuccess('T1', 101, 3030, -60), true);
  assert.equal((await store.getToken('T1'))!.drift, -60);
  assert.equal(await store.commitSuccess('T1', 102, 3060, 0), true);
  assert.equal((await store.getToken('T1'))!.drift, 0, 'a drift of 0 is a value, not "keep"');
  await store.close();
});

test('concurrent commits in one process: exactly one wins', async () => {
  const { store } = await fresh();
  await store.createToken(newToken('C1', { counter: 10 }));
  const results = await Promise.all(Array.from({ length: 20 }, () => store.commitSuccess('C1', 12, 1)));
  assert.equal(results.filter(Boolean).length, 1);
  await store.close();
});

test('a race across two connections to the same file: exactly one success', async () => {
  const { path, keyFile, store } = await fresh();
  const other = await openStore({ sqlite: { path }, keyFile });
  await store.createToken(newToken('R1', { counter: 3 }));
  const stores = [store, other];
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) => stores[i % 2]!.commitSuccess('R1', 7, 100 + i)));
  assert.equal(results.filter(Boolean).length, 1);
  assert.equal((await other.getToken('R1'))!.counter, 8);
  assert.equal((await store.getToken('R1'))!.successCount, 1);
  await other.close();
  await store.close();
});

test('a race across processes: each OTP is accepted by exactly one of them', async () => {
  const { path, keyFile, store } = await fresh();
  const serials = Array.from({ length: 20 }, (_, i) => `P${i}`);
  for (const s of serials) await store.createToken(newToken(s));
  const moduleUrl = new URL('../../src/store/index.ts', import.meta.url).href;
  const script = `import { openStore } from ${JSON.stringify(moduleUrl)};
const store = await openStore({ sqlite: { path: ${JSON.stringify(path)} }, keyFile: ${JSON.stringify(keyFile)} });
const won = [];
for (let round = 0; round < 3; round++)
  for (const s of ${JSON.stringify(serials)}) if (await store.commitSuccess(s, round, 1)) won.push(s + '@' + round);
await store.close();
process.stdout.write(JSON.stringify(won));`;
  const run = () =>
    new Promise<string[]>((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], (err, stdout, stderr) => (err ? reject(new Error(stderr || String(err))) : resolve(JSON.parse(stdout))));
    });
  const wins = (await Promise.all(Array.from({ length: 4 }, run))).flat();
  assert.equal(wins.length, serials.length * 3, 'every (serial, counter) accepted once in total');
  assert.equal(new Set(wins).size, wins.length, 'never twice');
  for (const s of serials) {
    const t = (await store.getToken(s))!;
    assert.equal(t.counter, 3);
    assert.equal(t.successCount, 3);
  }
  await store.close();
});

test('recordFailure counts, locks at max fail, and returns the tokens afterwards', async () => {
  const { store } = await fresh();
  await store.createToken(newToken('F1', { maxFail: 3 }));
  await store.createToken(newToken('F2', { maxFail: 10 }));
  let after = await store.recordFailure(['F1', 'F2', 'F1', 'GONE'], 2000.4);
  assert.deepEqual(after.map((t) => [t.serial, t.failCount, t.locked, t.lastFail]), [['F1', 1, false, 2000], ['F2', 1, false, 2000]]);
  await store.recordFailure(['F1'], 2001);
  after = await store.recordFailure(['F1'], 2002);
  assert.deepEqual(after.map((t) => [t.serial, t.failCount, t.locked]), [['F1', 3, true]]);
  after = await store.recordFailure(['F1'], 2003);
  assert.equal(after[0]!.failCount, 4);
  assert.equal(after[0]!.locked, true);
  // a success resets the counter but does not unlock: unlocking is an administrator's act
  assert.equal(await store.commitSuccess('F1', 0, 2004), true);
  const t = (await store.getToken('F1'))!;
  assert.equal(t.failCount, 0);
  assert.equal(t.locked, true);
  assert.deepEqual(await store.recordFailure([], 1), []);
  await assert.rejects(store.recordFailure([''], 1), /recordFailure: serials\[0\]: expected/);
  await store.close();
});

test('recordFailure from two connections loses no increment', async () => {
  const { path, keyFile, store } = await fresh();
  const other = await openStore({ sqlite: { path }, keyFile });
  await store.createToken(newToken('F3', { maxFail: 30 }));
  await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? store : other).recordFailure(['F3'], i)));
  const t = (await store.getToken('F3'))!;
  assert.equal(t.failCount, 30);
  assert.equal(t.locked, true);
  await other.close();
  await store.close();
});
