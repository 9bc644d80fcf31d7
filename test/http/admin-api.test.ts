// The native admin API over real HTTP: every endpoint with a wrong input
// (400), each role it refuses (403) and each role it allows; then the
// OpenAPI document checked by a validator.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { addAccount, enrollToken } from '../../src/auth/admin.ts';
import { hotp } from '../../src/otp/hotp.ts';
import { CLI, PASSWORD, startAdminStack, type AdminStack, type Creds } from './admin-fixture.ts';

const SEED = Buffer.from('12345678901234567890');
const CSV = 'CSV-1, 3132333435363738393031323334353637383930, hotp, 6\n';

type Who = 'admin' | 'helpdesk' | 'auditor' | 'labdesk';

interface Prepared {
  serial: string;
  name: string;
  keyId: string;
}

interface Row {
  method: string;
  path: string | ((p: Prepared) => string);
  body?: (p: Prepared) => unknown;
  allowed: Who[];
  refused: Who[];
  /** A wrong input: a path, or a body, answered 400. */
  bad: { path?: string; body?: unknown };
  status: number;
  /** The token of the row is pending verification. */
  pending?: boolean;
}

describe('admin API: every endpoint, its roles and a wrong input', () => {
  let a: AdminStack;
  let n = 0;

  /** A fresh token (a HOTP one of alice in realm default, RFC 4226 seed), a fresh admin account and a fresh API key. */
  async function prepare(pending = false): Promise<Prepared> {
    n++;
    const admin = a.stack.running.services.admin;
    const t = await enrollToken(admin, CLI, { type: 'hotp', user: 'alice', seed: SEED, serial: `ROW-${n}`, pending });
    await addAccount(admin, CLI, { name: `acct${n}`, role: 'auditor', password: PASSWORD, otp: 'none' });
    const key = await a.apiKey('auditor');
    return { serial: t.token.serial, name: `acct${n}`, keyId: key.id };
  }

  before(async () => {
    a = await startAdminStack();
  });
  after(async () => a.stop());

  const serialRoute = (suffix: string, method: string, allowed: Who[], refused: Who[], body?: (p: Prepared) => unknown, badBody?: unknown, status = 200): Row => ({
    method,
    path: (p) => `/api/v1/tokens/${p.serial}${suffix}`,
    ...(body ? { body } : {}),
    allowed,
    refused,
    bad: badBody !== undefined ? { body: badBody } : { path: `/api/v1/tokens/bad%20serial${suffix}` },
    status,
  });

  const rows: Row[] = [
    { method: 'GET', path: '/api/v1/session', allowed: ['admin', 'helpdesk', 'auditor', 'labdesk'], refused: [], bad: { path: '/api/v1/session?x=1' }, status: 200 },
    { method: 'GET', path: '/api/v1/tokens?realm=default', allowed: ['admin', 'helpdesk', 'auditor'], refused: ['labdesk'], bad: { path: '/api/v1/tokens?state=frozen' }, status: 200 },
    {
      method: 'POST',
      path: '/api/v1/tokens',
      body: () => ({ type: 'totp', user: 'alice' }),
      allowed: ['admin', 'helpdesk'],
      refused: ['auditor', 'labdesk'],
      bad: { body: { type: 'sms', verify: true } },
      status: 201,
    },
    serialRoute('', 'GET', ['admin', 'helpdesk', 'auditor'], ['labdesk']),
    serialRoute('', 'PATCH', ['admin'], ['helpdesk', 'auditor', 'labdesk'], () => ({ maxFail: 5, validUntil: '2040-01-01T00:00:00Z' }), { maxFail: 0 }),
    serialRoute('', 'DELETE', ['admin'], ['helpdesk', 'auditor'], undefined, undefined, 204),
    { ...serialRoute('/verify', 'POST', ['admin', 'helpdesk'], ['auditor', 'labdesk'], () => ({ otp: hotp(SEED, 0) }), { otp: 'abc' }), pending: true },
    serialRoute('/enable', 'POST', ['admin', 'helpdesk'], ['auditor', 'labdesk']),
    serialRoute('/disable', 'POST', ['admin', 'helpdesk'], ['auditor', 'labdesk']),
    serialRoute('/reset', 'POST', ['admin', 'helpdesk'], ['auditor', 'labdesk']),
    serialRoute('/revoke', 'POST', ['admin'], ['helpdesk', 'auditor']),
    serialRoute('/resync', 'POST', ['admin', 'helpdesk'], ['auditor', 'labdesk'], () => ({ otp1: hotp(SEED, 40), otp2: hotp(SEED, 41) }), { otp1: '1' }),
    serialRoute('/pin', 'PUT', ['admin', 'helpdesk'], ['auditor', 'labdesk'], () => ({ pin: '4711' }), { pin: 4711 }),
    serialRoute('/pin', 'DELETE', ['admin', 'helpdesk'], ['auditor', 'labdesk']),
    serialRoute('/owner', 'PUT', ['admin', 'helpdesk'], ['auditor', 'labdesk'], () => ({ user: 'alice' }), {}),
    serialRoute('/owner', 'DELETE', ['admin', 'helpdesk'], ['auditor', 'labdesk']),
    {
      method: 'POST',
      path: '/api/v1/tokens/import',
      body: () => ({ format: 'oath-csv', content: CSV.replace('CSV-1', `CSV-${n}`), dryRun: true }),
      allowed: ['admin'],
      refused: ['helpdesk', 'auditor'],
      bad: { body: { format: 'xml', content: 'x' } },
      status: 200,
    },
    { method: 'GET', path: '/api/v1/users?realm=default', allowed: ['admin', 'helpdesk', 'auditor'], refused: ['labdesk'], bad: { path: '/api/v1/users?limit=0' }, status: 200 },
    { method: 'GET', path: '/api/v1/users/default/alice', allowed: ['admin', 'helpdesk', 'auditor'], refused: ['labdesk'], bad: { path: '/api/v1/users/default/alice?x=1' }, status: 200 },
    { method: 'GET', path: '/api/v1/audit?limit=5', allowed: ['admin', 'auditor'], refused: ['helpdesk', 'labdesk'], bad: { path: '/api/v1/audit?decision=maybe' }, status: 200 },
    { method: 'GET', path: '/api/v1/admins', allowed: ['admin'], refused: ['helpdesk', 'auditor'], bad: { path: '/api/v1/admins?all=1' }, status: 200 },
    {
      method: 'POST',
      path: '/api/v1/admins',
      body: () => ({ name: `new${++n}`, role: 'auditor', password: PASSWORD, otp: 'none' }),
      allowed: ['admin'],
      refused: ['helpdesk', 'auditor'],
      bad: { body: { name: 'x', role: 'root', password: PASSWORD } },
      status: 201,
    },
    { method: 'GET', path: (p) => `/api/v1/admins/${p.name}`, allowed: ['admin'], refused: ['helpdesk', 'auditor'], bad: { path: '/api/v1/admins/bad%20name' }, status: 200 },
    { method: 'PATCH', path: (p) => `/api/v1/admins/${p.name}`, body: () => ({ disabled: true }), allowed: ['admin'], refused: ['helpdesk', 'auditor'], bad: { body: {} }, status: 200 },
    { method: 'DELETE', path: (p) => `/api/v1/admins/${p.name}`, allowed: ['admin'], refused: ['helpdesk', 'auditor'], bad: { path: '/api/v1/admins/bad%20name' }, status: 204 },
    { method: 'GET', path: '/api/v1/api-keys', allowed: ['admin'], refused: ['helpdesk', 'auditor'], bad: { path: '/api/v1/api-keys?all=1' }, status: 200 },
    {
      method: 'POST',
      path: '/api/v1/api-keys',
      body: () => ({ role: 'auditor', realms: ['lab'] }),
      allowed: ['admin'],
      refused: ['helpdesk', 'auditor'],
      bad: { body: { role: 'root' } },
      status: 201,
    },
    { method: 'DELETE', path: (p) => `/api/v1/api-keys/${p.keyId}`, allowed: ['admin'], refused: ['helpdesk', 'auditor'], bad: { path: '/api/v1/api-keys/xyz' }, status: 204 },
  ];

  for (const row of rows) {
    const label = `${row.method} ${typeof row.path === 'string' ? row.path.split('?')[0] : row.path({ serial: ':serial', name: ':name', keyId: ':id' })}`;
    test(label, async () => {
      const p = await prepare(row.pending);
      const badPath = row.bad.path ?? (typeof row.path === 'string' ? row.path : row.path(p));
      const bad = await a.call(a.as.admin, row.method, badPath, row.bad.body ?? row.body?.(p));
      assert.equal(bad.status, 400, `wrong input: ${bad.text}`);
      assert.equal(bad.headers.get('content-type'), 'application/problem+json');
      assert.ok(typeof bad.json.detail === 'string' && bad.json.detail.length > 5, 'a detail that says what is wrong');
      for (const who of row.refused) {
        const q = await prepare(row.pending);
        const r = await a.call(a.as[who], row.method, typeof row.path === 'string' ? row.path : row.path(q), row.body?.(q));
        assert.equal(r.status, 403, `${who} must be refused: ${r.text}`);
        assert.match(String(r.json.detail), /not allowed for the \w+ role|may act on realm|may grant realm|may read the audit|for the admin role only/);
      }
      for (const who of row.allowed) {
        const q = await prepare(row.pending);
        const r = await a.call(a.as[who], row.method, typeof row.path === 'string' ? row.path : row.path(q), row.body?.(q));
        assert.equal(r.status, row.status, `${who} may: ${r.text}`);
      }
    });
  }

  test('POST /api/v1/session: wrong input, wrong password, and the public OpenAPI document is valid OpenAPI 3.1', async () => {
    assert.equal((await a.call(undefined, 'POST', '/api/v1/session', { username: 'boss' })).status, 400);
    assert.equal((await a.call(undefined, 'POST', '/api/v1/session', { username: 'boss', password: PASSWORD, extra: 1 })).status, 400);
    const wrong = await a.call(undefined, 'POST', '/api/v1/session', { username: 'boss', password: 'not the password' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.detail, 'wrong user name, password or OTP');
    const doc = await a.call(undefined, 'GET', '/api/v1/openapi.json');
    assert.equal(doc.status, 200);
    const validator = new Validator();
    const res = await validator.validate(doc.json);
    assert.deepEqual(res.errors, undefined, JSON.stringify(res.errors)?.slice(0, 2000));
    assert.equal(res.valid, true);
    assert.equal(validator.version, '3.1');
    const paths = Object.keys(doc.json.paths as object);
    for (const row of rows) {
      const path = (typeof row.path === 'string' ? row.path : row.path({ serial: '{serial}', name: '{name}', keyId: '{id}' })).split('?')[0]!.replace('/default/alice', '/{realm}/{login}');
      assert.ok(paths.includes(path), `${path} is in the OpenAPI document`);
      assert.ok((doc.json.paths as Record<string, Record<string, unknown>>)[path]![row.method.toLowerCase()], `${row.method} ${path} is in the OpenAPI document`);
    }
  });

  test('DELETE /api/v1/session: wrong input, then a logout ends the session for good', async () => {
    const { creds } = await a.login('desk', PASSWORD);
    assert.equal((await a.call(creds, 'DELETE', '/api/v1/session?x=1')).status, 400);
    const out = await a.call(creds, 'DELETE', '/api/v1/session');
    assert.equal(out.status, 204);
    assert.match(out.headers.getSetCookie().join('\n'), /otp_radius_session=;/);
    const after = await a.call(creds, 'GET', '/api/v1/tokens');
    assert.equal(after.status, 401);
    assert.match(String(after.json.detail), /not known \(logged out/);
  });

  test('a wrong session credential is unauthenticated, not forbidden', async () => {
    const none = await a.call(undefined, 'GET', '/api/v1/tokens');
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="otp-radius"');
    const forged: Creds = { session: { cookie: `otp_radius_session=${'ab'.repeat(32)}`, csrf: 'x' } };
    assert.equal((await a.call(forged, 'GET', '/api/v1/tokens')).status, 401);
    assert.equal((await a.call({ key: `otpr_0123456789abcdef_${'0'.repeat(64)}` }, 'GET', '/api/v1/tokens')).status, 401);
  });
});
