// Admin accounts and API keys in the console, in Debian's Chromium: an
// admin creates an API key (the secret shown once, never stored), the key
// works against /api/v1 until revoked from the console; a new account with
// its own TOTP token (shown once) logs in with oathtool's code, is disabled,
// gets a new password and is deleted; other roles see neither page.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AdminStack } from '../http/admin-fixture.ts';
import { expectAccessible, scrollsSideways, shot, useBrowser } from '../helpers/browser.ts';
import { oathtool } from '../helpers/stack.ts';
import { logIn, startConsoleStack } from './fixture.ts';

describe('console admin accounts and API keys in a browser', () => {
  const browser = useBrowser();
  let s: AdminStack;

  before(async () => {
    s = await startConsoleStack();
  });
  after(async () => {
    await s.stop();
  });

  test('create an API key, use it, revoke it: the secret is shown once and then only its id', async () => {
    const page = await browser.open();
    page.on('dialog', (d) => void d.accept());
    await logIn(page, s.base, 'boss');
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByText('There is no API key yet.').waitFor();
    await expectAccessible(page, 'API keys, none');
    await page.getByLabel('Role').selectOption('helpdesk');
    await page.getByRole('checkbox', { name: 'lab' }).check();
    await page.getByLabel('Description').fill('HR onboarding');
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/console/api-keys') && r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Create the key' }).click(),
    ]);
    assert.equal(answer.headers()['cache-control'], 'no-store');
    const secret = (await page.getByTestId('key-secret').textContent())!.trim();
    assert.match(secret, /^otpr_[0-9a-f]{16}_[0-9a-f]{64}$/);
    await expectAccessible(page, 'API key created');
    await shot(page, 'console-key-created');
    const id = secret.split('_')[1]!;

    assert.equal((await s.call({ key: secret }, 'GET', '/api/v1/tokens?realm=lab')).status, 200);
    assert.equal((await s.call({ key: secret }, 'GET', '/api/v1/tokens?realm=default')).status, 403, 'limited to lab, as created');

    await page.getByRole('link', { name: 'Back to the API keys' }).click();
    const row = page.getByTestId('api-keys').getByRole('row').filter({ hasText: id });
    assert.match((await row.textContent()) ?? '', /helpdesk.*lab.*HR onboarding.*active/s);
    assert.equal(await page.getByText(secret).count(), 0, 'the secret is not listed');
    await row.getByRole('button', { name: `Revoke ${id}` }).click();
    await page.getByText(`API key ${id} is revoked.`).waitFor();
    assert.match((await row.textContent()) ?? '', /revoked/);
    assert.equal(await row.getByRole('button').count(), 0, 'nothing more to revoke');
    assert.equal((await s.call({ key: secret }, 'GET', '/api/v1/tokens?realm=lab')).status, 401);
  });

  test('a new account with its own TOTP token logs in with the code; disabled, it cannot; a new password; deleted', async () => {
    const page = await browser.open();
    page.on('dialog', (d) => void d.accept());
    await logIn(page, s.base, 'boss');
    await page.getByRole('link', { name: 'Admins' }).click();
    await expectAccessible(page, 'admin accounts');
    await page.getByLabel('Name', { exact: true }).fill('nora');
    await page.getByLabel('Role').selectOption('auditor');
    await page.getByLabel('Password', { exact: true }).fill('nora has a long password');
    await page.getByLabel('Second factor').selectOption('totp');
    await page.getByRole('button', { name: 'Add the account' }).click();
    await page.getByRole('heading', { name: 'Admin account nora added' }).waitFor();
    const secret = (await page.getByTestId('enrollment-secret').textContent())!.trim();
    assert.match((await page.getByTestId('enrollment-uri').textContent())!, /^otpauth:\/\/totp\/otp-radius%20admin:nora\?/);
    await expectAccessible(page, 'account added');

    const nora = await browser.open();
    await nora.goto(`${s.base}/console/login`);
    await nora.getByLabel('User name').fill('nora');
    await nora.getByLabel('Password', { exact: true }).fill('nora has a long password');
    await nora.getByLabel('One-time password').fill(await oathtool(['--totp', '-b', secret]));
    await nora.getByRole('button', { name: 'Log in' }).click();
    await nora.getByText('Logged in as nora (auditor)').waitFor();
    assert.equal(await nora.getByRole('link', { name: 'Admins' }).count(), 0, 'an auditor has no admin pages');

    await page.goto(`${s.base}/console/admins`);
    const row = page.getByTestId('accounts').getByRole('row').filter({ hasText: 'nora' });
    await row.getByRole('button', { name: 'Disable nora' }).click();
    await page.getByText('The account nora is disabled and its sessions have ended.').waitFor();
    await nora.reload();
    assert.equal(new URL(nora.url()).pathname, '/console/login', 'her session ended');

    await row.getByRole('button', { name: 'Enable nora' }).click();
    await page.getByText('The account nora is enabled.').waitFor();
    await row.getByText('New password').first().click();
    await row.getByLabel('New password').fill('an even longer new password');
    await row.getByRole('button', { name: 'Set the password' }).click();
    await page.getByText('The account nora has a new password; its sessions have ended.').waitFor();
    assert.equal((await s.login('nora', 'an even longer new password', await oathtool(['--totp', '-b', secret, '-N', 'now + 30 seconds']))).answer.status, 200);

    // Too short a password: the form says why and nothing changes.
    browser.expectConsole(/status of 422/);
    await page.getByLabel('Name', { exact: true }).fill('short');
    await page.getByLabel('Password', { exact: true }).evaluate((input: HTMLInputElement) => input.removeAttribute('minlength'));
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Add the account' }).click();
    await page
      .getByRole('alert')
      .getByText(/the password must have at least 12 characters/)
      .waitFor();

    await page.getByTestId('accounts').getByRole('row').filter({ hasText: 'nora' }).getByRole('button', { name: 'Delete nora' }).click();
    await page.getByText('The account nora is deleted.').waitFor();
    assert.equal(await page.getByTestId('accounts').getByRole('row').filter({ hasText: 'nora' }).count(), 0);
    assert.equal(await page.getByTestId('accounts').getByRole('button', { name: 'Delete boss' }).count(), 0, 'no button to delete oneself');
  });

  test('the helpdesk and the auditor have neither page; a phone shows the accounts without sideways scrolling', async () => {
    for (const who of ['desk', 'audit']) {
      const page = await browser.open();
      browser.expectConsole(/status of 403/);
      await logIn(page, s.base, who);
      assert.equal(await page.getByRole('link', { name: 'Admins' }).count(), 0);
      assert.equal(await page.getByRole('link', { name: 'API keys' }).count(), 0);
      assert.equal((await page.goto(`${s.base}/console/admins`))!.status(), 403);
      assert.equal((await page.goto(`${s.base}/console/api-keys`))!.status(), 403);
    }
    const phone = await browser.open({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await logIn(phone, s.base, 'boss');
    await phone.goto(`${s.base}/console/admins`);
    assert.equal(await scrollsSideways(phone), false);
    await expectAccessible(phone, 'admin accounts on a phone');
    await shot(phone, 'console-admins-phone');
  });
});
