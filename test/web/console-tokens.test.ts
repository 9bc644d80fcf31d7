// The console's tokens in Debian's Chromium: the list's filters and pages,
// a bulk disable of two tokens (a confirmation naming them, then a summary
// per serial, a token outside the role's realms refused), select all, the import of an
// OATH CSV file (a preview listing every token, a file with problems
// naming each, then the import), CSRF refused on a form without its
// token, a phone's width and axe-core.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { enrollToken } from '../../src/auth/admin.ts';
import { CLI, type AdminStack } from '../http/admin-fixture.ts';
import { expectAccessible, scrollsSideways, shot, useBrowser } from '../helpers/browser.ts';
import { logIn, logInGerman, startConsoleStack } from './fixture.ts';

const KEY = '3132333435363738393031323334353637383930';

/** Adds a ticked serial the page did not offer to the bulk form, as a forged request would. */
function smuggle(page: Page, serial: string): Promise<void> {
  return page
    .locator('input[name="serial"]')
    .first()
    .evaluate((input: HTMLInputElement, value: string) => {
      const extra = input.cloneNode() as HTMLInputElement;
      extra.value = value;
      extra.checked = true;
      input.after(extra);
    }, serial);
}

describe('console tokens in a browser', () => {
  const browser = useBrowser();
  let s: AdminStack;

  before(async () => {
    s = await startConsoleStack();
    const admin = s.stack.running.services.admin;
    await enrollToken(admin, CLI, { type: 'hotp', user: 'alice', serial: 'BULK-1' });
    await enrollToken(admin, CLI, { type: 'hotp', user: 'alice', realm: 'lab', serial: 'BULK-2' });
    await enrollToken(admin, CLI, { type: 'totp', user: 'bob', serial: 'BULK-3' });
    for (let i = 0; i < 60; i++) await enrollToken(admin, CLI, { type: 'totp', serial: `SPARE-${String(i).padStart(2, '0')}` });
  });
  after(async () => {
    await s.stop();
  });

  const token = (serial: string) => s.stack.running.services.store.getToken(serial);

  test('filters and pages: serial prefix, type, state; the next page goes on where the first ended', async () => {
    const page = await browser.open();
    await logIn(page, s.base, 'desk');
    await page.getByRole('link', { name: 'Tokens' }).click();
    const serials = () => page.getByTestId('tokens').locator('tbody th').allTextContents();
    assert.equal((await serials()).length, 50, 'a page of 50');
    await page.getByRole('link', { name: 'Next page' }).click();
    assert.equal((await serials()).length, 13, 'the other 13');
    await page.getByLabel('Serial starts with').fill('BULK');
    await page.getByRole('button', { name: 'Filter' }).click();
    assert.deepEqual(await serials(), ['BULK-1', 'BULK-2', 'BULK-3']);
    await page.getByLabel('Type').selectOption('totp');
    await page.getByRole('button', { name: 'Filter' }).click();
    assert.deepEqual(await serials(), ['BULK-3']);
    assert.match(page.url(), /serialPrefix=BULK&type=totp/, 'the filter is in the link, for a bookmark');
    await page.goto(`${s.base}/console/tokens?state=unassigned&serialPrefix=SPARE-5`);
    assert.equal((await serials()).length, 10);
    await expectAccessible(page, 'token list');
  });

  test('bulk disable of two tokens: a confirmation that names them, then a summary; one outside the realm is refused', async () => {
    const page = await browser.open();
    await logIn(page, s.base, 'labdesk');
    await page.goto(`${s.base}/console/tokens?serialPrefix=BULK`);
    assert.deepEqual(await page.getByTestId('tokens').locator('tbody th').allTextContents(), ['BULK-2'], 'labdesk sees the tokens of lab only');

    const boss = await browser.open();
    await logIn(boss, s.base, 'boss');
    await boss.goto(`${s.base}/console/tokens?serialPrefix=BULK`);
    await boss.getByRole('checkbox', { name: 'Select BULK-1' }).check();
    await boss.getByRole('checkbox', { name: 'Select BULK-3' }).check();
    await boss.getByRole('button', { name: 'Disable', exact: true }).click();
    await boss.getByText('Disable these 2 tokens?').waitFor();
    assert.deepEqual(await boss.getByTestId('bulk-serials').locator('li').allTextContents(), ['BULK-1', 'BULK-3']);
    assert.equal((await token('BULK-1'))!.active, true, 'nothing happens before the confirmation');
    await expectAccessible(boss, 'bulk confirmation');
    await boss.getByRole('button', { name: 'Disable 2 tokens' }).click();
    assert.equal(await boss.getByTestId('bulk-summary').textContent(), '2 done, 0 not done.');
    assert.equal((await token('BULK-1'))!.active, false);
    assert.equal((await token('BULK-3'))!.active, false);
    assert.equal((await token('BULK-2'))!.active, true);
    await shot(boss, 'console-bulk-done');
    await boss.getByRole('link', { name: 'Back to the tokens' }).click();
    assert.equal(await boss.getByTestId('tokens').locator('tbody tr').filter({ hasText: 'disabled' }).count(), 2);

    // The labdesk's form with a token of another realm smuggled in: that one is refused, the other done.
    await page.getByRole('checkbox', { name: 'Select BULK-2' }).check();
    await smuggle(page, 'BULK-1');
    await page.getByRole('button', { name: 'Enable', exact: true }).click();
    await page.getByRole('button', { name: 'Enable 2 tokens' }).click();
    assert.equal(await page.getByTestId('bulk-summary').textContent(), '1 done, 1 not done.');
    const outcomes = await page.getByTestId('bulk-outcomes').locator('tbody tr').allTextContents();
    assert.match(outcomes.find((o) => o.includes('BULK-1'))!, /not done: labdesk may act on realm lab only/);
    assert.equal((await token('BULK-1'))!.active, false);

    // The same refusal on German pages is German.
    const german = await browser.open();
    await logInGerman(german, s.base, 'labdesk');
    await german.goto(`${s.base}/console/tokens?serialPrefix=BULK`);
    await german.getByRole('checkbox', { name: 'BULK-2 auswählen' }).check();
    await smuggle(german, 'BULK-1');
    await german.getByRole('button', { name: 'Aktivieren', exact: true }).click();
    await german.getByRole('button', { name: '2 Token: Aktivieren' }).click();
    const deOutcomes = await german.getByTestId('bulk-outcomes').locator('tbody tr').allTextContents();
    assert.match(deOutcomes.find((o) => o.includes('BULK-1'))!, /nicht erledigt: labdesk darf nur im Realm lab handeln/);
  });

  test('select all: every token shown at once, mixed after one is unticked, and the bulk action takes the rest', async () => {
    const page = await browser.open();
    await logIn(page, s.base, 'boss');
    await page.goto(`${s.base}/console/tokens?serialPrefix=SPARE-1`);
    const all = page.getByRole('checkbox', { name: 'Select all tokens shown' });
    const rows = page.getByRole('checkbox', { name: /^Select SPARE-1/ });
    assert.equal(await rows.count(), 10);
    await all.check();
    assert.deepEqual(await rows.evaluateAll((boxes) => boxes.map((b) => (b as HTMLInputElement).checked)), Array(10).fill(true));
    await page.getByRole('checkbox', { name: 'Select SPARE-15' }).uncheck();
    assert.equal(await all.evaluate((b) => (b as HTMLInputElement).indeterminate), true, 'some, not all: mixed');
    assert.equal(await all.isChecked(), false);
    await page.getByRole('checkbox', { name: 'Select SPARE-15' }).check();
    assert.equal(await all.isChecked(), true, 'all again');
    await page.getByRole('checkbox', { name: 'Select SPARE-15' }).uncheck();
    await page.getByRole('button', { name: 'Disable', exact: true }).click();
    await page.getByText('Disable these 9 tokens?').waitFor();
    assert.equal((await page.getByTestId('bulk-serials').locator('li').allTextContents()).includes('SPARE-15'), false);
    await page.getByRole('button', { name: 'Disable 9 tokens' }).click();
    assert.equal(await page.getByTestId('bulk-summary').textContent(), '9 done, 0 not done.');
    assert.equal((await token('SPARE-14'))!.active, false);
    assert.equal((await token('SPARE-15'))!.active, true);
    await page.getByRole('link', { name: 'Back to the tokens' }).click();
    await all.uncheck();
    assert.equal(await rows.evaluateAll((boxes) => boxes.filter((b) => (b as HTMLInputElement).checked).length), 0, 'unticking it clears every row');
    await expectAccessible(page, 'token list with select all');
  });

  test('CSRF: a bulk form without its token, or with a wrong one, is refused and changes nothing', async () => {
    const page = await browser.open();
    browser.expectConsole(/status of 403/);
    await logIn(page, s.base, 'boss');
    await page.goto(`${s.base}/console/tokens?serialPrefix=BULK-2`);
    await page.locator('form[action="/console/tokens/bulk"] input[name="_csrf"]').evaluate((input) => input.remove());
    await page.getByRole('checkbox', { name: 'Select BULK-2' }).check();
    await page.getByRole('button', { name: 'Disable', exact: true }).click();
    await page.getByRole('heading', { name: 'The form was not accepted' }).waitFor();
    const forged = await page.request.post(`${s.base}/console/tokens/bulk`, { form: { action: 'disable', serial: 'BULK-2', confirmed: '1', _csrf: 'not the token' } });
    assert.equal(forged.status(), 403);
    const api = await page.request.post(`${s.base}/api/v1/tokens/BULK-2/disable`);
    assert.equal(api.status(), 403, 'the API without X-CSRF-Token');
    assert.equal((await token('BULK-2'))!.active, true);
  });

  test('import: a file with problems names each, a preview lists every token and writes nothing, then the import', async () => {
    const page = await browser.open();
    browser.expectConsole(/status of 422/);
    await logIn(page, s.base, 'boss');
    await page.goto(`${s.base}/console/tokens`);
    await page.getByRole('link', { name: 'Import tokens from a file' }).click();
    await expectAccessible(page, 'import form');

    await page
      .getByLabel('File')
      .setInputFiles({ name: 'broken.csv', mimeType: 'text/csv', buffer: Buffer.from(`IMP-1, ${KEY}, hotp, 6\nIMP-2, nothex, totp, 6, 30\nIMP-3, ${KEY}, hotp, 6, 0, mallory\n`) });
    await page.getByRole('button', { name: 'Preview' }).click();
    const problems = await page.getByTestId('import-problems').locator('li').allTextContents();
    assert.deepEqual(
      problems.map((p) => p.split(': ')[0]),
      ['broken.csv:2', 'broken.csv:3'],
      'every problem, with its line',
    );
    assert.match(problems[0]!, /seed: not valid hex/);
    assert.equal(await token('IMP-1'), undefined, 'nothing imported');

    const csv = `# hardware tokens, batch 7\nIMP-1, ${KEY}, hotp, 6\nIMP-2, ${KEY}, totp, 6, 30\n`;
    await page.getByLabel('File').setInputFiles({ name: 'batch7.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByLabel('Login').fill('bob');
    await page.getByRole('button', { name: 'Preview' }).click();
    assert.equal(await page.getByTestId('import-summary').textContent(), 'The import of batch7.csv would create 2 and update 0 tokens.');
    assert.deepEqual(await page.getByTestId('import-tokens').locator('tbody tr').allTextContents(), ['IMP-1hotpbob@defaultnew', 'IMP-2totpbob@defaultnew']);
    assert.equal(await token('IMP-1'), undefined, 'a preview writes nothing');
    await expectAccessible(page, 'import preview');
    await shot(page, 'console-import-preview');
    const [answer] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/tokens/import')), page.getByRole('button', { name: 'Import 2 tokens' }).click()]);
    assert.equal(answer.headers()['cache-control'], 'no-store');
    assert.equal(await page.getByTestId('import-summary').textContent(), 'Imported from batch7.csv: 2 created, 0 updated.');
    assert.equal((await token('IMP-1'))!.owner?.login, 'bob');
    assert.equal((await token('IMP-2'))!.type, 'totp');
  });

  test('the helpdesk may not import, and a phone shows the list without sideways scrolling', async () => {
    const page = await browser.open({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    browser.expectConsole(/status of 403/);
    await logIn(page, s.base, 'desk');
    await page.goto(`${s.base}/console/tokens`);
    assert.equal(await scrollsSideways(page), false, 'token list on a phone');
    await expectAccessible(page, 'token list on a phone');
    await shot(page, 'console-tokens-phone');
    const refused = await page.goto(`${s.base}/console/tokens/import`);
    assert.equal(refused!.status(), 403);
  });
});
