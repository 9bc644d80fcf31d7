// The console's audit table in Debian's Chromium: RADIUS authentications
// (one with a user name a spreadsheet would run as a formula, one with a
// comma and quotes) filtered by result, reason and NAS, paged, then the
// same filter downloaded as CSV through the browser and read back: header,
// rows, quoting, the formula guard, the file name. The helpdesk has no
// audit; German and axe-core.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { enrollToken } from '../../src/auth/admin.ts';
import { hotp } from '../../src/otp/hotp.ts';
import { CLI, type AdminStack } from '../http/admin-fixture.ts';
import { expectAccessible, scrollsSideways, shot, useBrowser } from '../helpers/browser.ts';
import { logIn, startConsoleStack } from './fixture.ts';

const SEED = Buffer.from('12345678901234567890');

/** RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (quoted && c === '"') {
      quoted = false;
    } else if (quoted) {
      cell += c;
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else {
      cell += c;
    }
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

describe('console audit in a browser', () => {
  const browser = useBrowser();
  let s: AdminStack;

  before(async () => {
    s = await startConsoleStack();
    await enrollToken(s.stack.running.services.admin, CLI, { type: 'hotp', user: 'alice', seed: SEED, pin: '1234', serial: 'AUD-1' });
    assert.equal((await s.stack.auth('alice', `1234${hotp(SEED, 0)}`)).code, 'accept');
    assert.equal((await s.stack.auth('alice', '1234000000')).code, 'reject');
    // radclient reads \" inside a quoted value as a quote.
    assert.equal((await s.stack.auth('=HYPERLINK(\\"http://x\\")', 'whatever')).code, 'reject');
    assert.equal((await s.stack.auth('eve, \\"the\\" intruder', 'whatever')).code, 'reject');
    assert.equal((await s.stack.auth('@sum', 'whatever')).code, 'reject');
    await s.stack.running.services.admin.audit.flush?.();
  });
  after(async () => {
    await s.stop();
  });

  test('the auditor filters the table by result, reason and NAS, and follows a row to the user', async () => {
    const page = await browser.open();
    await logIn(page, s.base, 'audit');
    await page.getByRole('link', { name: 'Audit' }).click();
    const table = page.getByTestId('audit');
    assert.ok((await table.locator('tbody tr').count()) >= 6, 'the authentications and the logins');
    await page.getByLabel('Result').selectOption('reject');
    await page.getByLabel('Kind').selectOption('auth');
    await page.getByRole('button', { name: 'Filter' }).click();
    assert.equal(await table.locator('tbody tr').count(), 4);
    await page.getByLabel('Reason').fill('WRONG');
    await page.getByLabel('NAS or actor').fill('local');
    await page.getByRole('button', { name: 'Filter' }).click();
    const rows = await table.locator('tbody tr').allTextContents();
    assert.equal(rows.length, 1);
    assert.match(rows[0]!, /alice.*AUD-1/s);
    assert.match(rows[0]!, /wrong otp/);
    await page.getByLabel('NAS or actor').fill('another-nas');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('No row matches.').waitFor();

    await page.goto(`${s.base}/console/audit?event=auth`);
    await expectAccessible(page, 'audit table');
    // docs/images/console-audit.png is a copy of this one.
    await shot(page, 'console-audit');
    await table.getByRole('link', { name: 'alice' }).first().click();
    await page.getByRole('heading', { name: 'alice in default' }).waitFor();
  });

  test('the filtered rows as a CSV download: header, every row, RFC 4180 quoting, no formula, a dated name', async () => {
    const page = await browser.open({ acceptDownloads: true });
    await logIn(page, s.base, 'audit');
    await page.goto(`${s.base}/console/audit?event=auth&result=reject`);
    const shown = await page.getByTestId('audit').locator('tbody tr').count();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export these rows as CSV' }).click()]);
    assert.equal(download.suggestedFilename(), `otp-radius-audit-${new Date().toISOString().slice(0, 10)}.csv`);
    const bytes = readFileSync((await download.path())!);
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a byte order mark for spreadsheet programs');
    const text = bytes.subarray(3).toString('utf8');
    assert.ok(text.endsWith('\r\n'), 'CRLF line ends');
    const [header, ...rows] = parseCsv(text);
    assert.deepEqual(header, ['time', 'event', 'actor', 'action', 'result', 'reason', 'user', 'realm', 'serial', 'address', 'details']);
    assert.equal(rows.length, shown, 'the rows the table shows');
    assert.ok(rows.every((r) => r.length === header!.length && r[1] === 'auth' && r[4] === 'reject'));
    const users = rows.map((r) => r[6]);
    assert.ok(users.includes('eve, "the" intruder'), 'commas and quotes survive the quoting');
    assert.ok(users.includes(`'=HYPERLINK("http://x")`), 'a formula is defused with a leading quote');
    assert.ok(users.includes(`'@sum`));
    assert.ok(!rows.flat().some((cell) => /^[=+\-@]/.test(cell)), 'no cell starts like a formula');
    assert.match(text, /"'=HYPERLINK\(""http:\/\/x""\)"/, 'the raw text quotes the cell and doubles its quotes');
    assert.ok(
      rows.every((r) => !Number.isNaN(Date.parse(r[0]!))),
      'ISO 8601 times',
    );

    const answer = await page.request.get(`${s.base}/console/audit/export?user=alice`);
    assert.equal(answer.headers()['cache-control'], 'no-store');
    assert.match(answer.headers()['content-type']!, /^text\/csv; charset=utf-8/);
    assert.ok(
      parseCsv((await answer.text()).slice(1))
        .slice(1)
        .every((r) => r[6] === 'alice'),
    );
  });

  test('the helpdesk has no audit page or export; a bad time is a clear error', async () => {
    const page = await browser.open();
    browser.expectConsole(/status of 40[03]/);
    await logIn(page, s.base, 'desk');
    assert.equal(await page.getByRole('link', { name: 'Audit' }).count(), 0, 'no navigation entry');
    assert.equal((await page.goto(`${s.base}/console/audit`))!.status(), 403);
    assert.equal((await page.request.get(`${s.base}/console/audit/export`)).status(), 403);
    const boss = await browser.open();
    await logIn(boss, s.base, 'boss');
    const bad = await boss.goto(`${s.base}/console/audit?from=yesterday`);
    assert.equal(bad!.status(), 400);
  });

  test('German on a phone: the filter and the table fit, and read', async () => {
    const page = await browser.open({ locale: 'de-DE', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await page.goto(`${s.base}/console/login`);
    await page.getByLabel('Benutzername').fill('audit');
    await page.getByLabel('Passwort', { exact: true }).fill('a long enough password');
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.getByRole('link', { name: 'Protokoll' }).click();
    await page.getByRole('heading', { name: 'Protokoll', level: 1 }).waitFor();
    await page.getByLabel('NAS oder Handelnder').waitFor();
    assert.equal(await scrollsSideways(page), false);
    await expectAccessible(page, 'audit, German, phone');
    await shot(page, 'console-audit-phone-de');
  });
});
