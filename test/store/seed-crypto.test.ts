import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { decryptSeed, encryptSeed, seal, unseal } from '../../src/store/seed-crypto.ts';

const KEY = randomBytes(32);
const SEED = Buffer.from('3132333435363738393031323334353637383930', 'hex');

test('round trip, versioned format, fresh IV each time', () => {
  const a = encryptSeed(SEED, 'OATH0001', KEY);
  const b = encryptSeed(SEED, 'OATH0001', KEY);
  assert.match(a, /^v1:[A-Za-z0-9+/]+=*$/);
  assert.notEqual(a, b);
  // 12-byte IV + 16-byte tag + the seed itself
  assert.equal(Buffer.from(a.slice(3), 'base64').length, 12 + 16 + SEED.length);
  assert.deepEqual(decryptSeed(a, 'OATH0001', KEY), SEED);
  assert.deepEqual(decryptSeed(b, 'OATH0001', KEY), SEED);
  assert.ok(!a.includes(SEED.toString('base64')));
});

test('a wrong key fails, naming the serial', () => {
  const stored = encryptSeed(SEED, 'OATH0001', KEY);
  assert.throws(() => decryptSeed(stored, 'OATH0001', randomBytes(32)), {
    name: 'StoreError',
    code: 'key',
    message: 'seed of token OATH0001 cannot be decrypted: wrong key file?',
  });
});

test('a seed moved to another serial does not decrypt', () => {
  const stored = encryptSeed(SEED, 'OATH0001', KEY);
  assert.throws(() => decryptSeed(stored, 'OATH0002', KEY), { message: 'seed of token OATH0002 cannot be decrypted: wrong key file?' });
});

test('a tampered ciphertext does not decrypt', () => {
  const stored = encryptSeed(SEED, 'T1', KEY);
  const raw = Buffer.from(stored.slice(3), 'base64');
  raw[raw.length - 1]! ^= 1;
  assert.throws(() => decryptSeed(`v1:${raw.toString('base64')}`, 'T1', KEY), /cannot be decrypted/);
});

test('malformed stored text is reported as such', () => {
  assert.throws(() => decryptSeed('GEZDGNBVGY3TQOJQ', 'T1', KEY), {
    code: 'corrupt',
    message: 'seed of token T1 is malformed: expected the prefix v1: (prefix found: none)',
  });
  assert.throws(() => decryptSeed('v2:AAAA', 'T1', KEY), /prefix found: v2:/);
  assert.throws(() => decryptSeed('v1:***', 'T1', KEY), /not valid base64/);
  assert.throws(() => decryptSeed('v1:AAAA', 'T1', KEY), /too short \(3 bytes, at least 28 expected\)/);
});

test('keys must be 32 bytes', () => {
  assert.throws(() => encryptSeed(SEED, 'T1', Buffer.alloc(16)), { code: 'key', message: 'seed key must be 32 bytes, got 16' });
});

test('seal/unseal keep contexts apart and handle empty plaintext', () => {
  const s = seal(Buffer.alloc(0), 'ctx-a', KEY);
  assert.deepEqual(unseal(s, 'ctx-a', KEY), Buffer.alloc(0));
  assert.equal(unseal(s, 'ctx-b', KEY), undefined);
});
