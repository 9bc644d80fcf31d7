// The admin console in Debian's Chromium: login (a wrong password shown and
// audited), the dashboard after RADIUS authentications through radclient,
// logout, CSRF refusals, an idle session going back to the login page, the
// language switch, the dark theme, a phone's width, and the CSP header with
// no violation on any page (the browser helper fails a test on one).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { enrollToken } from '../../src/auth/admin.ts';
import { hotp } from '../../src/otp/hotp.ts';
import { CLI, type AdminStack } from '../http/admin-fixture.ts';
import { expectAccessible, scrollsSideways, shot, useBrowser } from '../helpers/browser.ts';
import { logIn, startConsoleStack } from './fixture.ts';

const SEED = Buffer.from('12345678901234567890');

async function auditRows(s: AdminStack, action: string): Promise<{ result: string; actor: string; extra: Record<string, unknown> }[]> {
  // The audit table is written a moment after the event.
  for (let i = 0; i < 50; i++) {
    const rows = await s.stack.running.services.store.audit.query({ event: 'admin', limit: 100 });
    const found = rows.filter((r) => r.action === action);
    if (found.length > 0) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  return [];
}

describe('admin console in a browser', () => {
  const browser = useBrowser();
  let s: AdminStack;

  before(async () => {
    s = await startConsoleStack();
  });
  after(async () => {
    await s.stop();
  });

  test('a wrong password shows the error on the login page and is audited as a web login', async () => {
    const page = await browser.open();
    browser.expectConsole(/status of 422/);
    const first = await page.goto(`${s.base}/console/`);
    assert.equal(new URL(page.url()).pathname, '/console/login');
    assert.equal(first!.headers()['content-security-policy']?.includes("script-src 'self'"), true);
    await page.getByText('Please log in first.').waitFor();
    await expectAccessible(page, 'login page');
    await shot(page, 'console-login');
    await page.getByLabel('User name').fill('boss');
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').getByText('The user name, password or one-time password is wrong.').waitFor();
    assert.equal(await page.getByLabel('User name').inputValue(), 'boss', 'the user name stays filled in');
    const rows = await auditRows(s, 'session.login');
    const refused = rows.find((r) => r.result === 'refused' && r.actor === 'boss');
    assert.ok(refused, 'a refused session.login by boss is in the audit table');
    assert.equal(refused.extra.via, 'web');
  });

  test('login, the dashboard counts the RADIUS authentications, logout ends the session', async () => {
    const admin = s.stack.running.services.admin;
    await enrollToken(admin, CLI, { type: 'hotp', user: 'alice', seed: SEED, pin: '1234', serial: 'DASH-1' });
    assert.equal((await s.stack.auth('alice', `1234${hotp(SEED, 0)}`)).code, 'accept');
    assert.equal((await s.stack.auth('alice', '1234000000')).code, 'reject');
    assert.equal((await s.stack.auth('alice', '1234999999')).code, 'reject');
    assert.equal((await s.stack.auth('alice', '1234')).code, 'challenge');

    const page = await browser.open();
    await logIn(page, s.base, 'boss');
    assert.equal(new URL(page.url()).pathname, '/console/');
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    const totals = page.getByTestId('decision-totals');
    assert.equal(await totals.textContent(), '4 authentications in the last hour: 1 accepted, 2 rejected, 1 challenged.');
    const counts = await page.getByTestId('reject-reasons').locator('tbody td:last-child').allTextContents();
    assert.equal(
      counts.reduce((sum, c) => sum + Number(c), 0),
      2,
      'the reasons of both rejects',
    );
    assert.match((await page.getByTestId('locked-tokens').textContent()) ?? '', /^0 tokens are locked\.$/);
    await page.getByText('Token store').waitFor();
    assert.ok(await page.getByText('Logged in as boss (administrator)').isVisible());
    await expectAccessible(page, 'dashboard');
    await shot(page, 'console-dashboard');

    // htmx under the CSP: the refresh link swaps in new figures without loading the page again.
    assert.deepEqual(
      await page.evaluate(() => {
        const config = (window as unknown as { htmx: { config: Record<string, unknown> } }).htmx.config;
        (window as unknown as { marker: number }).marker = 1;
        return [config.allowEval, config.includeIndicatorStyles, config.historyCacheSize];
      }),
      [false, false, 0],
    );
    assert.equal((await s.stack.auth('alice', `1234${hotp(SEED, 1)}`)).code, 'accept');
    await page.getByRole('link', { name: 'Refresh' }).click();
    await page.getByText('5 authentications in the last hour: 2 accepted, 2 rejected, 1 challenged.').waitFor();
    assert.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 1, 'the same page, not a new one');

    const session = (await page.context().cookies()).find((c) => c.name === 'otp_radius_session')!;
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByText('You are logged out.').waitFor();
    assert.equal(new URL(page.url()).pathname, '/console/login');
    const api = await fetch(`${s.base}/api/v1/session`, { headers: { cookie: `otp_radius_session=${session.value}` } });
    assert.equal(api.status, 401, 'the logged-out session is gone for the API too');
    assert.equal(
      (await auditRows(s, 'session.logout')).some((r) => r.actor === 'boss'),
      true,
    );
  });

  test('the helpdesk sees no authentication figures, only what its role may read', async () => {
    const page = await browser.open();
    await logIn(page, s.base, 'desk');
    await page.getByTestId('locked-tokens').waitFor();
    assert.equal(await page.getByTestId('decision-totals').count(), 0);
    assert.ok(await page.getByText('Logged in as desk (helpdesk)').isVisible());
  });

  test('CSRF: a form without its token, or with a wrong one, is refused and changes nothing', async () => {
    const page = await browser.open();
    browser.expectConsole(/status of 403/);
    await logIn(page, s.base, 'audit');
    await page.locator('form.logout input[name="_csrf"]').evaluate((input: HTMLInputElement) => {
      input.value = 'wrong';
    });
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'The form was not accepted' }).waitFor();
    await expectAccessible(page, 'error page');
    await shot(page, 'console-csrf-refused');
    await page.goto(`${s.base}/console/`);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.locator('form.logout input[name="_csrf"]').evaluate((input) => input.remove());
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'The form was not accepted' }).waitFor();
    await page.goto(`${s.base}/console/`);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

    // The login form before a session: its token comes from a cookie of this browser only.
    const other = await browser.open();
    await other.goto(`${s.base}/console/login`);
    await other.locator('form[action="/console/login"] input[name="_csrf"]').evaluate((input: HTMLInputElement) => {
      input.value = 'x';
    });
    await other.getByLabel('User name').fill('boss');
    await other.getByLabel('Password', { exact: true }).fill('whatever');
    await other.getByRole('button', { name: 'Log in' }).click();
    await other.getByRole('heading', { name: 'The form was not accepted' }).waitFor();
  });

  test('language: the switch turns the pages German and stays; Accept-Language picks German too', async () => {
    const page = await browser.open();
    await page.goto(`${s.base}/console/login`);
    await page.getByRole('button', { name: 'Deutsch' }).click();
    await page.getByRole('heading', { name: 'Anmelden', level: 1 }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'de');
    await expectAccessible(page, 'login page, German');
    await page.reload();
    await page.getByRole('heading', { name: 'Anmelden' }).waitFor();
    await page.getByLabel('Benutzername').fill('boss');
    await page.getByLabel('Passwort', { exact: true }).fill('a long enough password');
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.getByRole('heading', { name: 'Übersicht', level: 1 }).waitFor();
    await shot(page, 'console-dashboard-de');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();

    const german = await browser.open({ locale: 'de-DE' });
    await german.goto(`${s.base}/console/login`);
    await german.getByRole('heading', { name: 'Anmelden' }).waitFor();
  });

  test('dark theme: the browser preference is followed, the switch overrides it and is remembered', async () => {
    const page = await browser.open({ colorScheme: 'dark' });
    await logIn(page, s.base, 'boss');
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(await background(), 'rgb(17, 20, 24)');
    await expectAccessible(page, 'dashboard, dark');
    await shot(page, 'console-dashboard-dark');
    await page.getByRole('button', { name: 'Light theme' }).click();
    assert.equal(await background(), 'rgb(255, 255, 255)');
    await page.reload();
    assert.equal(await page.locator('html').getAttribute('data-theme'), 'light');
    assert.equal(await background(), 'rgb(255, 255, 255)');
    await page.getByRole('button', { name: 'Dark theme' }).waitFor();
  });

  test('without JavaScript: login, the theme switch, the language switch and logout are plain forms', async () => {
    const page = await browser.open({ javaScriptEnabled: false });
    await logIn(page, s.base, 'audit');
    await page.getByRole('button', { name: 'Dark theme' }).click();
    await page.getByRole('button', { name: 'Light theme' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('data-theme'), 'dark');
    assert.equal(new URL(page.url()).pathname, '/console/', 'back on the page the switch was on');
    await page.getByRole('button', { name: 'Deutsch' }).click();
    await page.getByRole('heading', { name: 'Übersicht', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Abmelden' }).click();
    await page.getByText('Sie sind abgemeldet.').waitFor();
  });

  test('a phone (390x844): login and dashboard without sideways scrolling', async () => {
    const page = await browser.open({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await page.goto(`${s.base}/console/login`);
    assert.equal(await scrollsSideways(page), false, 'login page');
    await shot(page, 'console-login-phone');
    await logIn(page, s.base, 'boss');
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    assert.equal(await scrollsSideways(page), false, 'dashboard');
    await expectAccessible(page, 'dashboard on a phone');
    await shot(page, 'console-dashboard-phone');
  });

  test('an idle session ends: the next page is the login page saying so, and the login leads back', async () => {
    const page = await browser.open();
    await logIn(page, s.base, 'boss');
    s.ahead.seconds += 31 * 60;
    try {
      await page.goto(`${s.base}/console/`);
      assert.equal(new URL(page.url()).pathname, '/console/login');
      await page.getByText('Your session ended because it was not used for a while.').waitFor();
      await logIn(page, s.base, 'boss');
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    } finally {
      s.ahead.seconds = 0;
    }
  });
});
