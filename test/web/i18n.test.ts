// The catalogs agree: every language has exactly the English keys, each
// with the same placeholders; t() fills them in, picks plural forms and
// formats numbers; the request's language comes from the cookie, then
// Accept-Language, then English.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Message } from '../../src/web/i18n/catalog.ts';
import { CATALOGS, LANGUAGES, negotiate, placeholders, translator } from '../../src/web/i18n/index.ts';

describe('i18n', () => {
  const english = CATALOGS.en;
  for (const lang of LANGUAGES.filter((l) => l !== 'en')) {
    test(`${lang}: the keys of English, no more, no fewer`, () => {
      const catalog = CATALOGS[lang];
      assert.deepEqual(
        Object.keys(english).filter((k) => !(k in catalog)),
        [],
        `missing in ${lang}`,
      );
      assert.deepEqual(
        Object.keys(catalog).filter((k) => !(k in english)),
        [],
        `not in English`,
      );
    });

    test(`${lang}: the same placeholders as English, and the plural forms the language uses`, () => {
      const catalog = CATALOGS[lang];
      for (const [key, message] of Object.entries(english)) {
        const other = catalog[key];
        if (other === undefined) continue;
        assert.deepEqual(placeholders(other), placeholders(message), `${lang}: ${key}`);
        assert.equal(typeof other, typeof message, `${lang}: ${key} is plural in one catalog only`);
        if (typeof other !== 'string') {
          for (const form of new Intl.PluralRules(lang).resolvedOptions().pluralCategories) assert.ok(form in other, `${lang}: ${key} lacks the plural form ${form}`);
        }
      }
    });
  }

  test('placeholders are found in every form; a catalog with a changed placeholder would fail the check above', () => {
    assert.deepEqual(placeholders({ one: '{count} token of {user}', other: '{count} tokens' }), ['count', 'user']);
    assert.notDeepEqual(placeholders('Angemeldet als {nmae}'), placeholders(english['layout.signedIn'] as Message));
  });

  test('t(): parameters, plural forms, numbers in the language', () => {
    const en = translator('en');
    const de = translator('de');
    assert.equal(en('layout.signedIn', { name: 'boss', role: 'administrator' }), 'Logged in as boss (administrator)');
    assert.equal(en('dashboard.lockedCount', { count: 1 }), '1 token is locked.');
    assert.equal(en('dashboard.lockedCount', { count: 1200 }), '1,200 tokens are locked.');
    assert.equal(de('dashboard.lockedCount', { count: 1200 }), '1.200 Token sind gesperrt.');
    assert.equal(de('login.title'), 'Anmelden');
    assert.equal(en('layout.signedIn'), 'Logged in as {name} ({role})', 'a parameter not given stays visible');
  });

  test('the language: cookie, then Accept-Language by q, then English', () => {
    assert.equal(negotiate('de', 'en'), 'de');
    assert.equal(negotiate('fr', 'de-DE,de;q=0.9,en;q=0.8'), 'de', 'an unknown cookie value is ignored');
    assert.equal(negotiate(undefined, 'fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7'), 'en');
    assert.equal(negotiate(undefined, 'en;q=0.5, de'), 'de');
    assert.equal(negotiate(undefined, 'de;q=0, fr'), 'en', 'q=0 means not wanted');
    assert.equal(negotiate(undefined, undefined), 'en');
    assert.equal(negotiate(undefined, 'garbage;;;,,q=x'), 'en');
  });
});
