// LinOTP 3's /admin/* driven exactly as a provisioning script drives it:
// form posts, LinOTP's cookies and X-CSRF-TOKEN, LinOTP's parameter names
// and JSON envelope; then the tokens it made log in over RADIUS with
// radclient and oathtool codes.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { addAccount } from '../../src/auth/admin.ts';
import { requirePeer } from '../helpers/peers.ts';
import { oathtool } from '../helpers/stack.ts';
import { CLI, PASSWORD, startAdminStack, type AdminStack } from './admin-fixture.ts';

const HOTP_KEY = '3132333435363738393031323334353637383930';
const TOTP_KEY = '3132333435363738393031323334353637383930313233343536373839303132';

interface LinotpAnswer {
  status: number;
  body: { result: { status: boolean; value?: unknown; error?: { code: number; message: string } }; detail?: Record<string, unknown>; version: string; jsonrpc: string; id: unknown };
}

/** A LinOTP client as provisioning scripts write one: a cookie jar and the CSRF header from the cookie. */
class LinotpClient {
  readonly base: string;
  cookies = new Map<string, string>();

  constructor(base: string) {
    this.base = base;
  }

  async post(path: string, params: Record<string, string | string[]>, withCsrf = true): Promise<LinotpAnswer> {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) for (const item of Array.isArray(v) ? v : [v]) form.append(k, item);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const csrf = this.cookies.get('csrf_access_token');
    if (withCsrf && csrf) headers['X-CSRF-TOKEN'] = csrf;
    const r = await fetch(`${this.base}${path}`, { method: 'POST', headers, body: form.toString() });
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [k, v] = pair!.split('=');
      if (v === '') this.cookies.delete(k!);
      else this.cookies.set(k!, v!);
    }
    return { status: r.status, body: (await r.json()) as LinotpAnswer['body'] };
  }
}

describe("LinOTP 3's /admin/* as a provisioning script uses it", () => {
  let a: AdminStack;
  let script: LinotpClient;
  const hotpAt = (c: number) => oathtool(['--hotp', HOTP_KEY, '-c', String(c)]);
  const totpNow = (shift = 0) => oathtool(['--totp=sha256', TOTP_KEY, '-N', `now + ${shift} seconds`]);

  before(async () => {
    requirePeer('radclient', 'freeradius-utils');
    requirePeer('oathtool', 'oathtool');
    a = await startAdminStack();
    await addAccount(a.stack.running.services.admin, CLI, { name: 'provisioning', role: 'admin', password: PASSWORD, otp: 'none' });
    script = new LinotpClient(a.base);
  });
  after(async () => a.stop());

  test("login sets LinOTP's cookies; a wrong password is LinOTP's 401", async () => {
    const wrong = await new LinotpClient(a.base).post('/admin/login', { username: 'provisioning', password: 'nope' });
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.body.result, { status: true, value: false });
    assert.equal(wrong.body.detail?.message, 'Bad username or password');
    const ok = await script.post('/admin/login', { username: 'provisioning', password: PASSWORD });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body.result, { status: true, value: true });
    assert.equal(ok.body.detail?.message, 'Login successful for provisioning');
    assert.match(script.cookies.get('access_token_cookie')!, /^[0-9a-f]{64}$/);
    assert.match(script.cookies.get('csrf_access_token')!, /^[0-9a-f]{32}$/);
  });

  test('init HOTP and TOTP with known keys and PINs, set MaxFailCount, setValidity; the tokens log in over RADIUS', async () => {
    const hotp = await script.post('/admin/init', { type: 'hmac', otpkey: HOTP_KEY, serial: 'LSHOTP1', user: 'alice', realm: 'default', pin: '1234', otplen: '6', description: 'hardware token' });
    assert.deepEqual(hotp.body.result, { status: true, value: true });
    assert.equal(hotp.body.detail?.serial, 'LSHOTP1');
    assert.equal(hotp.body.detail?.otpkey, undefined, 'a key the script sent is not sent back');
    const totp = await script.post('/admin/init', { type: 'totp', otpkey: TOTP_KEY, serial: 'LSTOTP1', user: 'bob', pin: '5678', hashlib: 'sha256', timeStep: '30', otplen: '6' });
    assert.deepEqual(totp.body.result, { status: true, value: true }, JSON.stringify(totp.body));
    const generated = await script.post('/admin/init', { type: 'hmac', genkey: '1', serial: 'LSGEN1' });
    assert.match(String((generated.body.detail?.otpkey as { value: string } | undefined)?.value), /^seed:\/\/[0-9a-f]{40}$/);
    assert.match(String((generated.body.detail?.googleurl as { value: string } | undefined)?.value), /^otpauth:\/\/hotp\//);

    const set = await script.post('/admin/set', { serial: 'LSHOTP1', MaxFailCount: '3' });
    assert.deepEqual(set.body.result, { status: true, value: { 'set MaxFailCount': 1 } });
    const validity = await script.post('/admin/setValidity', { 'tokens[]': ['LSHOTP1', 'LSTOTP1'], validityPeriodEnd: String(Math.floor(Date.now() / 1000) + 86400), countAuthMax: '1000' });
    assert.deepEqual(validity.body.result, { status: true, value: ['LSHOTP1', 'LSTOTP1'] });

    assert.equal((await a.stack.auth('alice', `1234${await hotpAt(0)}`)).code, 'accept');
    assert.equal((await a.stack.auth('bob', `5678${await totpNow()}`)).code, 'accept');
    assert.equal((await a.stack.auth('bob', `0000${await totpNow(30)}`)).code, 'reject', 'the PIN is checked');
  });

  test("show lists LinOTP's fields, filtered by serial and by user", async () => {
    const one = await script.post('/admin/show', { serial: 'LSHOTP1', tokeninfo_format: 'json' });
    const value = one.body.result.value as { data: Record<string, unknown>[]; resultset: Record<string, number> };
    assert.equal(value.data.length, 1);
    const t = value.data[0]!;
    assert.equal(t['LinOtp.TokenSerialnumber'], 'LSHOTP1');
    assert.equal(t['LinOtp.TokenType'], 'HMAC');
    assert.equal(t['LinOtp.MaxFail'], 3);
    assert.equal(t['LinOtp.Isactive'], true);
    assert.equal(t['LinOtp.Count'], 1);
    assert.equal(t['LinOtp.TokenDesc'], 'hardware token');
    assert.equal(t['User.username'], 'alice');
    assert.deepEqual(t['LinOtp.RealmNames'], ['default']);
    assert.equal((t['LinOtp.TokenInfo'] as Record<string, string>).count_auth_max, '1000');
    assert.match((t['LinOtp.TokenInfo'] as Record<string, string>).validity_period_end!, /^\d{2}\/\d{2}\/\d{2} \d{2}:\d{2}$/);
    assert.deepEqual(value.resultset, { pages: 1, pagesize: 50, tokens: 1, page: 1 });
    const bobs = (await script.post('/admin/show', { user: 'bob' })).body.result.value as { data: Record<string, unknown>[] };
    assert.deepEqual(
      bobs.data.map((d) => d['LinOtp.TokenSerialnumber']),
      ['LSTOTP1'],
    );
    assert.equal(typeof bobs.data[0]!['LinOtp.TokenInfo'], 'string', 'TokenInfo is a JSON string unless tokeninfo_format=json');
  });

  test('disable rejects over RADIUS, enable accepts again; MaxFailCount locks, reset unlocks', async () => {
    assert.deepEqual((await script.post('/admin/disable', { serial: 'LSHOTP1' })).body.result, { status: true, value: 1 });
    assert.equal(((await script.post('/admin/show', { serial: 'LSHOTP1' })).body.result.value as { data: Record<string, unknown>[] }).data[0]!['LinOtp.Isactive'], false);
    assert.equal((await a.stack.auth('alice', `1234${await hotpAt(1)}`)).code, 'reject');
    assert.deepEqual((await script.post('/admin/enable', { serial: 'LSHOTP1' })).body.result, { status: true, value: 1 });
    assert.equal((await a.stack.auth('alice', `1234${await hotpAt(1)}`)).code, 'accept');
    for (let i = 0; i < 3; i++) assert.equal((await a.stack.auth('alice', `1234${String(900000 + i)}`)).code, 'reject');
    const locked = ((await script.post('/admin/show', { serial: 'LSHOTP1' })).body.result.value as { data: Record<string, unknown>[] }).data[0]!;
    assert.equal(locked['LinOtp.FailCount'], 3);
    assert.equal((await a.stack.auth('alice', `1234${await hotpAt(2)}`)).code, 'reject', 'locked at MaxFailCount 3');
    assert.deepEqual((await script.post('/admin/reset', { serial: 'LSHOTP1' })).body.result, { status: true, value: 1 });
    assert.equal((await a.stack.auth('alice', `1234${await hotpAt(2)}`)).code, 'accept');
    assert.deepEqual((await script.post('/admin/disable', { serial: 'NOPE' })).body, {
      ...(await script.post('/admin/disable', { serial: 'NOPE' })).body,
      result: { status: true, value: 0 },
      detail: { message: 'No token with serial NOPE' },
    });
  });

  test('assign a spare token with a PIN, log in, unassign; resync and getSerialByOtp', async () => {
    assert.deepEqual((await script.post('/admin/assign', { serial: 'LSGEN1', user: 'bob', pin: '99' })).body.result, { status: true, value: true });
    const bobs = (await script.post('/admin/show', { user: 'bob' })).body.result.value as { data: Record<string, unknown>[] };
    assert.deepEqual(bobs.data.map((d) => d['LinOtp.TokenSerialnumber']).sort(), ['LSGEN1', 'LSTOTP1']);
    assert.deepEqual((await script.post('/admin/unassign', { serial: 'LSGEN1' })).body.result, { status: true, value: true });
    assert.deepEqual((await script.post('/admin/resync', { serial: 'LSHOTP1', otp1: await hotpAt(40), otp2: await hotpAt(41) })).body.result, { status: true, value: true });
    assert.equal((await a.stack.auth('alice', `1234${await hotpAt(42)}`)).code, 'accept', 'after the resync');
    assert.deepEqual((await script.post('/admin/resync', { serial: 'LSHOTP1', otp1: '111111', otp2: '222222' })).body.result, { status: true, value: false });
    const found = await script.post('/admin/getSerialByOtp', { otp: await hotpAt(45) });
    assert.deepEqual(found.body.result.value, { success: true, serial: 'LSHOTP1', user_login: 'alice', user_resolver: 'local' });
    const none = await script.post('/admin/getSerialByOtp', { otp: '000000', type: 'totp' });
    assert.equal((none.body.result.value as { serial: string }).serial, '');
    const status = await script.post('/admin/checkstatus', { user: 'alice' });
    assert.deepEqual(status.body.result, { status: true, value: { values: {} } });
  });

  test('without the CSRF header, without a login, with a forbidden role, with bad parameters; /system/* is not served', async () => {
    const noCsrf = await script.post('/admin/disable', { serial: 'LSTOTP1' }, false);
    assert.equal(noCsrf.status, 401);
    assert.equal(noCsrf.body.result.status, false);
    assert.match(noCsrf.body.result.error!.message, /^Not authenticated: the X-CSRF-Token header is missing/);
    const stranger = await new LinotpClient(a.base).post('/admin/show', {});
    assert.equal(stranger.status, 401);
    await addAccount(a.stack.running.services.admin, CLI, { name: 'linotpdesk', role: 'helpdesk', password: PASSWORD, otp: 'none' });
    const desk = new LinotpClient(a.base);
    await desk.post('/admin/login', { username: 'linotpdesk', password: PASSWORD });
    const forbidden = await desk.post('/admin/remove', { serial: 'LSTOTP1' });
    assert.equal(forbidden.status, 200);
    assert.deepEqual(forbidden.body.result, { status: false, error: { code: 410, message: 'token.delete is not allowed for the helpdesk role' } });
    const missing = await script.post('/admin/resync', { serial: 'LSTOTP1' });
    assert.deepEqual(missing.body.result, { status: false, error: { code: 905, message: "Missing parameter: 'otp1'" } });
    const unknownType = await script.post('/admin/init', { type: 'yubikey', genkey: '1' });
    assert.equal(unknownType.body.result.error!.code, 1610);
    const usage = await script.post('/admin/set', { serial: 'LSTOTP1' });
    assert.equal(usage.body.result.error!.code, 77);
    const unsupported = await script.post('/admin/set', { serial: 'LSTOTP1', hashlib: 'sha1' });
    assert.match(unsupported.body.result.error!.message, /hashlib cannot be changed on an otp-radius token/);
    const system = await fetch(`${a.base}/system/setConfig`, { method: 'POST' });
    assert.equal(system.status, 501);
    assert.match(((await system.json()) as LinotpAnswer['body']).result.error!.message, /YAML file: \/system\/\* is not served/);
    assert.deepEqual((await script.post('/admin/remove', { serial: 'LSGEN1' })).body.result, { status: true, value: 1 });
    const out = await script.post('/admin/logout', {});
    assert.equal(out.body.result.value, true);
    assert.equal((await script.post('/admin/show', {})).status, 401, 'logged out');
  });
});
