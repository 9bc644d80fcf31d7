// Sessions and keys of the admin API over HTTP: CSRF, session timeouts,
// revoked keys, throttled logins, an admin's own OTP; and what the API does
// for real: a token enrolled pending is refused over RADIUS until it is
// verified, and the audit query finds both the login and the admin action.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { addAccount } from '../../src/auth/admin.ts';
import { base32Decode } from '../../src/otp/base32.ts';
import { totp } from '../../src/otp/totp.ts';
import { oathtool } from '../helpers/stack.ts';
import { CLI, PASSWORD, startAdminStack, type AdminStack } from './admin-fixture.ts';

describe('admin API sessions, keys and what they do', () => {
  let a: AdminStack;
  before(async () => {
    a = await startAdminStack('admin:\n  sessionIdleMinutes: 5\n  sessionMaxHours: 1\n');
  });
  after(async () => a.stop());

  test('state-changing calls on a cookie need the CSRF token; reads and API keys do not', async () => {
    const { creds } = await a.login('desk', PASSWORD);
    const body = { type: 'totp', user: 'bob' };
    const missing = await a.call(creds, 'POST', '/api/v1/tokens', body, { csrf: null });
    assert.equal(missing.status, 403);
    assert.match(String(missing.json.detail), /X-CSRF-Token header is missing or does not match/);
    assert.equal((await a.call(creds, 'POST', '/api/v1/tokens', body, { csrf: 'ab'.repeat(16) })).status, 403, 'a wrong token');
    assert.equal((await a.call(creds, 'GET', '/api/v1/tokens', undefined, { csrf: null })).status, 200, 'a read needs none');
    assert.equal((await a.call(creds, 'POST', '/api/v1/tokens', body)).status, 201, 'with it');
    const { key } = await a.apiKey('helpdesk');
    assert.equal((await a.call({ key }, 'POST', '/api/v1/tokens', body)).status, 201, 'an API key is not ambient: no CSRF token');
  });

  test('a session ends when idle, and an hour after login; a late call is refused with a clear detail', async () => {
    const { creds, answer } = await a.login('audit', PASSWORD);
    assert.equal(answer.json.idleTimeoutSeconds, 300);
    assert.match(answer.headers.getSetCookie()[0]!, /^otp_radius_session=[0-9a-f]{64}; Max-Age=3600; Path=\/; HttpOnly; SameSite=Strict$/);
    a.ahead.seconds += 4 * 60;
    assert.equal((await a.call(creds, 'GET', '/api/v1/audit')).status, 200, 'within the idle time');
    a.ahead.seconds += 6 * 60;
    const late = await a.call(creds, 'GET', '/api/v1/audit');
    assert.equal(late.status, 401);
    assert.match(String(late.json.detail), /the session has ended \(unused for too long\)/);
    const again = await a.login('audit', PASSWORD);
    for (let i = 0; i < 14; i++) {
      a.ahead.seconds += 4 * 60;
      assert.equal((await a.call(again.creds, 'GET', '/api/v1/session')).status, 200);
    }
    a.ahead.seconds += 4 * 60;
    const expired = await a.call(again.creds, 'GET', '/api/v1/session');
    assert.equal(expired.status, 401);
    assert.match(String(expired.json.detail), /too long since the login/);
    await a.relogin();
  });

  test('a revoked or expired API key is refused, and the refusal is audited', async () => {
    const { key, id } = await a.apiKey('auditor');
    assert.equal((await a.call({ key }, 'GET', '/api/v1/audit')).status, 200);
    assert.equal((await a.call(a.as.admin, 'DELETE', `/api/v1/api-keys/${id}`)).status, 204);
    const refused = await a.call({ key }, 'GET', '/api/v1/audit');
    assert.equal(refused.status, 401);
    assert.equal(refused.json.detail, 'unknown, revoked or expired API key');
    const created = await a.call(a.as.admin, 'POST', '/api/v1/api-keys', { role: 'auditor', expires: new Date(Date.now() + a.ahead.seconds * 1000 + 60_000).toISOString() });
    assert.equal(created.status, 201);
    assert.equal((await a.call({ key: created.json.secret as string }, 'GET', '/api/v1/audit')).status, 200);
    a.ahead.seconds += 120;
    assert.equal((await a.call({ key: created.json.secret as string }, 'GET', '/api/v1/audit')).status, 401, 'expired');
    await a.stack.running.services.admin.audit.flush?.();
    const audit = await a.call(a.as.admin, 'GET', `/api/v1/audit?user=key-${id}&limit=5`);
    assert.ok((audit.json.records as { action: string; result: string; reason: string }[]).some((r) => r.action === 'apikey.use' && r.result === 'refused' && r.reason === 'revoked'));
    const listed = await a.call(a.as.admin, 'GET', '/api/v1/api-keys');
    const mine = (listed.json.keys as { id: string; state: string }[]).find((k) => k.id === id)!;
    assert.equal(mine.state, 'revoked');
    assert.ok(!listed.text.includes('otpr_'), 'no secret in the list');
  });

  test('an admin with their own TOTP token logs in with password and OTP; guessing is throttled', async () => {
    const created = await a.call(a.as.admin, 'POST', '/api/v1/admins', { name: 'secure', role: 'auditor', password: PASSWORD, otp: 'totp' });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get('cache-control'), 'no-store');
    const enrollment = created.json.enrollment as { otpauthUri: string; secret: string; qr: { png: string; svg: string } };
    assert.match(enrollment.qr.png, /^data:image\/png;base64,/);
    assert.match(enrollment.qr.svg, /^<svg/);
    const seed = base32Decode(enrollment.secret);
    const now = Date.now() / 1000 + a.ahead.seconds;
    assert.equal((await a.login('secure', PASSWORD)).answer.status, 401, 'the password alone is not enough');
    const ok = await a.login('secure', PASSWORD, totp(seed, now));
    assert.equal(ok.answer.status, 200, ok.answer.text);
    assert.equal(ok.answer.json.role, 'auditor');
    assert.equal((await a.login('secure', PASSWORD, '000000')).answer.status, 401, 'a wrong OTP');
    for (let i = 0; i < 5; i++) assert.equal((await a.login('secure', `wrong password ${i}`)).answer.status, 401);
    const throttled = await a.login('secure', PASSWORD, totp(seed, now + 30));
    assert.equal(throttled.answer.status, 429, 'five failures from this address: throttled, even with the right password');
    assert.match(String(throttled.answer.json.detail), /too many failed logins/);
    await a.stack.running.services.admin.audit.flush?.();
    const logins = (await a.call(a.as.admin, 'GET', '/api/v1/audit?user=secure&event=admin&limit=20')).json.records as { action: string; result: string; reason: string }[];
    const reasons = logins.filter((r) => r.action === 'session.login').map((r) => `${r.result}: ${r.reason}`);
    assert.deepEqual(reasons.slice(0, 3), ['refused: throttled', 'refused: wrong password', 'refused: wrong password']);
    assert.ok(reasons.includes('ok: ') && reasons.includes('refused: second factor: wrong otp'), reasons.join('; '));
    const throttledRows = (await a.call(a.as.auditor, 'GET', '/api/v1/audit?event=admin&reason=THROTTLED&actor=secure&limit=20')).json.records as { reason: string }[];
    assert.deepEqual(
      throttledRows.map((r) => r.reason),
      ['throttled'],
      'reason: a part of it, in any case; actor: the account',
    );
    // The backoff clears by itself: after its first delay one attempt is judged, and a right one starts over.
    a.ahead.seconds += 5;
    assert.equal((await a.login('secure', PASSWORD, totp(seed, now + 60))).answer.status, 200);
  });

  test('a token enrolled over the API is refused over RADIUS until verified, then accepted; the audit finds both', async () => {
    const seedBase32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    const enrolled = await a.call(a.as.helpdesk, 'POST', '/api/v1/tokens', { type: 'totp', user: 'alice', pin: '2468', seed: seedBase32, serial: 'PEND-1' });
    assert.equal(enrolled.status, 201, enrolled.text);
    assert.equal((enrolled.json.token as { state: string }).state, 'pending');
    assert.equal(enrolled.json.secret, seedBase32);
    // The server's clock is ahead by a.ahead.seconds: oathtool computes for the same time.
    const code = (shift: number) => oathtool(['--totp', '-b', seedBase32, '-N', `now + ${a.ahead.seconds + shift} seconds`]);
    const refused = await a.stack.auth('alice', `2468${await code(0)}`);
    assert.equal(refused.code, 'reject');
    await a.stack.running.services.admin.audit.flush?.();
    const pendingAudit = (await a.call(a.as.auditor, 'GET', '/api/v1/audit?user=alice&event=auth&limit=1')).json.records as { reason: string; serial: string }[];
    assert.deepEqual([pendingAudit[0]!.reason, pendingAudit[0]!.serial], ['pending', 'PEND-1']);
    const wrong = await a.call(a.as.helpdesk, 'POST', '/api/v1/tokens/PEND-1/verify', { otp: '000000' });
    assert.equal(wrong.status, 400);
    assert.match(String(wrong.json.detail), /stays pending/);
    const verified = await a.call(a.as.helpdesk, 'POST', '/api/v1/tokens/PEND-1/verify', { otp: await code(0) });
    assert.equal(verified.status, 200, verified.text);
    assert.equal((verified.json as { state: string }).state, 'active');
    const accepted = await a.stack.auth('alice', `2468${await code(30)}`);
    assert.equal(accepted.code, 'accept', accepted.stdout);
    await a.stack.running.services.admin.audit.flush?.();
    const page = await a.call(a.as.auditor, 'GET', '/api/v1/audit?serial=PEND-1&limit=10');
    const rows = page.json.records as { event: string; action: string; result: string; actor: string; address: string | null }[];
    assert.deepEqual(
      rows.map((r) => `${r.event} ${r.action} ${r.result}`),
      ['auth authenticate accept', 'admin token.verify ok', 'admin token.verify refused', 'auth authenticate reject', 'admin token.enroll ok'],
    );
    assert.equal(rows[0]!.actor, 'local', 'the NAS client');
    assert.equal(rows[1]!.actor, 'desk', 'the admin account');
    const accepts = await a.call(a.as.auditor, 'GET', '/api/v1/audit?user=alice&decision=accept&limit=1');
    assert.equal((accepts.json.records as unknown[]).length, 1);
    const users = await a.call(a.as.helpdesk, 'GET', '/api/v1/users?search=ali&realm=default');
    const alice = (users.json.users as { login: string; tokens: { serial: string }[]; lastAuth: { result: string } | null }[])[0]!;
    assert.equal(alice.login, 'alice');
    assert.ok(alice.tokens.some((t) => t.serial === 'PEND-1'));
    assert.equal(alice.lastAuth?.result, 'accept', 'the last authentication, from the audit table');
  });

  test('audit pages follow each other, and a realm-limited role sees its realms only', async () => {
    const first = await a.call(a.as.auditor, 'GET', '/api/v1/audit?limit=2');
    assert.equal((first.json.records as unknown[]).length, 2);
    const second = await a.call(a.as.auditor, 'GET', `/api/v1/audit?limit=2&cursor=${first.json.next as string}`);
    const ids = [...(first.json.records as { id: string }[]), ...(second.json.records as { id: string }[])].map((r) => r.id);
    const both = await a.call(a.as.auditor, 'GET', '/api/v1/audit?limit=4');
    assert.deepEqual(
      ids,
      (both.json.records as { id: string }[]).map((r) => r.id),
    );
    assert.equal((await a.call(a.as.auditor, 'GET', '/api/v1/audit?cursor=bm9wZQ')).status, 400);
    await addAccount(a.stack.running.services.admin, CLI, { name: 'labaudit', role: 'auditor', realms: ['lab'], password: PASSWORD, otp: 'none' });
    const { creds } = await a.login('labaudit', PASSWORD);
    const lab = await a.call(creds, 'GET', '/api/v1/audit?limit=100');
    assert.ok((lab.json.records as { realm: string | null }[]).every((r) => r.realm === 'lab'));
    assert.equal((await a.call(creds, 'GET', '/api/v1/audit?realm=default')).status, 403);
  });

  test('an import names every problem of the file and writes nothing; a good one imports', async () => {
    const bad = await a.call(a.as.admin, 'POST', '/api/v1/tokens/import', { format: 'oath-csv', filename: 'tokens.csv', content: 'IMP-1, zz, hotp\nIMP-2, 3132, sms\n' });
    assert.equal(bad.status, 400);
    assert.equal((bad.json.errors as string[]).length, 2);
    assert.match((bad.json.errors as string[])[0]!, /^tokens\.csv:1: seed: not valid hex/);
    assert.equal((await a.call(a.as.admin, 'GET', '/api/v1/tokens/IMP-1')).status, 404);
    const good = await a.call(a.as.admin, 'POST', '/api/v1/tokens/import', {
      format: 'oath-csv',
      filename: 'tokens.csv',
      content: 'IMP-1, 3132333435363738393031323334353637383930, hotp, 6\n',
      user: 'bob',
    });
    assert.equal(good.status, 200, good.text);
    assert.deepEqual([good.json.created, good.json.updated], [1, 0]);
    const t = await a.call(a.as.admin, 'GET', '/api/v1/tokens/IMP-1');
    assert.deepEqual([t.json.user, t.json.state], ['bob', 'active']);
  });
});
