// Masked destinations as a Reply-Message shows them.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { maskDestination, maskEmail, maskPhone } from '../../src/delivery/mask.ts';

describe('masking destinations', () => {
  test('e-mail: the first letter and the domain', () => {
    assert.equal(maskEmail('alice@example.org'), 'a***@example.org');
    assert.equal(maskEmail('bob.builder@corp.example.org'), 'b***@corp.example.org');
    assert.equal(maskEmail('x@example.org'), '***@example.org', 'a one-letter name is not shown whole');
    assert.equal(maskEmail('élodie@example.fr'), 'é***@example.fr');
    assert.equal(maskEmail('no-at-sign'), '***');
  });

  test('phone: the country code and the last two digits', () => {
    assert.equal(maskPhone('+49151234589'), '+49*******89');
    assert.equal(maskPhone('+4915112345689'), '+49*********89');
    assert.equal(maskPhone('+12025550143'), '+1********43');
    assert.equal(maskPhone('+3526211234'), '+352*****34', 'three-digit calling code');
    assert.equal(maskPhone('015112345689'), '**********89', 'not E.164: only the last two digits');
    assert.equal(maskPhone('1234'), '****');
  });

  test('by channel', () => {
    assert.equal(maskDestination('email', 'alice@example.org'), 'a***@example.org');
    assert.equal(maskDestination('sms', '+49151234589'), '+49*******89');
  });
});
