// The console's users in Debian's Chromium: the helpdesk finds a user whose
// token wrong OTPs over RADIUS locked, resets it, and the user logs in over
// RADIUS; an admin enrolls a TOTP token from the user's page, reads the
// secret, verifies it with oathtool's code, and the user logs in; the
// auditor sees no buttons and the API refuses the auditor's session; a
// helpdesk limited to realm lab sees no one of another realm; German, a
// phone's width, and axe-core on each page.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { enrollToken } from '../../src/auth/admin.ts';
import { hotp } from '../../src/otp/hotp.ts';
import { CLI, type AdminStack } from '../http/admin-fixture.ts';
import { expectAccessible, scrollsSideways, shot, useBrowser } from '../helpers/browser.ts';
import { oathtool } from '../helpers/stack.ts';
import { logIn, logInGerman, startConsoleStack } from './fixture.ts';

const SEED = Buffer.from('12345678901234567890');

describe('console users in a browser', () => {
  const browser = useBrowser();
  let s: AdminStack;

  before(async () => {
    s = await startConsoleStack('tokens: { maxFail: 3 }\n');
    await enrollToken(s.stack.running.services.admin, CLI, { type: 'hotp', user: 'alice', seed: SEED, pin: '1234', serial: 'ALICE-HOTP', description: 'key fob' });
  });
  after(async () => {
    await s.stop();
  });

  const flushAudit = () => s.stack.running.services.admin.audit.flush?.();

  test('the helpdesk finds the user whose token is locked, resets it, and the user logs in over RADIUS', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await s.stack.auth('alice', '1234000000')).code, 'reject');
    assert.equal((await s.stack.auth('alice', `1234${hotp(SEED, 0)}`)).code, 'reject', 'locked: even the right code is refused');
    await flushAudit();

    const page = await browser.open();
    await logIn(page, s.base, 'desk');
    await page.getByRole('link', { name: 'The locked tokens' }).click();
    assert.deepEqual(await page.getByTestId('tokens').locator('tbody th').allTextContents(), ['ALICE-HOTP'], 'from the dashboard to the locked tokens');
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('Login or name contains').fill('ali');
    await page.getByRole('button', { name: 'Find users' }).click();
    const row = page.getByTestId('users').getByRole('row').filter({ hasText: 'ALICE-HOTP' }).first();
    assert.match((await row.textContent()) ?? '', /locked/);
    await expectAccessible(page, 'user search');
    await row.getByRole('link', { name: 'alice' }).click();
    await page.getByRole('heading', { name: 'alice in default', level: 1 }).waitFor();
    const card = page.locator('article[data-serial="ALICE-HOTP"]');
    assert.match((await card.getByRole('heading').textContent()) ?? '', /locked/);
    assert.match((await page.getByTestId('recent').textContent()) ?? '', /locked/, 'the last authentications say why');
    assert.equal(await card.getByRole('button', { name: 'Delete ALICE-HOTP' }).count(), 0, 'deleting is for admins');
    await expectAccessible(page, 'user page, helpdesk');

    await card.getByRole('button', { name: 'Reset ALICE-HOTP' }).click();
    await page.getByText('Token ALICE-HOTP is reset').waitFor();
    assert.match((await page.locator('article[data-serial="ALICE-HOTP"]').getByRole('heading').textContent()) ?? '', /active/);
    assert.equal((await s.stack.auth('alice', `1234${hotp(SEED, 0)}`)).code, 'accept');
  });

  test("an admin enrolls a TOTP token from the user page, verifies it with the app's code, and the user logs in", async () => {
    const page = await browser.open();
    await logIn(page, s.base, 'boss');
    await page.goto(`${s.base}/console/users/default/bob`);
    await page.getByLabel('Type').selectOption('totp');
    await page.getByLabel('Token PIN').fill('5678');
    await page.getByLabel('Description').fill('phone');
    const [answer] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/enroll')), page.getByRole('button', { name: 'Enroll' }).click()]);
    assert.equal(answer.headers()['cache-control'], 'no-store', 'the page with the secret is never stored');
    const secret = (await page.getByTestId('enrollment-secret').textContent())!.trim();
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.match((await page.getByTestId('enrollment-uri').textContent())!, /^otpauth:\/\/totp\/otp-radius:bob\?secret=/);
    assert.match((await page.getByRole('img', { name: /QR code of token TOTP/ }).getAttribute('src')) ?? '', /^data:image\/png;base64,/);
    assert.ok(!page.url().includes(secret), 'the secret is not in the URL');
    await expectAccessible(page, 'enrollment page');
    await shot(page, 'console-enrolled');
    const serial = /Token (\S+) enrolled/.exec((await page.getByRole('heading', { level: 1 }).textContent()) ?? '')![1]!;
    assert.equal((await s.stack.auth('bob', `5678${await oathtool(['--totp', '-b', secret])}`)).code, 'reject', 'pending until verified');

    // The server's clock is ahead by s.ahead.seconds: oathtool computes for the same time.
    const code = (shift: number) => oathtool(['--totp', '-b', secret, '-N', `now + ${s.ahead.seconds + shift} seconds`]);
    await page.getByLabel('A current code from the app').fill(await code(0));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText(`Token ${serial} is verified and active.`).waitFor();
    assert.equal(new URL(page.url()).pathname, '/console/users/default/bob');
    s.ahead.seconds += 30;
    try {
      assert.equal((await s.stack.auth('bob', `5678${await code(0)}`)).code, 'accept');
    } finally {
      s.ahead.seconds -= 30;
    }
    await page.reload();
    assert.equal(await page.getByText(secret).count(), 0, 'the secret is never shown again');
  });

  test("the auditor sees no action buttons, and the API refuses the same actions for the auditor's session", async () => {
    const page = await browser.open();
    await logIn(page, s.base, 'audit');
    await page.goto(`${s.base}/console/users/default/alice`);
    await page.getByRole('heading', { name: 'alice in default' }).waitFor();
    assert.equal(await page.locator('main form').count(), 0, 'no form on the user page');
    assert.equal(await page.locator('main button').count(), 0, 'no button on the user page');
    await page.goto(`${s.base}/console/tokens`);
    assert.equal(await page.getByRole('checkbox').count(), 0, 'no bulk selection');
    assert.equal(await page.getByRole('link', { name: 'Import tokens from a file' }).count(), 0);
    await expectAccessible(page, 'token list, auditor');

    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'otp_radius_session')!.value;
    const csrf = cookies.find((c) => c.name === 'otp_radius_csrf')!.value;
    const creds = { session: { cookie: `otp_radius_session=${session}`, csrf } };
    for (const path of ['/api/v1/tokens/ALICE-HOTP/reset', '/api/v1/tokens/ALICE-HOTP/disable']) {
      const refused = await s.call(creds, 'POST', path);
      assert.equal(refused.status, 403, `${path}: ${refused.text}`);
    }
    assert.equal((await s.call(creds, 'DELETE', '/api/v1/tokens/ALICE-HOTP')).status, 403);
    assert.equal((await s.call(creds, 'GET', '/api/v1/tokens/ALICE-HOTP')).status, 200, 'the session itself is good: reading is allowed');

    // The console's own route refuses too, whatever the page showed.
    browser.expectConsole(/status of 403/);
    const form = await page.request.post(`${s.base}/console/tokens/ALICE-HOTP/reset`, { form: { _csrf: csrf, back: '/console/tokens' }, maxRedirects: 0 });
    assert.equal(form.status(), 403);
  });

  test("a helpdesk limited to realm lab finds only users of lab, and another realm's user page is refused", async () => {
    const page = await browser.open();
    browser.expectConsole(/status of 403/);
    await logIn(page, s.base, 'labdesk');
    await page.goto(`${s.base}/console/users`);
    const realms = await page.getByTestId('users').locator('tbody tr td:nth-child(2)').allTextContents();
    assert.ok(realms.length >= 2, 'alice and bob of lab');
    assert.deepEqual([...new Set(realms)], ['lab']);
    assert.deepEqual(await page.getByLabel('Realm').locator('option').allTextContents(), ['all realms', 'lab']);
    const refused = await page.goto(`${s.base}/console/users/default/alice`);
    assert.equal(refused!.status(), 403);
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
    const other = await page.goto(`${s.base}/console/users?realm=default`);
    assert.equal(other!.status(), 403);

    const german = await browser.open();
    await logInGerman(german, s.base, 'labdesk');
    assert.equal((await german.goto(`${s.base}/console/users/default/alice`))!.status(), 403);
    await german.getByRole('heading', { name: 'Nicht erlaubt' }).waitFor();
    await german.getByText('Ihre Rolle darf diese Seite nicht sehen oder dies nicht tun. (labdesk darf nur im Realm lab handeln)').waitFor();
  });

  test("German, a phone's width, the dark theme: the user page reads and fits", async () => {
    const page = await browser.open({ locale: 'de-DE', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, colorScheme: 'dark' });
    await page.goto(`${s.base}/console/login`);
    await page.getByLabel('Benutzername').fill('boss');
    await page.getByLabel('Passwort', { exact: true }).fill('a long enough password');
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.getByRole('heading', { name: 'Übersicht' }).waitFor();
    await page.goto(`${s.base}/console/users/default/alice`);
    await page.getByRole('heading', { name: 'alice in default' }).waitFor();
    await page.getByRole('heading', { name: 'Letzte Anmeldungen' }).waitFor();
    await page.getByRole('button', { name: 'Zurücksetzen ALICE-HOTP' }).waitFor();
    assert.equal(await scrollsSideways(page), false, 'user page on a phone');
    await expectAccessible(page, 'user page, German, phone, dark');
    await shot(page, 'console-user-phone-de');
    await page.goto(`${s.base}/console/users`);
    assert.equal(await scrollsSideways(page), false, 'user search on a phone');
    await expectAccessible(page, 'user search, German, phone, dark');
  });

  test('the user page as an admin sees it (the screenshot in the docs)', async () => {
    await flushAudit();
    const page = await browser.open({ viewport: { width: 1100, height: 800 } });
    await logIn(page, s.base, 'boss');
    await page.goto(`${s.base}/console/users/default/alice`);
    await page.getByRole('heading', { name: 'alice in default' }).waitFor();
    await expectAccessible(page, 'user page, admin');
    // docs/images/console-user.png is a copy of this one.
    await shot(page, 'console-user');
  });
});
