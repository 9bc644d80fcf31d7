// The token actions of a user's page in Debian's Chromium, each checked
// where it shows: an e-mail token enrolled with an address gets a test
// message at a real SMTP server; a static password enrolled with its PIN
// logs in over RADIUS; a new PIN, a resync with two codes and a removed PIN
// change what RADIUS accepts; a spare token is assigned, unassigned and
// deleted.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { enrollToken } from '../../src/auth/admin.ts';
import { hotp } from '../../src/otp/hotp.ts';
import { CLI, type AdminStack } from '../http/admin-fixture.ts';
import { expectAccessible, useBrowser } from '../helpers/browser.ts';
import { startMailServer, type MailServer } from '../helpers/mail-server.ts';
import { logIn, startConsoleStack } from './fixture.ts';

const SEED = Buffer.from('12345678901234567890');

describe('console token actions in a browser', () => {
  const browser = useBrowser();
  let mail: MailServer;
  let s: AdminStack;

  before(async () => {
    mail = await startMailServer({ tls: 'none' });
    s = await startConsoleStack(`delivery:
  email:
    smtp: { host: 127.0.0.1, port: ${mail.port}, tls: none }
    from: "VPN login <otp@example.org>"
    body: "Your code is {otp}."
`);
    const admin = s.stack.running.services.admin;
    await enrollToken(admin, CLI, { type: 'hotp', user: 'alice', seed: SEED, pin: '1111', serial: 'ACT-HOTP' });
    await enrollToken(admin, CLI, { type: 'hotp', serial: 'ACT-SPARE', description: 'drawer 3' });
  });
  after(async () => {
    await s?.stop();
    await mail?.close();
  });

  const token = (serial: string) => s.stack.running.services.store.getToken(serial);

  test('an e-mail token enrolled with an address gets a test message there; a static password logs in with its PIN', async () => {
    const page = await browser.open();
    await logIn(page, s.base, 'desk');
    await page.goto(`${s.base}/console/users/default/bob`);
    await page.getByLabel('Type').selectOption('email');
    await page.getByLabel('E-mail address (e-mail tokens)').fill('Bob.Builder@Example.org');
    await page.getByRole('button', { name: 'Enroll' }).click();
    const enrolled = /Token (EMAIL\S+) is enrolled\./.exec((await page.getByRole('status').first().textContent()) ?? '');
    assert.ok(enrolled, 'an e-mail token needs no QR code: back on the user page');
    const serial = enrolled[1]!;
    const card = page.locator(`article[data-serial="${serial}"]`);
    assert.match((await card.textContent()) ?? '', /bob\.builder@example\.org/);
    await expectAccessible(page, 'user page with an e-mail token');
    await card.getByRole('button', { name: `Send a test message ${serial}` }).click();
    await page.getByText(new RegExp(`A test message went to .+ \\(token ${serial}\\)\\.`)).waitFor();
    const message = await mail.nextMail();
    assert.deepEqual(message.rcptTo, ['bob.builder@example.org']);
    assert.match(message.parsed.text ?? '', /Your code is TEST\./);

    await page.getByLabel('Type').selectOption('spass');
    await page.getByLabel('Token PIN').fill('break-glass-42');
    await page.getByRole('button', { name: 'Enroll' }).click();
    await page.getByText(/Token SPASS\S+ is enrolled\./).waitFor();
    assert.equal((await s.stack.auth('bob', 'break-glass-42')).code, 'accept');
  });

  test('a new PIN, a resync with two codes and a removed PIN change what RADIUS accepts', async () => {
    const page = await browser.open();
    page.on('dialog', (d) => void d.accept());
    await logIn(page, s.base, 'desk');
    await page.goto(`${s.base}/console/users/default/alice`);
    const card = page.locator('article[data-serial="ACT-HOTP"]');

    await card.locator('summary').filter({ hasText: /^PIN/ }).click();
    await card.getByLabel('New PIN').fill('2222');
    await card.getByRole('button', { name: 'Set the PIN' }).click();
    await page.getByText('The PIN of token ACT-HOTP is set.').waitFor();
    assert.equal((await s.stack.auth('alice', `1111${hotp(SEED, 0)}`)).code, 'reject', 'the old PIN');
    assert.equal((await s.stack.auth('alice', `2222${hotp(SEED, 1)}`)).code, 'accept', 'the new PIN');

    // Codes far ahead of the counter: outside the window, inside the sync window.
    await card
      .locator('summary')
      .filter({ hasText: /^Resynchronize/ })
      .click();
    await card.getByLabel('First code').fill(hotp(SEED, 40));
    await card.getByLabel('Next code').fill(hotp(SEED, 41));
    await card.getByRole('button', { name: 'Resynchronize' }).click();
    await page.getByText('Token ACT-HOTP is resynchronized.').waitFor();
    assert.equal((await s.stack.auth('alice', `2222${hotp(SEED, 42)}`)).code, 'accept');

    await card.locator('summary').filter({ hasText: /^PIN/ }).click();
    await card.getByRole('button', { name: 'Remove the PIN' }).click();
    await page.getByText('Token ACT-HOTP has no PIN now.').waitFor();
    assert.equal((await token('ACT-HOTP'))!.pinHash, null);
    assert.equal((await s.stack.auth('alice', hotp(SEED, 43))).code, 'accept', 'the code alone');

    // A resync with codes that do not follow each other: the notice says why, nothing changes.
    await card
      .locator('summary')
      .filter({ hasText: /^Resynchronize/ })
      .click();
    await card.getByLabel('First code').fill(hotp(SEED, 60));
    await card.getByLabel('Next code').fill(hotp(SEED, 62));
    await card.getByRole('button', { name: 'Resynchronize' }).click();
    await page
      .getByRole('alert')
      .getByText(/ACT-HOTP: not done: the two OTPs are not consecutive codes/)
      .waitFor();
  });

  test('a spare token is assigned to the user, unassigned again, and deleted by an admin', async () => {
    const page = await browser.open();
    page.on('dialog', (d) => void d.accept());
    await logIn(page, s.base, 'boss');
    await page.goto(`${s.base}/console/users/default/bob`);
    await page.getByLabel('Spare token', { exact: true }).selectOption('ACT-SPARE');
    await page.getByRole('button', { name: 'Assign', exact: true }).click();
    await page.getByText('Token ACT-SPARE is assigned to bob.').waitFor();
    assert.equal((await token('ACT-SPARE'))!.owner?.login, 'bob');
    const card = page.locator('article[data-serial="ACT-SPARE"]');
    await card.getByRole('button', { name: 'Unassign ACT-SPARE' }).click();
    await page.getByText('Token ACT-SPARE is unassigned.').waitFor();
    assert.equal((await token('ACT-SPARE'))!.owner, null);
    await page.getByLabel('Spare token', { exact: true }).selectOption('ACT-SPARE');
    await page.getByRole('button', { name: 'Assign', exact: true }).click();
    await page.locator('article[data-serial="ACT-SPARE"]').getByRole('button', { name: 'Delete ACT-SPARE' }).click();
    await page.getByText('Token ACT-SPARE is deleted.').waitFor();
    assert.equal(await token('ACT-SPARE'), undefined);
  });
});
