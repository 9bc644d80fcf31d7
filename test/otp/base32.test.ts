import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { base32Decode, base32Encode } from '../../src/otp/base32.ts';

// RFC 4648 §10 test vectors.
const VECTORS: Array<[string, string]> = [
  ['', ''],
  ['f', 'MY======'],
  ['fo', 'MZXQ===='],
  ['foo', 'MZXW6==='],
  ['foob', 'MZXW6YQ='],
  ['fooba', 'MZXW6YTB'],
  ['foobar', 'MZXW6YTBOI======'],
];

test('RFC 4648 test vectors encode and decode', () => {
  for (const [plain, encoded] of VECTORS) {
    assert.equal(base32Encode(Buffer.from(plain)), encoded);
    assert.equal(base32Encode(Buffer.from(plain), false), encoded.replace(/=+$/, ''));
    assert.equal(base32Decode(encoded).toString(), plain);
    assert.equal(base32Decode(encoded.replace(/=+$/, '')).toString(), plain, `${encoded} without padding`);
    assert.equal(base32Decode(encoded.toLowerCase()).toString(), plain, `${encoded} lower case`);
  }
});

test('random round trips, every length 0..70', () => {
  for (let n = 0; n <= 70; n++) {
    const data = randomBytes(n);
    assert.deepEqual(base32Decode(base32Encode(data)), data);
    assert.deepEqual(base32Decode(base32Encode(data, false)), data);
  }
});

test('tolerates pasted groups: spaces, hyphens, mixed case', () => {
  const expected = Buffer.from('Hello!\xde\xad\xbe\xef', 'latin1');
  assert.equal(base32Encode(expected), 'JBSWY3DPEHPK3PXP');
  assert.deepEqual(base32Decode('JBSW Y3DP EHPK 3PXP'), expected);
  assert.deepEqual(base32Decode('jbsw-y3dp-ehpk-3pxp'), expected);
  assert.deepEqual(base32Decode(' JbSwY3dPeHpK3pXp\n'), expected);
});

test('invalid characters are named with their position', () => {
  assert.throws(() => base32Decode('JBSW1Y3DP'), { name: 'OtpInputError', message: "not valid base32 (character '1' at 4)" });
  assert.throws(() => base32Decode('JBSW Y3D8'), /character '8' at 8/);
  assert.throws(() => base32Decode('MZXW6YQ=A'), /character 'A' at 8 after padding/);
  assert.throws(() => base32Decode('MZ_XQ'), /character '_' at 2/);
});

test('lengths that cannot come from an encoder are refused', () => {
  for (const bad of ['M', 'MZX', 'MZXW6Y', 'MZXW6YTBO']) {
    assert.throws(() => base32Decode(bad), /not valid base32 \(\d+ characters/, bad);
  }
});
