// MS-MPPE key encryption (RFC 2548 section 2.4.2) against a vector computed
// apart from this code (Python's hashlib over the RFC's steps), plus the
// attribute layout and salts. eapol_test checks the keys end to end.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decryptMppeKey, encryptMppeKey, mppeKeyAttributes } from '../../src/radius/mppe.ts';

const SECRET = 'a-test-secret-of-good-length';
const AUTHENTICATOR = Buffer.from([...Array(16).keys()]);
const KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => 0x40 + i));
// salt 0x9234, then length byte 32, the key and 15 zero bytes, XORed with MD5(secret + authenticator + salt), MD5(secret + c1), MD5(secret + c2).
const VECTOR = '9234291cd6b485c05bbafbbb70768403d3bf3e496428d5ac6f9374edba5b2ac95a1d28ad51169e480a08475944695587294b';

test('encryption matches the independently computed vector, and decrypts back', () => {
  const value = encryptMppeKey(KEY, SECRET, AUTHENTICATOR, Buffer.from([0x92, 0x34]));
  assert.equal(value.toString('hex'), VECTOR);
  assert.deepEqual(decryptMppeKey(value, SECRET, AUTHENTICATOR), KEY);
});

test('a salt without its high bit is refused', () => {
  assert.throws(() => encryptMppeKey(KEY, SECRET, AUTHENTICATOR, Buffer.from([0x12, 0x34])), /high bit/);
});

test('the attributes: Vendor-Specific 311, Recv-Key (17) = MSK[0..31], Send-Key (16) = MSK[32..63], distinct salts', () => {
  const msk = Buffer.from(Array.from({ length: 64 }, (_, i) => i));
  const [recv, send] = mppeKeyAttributes(msk, SECRET, AUTHENTICATOR);
  for (const [attr, vendorType, key] of [
    [recv!, 17, msk.subarray(0, 32)],
    [send!, 16, msk.subarray(32, 64)],
  ] as const) {
    assert.equal(attr[0], 26);
    assert.equal(attr[1], attr.length);
    assert.equal(attr.readUInt32BE(2), 311);
    assert.equal(attr[6], vendorType);
    assert.equal(attr[7], attr.length - 6);
    assert.equal(attr.length, 2 + 4 + 2 + 2 + 48);
    assert.ok((attr[8]! & 0x80) !== 0, 'salt high bit');
    assert.deepEqual(decryptMppeKey(attr.subarray(8), SECRET, AUTHENTICATOR), key);
  }
  assert.notDeepEqual(recv!.subarray(8, 10), send!.subarray(8, 10));
  // Under another secret the length byte is random: usually too large (an error), else the bytes are not the key.
  let other: Buffer | undefined;
  try {
    other = decryptMppeKey(recv!.subarray(8), 'another-secret-entirely', AUTHENTICATOR);
  } catch (err) {
    assert.match((err as Error).message, /wrong secret/);
  }
  if (other) assert.notDeepEqual(other, msk.subarray(0, 32));
});
