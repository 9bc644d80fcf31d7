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

test('PIN and OTP: prepend and append, characters not bytes', () => {
  assert.deepEqual(splitPinOtp('1234567890', 6, 'prepend'), { pin: '1234', otp: '567890' });
  assert.deepEqual(splitPinOtp('5678901234', 6, 'append'), { pin: '1234', otp: '567890' });
  assert.deepEqual(splitPinOtp('567890', 6, 'prepend'), { pin: '', otp: '567890' });
  assert.deepEqual(splitPinOtp('pässwörd12345678', 8, 'prepend'), { pin: 'pässwörd', otp: '12345678' });
  assert.equal(splitPinOtp('12345', 6, 'prepend'), undefined);
  assert.equal(splitPinOtp('12345', 6, 'append'), undefined);
  assert.deepEqual(splitPinOtp('5678901234', 6, 'prepend'), { pin: '5678', otp: '901234' });
  // Characters outside the BMP are two UTF-16 units and still count as one.
  assert.deepEqual(splitPinOtp('🔑123456', 6, 'prepend'), { pin: '🔑', otp: '123456' });
  assert.deepEqual(splitPinOtp('123456🔑', 6, 'append'), { pin: '🔑', otp: '123456' });
  assert.deepEqual(splitPinOtp('🔑12345', 6, 'prepend'), { pin: '', otp: '🔑12345' });
  assert.equal(splitPinOtp('🔑1234', 6, 'prepend'), undefined);
});
