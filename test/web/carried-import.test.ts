// The sealed file of an import preview: it opens for the session it was made
// for and within its time only, and any change to it is refused.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { CARRY_SECONDS, openImport, sealImport, type CarriedImport } from '../../src/web/console/carried-import.ts';

const KEY = randomBytes(32);
const FORM: CarriedImport = { content: Buffer.from('S1, 3132, hotp, 6\n'), filename: 'a.csv', format: 'oath-csv', psk: '', password: 'pskc pass', user: 'alice', realm: 'lab' };
const NOW = 1_800_000_000;

test('a sealed preview opens again for its session, with every field', () => {
  const sealed = sealImport(KEY, 'session-a', FORM, NOW);
  assert.doesNotMatch(Buffer.from(sealed, 'base64url').toString('latin1'), /3132|pskc pass|alice/);
  assert.deepEqual(openImport(KEY, 'session-a', sealed, NOW + CARRY_SECONDS), FORM);
});

test('another session, another key, a changed byte or a late confirmation are refused', () => {
  const sealed = sealImport(KEY, 'session-a', FORM, NOW);
  assert.equal(openImport(KEY, 'session-b', sealed, NOW), 'invalid');
  assert.equal(openImport(randomBytes(32), 'session-a', sealed, NOW), 'invalid');
  const bytes = Buffer.from(sealed, 'base64url');
  for (const at of [0, 5, 20, bytes.length - 1]) {
    const changed = Buffer.from(bytes);
    changed[at]! ^= 1;
    assert.equal(openImport(KEY, 'session-a', changed.toString('base64url'), NOW), 'invalid', `byte ${at}`);
  }
  assert.equal(openImport(KEY, 'session-a', 'short', NOW), 'invalid');
  assert.equal(openImport(KEY, 'session-a', sealed, NOW + CARRY_SECONDS + 1), 'expired');
});
