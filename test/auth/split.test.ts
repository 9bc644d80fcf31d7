import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitPinOtp } from '../../src/auth/pin-otp.ts';
import { splitUserName } from '../../src/auth/username.ts';

const both = { splitAtSign: true, splitDomain: true };

test('User-Name: user@realm at the last @, DOMAIN\\user, or plain', () => {
  assert.deepEqual(splitUserName('alice@Corp', both), { login: 'alice', realm: 'corp' });
  assert.deepEqual(splitUserName('alice@example.com@corp', both), { login: 'alice@example.com', realm: 'corp' });
  assert.deepEqual(splitUserName('CORP\\alice', both), { login: 'alice', realm: 'corp' });
  assert.deepEqual(splitUserName('alice', both), { login: 'alice' });
  assert.deepEqual(splitUserName('alice@', both), { login: 'alice@' }, 'a trailing @ names no realm');
  assert.deepEqual(splitUserName('@corp', both), { login: '@corp' });
  assert.deepEqual(splitUserName('alice@corp', { splitAtSign: false, splitDomain: true }), { login: 'alice@corp' });
  assert.deepEqual(splitUserName('CORP\\alice', { splitAtSign: true, splitDomain: false }), { login: 'CORP\\alice' });
});

test('PIN and OTP: prepend and append, split by bytes, the PIN kept as bytes', () => {
  const split = (password: string | Buffer, digits: number, position: 'prepend' | 'append') => {
    const r = splitPinOtp(Buffer.isBuffer(password) ? password : Buffer.from(password, 'utf8'), digits, position);
    return r && { pin: r.pin.toString('utf8'), otp: r.otp };
  };
  assert.deepEqual(split('1234567890', 6, 'prepend'), { pin: '1234', otp: '567890' });
  assert.deepEqual(split('5678901234', 6, 'append'), { pin: '1234', otp: '567890' });
  assert.deepEqual(split('567890', 6, 'prepend'), { pin: '', otp: '567890' });
  assert.deepEqual(split('pässwörd12345678', 8, 'prepend'), { pin: 'pässwörd', otp: '12345678' });
  assert.equal(split('12345', 6, 'prepend'), undefined);
  assert.equal(split('12345', 6, 'append'), undefined);
  assert.deepEqual(split('5678901234', 6, 'prepend'), { pin: '5678', otp: '901234' });
  // Multi-byte PIN characters stay whole whenever the OTP part is digits.
  assert.deepEqual(split('🔑123456', 6, 'prepend'), { pin: '🔑', otp: '123456' });
  assert.deepEqual(split('123456🔑', 6, 'append'), { pin: '🔑', otp: '123456' });
  // A Latin-1 byte (not UTF-8) is kept as the byte it is.
  const latin1 = splitPinOtp(Buffer.from('caf\xe9123456', 'latin1'), 6, 'prepend')!;
  assert.deepEqual([...latin1.pin], [0x63, 0x61, 0x66, 0xe9]);
  assert.equal(latin1.otp, '123456');
  // An OTP part that is not digits is kept byte for byte, so it can never match a code.
  assert.equal(splitPinOtp(Buffer.from('\xe912345', 'latin1'), 6, 'prepend')!.otp, '\xe912345');
});
