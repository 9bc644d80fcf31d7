// Bulk paths: exportTokens, listChallenges and importTokens (store migration,
// imports from other systems).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Token } from '../../src/model/token.ts';
import { newToken, OWNER } from './helpers.ts';
import { challenge } from './suite-challenges.ts';
import type { StoreFactory } from './suite.ts';

async function collect<T>(it: AsyncIterable<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const batch of it) out.push(batch);
  return out;
}

/** A token with every field away from its default, as an import would bring it. */
export function fullToken(serial: string, extra: Partial<Token> = {}): Token {
  return {
    serial,
    type: 'totp',
    seed: Buffer.from(`seed of ${serial}`),
    otpLength: 8,
    algorithm: 'sha256',
    timeStep: 60,
    counter: 29_000_123,
    drift: -45,
    window: 2,
    syncWindow: 20,
    pinHash: `$scrypt$ln=4,r=8,p=1$c2FsdHNhbHQ$${serial}`,
    owner: OWNER,
    active: false,
    pending: false,
    revoked: true,
    locked: true,
    failCount: 4,
    maxFail: 9,
    authCount: 77,
    maxAuth: 1000,
    successCount: 70,
    maxSuccess: 900,
    validFrom: 1_600_000_000,
    validUntil: 1_900_000_000,
    lastAuth: 1_700_000_100,
    lastFail: 1_700_000_200,
    syncCounter: 29_000_200,
    syncAt: 1_700_000_300,
    description: 'imported',
    info: { origin: 'linotp', 'tokeninfo.hashlib': 'sha256' },
    createdAt: 1_650_000_000,
    ...extra,
  };
}

export function importSuite(factory: StoreFactory): void {
  describe(`${factory.name}: export and import`, () => {
    test('exportTokens yields every token in batches, by serial', async () => {
      const { store } = await factory.fresh();
      const serials = Array.from({ length: 25 }, (_, i) => `E${String(i).padStart(2, '0')}`);
      for (const s of [...serials].reverse()) await store.createToken(newToken(s));
      const batches = await collect(store.exportTokens(10));
      assert.deepEqual(
        batches.map((b) => b.length),
        [10, 10, 5],
      );
      assert.deepEqual(
        batches.flat().map((t) => t.serial),
        serials,
      );
      assert.deepEqual(batches.flat()[3], await store.getToken('E03'));
      assert.deepEqual(
        (await collect(store.exportTokens(25))).map((b) => b.length),
        [25],
      );
      const empty = await factory.fresh();
      assert.deepEqual(await collect(empty.store.exportTokens()), []);
      await assert.rejects(collect(store.exportTokens(0)), /exportTokens: batchSize: expected an integer 1\.\.100000, got 0/);
      // A consumer that stops early leaves the store usable.
      for await (const first of store.exportTokens(5)) {
        assert.equal(first.length, 5);
        break;
      }
      assert.equal((await store.listTokens()).length, 25);
      await store.close();
      await empty.store.close();
    });

    test('importTokens inserts complete tokens, then overwrites them without moving a counter back', async () => {
      const { store } = await factory.fresh();
      const a = fullToken('IMP-A');
      const b = fullToken('IMP-B', { owner: null, pinHash: null, maxAuth: null, syncCounter: null, syncAt: null, info: {} });
      assert.deepEqual(await store.importTokens([a, b]), { created: 2, updated: 0, challenges: 0 });
      assert.deepEqual(await store.getToken('IMP-A'), a, 'every field as given');
      assert.deepEqual(await store.getToken('IMP-B'), b);
      assert.deepEqual(await store.importTokens([a, b]), { created: 0, updated: 2, challenges: 0 }, 'idempotent');
      assert.equal((await store.listTokens()).length, 2);
      // The target accepted OTPs since (once an admin had enabled the token): a second import must not make them valid again.
      assert.equal(await store.updateToken('IMP-A', { active: true, revoked: false, locked: false, failCount: 0 }), true);
      assert.equal(await store.commitSuccess('IMP-A', 29_000_500, 1_800_000_000), true);
      const changed = { ...a, counter: 29_000_200, description: 'again', failCount: 0, locked: false };
      assert.deepEqual(await store.importTokens([changed]), { created: 0, updated: 1, challenges: 0 });
      const now = (await store.getToken('IMP-A'))!;
      assert.equal(now.counter, 29_000_501, 'the counter never moves back');
      assert.deepEqual({ ...now, counter: changed.counter }, changed, 'everything else overwritten');
      assert.deepEqual(await store.importTokens([{ ...a, counter: 40_000_000 }]), { created: 0, updated: 1, challenges: 0 });
      assert.equal((await store.getToken('IMP-A'))!.counter, 40_000_000, 'forward is fine');
      await store.close();
    });

    test('importTokens takes an async iterable and copies challenges, merging attempts', async () => {
      const { store } = await factory.fresh();
      async function* gen() {
        for (let i = 0; i < 1200; i++) yield fullToken(`GEN${i}`);
      }
      const c1 = challenge(['GEN1'], 1000, { attempts: 1 });
      const c2 = challenge(['GEN1', 'GEN2'], 1001);
      assert.deepEqual(await store.importTokens(gen(), { challenges: [c1, c2] }), { created: 1200, updated: 0, challenges: 2 });
      assert.equal((await store.listTokens()).length, 1200);
      assert.deepEqual(await store.listChallenges(), [c1, c2]);
      const res = await store.importTokens([], {
        challenges: [
          { ...c1, attempts: 2 },
          { ...c2, attempts: 0 },
        ],
      });
      assert.deepEqual(res, { created: 0, updated: 0, challenges: 2 });
      assert.deepEqual(
        (await store.listChallenges()).map((c) => c.attempts),
        [2, 0],
        'the higher attempt count is kept',
      );
      await store.close();
    });

    test('importTokens is all or nothing, and a dry run writes nothing', async () => {
      const { store } = await factory.fresh();
      await store.createToken(newToken('KEEP', { counter: 5 }));
      const good = Array.from({ length: 700 }, (_, i) => fullToken(`OK${i}`));
      await assert.rejects(store.importTokens([...good, fullToken('BAD', { otpLength: 3 })]), /token BAD: otpLength: expected an integer 4\.\.10, got 3/);
      await assert.rejects(store.importTokens([fullToken('TWICE'), fullToken('KEEP'), fullToken('TWICE')]), { code: 'invalid', message: 'importTokens: serial TWICE is given twice' });
      await assert.rejects(store.importTokens([fullToken('C'), null as never]), /importTokens: item 1: expected a token object/);
      await assert.rejects(store.importTokens([fullToken('C')], { challenges: [challenge([], 1)] }), /serials: expected a non-empty array/);
      assert.deepEqual(
        (await store.listTokens()).map((t) => t.serial),
        ['KEEP'],
        'nothing of the failed imports was written',
      );
      const dry = await store.importTokens([fullToken('KEEP', { counter: 9 }), fullToken('NEW')], { dryRun: true, challenges: [challenge(['NEW'], 5)] });
      assert.deepEqual(dry, { created: 1, updated: 1, challenges: 1 });
      assert.deepEqual(
        (await store.listTokens()).map((t) => [t.serial, t.counter]),
        [['KEEP', 5]],
      );
      assert.deepEqual(await store.listChallenges(), []);
      await store.close();
    });
  });
}
