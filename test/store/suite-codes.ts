// What e-mail and SMS codes need of the store, on every backend: the
// counter step that makes each code new, a user's open challenges, and the
// send log behind the rate limits, atomic across store instances (workers,
// servers), driven through the StoreDeliveryLimiter auth uses.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StoreDeliveryLimiter } from '../../src/delivery/store-limiter.ts';
import type { Challenge } from '../../src/model/challenge.ts';
import { newToken, OWNER } from './helpers.ts';
import type { StoreFactory } from './suite.ts';

const LIMITS = { resendIntervalMs: 60_000, maxPerHourPerUser: 5, maxPerHourPerDestination: 3 };
const T0 = 1_800_000_000_000;
const MIN = 60_000;

function challenge(id: string, createdAt: number, extra: Partial<Challenge> = {}): Challenge {
  return {
    transactionId: id.repeat(32).slice(0, 32),
    serials: ['E1'],
    realm: OWNER.realm,
    resolver: OWNER.resolver,
    userId: OWNER.userId,
    login: OWNER.login,
    data: '',
    createdAt,
    expiresAt: createdAt + 300,
    attempts: 0,
    maxAttempts: 3,
    ...extra,
  };
}

export function codesSuite(factory: StoreFactory): void {
  describe(`${factory.name}: e-mail and SMS codes`, () => {
    test('advanceCounter steps once from where it was read; the code before it is then used', async () => {
      const f = await factory.fresh();
      const other = await f.open();
      await f.store.createToken(newToken('E1', { type: 'email', counter: 4 }));
      const raced = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? f.store : other).advanceCounter('E1', 4)));
      assert.equal(raced.filter(Boolean).length, 1, 'one of twenty concurrent steps from 4 wins');
      assert.equal((await f.store.getToken('E1'))?.counter, 5);
      assert.equal(await f.store.commitSuccess('E1', 4, 1000), false, 'the retired code is refused');
      assert.equal(await f.store.commitSuccess('E1', 5, 1000), true);
      assert.equal(await f.store.advanceCounter('E1', 5), false, 'the counter moved on meanwhile');
      assert.equal(await f.store.advanceCounter('NONE', 0), false);
      await assert.rejects(f.store.advanceCounter('E1', -1), /advanceCounter E1: from: expected an integer/);
      await f.store.close();
    });

    test("challengesOfUser: the user's challenges, newest first, expired ones too", async () => {
      const { store } = await factory.fresh();
      await store.createChallenge(challenge('a', 1000));
      await store.createChallenge(challenge('b', 2000));
      await store.createChallenge(challenge('c', 1500, { userId: 'someone-else' }));
      assert.deepEqual(
        (await store.challengesOfUser(OWNER.resolver, OWNER.userId)).map((c) => c.transactionId[0]),
        ['b', 'a'],
      );
      assert.deepEqual(await store.challengesOfUser(OWNER.resolver, 'nobody'), []);
      await store.close();
    });

    test('the send log: windows per subject, old sends purged, bad input refused', async () => {
      const { store } = await factory.fresh();
      assert.deepEqual(await store.sendWindows(['user:a', 'to:x'], 0), [{ count: 0 }, { count: 0 }]);
      await store.recordSend(['user:a', 'to:x'], T0);
      await store.recordSend(['user:a'], T0 + MIN);
      assert.deepEqual(await store.sendWindows(['user:a', 'to:x'], T0 - 1), [
        { count: 2, oldest: T0, newest: T0 + MIN },
        { count: 1, oldest: T0, newest: T0 },
      ]);
      assert.deepEqual(await store.sendWindows(['user:a'], T0), [{ count: 1, oldest: T0 + MIN, newest: T0 + MIN }], 'a send at exactly `since` is outside');
      assert.equal(await store.purgeSends(T0), 2);
      assert.deepEqual(await store.sendWindows(['user:a', 'to:x'], 0), [{ count: 1, oldest: T0 + MIN, newest: T0 + MIN }, { count: 0 }]);
      assert.equal(await store.takeSend(['user:a'], 0, T0, () => false), false);
      await assert.rejects(store.sendWindows([], 0), /sendWindows: expected a non-empty array of subjects/);
      await assert.rejects(store.recordSend(['user:a'], -5), /recordSend: at: expected an integer/);
      await store.close();
    });

    test('the store-backed limiter decides as the in-memory one: resend interval, hourly caps, sliding hour', async () => {
      const { store } = await factory.fresh();
      const limiter = new StoreDeliveryLimiter(store, LIMITS);
      const phone = { user: 'local:1', destination: '+4915112345689' };
      assert.deepEqual(await limiter.take(phone, T0), { allowed: true });
      assert.deepEqual(await limiter.take(phone, T0 + 1000), { allowed: false, limit: 'resend-interval', retryAfterMs: 59_000 });
      assert.deepEqual(await limiter.check(phone, T0 + MIN), { allowed: true }, 'check records nothing');
      for (let i = 1; i <= 2; i++) assert.deepEqual(await limiter.take(phone, T0 + i * MIN), { allowed: true });
      assert.deepEqual(await limiter.take(phone, T0 + 3 * MIN), { allowed: false, limit: 'destination-per-hour', retryAfterMs: 57 * MIN });
      assert.deepEqual(
        await limiter.take({ user: 'local:2', destination: phone.destination }, T0 + 3 * MIN),
        { allowed: false, limit: 'destination-per-hour', retryAfterMs: 57 * MIN },
        'the number counts across users',
      );
      const mail = { user: 'local:1', destination: 'alice@example.org' };
      await limiter.record(mail, T0 + 4 * MIN);
      await limiter.record(mail, T0 + 4 * MIN);
      assert.deepEqual(
        await limiter.take({ user: 'local:1', destination: 'bob@example.org' }, T0 + 10 * MIN),
        { allowed: false, limit: 'user-per-hour', retryAfterMs: 50 * MIN },
        'an admin test send counts',
      );
      assert.deepEqual(await limiter.take(phone, T0 + 60 * MIN + 1), { allowed: true }, 'the first send left the hour');
      await store.close();
    });

    test('a burst of takes on two instances lets exactly one send through', async () => {
      const f = await factory.fresh();
      const other = await f.open();
      const limiters = [new StoreDeliveryLimiter(f.store, LIMITS), new StoreDeliveryLimiter(other, LIMITS)];
      const key = { user: 'local:1', destination: 'alice@example.org' };
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => limiters[i % 2]!.take(key, T0 + i)));
      assert.equal(results.filter((r) => r.allowed).length, 1);
      assert.deepEqual(await f.store.sendWindows(['user:local:1', 'to:alice@example.org'], 0), [
        { count: 1, oldest: results.findIndex((r) => r.allowed) + T0, newest: results.findIndex((r) => r.allowed) + T0 },
        { count: 1, oldest: results.findIndex((r) => r.allowed) + T0, newest: results.findIndex((r) => r.allowed) + T0 },
      ]);
      // Different destinations of one user, at once: the user cap holds exactly.
      const many = await Promise.all(Array.from({ length: 12 }, (_, i) => limiters[i % 2]!.take({ user: 'local:2', destination: `d${i}@example.org` }, T0)));
      assert.equal(many.filter((r) => r.allowed).length, LIMITS.maxPerHourPerUser);
      await f.store.close();
    });
  });
}
