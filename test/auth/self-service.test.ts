// The self-service operations over a real SQLite store and a users file:
// the login (directory password, then the OTP once a token guards the
// account; throttled like RADIUS; every attempt audited with the user as
// actor), enrollment under each rule of the realm's policy and the
// enrollment code, verification, the actions on one's own tokens (and none
// on another's), and sessions that end by time or when the user leaves the
// directory.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { createEnrollmentCode, enrollToken } from '../../src/auth/admin.ts';
import { SelfService, SelfServiceError, type SignedIn } from '../../src/auth/self-service.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { Actor } from '../../src/model/actor.ts';
import type { AuditRecord } from '../../src/model/audit.ts';
import { hotp } from '../../src/otp/hotp.ts';
import { totp } from '../../src/otp/totp.ts';
import { openServices, type Services } from '../../src/server/services.ts';
import { localConfigYaml } from '../helpers/local-config.ts';

// "alice-password" (sha512-crypt), as in config/users.yaml.
const HASH = '$6$xDhLHe.WbSuwP3G0$vvr38JkhB.FwRl6gqmr.mGZnP4AI/RFVYB985d2.SaU.2NKOKE9EK767/J4pgaKlwW6ftVojwpKyFxc4yl7ON0';
const PASSWORD = 'alice-password';
const CLI: Actor = { via: 'cli', name: 'root', role: 'admin' };
const ADDRESS = '127.0.0.9';

const users = (extra = '') =>
  `users:\n  - { login: alice, id: "1001", password: "${HASH}", groups: [vpn-users] }\n  - { login: bob, id: "1002", password: "${HASH}" }\n  - { login: carol, id: "1003", password: "${HASH}" }\n  - { login: dave, id: "1004", password: "${HASH}", groups: [vpn-users] }\n  - { login: erin, id: "1005", password: "${HASH}" }\n  - { login: frank, id: "1006", password: "${HASH}", groups: [vpn-users] }\n${extra}`;

async function refused(promise: Promise<unknown>, reason: string): Promise<SelfServiceError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof SelfServiceError, `expected a SelfServiceError (${reason}), got ${String(err)}`);
    assert.equal(err.reason, reason, err.message);
    return err;
  }
  assert.fail(`expected a refusal: ${reason}`);
}

describe('self-service operations', () => {
  let dir: string;
  let s: Services;
  let self: SelfService;
  let clock = 1_800_000_000;

  const login = async (over: Partial<Parameters<SelfService['login']['login']>[0]> = {}) => {
    const done = await self.login.login({ username: 'alice', password: PASSWORD, address: ADDRESS, ...over });
    if ('codeSent' in done) throw new Error('a code was sent instead of a session');
    return done;
  };
  async function audits(action: string): Promise<AuditRecord[]> {
    await s.admin.audit.flush?.();
    return (await s.store.audit.query({ event: 'admin', limit: 1000 })).filter((r) => r.action === action);
  }
  async function signedIn(username: string, otp?: string): Promise<SignedIn> {
    return (await login({ username, ...(otp ? { otp } : {}) })).actor;
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'otp-radius-self-'));
    await writeFile(join(dir, 'users.yaml'), users());
    await writeFile(
      join(dir, 'otp-radius.yaml'),
      `
${localConfigYaml(dir, ['lab', 'closed'])}policy: { throttle: { freeAttempts: 3, firstDelaySeconds: 60, maxDelaySeconds: 600, resetAfterSeconds: 3600 } }
selfService:
  sessionIdleMinutes: 10
  sessionMaxHours: 1
  userCheckSeconds: 30
  pinMinLength: 5
  realms:
    lab: { enroll: group, group: VPN-Users, enrollmentCode: false, maxTokens: 1, types: [hotp] }
    closed: { enabled: false }
`,
    );
    s = await openServices(loadConfig(join(dir, 'otp-radius.yaml')).config, pino({ level: 'silent' }), { now: () => clock, create: true });
    self = new SelfService(s.admin, s.config.selfService);
  });
  after(async () => {
    await s.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('login: the directory password; unknown users, wrong passwords and a realm the portal is off for are refused and audited', async () => {
    const ok = await login();
    assert.equal(ok.withOtp, false, 'no token guards the account yet');
    assert.deepEqual(ok.actor.user, { resolver: 'local', id: '1001', login: 'alice' });
    assert.equal(ok.actor.name, 'alice@default');
    assert.match(ok.token, /^[0-9a-f]{64}$/);
    assert.equal(ok.session.id, s.admin.secrets.digest(ok.token), 'the store keeps the HMAC of the cookie value');
    assert.equal((await login({ username: 'alice@lab' })).actor.realm, 'lab');
    assert.equal((await login({ username: 'alice', realm: 'LAB' })).actor.realm, 'lab', 'the realm picker');
    await assert.rejects(login({ username: 'alice@closed' }), { code: 'unauthenticated' }, 'closed is no realm of the portal: alice@closed is a login nobody has');
    await assert.rejects(login({ username: 'alice', realm: 'closed' }), { code: 'unauthenticated' });
    await assert.rejects(login({ username: 'nobody' }), { code: 'unauthenticated' });
    await assert.rejects(login({ username: 'bob', password: 'wrong' }), { code: 'unauthenticated' });
    await assert.rejects(login({ username: 'bob', password: '' }), { code: 'unauthenticated' });
    assert.deepEqual(self.login.realms(), ['default', 'lab']);

    const rows = await audits('self.login');
    assert.ok(rows.some((r) => r.result === 'ok' && r.actor === 'alice@default' && r.user === 'alice' && r.extra.via === 'self-service' && r.address === ADDRESS));
    assert.ok(rows.some((r) => r.result === 'refused' && r.actor === 'nobody@default' && r.reason === 'unknown user'));
    assert.ok(rows.some((r) => r.result === 'refused' && r.actor === 'bob@default' && r.reason === 'wrong password'));
    assert.ok(rows.some((r) => r.result === 'refused' && r.reason === 'no realm of the portal'));
    assert.equal(rows.filter((r) => r.extra.role !== undefined).length, 0, 'a user has no role');
  });

  test('login is throttled per user and source like RADIUS: the free attempts, then a wait; another address is judged', async () => {
    for (let i = 0; i < 3; i++) await assert.rejects(login({ username: 'carol', password: 'wrong', address: '127.0.0.50' }), { code: 'unauthenticated' });
    await assert.rejects(login({ username: 'carol', address: '127.0.0.50' }), { code: 'throttled' }, 'the right password waits too');
    assert.equal((await login({ username: 'carol', address: '127.0.0.51' })).actor.user.login, 'carol');
    const state = await s.store.getThrottle({ realm: 'default', login: 'carol', source: 'web:127.0.0.50' });
    assert.deepEqual(state && { failures: state.failures, refused: state.refused }, { failures: 3, refused: 1 });
    assert.ok((await audits('self.login')).some((r) => r.actor === 'carol@default' && r.reason === 'throttled'));
    clock += 61;
    assert.equal((await login({ username: 'carol', address: '127.0.0.50' })).actor.realm, 'default', 'after the delay');
  });

  test('enrollment: a first token needs the enrollment code; the token waits for a code; then logins need the OTP', async () => {
    const alice = await signedIn('alice');
    const options = await self.enrollOptions(alice);
    assert.deepEqual(options, { types: ['totp', 'hotp'], needsCode: true, pin: { minLength: 5 } });
    const pin = { pin: '24680', pinAgain: '24680' };
    await refused(self.enroll(alice, { type: 'totp', ...pin }), 'code-needed');
    await refused(self.enroll(alice, { type: 'totp', code: 'AAAA-BBBB-CCCC-DDDD', ...pin }), 'code-wrong');
    await refused(self.enroll(alice, { type: 'totp', code: 'x', pin: '1111', pinAgain: '1111' }), 'pin-short');
    await refused(self.enroll(alice, { type: 'totp', code: 'x', pin: '77777', pinAgain: '77777' }), 'pin-one-digit');
    await refused(self.enroll(alice, { type: 'totp', code: 'x', pin: '24680', pinAgain: '24681' }), 'pin-mismatch');

    await assert.rejects(createEnrollmentCode(s.admin, { via: 'api', name: 'audit', role: 'auditor' }, { user: 'alice', validHours: 1 }), { code: 'forbidden' });
    const stale = await createEnrollmentCode(s.admin, { via: 'api', name: 'desk', role: 'helpdesk' }, { user: 'alice', validHours: 1 });
    const { code, expiresAt } = await createEnrollmentCode(s.admin, CLI, { user: 'alice', validHours: 2 });
    assert.match(code, /^[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}$/);
    assert.equal(expiresAt, clock + 7200);
    await refused(self.enroll(alice, { type: 'totp', code: stale.code, ...pin }), 'code-wrong');
    const enrolled = await self.enroll(alice, { type: 'totp', code: code.toLowerCase().replaceAll('-', ' '), description: ' Phone ', ...pin });
    assert.equal(enrolled.token.pending, true);
    assert.equal(enrolled.token.description, 'Phone');
    assert.equal(enrolled.account, 'alice', 'the default realm: the login alone');
    assert.equal(enrolled.issuer, 'otp-radius');
    assert.match(enrolled.uri, /^otpauth:\/\/totp\/otp-radius:alice\?secret=[A-Z2-7]+&issuer=otp-radius/);
    assert.ok(await s.store.pins.verify('24680', (await s.store.getToken(enrolled.token.serial))!.pinHash), 'the PIN is the token PIN');
    await refused(self.enroll(alice, { type: 'totp', ...pin }), 'pending');

    const seed = enrolled.token.seed;
    await refused(self.verify(alice, enrolled.token.serial, '000000'), 'otp-wrong');
    assert.equal((await s.store.getToken(enrolled.token.serial))!.pending, true, 'a wrong code keeps it pending');
    await self.verify(alice, enrolled.token.serial, totp(seed, clock));
    assert.equal((await s.store.getToken(enrolled.token.serial))!.pending, false);

    await assert.rejects(login(), { code: 'unauthenticated' }, 'the password alone is not enough now');
    // Past the throttle's first delay: the wrong codes and that login were alice's failures from this address.
    clock += 90;
    const second = await login({ otp: totp(seed, clock) });
    assert.equal(second.withOtp, true);
    await assert.rejects(login({ otp: totp(seed, clock) }), { code: 'unauthenticated' }, 'an OTP is accepted once');
    assert.equal((await self.enrollOptions(second.actor)).needsCode, false, 'a token guards the account: no code for another one');

    const rows = await audits('self.enroll');
    assert.deepEqual(rows.map((r) => r.result).sort(), ['ok', 'refused', 'refused', 'refused', 'refused', 'refused', 'refused', 'refused']);
    assert.ok(rows.some((r) => r.result === 'ok' && r.serial === enrolled.token.serial && r.actor === 'alice@default'));
    assert.ok((await audits('user.enrollment-code')).some((r) => r.actor === 'desk' && r.user === 'alice' && r.result === 'ok'));
    assert.equal(JSON.stringify(await audits('self.enroll')).includes(code), false, 'the code is not in the audit');
  });

  test('the realm policy: types, the group, the number of tokens, users without a token only', async () => {
    const labDave = await signedIn('dave@lab');
    await refused(self.enroll(labDave, { type: 'totp', pin: '24680', pinAgain: '24680' }), 'type');
    const enrolled = await self.enroll(labDave, { type: 'hotp', pin: '24680', pinAgain: '24680' });
    assert.equal(enrolled.account, 'dave@lab');
    assert.equal((await self.enrollOptions(labDave)).refusal?.reason, 'pending');
    await self.verify(labDave, enrolled.token.serial, hotp(enrolled.token.seed, 0));
    assert.equal((await self.enrollOptions(labDave)).refusal?.reason, 'max-tokens');
    const labBob = await signedIn('bob@lab');
    assert.equal((await self.enrollOptions(labBob)).refusal?.reason, 'group', 'bob is not in vpn-users (compared without case)');
    await refused(self.enroll(labBob, { type: 'hotp', pin: '24680', pinAgain: '24680' }), 'group');
  });

  test('a form sent twice at once makes one token: the second finds it waiting for its code', async () => {
    const frank = await signedIn('frank@lab');
    const both = await Promise.allSettled([0, 1].map(() => self.enroll(frank, { type: 'hotp', pin: '24680', pinAgain: '24680' })));
    assert.deepEqual(both.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    assert.equal((both.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason.reason, 'pending');
    assert.equal((await s.store.tokensOfUser('local', '1006')).length, 1);
  });

  test("a user reaches only their own tokens: another's serial is 'not found' for every action", async () => {
    const { token } = await enrollToken(s.admin, CLI, { type: 'hotp', user: 'carol', serial: 'CAROL-1' });
    const bob = await signedIn('bob');
    await refused(self.rename(bob, token.serial, 'mine'), 'not-found');
    await refused(self.disable(bob, token.serial), 'not-found');
    await refused(self.delete(bob, token.serial), 'not-found');
    await refused(self.resync(bob, token.serial, '1', '2'), 'not-found');
    await refused(self.setPin(bob, token.serial, '123456', '24680', '24680'), 'not-found');
    await refused(self.verify(bob, token.serial, '123456'), 'not-found');
    await refused(self.disable(bob, 'no such serial'), 'not-found');
    assert.equal((await s.store.getToken('CAROL-1'))!.active, true);
    assert.ok((await audits('self.disable')).some((r) => r.actor === 'bob@default' && r.result === 'refused' && r.serial === 'CAROL-1'));
  });

  test('own tokens: rename, a new PIN with a current OTP, resync, disable; the last working token stays', async () => {
    const { token } = await enrollToken(s.admin, CLI, { type: 'hotp', user: 'bob', serial: 'BOB-1', seed: Buffer.from('12345678901234567890'), pin: '13579' });
    const bob = await signedIn('bob', hotp(token.seed, 0));
    await self.rename(bob, 'BOB-1', '  Key ring  ');
    assert.equal((await s.store.getToken('BOB-1'))!.description, 'Key ring');
    await refused(self.rename(bob, 'BOB-1', 'x'.repeat(81)), 'description');

    await refused(self.setPin(bob, 'BOB-1', '000000', '97531', '97531'), 'otp-wrong');
    assert.equal((await s.store.getToken('BOB-1'))!.failCount, 1, 'a wrong OTP after the login counts toward the lock');
    await refused(self.setPin(bob, 'BOB-1', hotp(token.seed, 1), '9753', '9753'), 'pin-short');
    await self.setPin(bob, 'BOB-1', hotp(token.seed, 1), '97531', '97531');
    assert.ok(await s.store.pins.verify('97531', (await s.store.getToken('BOB-1'))!.pinHash));
    await refused(self.setPin(bob, 'BOB-1', hotp(token.seed, 1), '86420', '86420'), 'otp-wrong');

    await refused(self.resync(bob, 'BOB-1', hotp(token.seed, 50), hotp(token.seed, 52)), 'resync');
    await self.resync(bob, 'BOB-1', hotp(token.seed, 50), hotp(token.seed, 51));
    assert.equal((await s.store.getToken('BOB-1'))!.counter, 52);

    await refused(self.delete(bob, 'BOB-1'), 'last-token');
    await self.disable(bob, 'BOB-1');
    assert.equal((await s.store.getToken('BOB-1'))!.active, false);
    await refused(self.disable(bob, 'BOB-1'), 'state');
    await self.delete(bob, 'BOB-1');
    assert.equal(await s.store.getToken('BOB-1'), undefined, 'a disabled token is no working token: it may go');
    for (const action of ['self.rename', 'self.set-pin', 'self.resync', 'self.disable', 'self.delete']) {
      assert.ok(
        (await audits(action)).some((r) => r.result === 'ok' && r.actor === 'bob@default' && r.serial === 'BOB-1'),
        action,
      );
    }
  });

  test('sessions: idle and absolute timeouts, logout, and a user who leaves the directory loses them', async () => {
    const opened = await login({ username: 'erin', address: '127.0.0.60' });
    const found = await self.sessions.find(opened.token, ADDRESS);
    assert.ok(typeof found === 'object');
    assert.equal(found.actor.name, 'erin@default');
    assert.equal(await self.sessions.find('f'.repeat(64), ADDRESS), 'unknown');
    assert.equal(await self.sessions.find('not hex', ADDRESS), 'unknown');
    clock += 11 * 60;
    assert.equal(await self.sessions.find(opened.token, ADDRESS), 'idle');
    assert.equal(await self.sessions.find(opened.token, ADDRESS), 'unknown', 'removed');

    const long = await login({ username: 'erin', address: '127.0.0.60' });
    for (let i = 0; i < 6; i++) {
      clock += 9 * 60;
      assert.equal(typeof (await self.sessions.find(long.token, ADDRESS)), 'object');
    }
    clock += 9 * 60;
    assert.equal(await self.sessions.find(long.token, ADDRESS), 'expired');

    const out = await login({ username: 'erin', address: '127.0.0.60' });
    await self.sessions.close(out.session, out.actor);
    assert.equal(await self.sessions.find(out.token, ADDRESS), 'unknown');

    const kept = await login({ username: 'erin', address: '127.0.0.60' });
    await writeFile(join(dir, 'users.yaml'), users().replace(/ {2}- \{ login: erin.*\n/, ''));
    await (s.resolvers.get('local') as unknown as { reload(): Promise<void> }).reload();
    assert.equal(typeof (await self.sessions.find(kept.token, ADDRESS)), 'object', 'checked at the login: kept for userCheckSeconds');
    clock += 31;
    assert.equal(await self.sessions.find(kept.token, ADDRESS), 'unknown');
    assert.equal(await s.store.selfService.getSession(kept.session.id), undefined, 'the session is gone from the store');
    assert.ok((await audits('self.logout')).some((r) => r.actor === 'erin@default' && r.reason === 'the user is no longer in the directory'));
    await writeFile(join(dir, 'users.yaml'), users());
    await (s.resolvers.get('local') as unknown as { reload(): Promise<void> }).reload();
  });
});
