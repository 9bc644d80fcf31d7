import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DEFAULT_PIN_PARAMS, dummyVerify, hashPin, isKnownPinHash, needsRehash, pinHashScheme, pinHasher, verifyPin } from '../../src/store/pin-hash.ts';

const PEPPER = randomBytes(32);
const FORMAT = /^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/;

test('hash and verify; wrong PIN, wrong pepper', async () => {
  const h = await hashPin('1234', PEPPER);
  assert.match(h, FORMAT);
  assert.equal(await verifyPin('1234', h, PEPPER), true);
  assert.equal(await verifyPin('1235', h, PEPPER), false);
  assert.equal(await verifyPin('12345', h, PEPPER), false);
  assert.equal(await verifyPin('', h, PEPPER), false);
  assert.equal(await verifyPin('1234', h, randomBytes(32)), false);
  assert.notEqual(await hashPin('1234', PEPPER), h, 'a fresh salt each time');
});

test('the empty PIN is hashed like any other', async () => {
  const h = await hashPin('', PEPPER);
  assert.match(h, FORMAT);
  assert.equal(await verifyPin('', h, PEPPER), true);
  assert.equal(await verifyPin('0', h, PEPPER), false);
});

test('non-ASCII PINs', async () => {
  const h = await hashPin('pässwörd€', PEPPER);
  assert.equal(await verifyPin('pässwörd€', h, PEPPER), true);
  assert.equal(await verifyPin('passwörd€', h, PEPPER), false);
});

test('parameters are stored in the hash and used to verify', async () => {
  const h = await hashPin('42', PEPPER, { ln: 4, r: 2, p: 2 });
  assert.match(h, /^\$scrypt\$ln=4,r=2,p=2\$/);
  assert.equal(await verifyPin('42', h, PEPPER), true);
  assert.equal(needsRehash(h), true);
  assert.equal(needsRehash(h, { ln: 4, r: 2, p: 2 }), false);
  assert.equal(needsRehash(await hashPin('42', PEPPER)), false);
  assert.equal(needsRehash(await hashPin('42', PEPPER), { ...DEFAULT_PIN_PARAMS, ln: 12 }), true);
  assert.equal(needsRehash('linotp:whatever'), true);
});

test('bad parameters are refused with a clear message', async () => {
  await assert.rejects(hashPin('1', PEPPER, { ln: 0, r: 8, p: 1 }), { name: 'StoreError', message: 'scrypt parameters: ln must be an integer 1..24, got 0' });
  await assert.rejects(hashPin('1', PEPPER, { ln: 10, r: 8.5, p: 1 }), /r must be an integer 1..64, got 8.5/);
  await assert.rejects(hashPin('1', PEPPER, { ln: 22, r: 64, p: 1 }), /needs more than 256 MiB/);
});

test('unknown and malformed hashes never match and the caller can tell', async () => {
  const good = await hashPin('1234', PEPPER);
  const bad = [
    'linotp:abcdef',
    '1234',
    '',
    good.replace('ln=10', 'ln=99'),
    good.replace('ln=10', 'ln=x'),
    `${good.slice(0, -1)}*`,
    good.replace(/\$[^$]+$/, '$'),
    good.replace(/\$[^$]+\$/, '$$'),
    `${good}$extra`,
  ];
  for (const h of bad) {
    assert.equal(isKnownPinHash(h), false, h);
    assert.equal(await verifyPin('1234', h, PEPPER), false, h);
  }
  assert.equal(isKnownPinHash(good), true);
  assert.equal(pinHashScheme(good), 'scrypt');
  assert.equal(pinHashScheme('linotp:abc'), undefined);
});

test('dummyVerify is never a match', async () => {
  assert.equal(await dummyVerify(PEPPER), false);
});

test('pinHasher: a null hash is "no PIN", matched by the empty PIN only', async () => {
  const pins = pinHasher(PEPPER);
  assert.equal(await pins.verify('', null), true);
  assert.equal(await pins.verify('1', null), false);
  const h = await pins.hash('9876');
  assert.equal(await pins.verify('9876', h), true);
  assert.equal(await pins.verify('9875', h), false);
  assert.equal(pins.needsRehash(h), false);
  assert.equal(pins.isKnown(h), true);
  assert.throws(() => pinHasher(Buffer.alloc(0)), /pepper must not be empty/);
});

test('timing: a verify costs about a millisecond or two (printed, not asserted)', async () => {
  const h = await hashPin('1234', PEPPER);
  const n = 50;
  let t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await verifyPin('1234', h, PEPPER);
  const verifyMs = Number(process.hrtime.bigint() - t) / 1e6 / n;
  t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await dummyVerify(PEPPER);
  const dummyMs = Number(process.hrtime.bigint() - t) / 1e6 / n;
  t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await verifyPin('1234', 'linotp:unknown', PEPPER);
  const unknownMs = Number(process.hrtime.bigint() - t) / 1e6 / n;
  console.log(`PIN verify ${verifyMs.toFixed(2)} ms, dummyVerify ${dummyMs.toFixed(2)} ms, unknown format ${unknownMs.toFixed(2)} ms (mean of ${n})`);
  assert.ok(verifyMs > 0);
});
