// E-mail, SMS and static password tokens through the admin APIs: enrolled
// over /api/v1 and LinOTP's /admin/init without a seed or QR code in the
// answer, a test message through a real SMTP server, and the refusals
// (verification of a token without an OTP of its own, test-send to a HOTP
// token, the auditor role).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { addAccount } from '../../src/auth/admin.ts';
import { startMailServer, type MailServer } from '../helpers/mail-server.ts';
import { requirePeer } from '../helpers/peers.ts';
import { CLI, PASSWORD, startAdminStack, type AdminStack } from './admin-fixture.ts';

describe('admin APIs: e-mail, SMS and static password tokens', () => {
  let mail: MailServer;
  let a: AdminStack;

  before(async () => {
    requirePeer('radclient', 'freeradius-utils');
    mail = await startMailServer({ tls: 'none' });
    a = await startAdminStack(`delivery:
  email:
    smtp: { host: 127.0.0.1, port: ${mail.port}, tls: none }
    from: "VPN login <otp@example.org>"
    body: "Your code is {otp}."
`);
  });
  after(async () => {
    await a?.stop();
    await mail?.close();
  });

  test('POST /api/v1/tokens: an e-mail token is active at once and its answer carries no seed, URI or QR code', async () => {
    const r = await a.call(a.as.helpdesk, 'POST', '/api/v1/tokens', { type: 'email', user: 'alice', pin: '2468', serial: 'API-MAIL1' });
    assert.equal(r.status, 201, r.text);
    const token = r.json.token as Record<string, unknown>;
    assert.equal(token.type, 'email');
    assert.equal(token.state, 'active');
    for (const field of ['secret', 'otpauthUri', 'qr']) assert.equal(r.json[field], undefined, `no ${field}`);
    assert.doesNotMatch(r.text, /otpauth:|seed/i);

    const challenge = await a.stack.auth('alice', '2468');
    assert.equal(challenge.code, 'challenge', challenge.stdout);
    const code = /Your code is (\d{6})\./.exec((await mail.nextMail()).parsed.text ?? '')?.[1];
    assert.ok(code);
    assert.equal((await a.stack.auth('alice', code, `State = 0x${challenge.state}\n`)).code, 'accept');
  });

  test('POST /api/v1/tokens: verify is refused for a token without an OTP of its own; a bad address names itself', async () => {
    const pending = await a.call(a.as.admin, 'POST', '/api/v1/tokens', { type: 'sms', user: 'alice', phone: '+4915112345689', verify: true });
    assert.equal(pending.status, 400, pending.text);
    assert.equal(pending.headers.get('content-type'), 'application/problem+json');
    assert.match(String(pending.json.detail), /only HOTP and TOTP tokens can wait for verification with one OTP, not sms/);
    const bad = await a.call(a.as.admin, 'POST', '/api/v1/tokens', { type: 'email', user: 'alice', email: 'not an address' });
    assert.equal(bad.status, 400, bad.text);
    assert.match(String(bad.json.detail), /--email: /);
  });

  test('POST /api/v1/tokens/:serial/test-send: TEST reaches the address; a HOTP token and the auditor are refused', async () => {
    const sent = await a.call(a.as.helpdesk, 'POST', '/api/v1/tokens/API-MAIL1/test-send');
    assert.equal(sent.status, 200, sent.text);
    assert.equal(sent.json.serial, 'API-MAIL1');
    assert.equal(sent.json.channel, 'email');
    assert.equal(sent.json.to, 'alice@example.org');
    assert.equal(sent.json.masked, 'a***@example.org');
    assert.match((await mail.nextMail()).parsed.text ?? '', /Your code is TEST\./);

    const hotp = await a.call(a.as.admin, 'POST', '/api/v1/tokens', { type: 'hotp', user: 'alice', serial: 'API-HOTP1', verify: false });
    assert.equal(hotp.status, 201, hotp.text);
    const refused = await a.call(a.as.admin, 'POST', '/api/v1/tokens/API-HOTP1/test-send');
    assert.equal(refused.status, 400, refused.text);
    assert.match(String(refused.json.detail), /API-HOTP1 is a hotp token: only e-mail and SMS tokens get messages/);
    const auditor = await a.call(a.as.auditor, 'POST', '/api/v1/tokens/API-MAIL1/test-send');
    assert.equal(auditor.status, 403, auditor.text);
    const missing = await a.call(a.as.admin, 'POST', '/api/v1/tokens/NO-SUCH/test-send');
    assert.equal(missing.status, 404, missing.text);
  });

  test("LinOTP's /admin/init makes e-mail and static password tokens without a key; the static password logs in over RADIUS", async () => {
    await addAccount(a.stack.running.services.admin, CLI, { name: 'script', role: 'admin', password: PASSWORD, otp: 'none' });
    const jar: string[] = [];
    const post = async (path: string, params: Record<string, string>): Promise<{ result: { status: boolean; value?: unknown }; detail?: Record<string, unknown> }> => {
      const csrf = /csrf_access_token=([^;]+)/.exec(jar.join('; '))?.[1];
      const r = await fetch(`${a.base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(jar.length ? { cookie: jar.join('; ') } : {}), ...(csrf ? { 'X-CSRF-TOKEN': csrf } : {}) },
        body: new URLSearchParams(params).toString(),
      });
      for (const c of r.headers.getSetCookie()) jar.push(c.split(';')[0]!);
      return (await r.json()) as { result: { status: boolean; value?: unknown }; detail?: Record<string, unknown> };
    };
    assert.equal((await post('/admin/login', { username: 'script', password: PASSWORD })).result.value, true);

    const email = await post('/admin/init', { type: 'email', serial: 'LS-MAIL1', user: 'alice', pin: '1357', email_address: 'Alice.Other@Example.org' });
    assert.deepEqual(email.result, { status: true, value: true }, JSON.stringify(email));
    assert.equal(email.detail?.otpkey, undefined);
    const shown = await post('/admin/show', { serial: 'LS-MAIL1', tokeninfo_format: 'json' });
    const row = (shown.result.value as { data: Record<string, unknown>[] }).data[0]!;
    assert.equal(row['LinOtp.TokenType'], 'email');

    const spass = await post('/admin/init', { type: 'spass', serial: 'LS-SPASS1', user: 'bob', pin: 'a-Static-Password-42' });
    assert.deepEqual(spass.result, { status: true, value: true }, JSON.stringify(spass));
    assert.equal((await a.stack.auth('bob', 'a-Static-Password-42')).code, 'accept');
    assert.equal((await a.stack.auth('bob', 'a-Static-Password-43')).code, 'reject');
  });
});
