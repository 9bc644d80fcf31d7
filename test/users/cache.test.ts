// The resolvers' lookup cache: found users for cacheTtl, "not found" for a
// few seconds at most, failures never, one query per burst, bounded size.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LookupCache, NEGATIVE_TTL_MAX_MS } from '../../src/users/cache.ts';
import type { User } from '../../src/users/types.ts';

function user(login: string): User {
  return { resolver: 'r', id: `id-${login}`, login, groups: ['g'], attributes: { dn: `uid=${login}` } };
}

function counting(answer: (key: string) => User | undefined): { load: (key: string) => () => Promise<User | undefined>; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    load: (key) => async () => {
      calls.push(key);
      return answer(key);
    },
  };
}

test('a found user is kept for the ttl, then asked again', async () => {
  let now = 1000;
  const cache = new LookupCache({ ttlMs: 60_000, now: () => now });
  const { load, calls } = counting((k) => user(k));
  assert.equal((await cache.get('alice', load('alice')))?.login, 'alice');
  now += 59_999;
  await cache.get('alice', load('alice'));
  assert.equal(calls.length, 1);
  now += 1;
  await cache.get('alice', load('alice'));
  assert.equal(calls.length, 2);
});

test('"not found" is kept for at most 5 seconds, whatever the ttl', async () => {
  let now = 0;
  const cache = new LookupCache({ ttlMs: 3_600_000, negativeTtlMs: 60_000, now: () => now });
  assert.equal(cache.negativeTtlMs, NEGATIVE_TTL_MAX_MS);
  const { load, calls } = counting(() => undefined);
  assert.equal(await cache.get('ghost', load('ghost')), undefined);
  now += NEGATIVE_TTL_MAX_MS - 1;
  await cache.get('ghost', load('ghost'));
  assert.equal(calls.length, 1);
  now += 1;
  await cache.get('ghost', load('ghost'));
  assert.equal(calls.length, 2);
  // A shorter ttl shortens the negative one too.
  assert.equal(new LookupCache({ ttlMs: 1000 }).negativeTtlMs, 1000);
});

test('failures are not kept', async () => {
  const cache = new LookupCache({ ttlMs: 60_000 });
  let fail = true;
  const load = async (): Promise<User | undefined> => {
    if (fail) throw new Error('down');
    return user('bob');
  };
  await assert.rejects(cache.get('bob', load), /down/);
  fail = false;
  assert.equal((await cache.get('bob', load))?.login, 'bob');
});

test('concurrent lookups of one key share one load; the failure reaches them all', async () => {
  const cache = new LookupCache({ ttlMs: 0 });
  let calls = 0;
  let release: (u: User) => void = () => undefined;
  const load = (): Promise<User | undefined> => {
    calls++;
    return new Promise((resolve) => {
      release = resolve;
    });
  };
  const all = Promise.all(Array.from({ length: 50 }, () => cache.get('alice', load)));
  release(user('alice'));
  const users = await all;
  assert.equal(calls, 1);
  assert.ok(users.every((u) => u?.login === 'alice'));
  // ttl 0: nothing is kept once the load is over.
  await cache.get('alice', async () => {
    calls++;
    return user('alice');
  });
  assert.equal(calls, 2);
  assert.equal(cache.size, 0);
  let rejectIt: (e: Error) => void = () => undefined;
  const failing = (): Promise<User | undefined> =>
    new Promise((_, reject) => {
      rejectIt = reject;
    });
  const both = Promise.allSettled([cache.get('x', failing), cache.get('x', failing)]);
  rejectIt(new Error('boom'));
  assert.deepEqual(
    (await both).map((r) => r.status),
    ['rejected', 'rejected'],
  );
});

test('callers get copies: changing one does not change the cache', async () => {
  const cache = new LookupCache({ ttlMs: 60_000 });
  const a = await cache.get('alice', async () => user('alice'));
  a!.groups.push('admins');
  (a!.attributes as Record<string, string>).dn = 'changed';
  const b = await cache.get('alice', async () => assert.fail('not cached'));
  assert.deepEqual(b?.groups, ['g']);
  assert.equal(b?.attributes.dn, 'uid=alice');
});

test('bounded: the least recently used entry goes first', async () => {
  const cache = new LookupCache({ ttlMs: 60_000, maxEntries: 2 });
  const { load, calls } = counting((k) => user(k));
  await cache.get('a', load('a'));
  await cache.get('b', load('b'));
  await cache.get('a', load('a'));
  await cache.get('c', load('c'));
  assert.equal(cache.size, 2);
  await cache.get('a', load('a'));
  assert.deepEqual(calls, ['a', 'b', 'c']);
  await cache.get('b', load('b'));
  assert.deepEqual(calls, ['a', 'b', 'c', 'b']);
});

test('clear() drops entries, and a load started before it does not refill the cache', async () => {
  const cache = new LookupCache({ ttlMs: 60_000 });
  let release: (u: User) => void = () => undefined;
  const pending = cache.get(
    'alice',
    () =>
      new Promise((resolve) => {
        release = resolve;
      }),
  );
  cache.clear();
  release(user('alice'));
  assert.equal((await pending)?.login, 'alice');
  assert.equal(cache.size, 0);
});
