// The portal's pages as pages: German (the switch, and Accept-Language), a
// phone's width without sideways scrolling and with the "open in app" link,
// the dark theme, the accessibility rules on each page, CSRF refusals that
// change nothing, a session that idles out when the clock moves, logout,
// resync, and the error page for a token that is not the user's.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { enrollToken } from '../../src/auth/admin.ts';
import { hotp } from '../../src/otp/hotp.ts';
import { CLI } from '../http/admin-fixture.ts';
import { expectAccessible, scrollsSideways, shot, useBrowser } from '../helpers/browser.ts';
import { codeNow, enrollTotp, keyOnPage, selfLogIn, startSelfStack, type SelfStack } from './self-fixture.ts';

const SEED = Buffer.from('12345678901234567890');

describe('self-service pages: languages, phones, themes, CSRF, sessions', () => {
  const browser = useBrowser();
  let s: SelfStack;

  before(async () => {
    s = await startSelfStack('selfService:\n  sessionIdleMinutes: 10\n  defaults: { enrollmentCode: false }\n');
  });
  after(async () => {
    await s.stop();
  });

  test('German: Accept-Language and the switch; login, the token list and enrollment in German', async () => {
    const page = await browser.open({ locale: 'de-DE' });
    await page.goto(`${s.base}/self/login`);
    await page.getByRole('heading', { name: 'Anmelden', level: 1 }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'de');
    await page.getByLabel('Benutzername').fill('frank');
    await page.getByLabel('Passwort', { exact: true }).fill('alice-password');
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.getByText('Sie haben noch kein Token.').waitFor();
    await expectAccessible(page, 'Meine Token');
    await page.getByRole('link', { name: 'Token einrichten' }).first().click();
    await page.getByLabel('PIN', { exact: true }).fill('5050');
    await page.getByLabel('PIN wiederholen').fill('5050');
    await page.getByRole('button', { name: 'Token anlegen' }).click();
    await page.getByRole('heading', { name: 'Token in die App übernehmen' }).waitFor();
    await expectAccessible(page, 'QR-Schritt');
    await shot(page, 'self-enroll-qr-de');
    await page.getByLabel('Code aus Ihrer App').fill(await codeNow(s, await keyOnPage(page)));
    await page.getByRole('button', { name: 'Code prüfen' }).click();
    await page.getByRole('heading', { name: 'Ihr Token ist bereit' }).waitFor();
    assert.match((await page.getByTestId('vpn-password').textContent()) ?? '', /^Ihre PIN und direkt dahinter der Code/);
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Your token is ready' }).waitFor();
  });

  test('a phone (390x844): every step without sideways scrolling, and the "open in authenticator app" link', async () => {
    const page = await browser.open({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await page.goto(`${s.base}/self/login`);
    assert.equal(await scrollsSideways(page), false, 'login');
    await shot(page, 'self-login-phone');
    await selfLogIn(page, s.base, 'grace');
    await page.goto(`${s.base}/self/enroll`);
    assert.equal(await scrollsSideways(page), false, 'enrollment form');
    await page.getByLabel('PIN', { exact: true }).fill('7531');
    await page.getByLabel('PIN again').fill('7531');
    await page.getByRole('button', { name: 'Create the token' }).click();
    const link = page.getByRole('link', { name: 'Open in authenticator app' });
    await link.waitFor();
    assert.match((await link.getAttribute('href'))!, /^otpauth:\/\/totp\/otp-radius:grace\?secret=[A-Z2-7]+&issuer=otp-radius/);
    assert.equal(await scrollsSideways(page), false, 'QR step');
    await expectAccessible(page, 'QR step on a phone');
    await shot(page, 'self-enroll-qr-phone');
    await page.getByLabel('Code from your app').fill(await codeNow(s, await keyOnPage(page)));
    await page.getByRole('button', { name: 'Check the code' }).click();
    await page.getByRole('heading', { name: 'Your token is ready' }).waitFor();
    assert.equal(await scrollsSideways(page), false, 'done step');
    await page.goto(`${s.base}/self/`);
    assert.equal(await scrollsSideways(page), false, 'my tokens');
    await expectAccessible(page, 'my tokens on a phone');
    await shot(page, 'self-tokens-phone');
  });

  test('dark theme: the pages follow the browser, the QR code stays dark on white, contrast holds', async () => {
    const page = await browser.open({ colorScheme: 'dark' });
    await selfLogIn(page, s.base, 'heidi');
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(17, 20, 24)');
    await expectAccessible(page, 'my tokens, dark');
    await page.goto(`${s.base}/self/enroll`);
    await page.getByLabel('PIN', { exact: true }).fill('8080');
    await page.getByLabel('PIN again').fill('8080');
    await page.getByRole('button', { name: 'Create the token' }).click();
    assert.equal(await page.getByTestId('qr').evaluate((img) => getComputedStyle(img).backgroundColor), 'rgb(255, 255, 255)');
    await expectAccessible(page, 'QR step, dark');
    await shot(page, 'self-enroll-qr-dark');
  });

  test('CSRF: a form without its token, or with another, is refused and changes nothing', async () => {
    const page = await browser.open();
    browser.expectConsole(/status of 403/);
    await selfLogIn(page, s.base, 'judy');
    await enrollTokenFor('judy', 'JUDY-1');
    await page.goto(`${s.base}/self/`);
    await page.locator('form.rename input[name="_csrf"]').evaluate((input) => input.remove());
    await page.getByLabel('Name').fill('stolen');
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByRole('heading', { name: 'The form was not accepted' }).waitFor();
    await expectAccessible(page, 'CSRF refusal');
    await page.goto(`${s.base}/self/`);
    await page.locator('form.rename input[name="_csrf"]').evaluate((input: HTMLInputElement) => {
      input.value = 'f'.repeat(32);
    });
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByRole('heading', { name: 'The form was not accepted' }).waitFor();
    assert.equal((await s.stack.running.services.store.getToken('JUDY-1'))!.description, '', 'nothing renamed');

    // The login form of another browser's cookie.
    const other = await browser.open();
    await other.goto(`${s.base}/self/login`);
    await other.locator('form[action="/self/login"] input[name="_csrf"]').evaluate((input: HTMLInputElement) => {
      input.value = 'x';
    });
    await other.getByLabel('User name').fill('judy');
    await other.getByLabel('Password', { exact: true }).fill('alice-password');
    await other.getByRole('button', { name: 'Log in' }).click();
    await other.getByRole('heading', { name: 'The form was not accepted' }).waitFor();
  });

  test('a session idles out when the clock moves; the login page says so and leads back; logout ends it', async () => {
    const page = await browser.open();
    await selfLogIn(page, s.base, 'erin');
    const cookie = (await page.context().cookies()).find((c) => c.name === 'otp_radius_self')!;
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    s.ahead.seconds += 11 * 60;
    await page.goto(`${s.base}/self/enroll`);
    assert.equal(new URL(page.url()).pathname, '/self/login');
    await page.getByText('Your session ended because it was not used for a while.').waitFor();
    await page.getByLabel('User name').fill('erin');
    await page.getByLabel('Password', { exact: true }).fill('alice-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Enroll a token' }).waitFor();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByText('You are logged out.').waitFor();
    const gone = await fetch(`${s.base}/self/`, { redirect: 'manual', headers: { cookie: `otp_radius_self=${cookie.value}` } });
    assert.equal(gone.status, 303, 'the old cookie is worth nothing');
  });

  test("resync of a HOTP token with two codes in a row; another user's token is not found", async () => {
    const page = await browser.open();
    browser.expectConsole(/status of 4(22|04)/);
    await enrollTokenFor('bob', 'BOB-HOTP', SEED);
    await selfLogIn(page, s.base, 'bob', hotp(SEED, 0));
    await page.getByRole('link', { name: 'Resynchronise' }).click();
    await expectAccessible(page, 'resync page');
    await page.getByLabel('A code', { exact: true }).fill(hotp(SEED, 40));
    await page.getByLabel('The next code').fill(hotp(SEED, 42));
    await page.getByRole('button', { name: 'Resynchronise' }).click();
    await page.getByRole('alert').getByText('These are not two codes in a row of this token').waitFor();
    await page.getByLabel('A code', { exact: true }).fill(hotp(SEED, 40));
    await page.getByLabel('The next code').fill(hotp(SEED, 41));
    await page.getByRole('button', { name: 'Resynchronise' }).click();
    await page.getByText('BOB-HOTP is in step again.').waitFor();
    assert.equal((await s.stack.running.services.store.getToken('BOB-HOTP'))!.counter, 42);

    await enrollTokenFor('carol', 'CAROL-HOTP', SEED);
    const answer = await page.goto(`${s.base}/self/tokens/CAROL-HOTP/pin`);
    assert.equal(answer!.status(), 404);
    await page.getByText('You have no such token.').waitFor();
    await expectAccessible(page, 'not found');
  });

  async function enrollTokenFor(user: string, serial: string, seed?: Buffer): Promise<void> {
    await enrollToken(s.stack.running.services.admin, CLI, { type: 'hotp', user, serial, pin: '1234', ...(seed ? { seed } : {}) });
  }
});

describe('self-service pages: one realm of several, and a realm picker', () => {
  const browser = useBrowser();
  let s: SelfStack;

  before(async () => {
    s = await startSelfStack('selfService:\n  defaults: { enrollmentCode: false }\n');
  });
  after(async () => {
    await s.stop();
  });

  test('the picker lists the realms of the portal; user@realm wins over it', async () => {
    const page = await browser.open();
    await page.goto(`${s.base}/self/login`);
    const options = await page.getByLabel('Domain').locator('option').allTextContents();
    assert.deepEqual(options, ['default', 'lab']);
    await page.getByLabel('User name').fill('alice');
    await page.getByLabel('Domain').selectOption('lab');
    await page.getByLabel('Password', { exact: true }).fill('alice-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('alice@lab').waitFor();
    const { key } = await enrollTotp(page, s, { pin: '4455' });
    assert.equal(await page.getByTestId('vpn-user').textContent(), 'alice@lab');
    assert.equal((await s.stack.auth('alice@lab', `4455${await codeNow(s, key)}`)).code, 'accept');
  });
});
