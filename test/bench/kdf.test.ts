import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measureKdf } from '../../bench/kdf.ts';

test("measureKdf verifies real PIN hashes with the store's parameters and reports the rate", async () => {
  const r = await measureKdf(1, 300);
  assert.equal(r.threads, 1);
  assert.equal(r.params, 'scrypt N=2^10, r=8, p=1');
  assert.ok(r.hashes > 10, `${r.hashes} hashes in 0.3 s`);
  assert.ok(r.perSecond > 30 && r.perSecond < 100_000, `${r.perSecond}/s`);
  assert.ok(r.msPerHash > 0.01 && r.msPerHash < 100, `${r.msPerHash} ms`);
});
