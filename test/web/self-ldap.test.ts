// The portal over a real directory (Debian's slapd): the login's password
// is checked by an LDAP bind as the user, the token is bound to the entry's
// entryUUID, and the RADIUS login afterwards finds it; a wrong LDAP
// password is refused; an entry deleted from the directory ends the
// session, and a directory that does not answer gives a 503 page.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client } from 'ldapts';
import { expectAccessible, useBrowser } from '../helpers/browser.ts';
import { ADMIN_DN, ADMIN_PASSWORD, corpLdapUsers, startSlapd, type Slapd } from '../helpers/slapd.ts';
import { codeNow, enrollTotp, selfLogIn, startSelfStack, type SelfStack } from './self-fixture.ts';

describe('self-service portal over LDAP', () => {
  const browser = useBrowser();
  let slapd: Slapd;
  let s: SelfStack;

  before(async () => {
    slapd = await startSlapd();
    s = await startSelfStack('selfService:\n  userCheckSeconds: 0\n  defaults: { enrollmentCode: false }\n', () => corpLdapUsers(slapd));
  });
  after(async () => {
    await s?.stop();
    await slapd?.stop().catch(() => undefined);
  });

  test('an LDAP user logs in with the directory password, enrolls a TOTP token, and logs in over RADIUS', async () => {
    const page = await browser.open();
    browser.expectConsole(/status of 422/);
    await page.goto(`${s.base}/self/login`);
    await page.getByLabel('User name').fill('alice');
    await page.getByLabel('Password', { exact: true }).fill('not-alice-pw');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').getByText('The user name, password or code is wrong.').waitFor();

    await selfLogIn(page, s.base, 'alice', undefined, 'alice-pw');
    await page.getByText('You have no token yet.').waitFor();
    const { key, serial } = await enrollTotp(page, s, { pin: '6060', description: 'LDAP phone' });
    await expectAccessible(page, 'done step, LDAP user');
    const token = (await s.stack.running.services.store.getToken(serial))!;
    assert.equal(token.owner?.resolver, 'corp');
    assert.match(token.owner?.userId ?? '', /^[0-9a-f-]{36}$/, 'bound to entryUUID, not the login');
    const reply = await s.stack.auth('alice', `6060${await codeNow(s, key)}`);
    assert.equal(reply.code, 'accept', reply.stdout);
  });

  test('an entry deleted from the directory ends its session at the next page', async () => {
    const page = await browser.open();
    await selfLogIn(page, s.base, 'carol', undefined, 'carol-pw');
    await page.getByRole('heading', { name: 'My tokens' }).waitFor();
    const admin = new Client({ url: slapd.url });
    try {
      await admin.bind(ADMIN_DN, ADMIN_PASSWORD);
      await admin.del(slapd.dnOf('carol'));
    } finally {
      await admin.unbind();
    }
    await page.goto(`${s.base}/self/enroll`);
    assert.equal(new URL(page.url()).pathname, '/self/login');
    await page.getByText('Your session has ended. Please log in again.').waitFor();
  });

  test('a directory that stops answering gives a 503 page that says so; the session goes on once it is back', async () => {
    const page = await browser.open();
    browser.expectConsole(/status of 503/);
    await selfLogIn(page, s.base, 'bob', undefined, 'bob-pw');
    await page.getByRole('heading', { name: 'My tokens' }).waitFor();
    await slapd.stop();
    try {
      const answer = await page.goto(`${s.base}/self/enroll`);
      assert.equal(answer?.status(), 503);
      assert.equal(answer?.headers()['retry-after'], '30');
      await page.getByRole('heading', { name: 'Temporarily unavailable' }).waitFor();
      await page.getByText('The user directory or the token database is not answering right now.').waitFor();
      await expectAccessible(page, 'outage page');
    } finally {
      await slapd.start();
    }
    const back = await page.goto(`${s.base}/self/enroll`);
    assert.equal(back?.status(), 200);
    assert.equal(new URL(page.url()).pathname, '/self/enroll', 'the session outlived the outage');
  });
});
