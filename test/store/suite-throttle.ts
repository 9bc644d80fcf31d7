// Throttle state and the NAS clients that taught `auto` its Message-Authenticator:
// atomic counts across store instances, the self-clearing count, purges.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ThrottleKey } from '../../src/store/index.ts';
import type { StoreFactory } from './suite.ts';

const KEY: ThrottleKey = { realm: 'corp', login: 'alice', source: 'station:00-11-22-33-44-55' };

export function throttleSuite(factory: StoreFactory): void {
  describe(`${factory.name}: throttle and learned NAS clients`, () => {
    test('failures count per user and source, start over after the reset time, and clear', async () => {
      const { store } = await factory.fresh();
      assert.equal(await store.getThrottle(KEY), undefined);
      assert.deepEqual(await store.recordThrottleFailure(KEY, 1000.7, 3600), { failures: 1, lastFailure: 1000, refused: 0 });
      assert.deepEqual(await store.recordThrottleFailure(KEY, 1100, 3600), { failures: 2, lastFailure: 1100, refused: 0 });
      await store.recordThrottleRefusal(KEY);
      assert.deepEqual(await store.getThrottle(KEY), { failures: 2, lastFailure: 1100, refused: 1 });
      const other = { ...KEY, source: 'nas:192.0.2.1' };
      assert.deepEqual(await store.recordThrottleFailure(other, 1100, 3600), { failures: 1, lastFailure: 1100, refused: 0 }, 'another source counts apart');
      assert.deepEqual(await store.recordThrottleFailure(KEY, 1100 + 3600, 3600), { failures: 1, lastFailure: 4700, refused: 1 }, 'an hour quiet: the count starts over');
      await store.clearThrottle(KEY);
      assert.equal(await store.getThrottle(KEY), undefined);
      await store.recordThrottleRefusal(KEY);
      assert.equal(await store.getThrottle(KEY), undefined, 'a refusal without a throttle creates none');
      await store.recordThrottleFailure(KEY, 5000, 3600);
      assert.equal(await store.clearUserThrottles('corp', 'alice'), 2, 'both sources of the user');
      assert.equal(await store.getThrottle(other), undefined);
      await store.recordThrottleFailure(KEY, 100, 3600);
      await store.recordThrottleFailure(other, 200, 3600);
      assert.equal(await store.purgeThrottles(150), 1);
      assert.deepEqual(await store.getThrottle(other), { failures: 1, lastFailure: 200, refused: 0 });
      await assert.rejects(store.getThrottle({ realm: 'corp', login: 5 } as never), /getThrottle: login must be a string/);
      await assert.rejects(store.recordThrottleFailure(KEY, 1, 0), /resetAfter/);
      await store.close();
    });

    test('failures raced on two instances are each counted once', async () => {
      const f = await factory.fresh();
      const other = await f.open();
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? f.store : other).recordThrottleFailure(KEY, 1000, 3600)));
      assert.deepEqual(
        results.map((r) => r.failures).sort((a, b) => a - b),
        Array.from({ length: 40 }, (_, i) => i + 1),
      );
      await f.store.close();
    });

    test('learned NAS clients are kept once, for every instance', async () => {
      const f = await factory.fresh();
      const other = await f.open();
      assert.deepEqual(await f.store.learnedNasClients(), []);
      await Promise.all([f.store.learnNasClient('vpn-gw', 1000), other.learnNasClient('vpn-gw', 1001), other.learnNasClient('wifi.ctl', 1002)]);
      assert.deepEqual(await f.store.learnedNasClients(), ['vpn-gw', 'wifi.ctl']);
      await assert.rejects(f.store.learnNasClient('no spaces', 1), /NAS client: expected a client name/);
      await f.store.close();
    });
  });
}
