// The console's import upload over plain HTTP, at its edges: a multipart
// body is read whole before the CSRF check (a missing token is refused), a
// file over admin.maxImportBytes or a second file is a 413 and nothing is
// imported, a preview carries the file back sealed to its session and
// imports only on the second step, a role that may not import is refused, and the other console forms
// do not take multipart bodies.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PASSWORD, type AdminStack, type Creds } from '../http/admin-fixture.ts';
import { startConsoleStack } from './fixture.ts';

const KEY = '3132333435363738393031323334353637383930';

describe('console import upload over HTTP', () => {
  let s: AdminStack;

  before(async () => {
    s = await startConsoleStack('admin: { maxImportBytes: 2048 }\n');
  });
  after(async () => {
    await s.stop();
  });

  function post(creds: Creds, fields: Record<string, string>, files: { name: string; content: string }[] = [], path = '/console/tokens/import'): Promise<Response> {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    for (const f of files) form.append('file', new Blob([f.content], { type: 'text/csv' }), f.name);
    const session = creds && 'session' in creds ? creds.session : undefined;
    return fetch(`${s.base}${path}`, { method: 'POST', body: form, redirect: 'manual', headers: session ? { cookie: session.cookie } : {} });
  }
  const csrfOf = (creds: Creds): string => (creds && 'session' in creds ? creds.session.csrf : '');
  const token = (serial: string) => s.stack.running.services.store.getToken(serial);

  test('preview, then import: the preview writes nothing and carries the file to the second step', async () => {
    const csrf = csrfOf(s.as.admin);
    const preview = await post(s.as.admin, { _csrf: csrf, step: 'preview' }, [{ name: 'one.csv', content: `UP-1, ${KEY}, hotp, 6\n` }]);
    assert.equal(preview.status, 200);
    assert.equal(preview.headers.get('cache-control'), 'no-store');
    const html = await preview.text();
    assert.match(html, /would create 1 and update 0 tokens/);
    assert.equal(await token('UP-1'), undefined);
    const carried = /name="carried" value="([^"]+)"/.exec(html)![1]!;
    assert.ok(!html.includes(KEY) && !Buffer.from(carried, 'base64url').toString('latin1').includes(KEY), 'the seed is not readable in the page');
    const other = await s.login('boss', PASSWORD);
    const elsewhere = await post(other.creds, { _csrf: csrfOf(other.creds), step: 'import', carried });
    assert.equal(elsewhere.status, 422, 'another session cannot use the preview');
    assert.match(await elsewhere.text(), /could not be read back/);
    const altered = `${carried.slice(0, 40)}${carried[40] === 'A' ? 'B' : 'A'}${carried.slice(41)}`;
    assert.equal((await post(s.as.admin, { _csrf: csrf, step: 'import', carried: altered })).status, 422);
    assert.equal(await token('UP-1'), undefined);
    const done = await post(s.as.admin, { _csrf: csrf, step: 'import', carried, filename: 'one.csv' });
    assert.match(await done.text(), /Imported from one.csv: 1 created, 0 updated/);
    assert.equal((await token('UP-1'))!.type, 'hotp');
  });

  test('without the CSRF token, or with a wrong one: 403 and nothing imported', async () => {
    const file = [{ name: 'x.csv', content: `UP-2, ${KEY}, hotp, 6\n` }];
    assert.equal((await post(s.as.admin, { step: 'import' }, file)).status, 403);
    assert.equal((await post(s.as.admin, { _csrf: 'wrong', step: 'import' }, file)).status, 403);
    assert.equal(await token('UP-2'), undefined);
  });

  test('a file over admin.maxImportBytes, or two files: 413 and nothing imported', async () => {
    const csrf = csrfOf(s.as.admin);
    const big = `UP-3, ${KEY}, hotp, 6\n${'# padding\n'.repeat(400)}`;
    const tooLarge = await post(s.as.admin, { _csrf: csrf, step: 'import' }, [{ name: 'big.csv', content: big }]);
    assert.equal(tooLarge.status, 413);
    assert.match(await tooLarge.text(), /larger than 2048 bytes/);
    const two = await post(s.as.admin, { _csrf: csrf, step: 'import' }, [
      { name: 'a.csv', content: `UP-4, ${KEY}\n` },
      { name: 'b.csv', content: `UP-5, ${KEY}\n` },
    ]);
    assert.equal(two.status, 413);
    assert.equal(await token('UP-3'), undefined);
    assert.equal(await token('UP-4'), undefined);
    const missing = await post(s.as.admin, { _csrf: csrf, step: 'preview' });
    assert.equal(missing.status, 422);
    assert.match(await missing.text(), /choose a file to import/);
    const odd = await post(s.as.admin, { _csrf: csrf, step: 'now' }, [{ name: 'a.csv', content: `UP-6, ${KEY}\n` }]);
    assert.equal(odd.status, 400);
    const session = s.as.admin && 'session' in s.as.admin ? s.as.admin.session.cookie : '';
    const noBoundary = await fetch(`${s.base}/console/tokens/import`, { method: 'POST', body: 'x', headers: { cookie: session, 'content-type': 'multipart/form-data' } });
    assert.equal(noBoundary.status, 400, 'a multipart body without a boundary');
  });

  test('the helpdesk may not import; the other forms refuse a multipart body', async () => {
    const file = [{ name: 'x.csv', content: `UP-7, ${KEY}, hotp, 6\n` }];
    assert.equal((await post(s.as.helpdesk, { _csrf: csrfOf(s.as.helpdesk), step: 'import' }, file)).status, 403);
    assert.equal(await token('UP-7'), undefined);
    const bulk = await post(s.as.admin, { _csrf: csrfOf(s.as.admin), action: 'disable', serial: 'UP-1', confirmed: '1' }, [], '/console/tokens/bulk');
    assert.equal(bulk.status, 415);
    assert.equal((await token('UP-1'))!.active, true);
  });
});
