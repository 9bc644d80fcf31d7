// LinOTP's secret formats read back: encKey slots, both paddings, seeds as
// hex of hex, encrypted PINs in both spellings; and the legacy PIN hash the
// store verifies until the first login re-hashes it.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decryptPin, decryptSeed, decryptValue, parseEncKey } from '../../src/import/linotp-crypto.ts';
import { isKnownPinHash, linotpPinHash, needsRehash, pinHashScheme, pinHasher, verifyPin } from '../../src/store/pin-hash.ts';
import { ENC_KEY, SLOT0, encryptedPin, encryptedSeed, hashedPin, linotpEncrypt } from './linotp-fixture.ts';

const SEED = Buffer.from('3132333435363738393031323334353637383930', 'hex');
const PEPPER = Buffer.alloc(32, 3);

test('encKey: raw slots of 32 bytes, or the same as hex text; anything else is refused', () => {
  const slots = parseEncKey(ENC_KEY, 'encKey');
  assert.equal(slots.length, 3);
  assert.deepEqual(slots[0], SLOT0);
  assert.deepEqual(parseEncKey(Buffer.from(`${ENC_KEY.toString('hex')}\n`), 'encKey'), slots);
  assert.throws(() => parseEncKey(Buffer.alloc(0), '/etc/linotp/encKey'), /\/etc\/linotp\/encKey: expected LinOTP's encKey, a multiple of 32 bytes \(usually 96\), got 0 bytes/);
  assert.throws(() => parseEncKey(Buffer.alloc(95), 'k'), /got 95 bytes/);
});

test('seeds decrypt under LinOTP 2 and PKCS #7 padding, for every length up to two blocks', () => {
  const keys = parseEncKey(ENC_KEY, 'k');
  for (let n = 1; n <= 40; n++) {
    const seed = Buffer.alloc(n, n);
    for (const padding of ['linotp2', 'pkcs7'] as const) {
      const { keyEnc, keyIv } = encryptedSeed(seed, padding);
      assert.deepEqual(decryptSeed(keys, keyEnc, keyIv), seed, `${n} bytes, ${padding}`);
    }
  }
});

test('a wrong key, a damaged value, bad hex or a bad IV give a clear error', () => {
  const keys = parseEncKey(ENC_KEY, 'k');
  const { keyEnc, keyIv } = encryptedSeed(SEED, 'pkcs7');
  assert.throws(
    () => decryptSeed(parseEncKey(Buffer.alloc(96, 9), 'k'), keyEnc, keyIv),
    /^ImportError: LinOtpKeyEnc: does not decrypt with slot 0 of the encKey \(wrong encKey, or a damaged value\)$/,
  );
  assert.throws(() => decryptSeed(keys, `${keyEnc.slice(0, -2)}00`, keyIv), /does not decrypt/);
  assert.throws(() => decryptSeed(keys, 'xyz', keyIv), /LinOtpKeyEnc: expected hex, got 3 characters that are not/);
  assert.throws(() => decryptSeed(keys, keyEnc, 'abcd'), /LinOtpKeyIV: expected 16 bytes, got 2/);
  assert.throws(() => decryptSeed(keys, keyEnc.slice(0, 30), keyIv), /ciphertext must be a non-empty multiple of 16 bytes, got 15/);
  // Decrypts and unpads, but the inner text is not the hex of a seed.
  const iv = Buffer.alloc(16, 1);
  const notHex = linotpEncrypt(Buffer.from('zz', 'latin1'), SLOT0, iv, 'pkcs7');
  assert.throws(() => decryptSeed(keys, notHex.toString('hex'), iv.toString('hex')), /decrypts, but not to a hex seed/);
  assert.deepEqual(decryptValue(SLOT0, iv, notHex, 'x'), Buffer.from('zz'));
});

test('encrypted PINs: "@@iv:ct" (LinOTP 2) and its hex form (later versions), UTF-8', () => {
  const keys = parseEncKey(ENC_KEY, 'k');
  assert.equal(decryptPin(keys, encryptedPin('1234', 'linotp2').pinHash), '1234');
  assert.equal(decryptPin(keys, encryptedPin('pä$$', 'linotp3').pinHash), 'pä$$');
  assert.equal(decryptPin(keys, encryptedPin('', 'linotp2').pinHash), '');
  assert.throws(() => decryptPin(keys, '@@nonsense'), /an encrypted PIN \(@@\) that is not "<iv hex>:<ciphertext hex>"/);
});

test('legacy PIN hash: verifies sha256(PIN || salt), is known, always wants a rehash', async () => {
  const { pinHash, pinSeed } = hashedPin('1234');
  const stored = linotpPinHash(pinSeed, pinHash.toUpperCase())!;
  assert.equal(stored, `linotp-sha256$${pinSeed}$${pinHash}`);
  assert.equal(pinHashScheme(stored), 'linotp-sha256');
  assert.equal(isKnownPinHash(stored), true);
  assert.equal(needsRehash(stored), true);
  assert.equal(await verifyPin('1234', stored, PEPPER), true);
  assert.equal(await verifyPin('12345', stored, PEPPER), false);
  assert.equal(await verifyPin('', stored, PEPPER), false);
  const pins = pinHasher(PEPPER);
  assert.equal(await pins.verify('1234', stored), true);
  assert.equal(pins.needsRehash(stored), true);
  assert.equal(pins.needsRehash(await pins.hash('1234')), false);
  // A PIN set empty in LinOTP has a real hash of "" and matches only "".
  const empty = linotpPinHash(pinSeed, hashedPin('').pinHash)!;
  assert.equal(await verifyPin('', empty, PEPPER), true);
  assert.equal(await verifyPin('0', empty, PEPPER), false);
});

test('malformed legacy hashes are not known and never match', async () => {
  const { pinHash, pinSeed } = hashedPin('1234');
  assert.equal(linotpPinHash('', pinHash), undefined);
  assert.equal(linotpPinHash(pinSeed, pinHash.slice(2)), undefined);
  assert.equal(linotpPinHash('xyz', pinHash), undefined);
  for (const bad of [`linotp-sha256$${pinSeed}$${pinHash}00`, `linotp-sha256$${pinSeed}`, `linotp-sha256$$${pinHash}`, `linotp-sha256$${pinSeed.slice(1)}$${pinHash}`]) {
    assert.equal(isKnownPinHash(bad), false, bad);
    assert.equal(await verifyPin('1234', bad, PEPPER), false, bad);
  }
});
