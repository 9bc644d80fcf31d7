import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.ts';
import type { Challenge } from '../../src/store/types.ts';
import { newToken, tempDir } from './helpers.ts';

async function fresh() {
  const dir = tempDir();
  const path = join(dir, 'otp-radius.db');
  const store = await openStore({ sqlite: { path }, keyFile: join(dir, 'otp-radius.key') });
  return { path, store };
}

function challenge(serials: string[], createdAt: number, extra: Partial<Challenge> = {}): Challenge {
  return {
    transactionId: randomBytes(16).toString('hex'),
    serials,
    realm: 'corp',
    resolver: 'ldap1',
    userId: 'uid-1',
    login: 'alice',
    data: 'OCRA question 12345678',
    createdAt,
    expiresAt: createdAt + 120,
    attempts: 0,
    maxAttempts: 3,
    ...extra,
  };
}

test('create, get, attempt, delete', async () => {
  const { store } = await fresh();
  const c = challenge(['T1', 'T2'], 1000);
  await store.createChallenge(c);
  assert.deepEqual(await store.getChallenge(c.transactionId), c);
  assert.equal(await store.getChallenge('0'.repeat(32)), undefined);
  assert.equal(await store.getChallenge(''), undefined);
  assert.deepEqual(await store.recordChallengeAttempt(c.transactionId), { ...c, attempts: 1 });
  assert.deepEqual(await store.recordChallengeAttempt(c.transactionId), { ...c, attempts: 2 });
  assert.equal((await store.getChallenge(c.transactionId))!.attempts, 2);
  assert.equal(await store.recordChallengeAttempt('0'.repeat(32)), undefined);
  assert.equal(await store.deleteChallenge(c.transactionId), true);
  assert.equal(await store.deleteChallenge(c.transactionId), false);
  assert.equal(await store.getChallenge(c.transactionId), undefined);
  assert.equal(await store.recordChallengeAttempt(c.transactionId), undefined);
  await store.close();
});

test('challenges do not depend on the tokens existing', async () => {
  const { store } = await fresh();
  await store.createToken(newToken('T1'));
  const c = challenge(['T1'], 1000);
  await store.createChallenge(c);
  await store.deleteToken('T1');
  assert.deepEqual(await store.getChallenge(c.transactionId), c);
  await store.close();
});

test('createChallenge refuses duplicates and bad input', async () => {
  const { store } = await fresh();
  const c = challenge(['T1'], 1000);
  await store.createChallenge(c);
  await assert.rejects(store.createChallenge(c), { name: 'StoreError', code: 'duplicate', message: `challenge ${c.transactionId} already exists` });
  const bad: [Partial<Challenge>, RegExp][] = [
    [{ transactionId: 'short' }, /^challenge transactionId: expected 8\.\.128 characters of \[A-Za-z0-9\._-\], got "short"$/],
    [{ transactionId: 'has space here' }, /transactionId: expected/],
    [{ serials: [] }, /serials: expected a non-empty array of serials/],
    [{ serials: ['A', 'A'] }, /serials: contains a serial twice/],
    [{ serials: ['A', ''] }, /serials\[1\]: expected 1\.\.128 printable/],
    [{ expiresAt: 999 }, /expiresAt: before createdAt \(999 < 1000\)/],
    [{ maxAttempts: 0 }, /maxAttempts: expected an integer 1\.\./],
    [{ attempts: -1 }, /attempts: expected an integer 0\.\./],
    [{ data: 5 as never }, /data: expected a string, got 5/],
  ];
  for (const [extra, message] of bad) {
    await assert.rejects(store.createChallenge(challenge(['T1'], 1000, extra)), (err: Error) => {
      assert.equal(err.name, 'StoreError', err.message);
      assert.match(err.message, message);
      return true;
    });
  }
  await store.close();
});

test('fractional timestamps are floored to whole seconds', async () => {
  const { store } = await fresh();
  const c = challenge(['T1'], 1000.75, { expiresAt: 1120.2 });
  await store.createChallenge(c);
  const got = (await store.getChallenge(c.transactionId))!;
  assert.equal(got.createdAt, 1000);
  assert.equal(got.expiresAt, 1120);
  await store.close();
});

test('purge removes expired challenges', async () => {
  const { path, store } = await fresh();
  const old = challenge(['T1'], 1000, { expiresAt: 1100 });
  const edge = challenge(['T2'], 1000, { expiresAt: 1199 });
  const live = challenge(['T1'], 1000, { expiresAt: 1200 });
  for (const c of [old, edge, live]) await store.createChallenge(c);
  assert.equal(await store.purgeChallenges(1200, 10), 2);
  assert.equal(await store.getChallenge(old.transactionId), undefined);
  assert.equal(await store.getChallenge(edge.transactionId), undefined, 'expired once now > expiresAt');
  assert.deepEqual(await store.getChallenge(live.transactionId), live);
  const raw = new Database(path, { readonly: true });
  const links = () => raw.prepare('SELECT transaction_id FROM challenge_tokens').pluck().all();
  assert.deepEqual(links(), [live.transactionId], 'token links go with their challenge');
  assert.equal(await store.purgeChallenges(1200.9, 10), 0, 'now is floored: still the last valid second');
  assert.equal(await store.purgeChallenges(1201, 10), 1);
  assert.deepEqual(links(), []);
  raw.close();
  await store.close();
});

test('purge keeps the newest maxPerToken open challenges of each token', async () => {
  const { store } = await fresh();
  const a = [1000, 1001, 1002, 1003, 1004].map((t) => challenge(['A'], t));
  // Same second: insertion order decides which are newest.
  const b = [0, 1, 2].map(() => challenge(['B'], 2000));
  const both = challenge(['A', 'C'], 999); // the oldest for A, the only one for C
  for (const c of [both, ...a, ...b]) await store.createChallenge(c);
  assert.equal(await store.purgeChallenges(500, 2), 5);
  const alive = async (cs: Challenge[]) => Promise.all(cs.map(async (c) => (await store.getChallenge(c.transactionId)) !== undefined));
  assert.deepEqual(await alive(a), [false, false, false, true, true]);
  assert.deepEqual(await alive(b), [false, true, true]);
  assert.deepEqual(await alive([both]), [false], 'over the cap for one of its tokens');
  assert.equal(await store.purgeChallenges(500, 2), 0);
  assert.equal(await store.purgeChallenges(500, 0), 4, 'a cap of 0 removes all');
  await assert.rejects(store.purgeChallenges(500, -1), /maxPerToken: expected an integer 0\.\./);
  await store.close();
});

test('stored challenges are checked when read', async () => {
  const { path, store } = await fresh();
  const c = challenge(['T1'], 1000);
  await store.createChallenge(c);
  const raw = new Database(path);
  raw.prepare("UPDATE challenges SET serials = '{\"a\":1}'").run();
  await assert.rejects(store.getChallenge(c.transactionId), { code: 'corrupt', message: new RegExp(`challenge ${c.transactionId}: stored value out of range: .*serials: expected a non-empty array`) });
  raw.prepare("UPDATE challenges SET serials = '[\"T1\"]', attempts = 'x'").run();
  await assert.rejects(store.getChallenge(c.transactionId), /column attempts: expected an integer, got string "x"/);
  raw.close();
  await store.close();
});
