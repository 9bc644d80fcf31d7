// The admin refusals the console translates: for every reason, the English
// page says what the CLI and the API say (without their command-line options), the German page says it
// in German with the same values, and a refusal without a reason keeps the
// operation's own words.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADMIN_REFUSALS, AdminError, refusal } from '../../src/auth/admin.ts';
import { translator } from '../../src/web/i18n/index.ts';
import { describeRefusal, formRefusal, whyRefused } from '../../src/web/console/refusals.ts';

const VALUES = { login: 'alice', name: 'desk', realms: 'lab, corp', count: 2, action: 'token.disable', role: 'helpdesk', serial: 'TOTP-7', owner: 'alice@lab', window: 10, min: 12 };
const en = translator('en');
const de = translator('de');

test('every reason: English as the operation words it, German with the same values', () => {
  for (const reason of ADMIN_REFUSALS) {
    const err = refusal(reason, VALUES);
    // The CLI's sentence names its options; the page's names its fields instead.
    if (err.message.includes('--')) assert.ok(whyRefused(err, en).startsWith(err.message.split(/:? \(?give --/)[0]!), reason);
    else assert.equal(whyRefused(err, en), err.message, reason);
    assert.doesNotMatch(whyRefused(err, en), / --\w/, `${reason}: no command-line option on a page`);
    const german = whyRefused(err, de);
    assert.notEqual(german, err.message, `${reason} has a German sentence`);
    for (const [key, value] of Object.entries(VALUES)) {
      if (key !== 'count' && err.message.includes(String(value))) assert.ok(german.includes(String(value)), `${reason}: German names ${key}`);
    }
  }
});

test('the realm scope in the singular and the plural', () => {
  assert.equal(refusal('realm-scope', { name: 'desk', realms: 'lab', count: 1 }).message, 'desk may act on realm lab only');
  assert.equal(whyRefused(refusal('realm-scope', { name: 'desk', realms: 'lab', count: 1 }), de), 'desk darf nur im Realm lab handeln');
  assert.equal(whyRefused(refusal('realm-scope', VALUES), de), 'desk darf nur in den Realms lab, corp handeln');
});

test('a refusal without a reason keeps its words; a forbidden one is an error page, framed by what 403 means', () => {
  const plain = new AdminError('invalid', 'the expiry is in the past');
  assert.equal(whyRefused(plain, de), 'the expiry is in the past');
  assert.equal(describeRefusal(plain, de), undefined);
  assert.equal(formRefusal(plain, de), 'the expiry is in the past');
  const forbidden = refusal('role', VALUES);
  assert.throws(
    () => formRefusal(forbidden, de),
    (err) => err === forbidden,
  );
  assert.throws(() => formRefusal(new Error('bug'), de), /bug/);
  assert.equal(describeRefusal(forbidden, de), 'Ihre Rolle darf diese Seite nicht sehen oder dies nicht tun. (token.disable ist der Rolle helpdesk nicht erlaubt)');
  assert.equal(formRefusal(refusal('token-revoked', { serial: 'X'.repeat(400) }), en).length, 300);
});
