// Phone numbers as directories hold them, normalised to E.164 or refused
// with a reason an admin can act on.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { countryProblem, normalizePhone } from '../../src/delivery/phone.ts';

describe('phone numbers to E.164', () => {
  test('national, international and tel: forms of one number agree', () => {
    for (const input of ['0151 12345689', '+49 151 12345689', '0049 151 12345689', '+49 (0)151 123 456 89', '(0151) 123-456-89', 'tel:+4915112345689', ' +4915112345689 ']) {
      assert.deepEqual(normalizePhone(input, 'DE'), { ok: true, e164: '+4915112345689' }, input);
    }
  });

  test('the default country applies only to numbers without a country code', () => {
    assert.deepEqual(normalizePhone('(202) 555-0143', 'US'), { ok: true, e164: '+12025550143' });
    assert.deepEqual(normalizePhone('+1 202 555 0143', 'DE'), { ok: true, e164: '+12025550143' });
    assert.deepEqual(normalizePhone('020 7946 0018', 'GB'), { ok: true, e164: '+442079460018' });
    assert.deepEqual(normalizePhone('020 7946 0018', 'DE'), { ok: false, reason: 'not a valid phone number for DE' });
  });

  test('numbers that cannot be reached are refused with a reason', () => {
    assert.deepEqual(normalizePhone('0151 12345689'), { ok: false, reason: 'no country code (+CC) and no default country configured' });
    assert.deepEqual(normalizePhone('12', 'DE'), { ok: false, reason: 'not a valid phone number for DE' });
    assert.deepEqual(normalizePhone('call me', 'DE'), { ok: false, reason: 'not a phone number' });
    assert.deepEqual(normalizePhone('', 'DE'), { ok: false, reason: 'no phone number' });
    assert.deepEqual(normalizePhone('+999 123456', 'DE'), { ok: false, reason: 'unknown country calling code' });
    assert.deepEqual(normalizePhone('+49 151 1234', 'DE'), { ok: false, reason: 'not a valid phone number for DE' });
    assert.deepEqual(normalizePhone('+44 7700 900123', 'DE'), { ok: false, reason: 'not a valid phone number for +44' }, 'a range reserved for drama');
    assert.deepEqual(normalizePhone('+4915112345689;ext=12', 'DE'), { ok: false, reason: 'a number with an extension cannot receive SMS' });
    assert.deepEqual(normalizePhone('1'.repeat(80), 'DE'), { ok: false, reason: 'too long for a phone number' });
  });

  test('default countries are checked against the numbering plans', () => {
    assert.equal(countryProblem('DE'), undefined);
    assert.equal(countryProblem('US'), undefined);
    assert.match(countryProblem('de') ?? '', /"de" is not a country code/);
    assert.match(countryProblem('XX') ?? '', /"XX" is not a country code/);
  });
});
