// The atomic updates authentication relies on: counter compare-and-set and
// fail counters, raced within a process, across store instances (separate
// connections or pools) and across processes.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import type { StoreOptions } from '../../src/store/index.ts';
import { newToken } from './helpers.ts';
import type { StoreFactory } from './suite.ts';

/** Runs `body` (module source using `store`) in a child process that opens the store from `options`; returns its stdout as JSON. */
export function inChildProcess<T>(options: StoreOptions, body: string): Promise<T> {
  const moduleUrl = new URL('../../src/store/index.ts', import.meta.url).href;
  const script = `import { openStore } from ${JSON.stringify(moduleUrl)};
const store = await openStore(${JSON.stringify(options)});
const result = await (async () => { ${body} })();
await store.close();
process.stdout.write(JSON.stringify(result));`;
  return new Promise<T>((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], (err, stdout, stderr) => (err ? reject(new Error(stderr || String(err))) : resolve(JSON.parse(stdout) as T)));
  });
}

export function casSuite(factory: StoreFactory): void {
  describe(`${factory.name}: counter compare-and-set and fail counters`, () => {
    test('commitSuccess: the same matched counter is accepted once', async () => {
      const { store } = await factory.fresh();
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
      const { store } = await factory.fresh();
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
      const { store } = await factory.fresh();
      await store.createToken(newToken('T1', { type: 'totp', counter: 100, drift: 30 }));
      assert.equal(await store.commitSuccess('T1', 100, 3000.9), true);
      assert.equal((await store.getToken('T1'))!.drift, 30);
      assert.equal((await store.getToken('T1'))!.lastAuth, 3000);
      assert.equal(await store.commitSuccess('T1', 101, 3030, -60), true);
      assert.equal((await store.getToken('T1'))!.drift, -60);
      assert.equal(await store.commitSuccess('T1', 102, 3060, 0), true);
      assert.equal((await store.getToken('T1'))!.drift, 0, 'a drift of 0 is a value, not "keep"');
      assert.equal(await store.commitSuccess('T1', 103, 3090, 29.6), true);
      assert.equal((await store.getToken('T1'))!.drift, 30, 'rounded to whole seconds');
      await store.close();
    });

    test('concurrent commits in one store: exactly one wins', async () => {
      const { store } = await factory.fresh();
      await store.createToken(newToken('C1', { counter: 10 }));
      const results = await Promise.all(Array.from({ length: 20 }, () => store.commitSuccess('C1', 12, 1)));
      assert.equal(results.filter(Boolean).length, 1);
      await store.close();
    });

    test('50 concurrent commits of one counter from two store instances: exactly one wins', async () => {
      const f = await factory.fresh();
      const other = await f.open();
      await f.store.createToken(newToken('R1', { counter: 3 }));
      const stores = [f.store, other];
      for (const matched of [7, 8, 20]) {
        const results = await Promise.all(Array.from({ length: 50 }, (_, i) => stores[i % 2]!.commitSuccess('R1', matched, 100 + i)));
        assert.equal(results.filter(Boolean).length, 1, `counter ${matched}`);
      }
      // Racing different counters: only increasing ones can win, and the counter ends past the highest.
      const mixed = await Promise.all(Array.from({ length: 40 }, (_, i) => stores[i % 2]!.commitSuccess('R1', 21 + (i % 10), 200)));
      assert.ok(mixed.filter(Boolean).length >= 1 && mixed.filter(Boolean).length <= 10);
      const t = (await other.getToken('R1'))!;
      assert.equal(t.counter, 31);
      assert.equal(t.successCount, 3 + mixed.filter(Boolean).length);
      await f.store.close();
    });

    test('a race across processes: each OTP is accepted by exactly one of them', async () => {
      const f = await factory.fresh();
      const serials = Array.from({ length: 20 }, (_, i) => `P${i}`);
      for (const s of serials) await f.store.createToken(newToken(s));
      const body = `const won = [];
for (let round = 0; round < 3; round++)
  for (const s of ${JSON.stringify(serials)}) if (await store.commitSuccess(s, round, 1)) won.push(s + '@' + round);
return won;`;
      const wins = (await Promise.all(Array.from({ length: 4 }, () => inChildProcess<string[]>(f.options, body)))).flat();
      assert.equal(wins.length, serials.length * 3, 'every (serial, counter) accepted once in total');
      assert.equal(new Set(wins).size, wins.length, 'never twice');
      for (const s of serials) {
        const t = (await f.store.getToken(s))!;
        assert.equal(t.counter, 3);
        assert.equal(t.successCount, 3);
      }
      await f.store.close();
    });

    test('commitSuccess commits only while the token is usable: active, not revoked, unlocked, under its limits, in its validity period', async () => {
      const { store } = await factory.fresh();
      const cases: [string, Parameters<typeof newToken>[1]][] = [
        ['disabled', { active: false }],
        ['locked', {}],
        ['at max fail', { failCount: 3, maxFail: 3 }],
        ['auth limit', { maxAuth: 0 }],
        ['success limit', { maxSuccess: 0 }],
        ['not yet valid', { validFrom: 1001 }],
        ['expired', { validUntil: 999 }],
      ];
      for (const [i, [name, fields]] of cases.entries()) {
        await store.createToken(newToken(`U${i}`, fields));
        if (name === 'locked') await store.updateToken(`U${i}`, { locked: true });
        assert.equal(await store.commitSuccess(`U${i}`, 0, 1000), false, name);
        const t = (await store.getToken(`U${i}`))!;
        assert.deepEqual([t.counter, t.successCount, t.authCount], [0, 0, 0], `${name}: nothing written`);
      }
      await store.createToken(newToken('R1'));
      await store.updateToken('R1', { revoked: true });
      assert.equal(await store.commitSuccess('R1', 0, 1000), false, 'revoked');
      await store.createToken(newToken('OK', { validFrom: 1000, validUntil: 1000, maxAuth: 1, maxSuccess: 1, failCount: 2, maxFail: 3 }));
      assert.equal(await store.commitSuccess('OK', 0, 1000.9), true, 'usable on the edges of its limits and validity');
      assert.equal(await store.commitSuccess('OK', 1, 1000), false, 'the success and auth limits of 1 are reached');
      await store.close();
    });

    test('a burst of wrong answers and one right one on two instances: the fail counter stops at max fail, and the right one is refused once locked', async () => {
      const f = await factory.fresh();
      const other = await f.open();
      await f.store.createToken(newToken('B1', { maxFail: 5 }));
      const stores = [f.store, other];
      // 30 failures first in each instance's queue, then the right answer: it comes after at least 5 of them on its own instance.
      const failures = Array.from({ length: 30 }, (_, i) => stores[i % 2]!.recordFailure(['B1'], 1000));
      const right = stores[1]!.commitSuccess('B1', 0, 1000);
      const results = await Promise.all(failures);
      assert.equal(await right, false, 'refused: the token was locked by then');
      assert.equal(results.filter((r) => r.length === 1).length, 5, 'exactly max fail counted');
      const t = (await f.store.getToken('B1'))!;
      assert.deepEqual([t.failCount, t.locked, t.successCount, t.counter], [5, true, 0, 0]);
      await f.store.close();
    });

    test('recordFailure counts the failure and the attempt, locks at max fail, and returns the counters afterwards', async () => {
      const { store } = await factory.fresh();
      await store.createToken(newToken('F1', { maxFail: 3 }));
      await store.createToken(newToken('F2', { maxFail: 10 }));
      let after = await store.recordFailure(['F2', 'F1', 'F2', 'GONE'], 2000.4);
      assert.deepEqual(
        after,
        [
          { serial: 'F2', failCount: 1, maxFail: 10, locked: false, lastFail: 2000, authCount: 1 },
          { serial: 'F1', failCount: 1, maxFail: 3, locked: false, lastFail: 2000, authCount: 1 },
        ],
        'in the order given, a serial given twice counted once, no seed',
      );
      await store.recordFailure(['F1'], 2001);
      after = await store.recordFailure(['F1'], 2002);
      assert.deepEqual(
        after.map((t) => [t.serial, t.failCount, t.locked, t.authCount]),
        [['F1', 3, true, 3]],
      );
      // Locked: a failure is no longer counted, and the fail counter never passes max fail.
      assert.deepEqual(await store.recordFailure(['F1', 'F2'], 2003), [{ serial: 'F2', failCount: 2, maxFail: 10, locked: false, lastFail: 2003, authCount: 2 }]);
      // Nor is a success: unlocking is an administrator's act (or the quiet period's).
      assert.equal(await store.commitSuccess('F1', 0, 2004), false);
      const t = (await store.getToken('F1'))!;
      assert.deepEqual([t.failCount, t.locked, t.authCount, t.successCount, t.counter], [3, true, 3, 0, 0]);
      assert.deepEqual(await store.recordFailure([], 1), []);
      assert.deepEqual(await store.recordFailure(['GONE'], 1), []);
      await assert.rejects(store.recordFailure([''], 1), /recordFailure: serials\[0\]: expected/);
      await assert.rejects(store.recordFailure(['F1'], -1), /recordFailure: now: expected unix seconds/);
      await assert.rejects(store.recordFailure('F1' as never, 1), /expected an array of serials/);
      await store.close();
    });

    test('concurrent recordFailure from two instances counts exactly and locks once at max fail', async () => {
      const f = await factory.fresh();
      const other = await f.open();
      await f.store.createToken(newToken('F3', { maxFail: 30 }));
      const results = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? f.store : other).recordFailure(['F3'], i)));
      const counted = results.filter((r) => r.length === 1);
      assert.equal(counted.length, 30, 'exactly max fail of the 60 were counted; the rest found the token locked');
      assert.deepEqual(
        counted.map((r) => r[0]!.failCount).sort((a, b) => a - b),
        Array.from({ length: 30 }, (_, i) => i + 1),
        'each counted call saw its own increment',
      );
      assert.deepEqual(
        counted.filter((r) => r[0]!.locked).map((r) => r[0]!.failCount),
        [30],
        'locked exactly when the count reached max fail',
      );
      const t = (await f.store.getToken('F3'))!;
      assert.equal(t.failCount, 30);
      assert.equal(t.locked, true);
      await f.store.close();
    });

    test('several-token failures in opposite orders from two instances neither deadlock nor lose counts', async () => {
      const f = await factory.fresh();
      const other = await f.open();
      for (const s of ['MA', 'MB', 'MC']) await f.store.createToken(newToken(s, { maxFail: 1000 }));
      await Promise.all(
        Array.from({ length: 40 }, (_, i) => {
          const store = i % 2 ? f.store : other;
          const order = i % 4 < 2 ? ['MA', 'MB', 'MC'] : ['MC', 'MB', 'MA'];
          return store.recordFailure(order, i);
        }),
      );
      for (const s of ['MA', 'MB', 'MC']) {
        const t = (await f.store.getToken(s))!;
        assert.equal(t.failCount, 40, s);
        assert.equal(t.authCount, 40, s);
      }
      await f.store.close();
    });
  });
}
