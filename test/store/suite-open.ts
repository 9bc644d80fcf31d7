// Opening: several processes starting together against a new database
// (schema migration and key check race) agree on one schema and one key.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { tempDir } from './helpers.ts';
import { inChildProcess } from './suite-cas.ts';
import { openClosedAfter, type StoreFactory } from './suite.ts';

export function openSuite(factory: StoreFactory): void {
  describe(`${factory.name}: opening`, () => {
    test('processes starting together on a new database agree on schema and key', async () => {
      const dir = tempDir();
      const keyFile = join(dir, 'data', 'shared.key');
      const options = await factory.emptyOptions(keyFile);
      const body = `await store.createToken({ serial: 'W' + process.pid, type: 'hotp', seed: Buffer.from('seed'), otpLength: 6, algorithm: 'sha1', timeStep: 30, window: 10, syncWindow: 100, maxFail: 5 });
return (await store.listTokens()).length;`;
      await Promise.all(Array.from({ length: 5 }, () => inChildProcess<number>(options, body)));
      const store = await openClosedAfter(options);
      const tokens = await store.listTokens();
      assert.equal(tokens.length, 5, 'every process wrote with the one key, and every seed decrypts');
      for (const t of tokens) assert.deepEqual(t.seed, Buffer.from('seed'));
      assert.equal(readFileSync(keyFile, 'utf8').match(/^seed-key:/gm)?.length, 1);
      await store.close();
    });
  });
}
