// The portal's login for a user whose token is an e-mail token: the
// directory password with no code sends one (to a real SMTP listener on
// loopback), the next page takes it; a wrong code is refused on that page
// and the right one still logs in; the portal's State is not a RADIUS
// State; and when no code can go out (the hourly limit), the login page
// says so instead of "wrong password".

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { enrollToken } from '../../src/auth/admin.ts';
import { CLI } from '../http/admin-fixture.ts';
import { expectAccessible, useBrowser } from '../helpers/browser.ts';
import { startMailServer, type MailServer } from '../helpers/mail-server.ts';
import { startSelfStack, USER_PASSWORD, type SelfStack } from './self-fixture.ts';

describe('self-service login with a code by e-mail', () => {
  const browser = useBrowser();
  let mail: MailServer;
  let s: SelfStack;

  before(async () => {
    mail = await startMailServer({ tls: 'none' });
    s = await startSelfStack(`delivery:
  email:
    smtp: { host: 127.0.0.1, port: ${mail.port}, tls: none }
    from: "VPN login <otp@example.org>"
    body: "Your code is {otp}."
  limits: { resendIntervalSeconds: 60, maxPerHourPerUser: 3, maxPerHourPerDestination: 3 }
selfService:
  defaults: { enrollmentCode: false }
`);
    const admin = s.stack.running.services.admin;
    await enrollToken(admin, CLI, { type: 'email', user: 'bob', email: 'bob@example.org', pin: '2468', serial: 'MAIL-BOB' });
    await enrollToken(admin, CLI, { type: 'email', user: 'carol', email: 'carol@example.org', pin: '1357', serial: 'MAIL-CAROL' });
  });
  after(async () => {
    await s?.stop();
    await mail?.close();
  });

  const adminEvents = (action: string, user: string) => s.stack.logs.lines.filter((l) => l.event === 'admin' && l.action === action && l.user === user);

  /** The login form with the password and no code: the page that asks for the code. */
  async function passwordOnly(page: Page, username: string): Promise<void> {
    await page.goto(`${s.base}/self/login`);
    await page.getByLabel('User name').fill(username);
    await page.getByLabel('Password', { exact: true }).fill(USER_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
  }

  async function mailedCode(): Promise<string> {
    const code = /Your code is (\d{6})\./.exec((await mail.nextMail()).parsed.text ?? '')?.[1];
    assert.ok(code, 'a code in the mail');
    return code;
  }

  test('password, then the mailed code: logged in; audited as a send and a login', async () => {
    const page = await browser.open();
    await passwordOnly(page, 'bob');
    await page.getByRole('heading', { name: 'Enter the code', level: 1 }).waitFor();
    assert.match((await page.getByTestId('code-sent').textContent()) ?? '', /^A code is on its way to b\S*@example\.org\. Type it here; it is valid for \d+ minutes?\.$/);
    await expectAccessible(page, 'code step');
    const code = await mailedCode();
    await page.getByLabel('Code', { exact: true }).fill(code);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'My tokens' }).waitFor();
    await page.getByText('MAIL-BOB').first().waitFor();
    assert.equal(adminEvents('self.send-code', 'bob')[0]?.result, 'ok');
    assert.match(String(adminEvents('self.send-code', 'bob')[0]?.detail), /email to b\S*@example\.org/);
    assert.equal(adminEvents('self.login', 'bob').at(-1)?.result, 'ok');
    assert.doesNotMatch(JSON.stringify(s.stack.logs.lines), new RegExp(`"${code}"`), 'the code is in no log line');
  });

  test('a wrong code is refused on the code page; RADIUS cannot answer the portal State; the right code still logs in', async () => {
    const page = await browser.open();
    browser.expectConsole(/status of 422/);
    await passwordOnly(page, 'bob');
    await page.getByRole('heading', { name: 'Enter the code', level: 1 }).waitFor();
    const code = await mailedCode();
    const state = (await page.locator('input[name="state"]').getAttribute('value')) ?? '';
    assert.match(state, /^[0-9a-f]{32}$/);

    const radius = await s.stack.auth('bob', code, `State = 0x${Buffer.from(state, 'latin1').toString('hex')}`);
    assert.equal(radius.code, 'reject', 'the portal State is not a RADIUS State');
    assert.equal(s.stack.audits().at(-1)?.reason, 'unknown state');

    // A state that is not one the server gives out is refused before anything is looked up.
    const forged = await browser.open();
    browser.expectConsole(/status of 400/);
    await passwordOnly(forged, 'bob');
    await forged.getByRole('heading', { name: 'Enter the code', level: 1 }).waitFor();
    await forged.locator('input[name="state"]').evaluate((input: HTMLInputElement) => {
      input.value = 'not-a-transaction';
    });
    await forged.getByLabel('Code', { exact: true }).fill(code);
    await forged.getByRole('button', { name: 'Log in' }).click();
    await forged.getByRole('heading', { name: 'The request is not valid' }).waitFor();
    await forged.getByText(/state/).first().waitFor();

    const wrong = code === '000000' ? '111111' : '000000';
    await page.getByLabel('Code', { exact: true }).fill(wrong);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('The code is wrong or no longer valid.').waitFor();
    assert.equal(new URL(page.url()).pathname, '/self/login/code');
    await page.getByLabel('Code', { exact: true }).fill(code);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'My tokens' }).waitFor();
  });

  test('no code can go out (the hourly limit): the login page says so, not "wrong password"', async () => {
    const page = await browser.open();
    browser.expectConsole(/status of 503/);
    for (let i = 0; i < 3; i++) {
      await passwordOnly(page, 'carol');
      await page.getByRole('heading', { name: 'Enter the code', level: 1 }).waitFor();
      await page.getByLabel('Code', { exact: true }).fill(await mailedCode());
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('heading', { name: 'My tokens' }).waitFor();
      await page.getByRole('button', { name: 'Log out' }).click();
    }
    await passwordOnly(page, 'carol');
    await page.getByText('Your code could not be sent just now.').waitFor();
    assert.equal(new URL(page.url()).pathname, '/self/login');
    assert.match(String(adminEvents('self.send-code', 'carol').at(-1)?.detail), /^no code sent: delivery limited/);
  });
});
