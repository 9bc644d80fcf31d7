// Admin accounts, their logins and sessions, API keys, token verification
// and the realm of admin tokens, as the admin operations do them over a
// real SQLite store and a users file (the HTTP tests drive the same through
// the API).

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import {
  actorOfApiKey,
  AdminLogin,
  addAccount,
  createApiKey,
  deleteAccount,
  enrollToken,
  liveSession,
  listTokens,
  resetToken,
  revokeApiKey,
  setAccountDisabled,
  setAccountPassword,
  verifyToken,
} from '../../src/auth/admin.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { Actor } from '../../src/model/actor.ts';
import { base32Decode } from '../../src/otp/base32.ts';
import { hotp } from '../../src/otp/hotp.ts';
import { totp } from '../../src/otp/totp.ts';
import { openServices, type Services } from '../../src/server/services.ts';
import { localConfigYaml } from '../helpers/local-config.ts';

// "alice-password" (sha512-crypt), as in config/users.yaml.
const ALICE_HASH = '$6$xDhLHe.WbSuwP3G0$vvr38JkhB.FwRl6gqmr.mGZnP4AI/RFVYB985d2.SaU.2NKOKE9EK767/J4pgaKlwW6ftVojwpKyFxc4yl7ON0';
const CLI: Actor = { via: 'cli', name: 'root', role: 'admin' };
const HELPDESK: Actor = { via: 'api', name: 'desk', role: 'helpdesk' };
const PASSWORD = 'correct horse battery';
const RFC_SEED = Buffer.from('12345678901234567890');

function seedOf(uri: string): Buffer {
  return base32Decode(new URL(uri).searchParams.get('secret')!);
}

describe('admin accounts, logins, sessions, API keys', () => {
  let dir: string;
  let s: Services;
  let clock = 1_800_000_000;
  let login: AdminLogin;
  const at = (over: Partial<Parameters<AdminLogin['login']>[0]> = {}) => ({ username: 'boss', password: PASSWORD, address: '127.0.0.2', via: 'api' as const, ...over });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'otp-radius-admin-'));
    await writeFile(
      join(dir, 'users.yaml'),
      `users:\n  - login: alice\n    id: "1001"\n    password: "${ALICE_HASH}"\n    groups: [otp-helpdesk]\n  - login: bob\n    id: "1002"\n    password: "${ALICE_HASH}"\n`,
    );
    await writeFile(
      join(dir, 'otp-radius.yaml'),
      `
${localConfigYaml(dir, ['lab'])}admin:
  sessionIdleMinutes: 10
  sessionMaxHours: 1
  directory:
    - { realm: default, group: otp-helpdesk, role: helpdesk, realms: [default] }
`,
    );
    s = await openServices(loadConfig(join(dir, 'otp-radius.yaml')).config, pino({ level: 'silent' }), { now: () => clock, create: true });
    login = new AdminLogin(s.admin);
  });
  after(async () => {
    await s.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('an account with its own TOTP token logs in with password and OTP, once per code; the audit has each attempt', async () => {
    const added = await addAccount(s.admin, CLI, { name: 'boss', role: 'admin', password: PASSWORD, otp: { enroll: 'totp' } });
    assert.ok(added.enrolled, 'a token was enrolled and is shown once');
    assert.match(added.enrolled.uri, /^otpauth:\/\/totp\/otp-radius%20admin:boss\?secret=/);
    assert.deepEqual(added.enrolled.token.owner, { realm: '@admin', resolver: '@admin', userId: 'boss', login: 'boss' });
    assert.equal(added.account.otpSerial, added.enrolled.token.serial);
    assert.notEqual(added.account.passwordHash, PASSWORD);
    const seed = seedOf(added.enrolled.uri);

    const code = totp(seed, clock);
    const ok = await login.login(at({ otp: code }));
    assert.equal(ok.actor.role, 'admin');
    assert.equal(ok.session.source, 'local');
    assert.match(ok.token, /^[0-9a-f]{64}$/);
    assert.notEqual(ok.session.id, ok.token, 'the store keeps a digest, not the cookie value');
    await assert.rejects(login.login(at({ otp: code })), { code: 'unauthenticated', message: 'wrong user name, password or OTP' }, 'a code logs in once');
    clock += 30;
    const joined = await login.login(at({ password: PASSWORD + totp(seed, clock) }));
    assert.equal(joined.actor.name, 'boss', 'the OTP may follow the password');
    await assert.rejects(login.login(at({ password: 'wrong password!', otp: totp(seed, clock + 30) })), { code: 'unauthenticated' });
    await assert.rejects(login.login(at({ username: 'nobody', otp: '123456' })), { code: 'unauthenticated' });
    await s.admin.audit.flush?.();
    const logins = await s.store.audit.query({ event: 'admin', limit: 10 });
    const reasons = logins.filter((r) => r.action === 'session.login').map((r) => `${r.result}: ${r.reason}`);
    assert.deepEqual(reasons.slice(0, 5), ['refused: no admin account or directory admin by that name', 'refused: wrong password', 'ok: ', 'refused: second factor: replay', 'ok: ']);
    assert.equal((await s.store.admins.getAccount('boss'))!.lastLogin, clock);
  });

  test('failed logins from one address are throttled, whatever the account', async () => {
    for (let i = 0; i < 5; i++) await assert.rejects(login.login(at({ username: `guess${i}`, address: '127.0.0.9', otp: '000000' })), { code: 'unauthenticated' });
    await assert.rejects(login.login(at({ address: '127.0.0.9', otp: '000000' })), { code: 'throttled' });
    await assert.rejects(login.login(at({ address: '127.0.0.10', otp: '000000' })), { code: 'unauthenticated' }, 'another address is judged');
  });

  test('sessions end when idle, after the absolute timeout, at logout of the account (disable, new password)', async () => {
    await addAccount(s.admin, CLI, { name: 'ops', role: 'auditor', realms: ['lab'], password: PASSWORD, otp: 'none' });
    const first = await login.login(at({ username: 'ops', address: '127.0.0.3' }));
    assert.deepEqual(first.actor, { via: 'api', name: 'ops', role: 'auditor', realms: ['lab'], address: '127.0.0.3' });
    assert.equal(typeof (await liveSession(s.admin, first.token)), 'object');
    clock += 9 * 60;
    assert.equal(typeof (await liveSession(s.admin, first.token)), 'object', 'used within the idle time');
    clock += 10 * 60;
    assert.equal(await liveSession(s.admin, first.token), 'idle');
    assert.equal(await liveSession(s.admin, first.token), 'unknown', 'an ended session is gone');
    const second = await login.login(at({ username: 'ops', address: '127.0.0.3' }));
    for (let i = 0; i < 6; i++) {
      clock += 9 * 60;
      assert.equal(typeof (await liveSession(s.admin, second.token)), 'object');
    }
    clock += 9 * 60;
    assert.equal(await liveSession(s.admin, second.token), 'expired', 'an hour after login, used or not');
    const third = await login.login(at({ username: 'ops', address: '127.0.0.3' }));
    await setAccountPassword(s.admin, CLI, 'ops', 'another long password');
    assert.equal(await liveSession(s.admin, third.token), 'unknown', 'a new password ends the sessions');
    const fourth = await login.login(at({ username: 'ops', password: 'another long password', address: '127.0.0.3' }));
    await setAccountDisabled(s.admin, CLI, 'ops', true);
    assert.equal(await liveSession(s.admin, fourth.token), 'unknown', 'disabling ends the sessions');
    await assert.rejects(login.login(at({ username: 'ops', password: 'another long password', address: '127.0.0.3' })), { code: 'unauthenticated' });
    await assert.rejects(setAccountPassword(s.admin, CLI, 'ops', 'short'), /at least 12 characters/);
    await assert.rejects(addAccount(s.admin, CLI, { name: 'ops', role: 'admin', password: PASSWORD, otp: 'none' }), /exists already/);
    await assert.rejects(addAccount(s.admin, CLI, { name: 'x', role: 'admin', realms: ['nowhere'], password: PASSWORD, otp: 'none' }), /unknown realm nowhere/);
    await deleteAccount(s.admin, CLI, 'ops');
  });

  test('a directory admin logs in with the directory password and their own token; a user outside the group cannot', async () => {
    const enrolled = await enrollToken(s.admin, CLI, { type: 'hotp', user: 'alice', seed: RFC_SEED });
    const bobs = await enrollToken(s.admin, CLI, { type: 'hotp', user: 'bob', seed: RFC_SEED });
    const ok = await login.login(at({ username: 'alice', password: 'alice-password', otp: hotp(RFC_SEED, 0), address: '127.0.0.4' }));
    assert.deepEqual([ok.actor.name, ok.actor.role, ok.actor.realms, ok.session.source], ['alice@default', 'helpdesk', ['default'], 'directory']);
    await assert.rejects(login.login(at({ username: 'alice', password: 'wrong', otp: hotp(RFC_SEED, 1), address: '127.0.0.4' })), { code: 'unauthenticated' });
    await assert.rejects(login.login(at({ username: 'bob', password: 'alice-password', otp: hotp(RFC_SEED, 0), address: '127.0.0.4' })), { code: 'unauthenticated' });
    assert.equal((await s.store.getToken(bobs.token.serial))!.counter, 0, 'a user outside the group never reaches the token check');
    const joined = await login.login(at({ username: 'alice@default', password: `alice-password${hotp(RFC_SEED, 1)}`, address: '127.0.0.4' }));
    assert.equal(joined.actor.name, 'alice@default');
    await s.store.deleteToken(enrolled.token.serial);
    await s.store.deleteToken(bobs.token.serial);
  });

  test('API keys: shown once, stored as a digest, refused once revoked or expired', async () => {
    const created = await createApiKey(s.admin, CLI, { role: 'helpdesk', realms: ['lab'], expiresAt: clock + 3600, description: 'HR onboarding' });
    assert.match(created.secret, /^otpr_[0-9a-f]{16}_[0-9a-f]{64}$/);
    assert.ok(!created.secret.includes(created.key.secretHash));
    const actor = await actorOfApiKey(s.admin, created.secret, '127.0.0.5', 'api');
    assert.deepEqual(actor, { via: 'api', name: `key-${created.key.id}`, role: 'helpdesk', realms: ['lab'], address: '127.0.0.5' });
    // The last hex digit changed (never to itself), so the secret is wrong.
    const wrong = `${created.secret.slice(0, -1)}${created.secret.endsWith('0') ? '1' : '0'}`;
    await assert.rejects(actorOfApiKey(s.admin, wrong, '127.0.0.5', 'api'), { code: 'unauthenticated' });
    await assert.rejects(actorOfApiKey(s.admin, 'not a key', '127.0.0.5', 'api'), { code: 'unauthenticated' });
    clock += 3600;
    await assert.rejects(actorOfApiKey(s.admin, created.secret, '127.0.0.5', 'api'), { code: 'unauthenticated' }, 'expired');
    const other = await createApiKey(s.admin, CLI, { role: 'auditor' });
    await revokeApiKey(s.admin, CLI, other.key.id);
    await assert.rejects(actorOfApiKey(s.admin, other.secret, '127.0.0.5', 'api'), { code: 'unauthenticated' }, 'revoked');
    await assert.rejects(revokeApiKey(s.admin, CLI, other.key.id), /revoked already/);
    await assert.rejects(createApiKey(s.admin, { ...CLI, realms: ['lab'] }, { role: 'admin' }), { code: 'forbidden' }, 'a realm-limited admin cannot hand out every realm');
    await assert.rejects(createApiKey(s.admin, HELPDESK, { role: 'auditor' }), { code: 'forbidden' });
  });

  test('a pending token is verified with one right code; a wrong one keeps it pending', async () => {
    const e = await enrollToken(s.admin, CLI, { type: 'hotp', user: 'bob', seed: RFC_SEED, pending: true });
    assert.equal(e.token.pending, true);
    await assert.rejects(verifyToken(s.admin, HELPDESK, e.token.serial, '000000'), /not a current code.*stays pending/);
    assert.equal((await s.store.getToken(e.token.serial))!.pending, true);
    await verifyToken(s.admin, HELPDESK, e.token.serial, hotp(RFC_SEED, 3));
    const t = (await s.store.getToken(e.token.serial))!;
    assert.deepEqual([t.pending, t.counter], [false, 4]);
    await assert.rejects(verifyToken(s.admin, HELPDESK, e.token.serial, hotp(RFC_SEED, 4)), /not pending/);
    await assert.rejects(enrollToken(s.admin, CLI, { type: 'ocra', pending: true }), /OCRA tokens answer challenges/);
  });

  test("the tokens of admin accounts are out of the helpdesk's reach", async () => {
    const added = await addAccount(s.admin, CLI, { name: 'root2', role: 'admin', password: PASSWORD, otp: { enroll: 'hotp' } });
    const serial = added.enrolled!.token.serial;
    await assert.rejects(resetToken(s.admin, HELPDESK, serial), { code: 'forbidden', message: 'the tokens of admin accounts are for the admin role only' });
    assert.ok(!(await listTokens(s.admin, HELPDESK)).some((t) => t.serial === serial), 'not listed for the helpdesk');
    assert.ok(
      (await listTokens(s.admin, CLI)).some((t) => t.serial === serial),
      'listed for the admin',
    );
    await deleteAccount(s.admin, CLI, 'root2');
    assert.equal(await s.store.getToken(serial), undefined, "the account's token goes with it");
  });
});
