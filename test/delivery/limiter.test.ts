// Rate limits on sends: the pure decision, and the in-memory limiter under
// bursts, sliding windows and random traffic.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decide, LIMIT_WINDOW_MS, type DeliveryKey } from '../../src/delivery/limiter.ts';
import { MemoryDeliveryLimiter } from '../../src/delivery/memory-limiter.ts';

const LIMITS = { resendIntervalMs: 60_000, maxPerHourPerUser: 5, maxPerHourPerDestination: 3 };
const T0 = 1_800_000_000_000;
const MIN = 60_000;

const alicePhone: DeliveryKey = { user: 'alice', destination: '+4915112345689' };
const aliceMail: DeliveryKey = { user: 'alice', destination: 'alice@example.org' };

describe('decide', () => {
  test('nothing sent: allowed', () => {
    assert.deepEqual(decide(LIMITS, { user: { count: 0 }, destination: { count: 0 } }, T0), { allowed: true });
  });

  test('within the resend interval of the last send to that destination', () => {
    const h = { user: { count: 1, oldest: T0 - 10_000, newest: T0 - 10_000 }, destination: { count: 1, oldest: T0 - 10_000, newest: T0 - 10_000 } };
    assert.deepEqual(decide(LIMITS, h, T0), { allowed: false, limit: 'resend-interval', retryAfterMs: 50_000 });
    assert.deepEqual(decide(LIMITS, h, T0 + 50_000), { allowed: true });
  });

  test('resendInterval: false leaves the interval out; the hourly caps still hold', () => {
    const recent = { count: 1, oldest: T0 - 10_000, newest: T0 - 10_000 };
    assert.deepEqual(decide(LIMITS, { user: recent, destination: recent }, T0, { resendInterval: false }), { allowed: true });
    const full = { count: 3, oldest: T0 - 10 * MIN, newest: T0 - 10_000 };
    assert.deepEqual(decide(LIMITS, { user: full, destination: full }, T0, { resendInterval: false }), { allowed: false, limit: 'destination-per-hour', retryAfterMs: 50 * MIN });
  });

  test('hourly caps per user and per destination, retry when the oldest send leaves the hour', () => {
    const user = { count: 5, oldest: T0 - 40 * MIN, newest: T0 - 2 * MIN };
    assert.deepEqual(decide(LIMITS, { user, destination: { count: 0 } }, T0), { allowed: false, limit: 'user-per-hour', retryAfterMs: 20 * MIN });
    const destination = { count: 3, oldest: T0 - 59 * MIN, newest: T0 - 5 * MIN };
    assert.deepEqual(decide(LIMITS, { user: { count: 3, oldest: T0 - 59 * MIN, newest: T0 - 5 * MIN }, destination }, T0), { allowed: false, limit: 'destination-per-hour', retryAfterMs: MIN });
  });
});

describe('MemoryDeliveryLimiter', () => {
  test('a second send to the same destination waits for the resend interval; another destination does not', async () => {
    const l = new MemoryDeliveryLimiter(LIMITS);
    assert.deepEqual(await l.take(alicePhone, T0), { allowed: true });
    assert.deepEqual(await l.take(alicePhone, T0 + 1000), { allowed: false, limit: 'resend-interval', retryAfterMs: 59_000 });
    assert.deepEqual(await l.take(aliceMail, T0 + 1000), { allowed: true });
    assert.deepEqual(await l.take(alicePhone, T0 + MIN), { allowed: true });
  });

  test('a burst of concurrent takes lets exactly one through', async () => {
    const l = new MemoryDeliveryLimiter(LIMITS);
    const results = await Promise.all(Array.from({ length: 50 }, () => l.take(alicePhone, T0)));
    assert.equal(results.filter((r) => r.allowed).length, 1);
  });

  test('check records nothing; record counts even past the limits', async () => {
    const l = new MemoryDeliveryLimiter(LIMITS);
    for (let i = 0; i < 5; i++) assert.deepEqual(await l.check(alicePhone, T0), { allowed: true });
    for (let i = 0; i < 4; i++) await l.record(alicePhone, T0 + i);
    assert.equal((await l.check(aliceMail, T0 + 2 * MIN)).allowed, true, 'user has 4 of 5');
    await l.record(aliceMail, T0 + 2 * MIN);
    assert.deepEqual(await l.check({ user: 'alice', destination: 'other@example.org' }, T0 + 3 * MIN), { allowed: false, limit: 'user-per-hour', retryAfterMs: LIMIT_WINDOW_MS - 3 * MIN });
  });

  test('the per-destination cap holds across users (one phone shared by several accounts)', async () => {
    const l = new MemoryDeliveryLimiter(LIMITS);
    for (let i = 0; i < 3; i++) assert.equal((await l.take({ user: `u${i}`, destination: '+4915112345689' }, T0 + i * 2 * MIN)).allowed, true);
    const r = await l.take({ user: 'u9', destination: '+4915112345689' }, T0 + 10 * MIN);
    assert.deepEqual(r, { allowed: false, limit: 'destination-per-hour', retryAfterMs: 50 * MIN });
    assert.equal((await l.take({ user: 'u9', destination: '+4915112345689' }, T0 + 60 * MIN + 1)).allowed, true, 'the oldest left the hour');
  });

  test('keys whose sends are older than an hour are dropped', async () => {
    const l = new MemoryDeliveryLimiter(LIMITS);
    for (let i = 0; i < 100; i++) await l.take({ user: `u${i}`, destination: `d${i}` }, T0);
    assert.equal(l.size, 200);
    await l.check(alicePhone, T0 + LIMIT_WINDOW_MS + 1);
    assert.equal(l.size, 0);
  });

  test('random traffic never exceeds a limit in any hour', async () => {
    // A small deterministic generator, so a failure can be replayed.
    let seed = 0x2545f491;
    const rand = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const l = new MemoryDeliveryLimiter(LIMITS);
    const allowed: { user: string; destination: string; at: number }[] = [];
    let now = T0;
    for (let i = 0; i < 3000; i++) {
      now += rand(90_000);
      const key = { user: `u${rand(4)}`, destination: `d${rand(5)}` };
      if ((await l.take(key, now)).allowed) allowed.push({ ...key, at: now });
    }
    assert.ok(allowed.length > 100, `some traffic got through (${allowed.length})`);
    for (const [i, s] of allowed.entries()) {
      const hour = allowed.slice(0, i + 1).filter((x) => x.at > s.at - LIMIT_WINDOW_MS);
      assert.ok(hour.filter((x) => x.user === s.user).length <= LIMITS.maxPerHourPerUser, `user ${s.user} at ${s.at}`);
      assert.ok(hour.filter((x) => x.destination === s.destination).length <= LIMITS.maxPerHourPerDestination, `destination ${s.destination} at ${s.at}`);
      const previous = allowed.slice(0, i).findLast((x) => x.destination === s.destination);
      if (previous) assert.ok(s.at - previous.at >= LIMITS.resendIntervalMs, 'resend interval');
    }
  });
});
