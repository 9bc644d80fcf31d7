// Challenges: create, attempts, delete, purge, raced across store instances.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import type { Challenge } from '../../src/model/challenge.ts';
import { newToken } from './helpers.ts';
import type { StoreFactory } from './suite.ts';

export function challenge(serials: string[], createdAt: number, extra: Partial<Challenge> = {}): Challenge {
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

export function challengeSuite(factory: StoreFactory): void {
  describe(`${factory.name}: challenges`, () => {
    test('create, get, attempt, delete', async () => {
      const { store } = await factory.fresh();
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
      await assert.rejects(store.getChallenge(5 as never), /transaction id: expected a string, got number/);
      await store.close();
    });

    test('attempts stop at max attempts, and a right answer takes the challenge only while attempts are left', async () => {
      const { store } = await factory.fresh();
      const c = challenge(['T1'], 1000, { maxAttempts: 2 });
      await store.createChallenge(c);
      assert.equal((await store.recordChallengeAttempt(c.transactionId))!.attempts, 1);
      assert.equal((await store.recordChallengeAttempt(c.transactionId))!.attempts, 2);
      assert.equal(await store.recordChallengeAttempt(c.transactionId), undefined, 'closed: a third wrong answer is not counted');
      assert.equal((await store.getChallenge(c.transactionId))!.attempts, 2, 'attempts never pass max attempts');
      assert.equal(await store.takeChallenge(c.transactionId), false, 'a right answer after the last attempt does not get it');
      const open = challenge(['T1'], 1000, { maxAttempts: 2 });
      await store.createChallenge(open);
      assert.equal(await store.takeChallenge(open.transactionId), true);
      assert.equal(await store.takeChallenge(open.transactionId), false, 'taken once');
      assert.equal(await store.getChallenge(open.transactionId), undefined);
      await store.close();
    });

    test('a burst of wrong answers and right ones across two instances: max attempts counted, the challenge taken at most once and only while open', async () => {
      const f = await factory.fresh();
      const other = await f.open();
      const c = challenge(['T1'], 1000, { maxAttempts: 3 });
      await f.store.createChallenge(c);
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => {
          const store = i % 2 ? f.store : other;
          return i % 4 === 3 ? store.takeChallenge(c.transactionId).then((took) => ({ took })) : store.recordChallengeAttempt(c.transactionId).then((after) => ({ after }));
        }),
      );
      const counted = results.filter((r) => 'after' in r && r.after !== undefined).length;
      const took = results.filter((r) => 'took' in r && r.took).length;
      assert.ok(counted <= 3, `at most max attempts counted, got ${counted}`);
      assert.ok(took <= 1, 'taken at most once');
      if (took === 1) assert.ok(counted < 3, 'taken only while attempts were left');
      await f.store.close();
    });

    test('challenges do not depend on the tokens existing', async () => {
      const { store } = await factory.fresh();
      await store.createToken(newToken('T1'));
      const c = challenge(['T1'], 1000);
      await store.createChallenge(c);
      await store.deleteToken('T1');
      assert.deepEqual(await store.getChallenge(c.transactionId), c);
      await store.close();
    });

    test('createChallenge refuses duplicates and bad input', async () => {
      const { store, sql } = await factory.fresh();
      const c = challenge(['T1'], 1000);
      await store.createChallenge(c);
      await assert.rejects(store.createChallenge({ ...c, serials: ['T9'] }), { name: 'StoreError', code: 'duplicate', message: `challenge ${c.transactionId} already exists` });
      assert.deepEqual(
        (await sql('SELECT serial FROM challenge_tokens')).map((r) => r.serial),
        ['T1'],
        'the refused one left no links',
      );
      const bad: [Partial<Challenge>, RegExp][] = [
        [{ transactionId: 'short' }, /^challenge transactionId: expected 8\.\.128 characters of \[A-Za-z0-9\._-\], got "short"$/],
        [{ transactionId: 'has space here' }, /transactionId: expected/],
        [{ serials: [] }, /serials: expected a non-empty array of serials/],
        [{ serials: ['A', 'A'] }, /serials: contains a serial twice/],
        [{ serials: ['A', ''] }, /^challenge [A-Za-z0-9._-]{8,128}: serials\[1\]: expected 1\.\.128 printable/],
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
      const { store } = await factory.fresh();
      const c = challenge(['T1'], 1000.75, { expiresAt: 1120.2 });
      await store.createChallenge(c);
      const got = (await store.getChallenge(c.transactionId))!;
      assert.equal(got.createdAt, 1000);
      assert.equal(got.expiresAt, 1120);
      await store.close();
    });

    test('purge removes expired challenges', async () => {
      const { store, sql } = await factory.fresh();
      const old = challenge(['T1'], 1000, { expiresAt: 1100 });
      const edge = challenge(['T2'], 1000, { expiresAt: 1199 });
      const live = challenge(['T1'], 1000, { expiresAt: 1200 });
      for (const c of [old, edge, live]) await store.createChallenge(c);
      assert.equal(await store.purgeChallenges(1200, 10), 2);
      assert.equal(await store.getChallenge(old.transactionId), undefined);
      assert.equal(await store.getChallenge(edge.transactionId), undefined, 'expired once now > expiresAt');
      assert.deepEqual(await store.getChallenge(live.transactionId), live);
      const links = async () => (await sql('SELECT transaction_id FROM challenge_tokens')).map((r) => r.transaction_id);
      assert.deepEqual(await links(), [live.transactionId], 'token links go with their challenge');
      assert.equal(await store.purgeChallenges(1200.9, 10), 0, 'now is floored: still the last valid second');
      assert.equal(await store.purgeChallenges(1201, 10), 1);
      assert.deepEqual(await links(), []);
      await store.close();
    });

    test('purge keeps the newest maxPerToken open challenges of each token', async () => {
      const { store } = await factory.fresh();
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

    test('attempts, deletes and purges raced across two instances', async () => {
      const f = await factory.fresh();
      const other = await f.open();
      const stores = [f.store, other];
      const c = challenge(['T1'], 1000, { maxAttempts: 100 });
      await f.store.createChallenge(c);
      const after = await Promise.all(Array.from({ length: 30 }, (_, i) => stores[i % 2]!.recordChallengeAttempt(c.transactionId)));
      assert.deepEqual(
        after.map((x) => x!.attempts).sort((x, y) => x - y),
        Array.from({ length: 30 }, (_, i) => i + 1),
      );
      const deleted = await Promise.all(Array.from({ length: 10 }, (_, i) => stores[i % 2]!.deleteChallenge(c.transactionId)));
      assert.equal(deleted.filter(Boolean).length, 1, 'answered once');
      // Challenges created and purged from both sides at once, with overlapping tokens.
      await Promise.all(
        Array.from({ length: 30 }, async (_, i) => {
          const store = stores[i % 2]!;
          await store.createChallenge(challenge(i % 3 ? ['X', 'Y'] : ['Y', 'X'], 2000 + i));
          await store.purgeChallenges(2000, 3);
        }),
      );
      await f.store.purgeChallenges(2000, 3);
      const left = await f.store.listChallenges();
      assert.equal(left.length, 3);
      assert.deepEqual(
        left.map((x) => x.createdAt),
        [2027, 2028, 2029],
      );
      await f.store.close();
    });

    test('stored challenges are checked when read', async () => {
      const { store, sql } = await factory.fresh();
      const c = challenge(['T1'], 1000);
      await store.createChallenge(c);
      await sql('UPDATE challenges SET serials = \'{"a":1}\'');
      await assert.rejects(store.getChallenge(c.transactionId), {
        code: 'corrupt',
        message: new RegExp(`challenge ${c.transactionId}: stored value out of range: .*serials: expected a non-empty array`),
      });
      await sql('UPDATE challenges SET serials = \'["T1"]\', expires_at = 10');
      await assert.rejects(store.recordChallengeAttempt(c.transactionId), /expiresAt: before createdAt \(10 < 1000\)/);
      await store.close();
    });
  });
}
