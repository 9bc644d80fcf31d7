// The self-service portal in Debian's Chromium, users from a users file:
// a user logs in with the directory password, enrolls a TOTP token (the key
// read off the page, the code from oathtool), and then logs in over RADIUS
// through radclient; a wrong first code keeps the token pending; a first
// token behind an enrollment code from the CLI; the next login needs the
// OTP; a new PIN with the current code; a disabled token is rejected by
// RADIUS.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { expectAccessible, shot, useBrowser } from '../helpers/browser.ts';
import { codeNow, enrollTotp, keyOnPage, selfLogIn, startSelfStack, type SelfStack } from './self-fixture.ts';

const CONFIG = 'selfService:\n  realms:\n    default: { enrollmentCode: false }\n';

async function adminAudit(s: SelfStack, action: string, actor: string): Promise<{ result: string; reason: string; serial: string | null }[]> {
  // The audit table is written a moment after the event.
  for (let i = 0; i < 50; i++) {
    const rows = (await s.stack.running.services.store.audit.query({ event: 'admin', limit: 500 })).filter((r) => r.action === action && r.actor === actor);
    if (rows.length > 0) return rows;
    await new Promise((r) => setTimeout(r, 50));
  }
  return [];
}

describe('self-service portal in a browser', () => {
  const browser = useBrowser();
  let s: SelfStack;

  before(async () => {
    s = await startSelfStack(CONFIG);
  });
  after(async () => {
    await s.stop();
  });

  test('a user logs in with the directory password, enrolls a TOTP token from the key on the page, and logs in over RADIUS', async () => {
    const page = await browser.open();
    await page.goto(`${s.base}/self/`);
    assert.equal(new URL(page.url()).pathname, '/self/login');
    await expectAccessible(page, 'portal login');
    await shot(page, 'self-login');
    await selfLogIn(page, s.base, 'alice');
    await page.getByText('You have no token yet.').waitFor();
    await expectAccessible(page, 'my tokens, none yet');
    await page.getByRole('link', { name: 'Enroll your first token' }).click();
    await page.getByLabel('Name (optional)').fill('Work phone');
    await page.getByLabel('PIN', { exact: true }).fill('2468');
    await page.getByLabel('PIN again').fill('2468');
    await expectAccessible(page, 'enrollment form');
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${s.base}/self/enroll` && r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Create the token' }).click(),
    ]);
    assert.equal(answer.headers()['cache-control'], 'no-store', 'the page with the seed is never stored');
    await page.getByRole('heading', { name: 'Add the token to your app' }).waitFor();
    const key = await keyOnPage(page);
    assert.match(key, /^[A-Z2-7]{32}$/);
    assert.equal(await page.getByTestId('issuer').textContent(), 'otp-radius');
    assert.equal(await page.getByTestId('account').textContent(), 'alice');
    const appLink = page.locator('.open-app a');
    const uri = new URL((await appLink.getAttribute('href'))!);
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.host, 'totp');
    assert.equal(decodeURIComponent(uri.pathname), '/otp-radius:alice', 'issuer and account as the page shows them');
    assert.equal(uri.searchParams.get('secret'), key, 'the key on the page is the one in the QR code');
    assert.equal(uri.searchParams.get('issuer'), 'otp-radius');
    assert.match((await page.getByTestId('qr').getAttribute('src')) ?? '', /^data:image\/svg\+xml;base64,/);
    assert.equal(await appLink.isVisible(), false, 'on a desktop the app link is hidden');
    await expectAccessible(page, 'QR step');
    await shot(page, 'self-enroll-qr');
    const serial = decodeURIComponent(/\/tokens\/([^/]+)\/verify$/.exec((await page.locator('#verify-form').getAttribute('action'))!)![1]!);
    assert.equal((await s.stack.running.services.store.getToken(serial))!.pending, true, 'pending until a code is typed');

    // Sending the form again (a reload) shows no key: the token waits for its code, the seed is gone.
    await page.reload();
    await page.getByRole('heading', { name: `The first code of ${serial}` }).waitFor();
    assert.equal(await page.getByTestId('secret').count(), 0);
    assert.equal((await page.content()).includes(key), false, 'the key is nowhere on the page');
    assert.equal(await s.stack.running.services.store.countTokens({}), 1, 'no second token');

    await page.getByLabel('Code from your app').fill(await codeNow(s, key));
    await page.getByRole('button', { name: 'Check the code' }).click();
    await page.getByRole('heading', { name: 'Your token is ready' }).waitFor();
    assert.equal(await page.getByTestId('vpn-user').textContent(), 'alice');
    assert.match((await page.getByTestId('vpn-password').textContent()) ?? '', /^Your PIN followed by the code your app shows/);
    assert.match((await page.getByTestId('vpn-challenge').textContent()) ?? '', /Or type your PIN alone: the VPN then asks for the code\./);
    await expectAccessible(page, 'done step');
    await shot(page, 'self-enroll-done');

    s.ahead.seconds += 30;
    const reply = await s.stack.auth('alice', `2468${await codeNow(s, key)}`);
    assert.equal(reply.code, 'accept', reply.stdout);
    await page.getByRole('link', { name: 'Back to my tokens' }).click();
    const card = page.getByTestId('token');
    assert.equal(await card.getByTestId('state').textContent(), 'Active');
    assert.match((await card.textContent()) ?? '', /Work phone/);
    assert.doesNotMatch((await card.textContent()) ?? '', /Never/, 'last used: the RADIUS login');
    await shot(page, 'self-tokens');
    const enrolled = await adminAudit(s, 'self.enroll', 'alice@default');
    assert.deepEqual(
      enrolled.filter((r) => r.result === 'ok').map((r) => r.serial),
      [serial],
    );
    assert.match(enrolled.find((r) => r.result === 'refused')?.reason ?? '', /waits for its first code/, 'the reload sent the form again and was refused');
    assert.equal((await adminAudit(s, 'self.verify', 'alice@default'))[0]?.result, 'ok');
    assert.equal((await adminAudit(s, 'self.login', 'alice@default'))[0]?.result, 'ok');
  });

  test('a wrong first code keeps the token pending: the answer says so and the QR code stays on the page', async () => {
    const page = await browser.open();
    browser.expectConsole(/status of 422/);
    await selfLogIn(page, s.base, 'bob');
    await page.goto(`${s.base}/self/enroll`);
    await page.getByLabel('PIN', { exact: true }).fill('1357');
    await page.getByLabel('PIN again').fill('1357');
    await page.getByRole('button', { name: 'Create the token' }).click();
    const key = await keyOnPage(page);
    await page.getByLabel('Code from your app').fill('000000');
    await page.getByRole('button', { name: 'Check the code' }).click();
    await page.getByRole('alert').getByText('That code is not right, so nothing changed.').waitFor();
    assert.ok(await page.getByTestId('qr').isVisible(), 'htmx swapped the form only');
    assert.equal(await keyOnPage(page), key);
    await page.goto(`${s.base}/self/`);
    assert.equal(await page.getByTestId('token').getByTestId('state').textContent(), 'Waiting for its first code');
    assert.equal((await s.stack.auth('bob', `1357${await codeNow(s, key)}`)).code, 'reject', 'a pending token does not log in');

    // Later, from the list: the code form of the pending token, without the key.
    await page.getByRole('link', { name: 'Type its first code' }).click();
    assert.equal((await page.content()).includes(key), false);
    await page.getByLabel('Code from your app').fill(await codeNow(s, key));
    await page.getByRole('button', { name: 'Check the code' }).click();
    await page.getByRole('heading', { name: 'Your token is ready' }).waitFor();
  });

  test('without JavaScript a wrong first code gives the code form again, and the key is not shown again', async () => {
    const page = await browser.open({ javaScriptEnabled: false });
    browser.expectConsole(/status of 422/);
    await selfLogIn(page, s.base, 'ivan');
    await page.goto(`${s.base}/self/enroll`);
    await page.getByLabel('PIN', { exact: true }).fill('8642');
    await page.getByLabel('PIN again').fill('8642');
    await page.getByRole('button', { name: 'Create the token' }).click();
    const key = await keyOnPage(page);
    await page.getByLabel('Code from your app').fill('999999');
    await page.getByRole('button', { name: 'Check the code' }).click();
    await page.getByText('That code is not right, so nothing changed.').waitFor();
    assert.equal((await page.content()).includes(key), false);
    await page.getByLabel('Code from your app').fill(await codeNow(s, key));
    await page.getByRole('button', { name: 'Check the code' }).click();
    await page.getByRole('heading', { name: 'Your token is ready' }).waitFor();
  });

  test('a first token in a realm that asks for an enrollment code: refused without it; a first try abandoned gives the code back; enrolled with it', async () => {
    const page = await browser.open();
    browser.expectConsole(/status of 422/);
    await selfLogIn(page, s.base, 'carol@lab');
    await page.goto(`${s.base}/self/enroll`);
    await page.getByLabel('Enrollment code').fill('AAAA-BBBB-CCCC-DDDD');
    await page.getByLabel('PIN', { exact: true }).fill('9753');
    await page.getByLabel('PIN again').fill('9753');
    await page.getByRole('button', { name: 'Create the token' }).click();
    await page.getByRole('alert').getByText('The enrollment code is wrong, was used already, or has expired.').waitFor();
    const made = await s.stack.cli(['admin', 'enrollment-code', 'carol', '--realm', 'lab']);
    assert.equal(made.code, 0, made.stderr);
    const code = made.stdout.trim().toLowerCase();

    // A first try abandoned at the QR step (the phone was not at hand): deleting the waiting token gives the code back.
    await page.goto(`${s.base}/self/enroll`);
    await page.getByLabel('Enrollment code').fill(code);
    await page.getByLabel('PIN', { exact: true }).fill('9753');
    await page.getByLabel('PIN again').fill('9753');
    await page.getByRole('button', { name: 'Create the token' }).click();
    await page.getByRole('heading', { name: 'Add the token to your app', level: 1 }).waitFor();
    await page.goto(`${s.base}/self/`);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Your enrollment code works again').waitFor();

    const { key } = await enrollTotp(page, s, { code, pin: '9753' });
    assert.equal(await page.getByTestId('vpn-user').textContent(), 'carol@lab');
    assert.equal((await s.stack.auth('carol@lab', `9753${await codeNow(s, key)}`)).code, 'accept');
  });

  test('once a token guards the account, a login needs its code too; a new PIN needs the current code', async () => {
    const page = await browser.open();
    browser.expectConsole(/status of 422/);
    await selfLogIn(page, s.base, 'dave');
    const { key, serial } = await enrollTotp(page, s, { pin: '1470' });
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByText('You are logged out.').waitFor();

    await page.getByLabel('User name').fill('dave');
    await page.getByLabel('Password', { exact: true }).fill('alice-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').getByText('If you already have a token, its current code is needed too.').waitFor();
    await selfLogIn(page, s.base, 'dave', await codeNow(s, key));
    await page.getByRole('heading', { name: 'My tokens' }).waitFor();
    assert.equal((await adminAudit(s, 'self.login', 'dave@default')).filter((r) => r.result === 'refused').length, 1);

    await page.getByRole('link', { name: 'Set a new PIN' }).click();
    await page.getByRole('heading', { name: `A new PIN for ${serial}` }).waitFor();
    await expectAccessible(page, 'PIN page');
    await page.getByLabel('Code from this token').fill('123456');
    await page.getByLabel('New PIN').fill('3691');
    await page.getByLabel('PIN again').fill('3691');
    await page.getByRole('button', { name: 'Set the PIN' }).click();
    await page.getByRole('alert').getByText('That code is not right').waitFor();
    s.ahead.seconds += 30;
    await page.getByLabel('Code from this token').fill(await codeNow(s, key));
    await page.getByLabel('New PIN').fill('3691');
    await page.getByLabel('PIN again').fill('3691');
    await page.getByRole('button', { name: 'Set the PIN' }).click();
    await page.getByText(`${serial} has its new PIN.`).waitFor();
    s.ahead.seconds += 30;
    assert.equal((await s.stack.auth('dave', `1470${await codeNow(s, key)}`)).code, 'reject', 'the old PIN');
    s.ahead.seconds += 30;
    assert.equal((await s.stack.auth('dave', `3691${await codeNow(s, key)}`)).code, 'accept', 'the new PIN');
  });

  test('a lost phone: the disabled token is rejected over RADIUS; the last working token cannot be deleted', async () => {
    const page = await browser.open();
    browser.expectConsole(/status of 422/);
    await selfLogIn(page, s.base, 'erin');
    const { key, serial } = await enrollTotp(page, s, { pin: '2580' });
    await page.goto(`${s.base}/self/`);
    page.on('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('alert').getByText('This is your last working token, so it cannot be deleted.').waitFor();
    await page.getByRole('button', { name: 'Disable (lost or stolen)' }).click();
    await page.getByText(`${serial} is disabled and no longer works.`).waitFor();
    assert.equal(await page.getByTestId('token').getByTestId('state').textContent(), 'Disabled');
    const reply = await s.stack.auth('erin', `2580${await codeNow(s, key)}`);
    assert.equal(reply.code, 'reject');
    assert.equal(s.stack.audits().at(-1)!.reason, 'disabled');
    assert.equal((await adminAudit(s, 'self.disable', 'erin@default'))[0]?.serial, serial);
  });
});
