// The authentication service against a real (in-memory) SQLite store and a
// fake directory: PIN policies, PIN position, pass-on policies, validity and
// counters, fail-counter rules, and the KDF only where it changes the answer.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { DEFAULT_POLICY, type AuthPolicy } from '../../src/model/policy.ts';
import type { AccessRequest } from '../../src/model/access-request.ts';
import { createAuthContext, type PinVerifier, type UserDirectory } from '../../src/auth/context.ts';
import { AuthService } from '../../src/auth/service.ts';
import { hotp } from '../../src/otp/hotp.ts';
import { openSqliteStore, type KeyedTokenStore } from '../../src/store/index.ts';
import type { NewToken } from '../../src/model/token.ts';
import { ResolverUnavailableError, type User } from '../../src/users/types.ts';
import { newToken, SEED } from '../store/helpers.ts';

const at = (c: number) => hotp(SEED, c);
const USERS: Record<string, User> = {
  alice: { resolver: 'local', id: '1', login: 'alice', groups: [], attributes: {} },
  bob: { resolver: 'local', id: '2', login: 'bob', groups: [], attributes: {} },
};

class Directory implements UserDirectory {
  readonly defaultRealm = 'default';
  readonly names = ['default', 'corp'];
  down = false;
  passwords: Record<string, string> = { alice: 'secret-pw' };
  hasRealm = (name: string) => name === 'default' || name === 'corp';
  async findUser(_realm: string, login: string) {
    if (this.down) throw new ResolverUnavailableError('local', new Error('connect ECONNREFUSED'));
    return USERS[login];
  }
  async checkPassword(user: User, password: string) {
    return this.passwords[user.login] === password;
  }
  async listUsers() {
    return Object.values(USERS);
  }
}

interface Setup {
  service: AuthService;
  store: KeyedTokenStore;
  users: Directory;
  kdf: { calls: number };
  clock: { now: number };
  pins: PinVerifier;
}

async function setup(policy: Partial<AuthPolicy> = {}, tokens: Partial<NewToken>[] = [{}]): Promise<Setup> {
  const store = await openSqliteStore({ path: ':memory:', keys: { seedKey: Buffer.alloc(32, 1), pepper: Buffer.alloc(32, 2) } });
  const users = new Directory();
  const kdf = { calls: 0 };
  const clock = { now: 1_800_000_000 };
  const pins: PinVerifier = {
    verify: async (pin: string, hash: string | null) => {
      kdf.calls++;
      return store.pins.verify(pin, hash);
    },
    hash: (pin) => store.pins.hash(pin),
  };
  let n = 0;
  for (const t of tokens) {
    n++;
    await store.createToken(newToken(`T${n}`, { maxFail: 10, owner: { realm: 'default', resolver: 'local', userId: '1', login: 'alice' }, pinHash: await store.pins.hash('1234'), ...t }));
  }
  const service = new AuthService(createAuthContext({ store, users, pins, policy: { ...DEFAULT_POLICY, ...policy }, logger: pino({ level: 'silent' }), now: () => clock.now }));
  return { service, store, users, kdf, clock, pins };
}

function req(userName: string, password: string | Buffer | undefined, extra: Partial<AccessRequest> = {}): AccessRequest {
  return { userName, ...(password !== undefined ? { password: Buffer.isBuffer(password) ? password : Buffer.from(password, 'utf8') } : {}), nas: { client: 'test', address: '127.0.0.1' }, ...extra };
}

test('PIN+OTP accepted once; reasons for wrong OTP and replay', async () => {
  const { service } = await setup();
  assert.deepEqual(await service.authenticate(req('alice', `1234${at(0)}`)), { decision: 'accept', reason: 'ok', user: 'alice', realm: 'default', serial: 'T1' });
  assert.equal((await service.authenticate(req('alice', `1234${at(0)}`))).reason, 'replay');
  assert.equal((await service.authenticate(req('alice', '1234000000'))).reason, 'wrong otp');
  assert.equal((await service.authenticate(req('alice', '9999000000'))).reason, 'wrong pin');
});

test('the token counts an accept and a wrong OTP after the right PIN; a wrong PIN and a replay go to the throttle', async () => {
  const { service, store } = await setup();
  await service.authenticate(req('alice', `1234${at(0)}`));
  let t = (await store.getToken('T1'))!;
  assert.deepEqual([t.authCount, t.failCount, t.successCount], [1, 0, 1]);
  await service.authenticate(req('alice', '1234000000'));
  t = (await store.getToken('T1'))!;
  assert.deepEqual([t.authCount, t.failCount, t.successCount], [2, 1, 1]);
  assert.equal((await service.authenticate(req('alice', `1234${at(0)}`))).reason, 'replay');
  assert.equal((await service.authenticate(req('alice', `9999${at(1)}`))).reason, 'wrong pin');
  t = (await store.getToken('T1'))!;
  assert.deepEqual([t.authCount, t.failCount, t.successCount], [2, 1, 1], 'neither the replay nor the wrong PIN counted on the token');
  assert.deepEqual(await store.getThrottle({ realm: 'default', login: 'alice', source: 'nas:127.0.0.1' }), { failures: 2, lastFailure: 1_800_000_000, refused: 0 });
});

test('lockout: linotp counts every failed attempt on the token, wrong PIN and replay included', async () => {
  const { service, store } = await setup({ lockout: 'linotp' });
  await service.authenticate(req('alice', `1234${at(0)}`));
  await service.authenticate(req('alice', '1234000000'));
  assert.equal((await service.authenticate(req('alice', `1234${at(0)}`))).reason, 'replay');
  assert.equal((await service.authenticate(req('alice', `9999${at(1)}`))).reason, 'wrong pin');
  const t = (await store.getToken('T1'))!;
  assert.deepEqual([t.authCount, t.failCount, t.successCount], [4, 3, 1]);
});

test('user@realm and DOMAIN\\user pick the realm; splitAtSign off keeps the whole name', async () => {
  const { service } = await setup();
  assert.equal((await service.authenticate(req('alice@nowhere', `1234${at(0)}`))).reason, 'unknown realm');
  const r = await service.authenticate(req('CORP\\alice', `1234${at(0)}`));
  assert.equal(r.realm, 'corp');
  const off = await setup({ splitAtSign: false });
  assert.equal((await off.service.authenticate(req('alice@corp', `1234${at(0)}`))).reason, 'unknown user');
});

test('the NAS client realm applies when the name has none', async () => {
  const { service } = await setup();
  const r = await service.authenticate(req('alice', `1234${at(0)}`, { nas: { client: 'vpn', address: '127.0.0.1', realm: 'corp' } }));
  assert.equal(r.realm, 'corp');
});

test('pinPosition append: the OTP first, the PIN after it', async () => {
  const { service } = await setup({ pinPosition: 'append' });
  assert.equal((await service.authenticate(req('alice', `${at(0)}1234`))).decision, 'accept');
});

test('otppin userstore: the directory password is the PIN; an empty one never is', async () => {
  const { service } = await setup({ otppin: 'userstore' });
  assert.equal((await service.authenticate(req('alice', `secret-pw${at(0)}`))).decision, 'accept');
  assert.equal((await service.authenticate(req('alice', `1234${at(1)}`))).decision, 'reject');
  const { service: s2, users } = await setup({ otppin: 'userstore' });
  users.passwords.alice = '';
  assert.equal((await s2.authenticate(req('alice', at(0)))).decision, 'reject');
});

test('otppin none: the OTP alone, and nothing in front of it', async () => {
  const { service, kdf } = await setup({ otppin: 'none' });
  assert.equal((await service.authenticate(req('alice', `1234${at(0)}`))).decision, 'reject');
  assert.equal((await service.authenticate(req('alice', at(0)))).decision, 'accept');
  assert.equal(kdf.calls, 0);
});

test('passOnNoToken and passOnNoUser', async () => {
  const none = await setup({}, []);
  assert.equal((await none.service.authenticate(req('alice', 'x'))).reason, 'no token');
  const pass = await setup({ passOnNoToken: true, passOnNoUser: true }, []);
  assert.equal((await pass.service.authenticate(req('alice', 'x'))).reason, 'pass on no token');
  assert.equal((await pass.service.authenticate(req('nobody', 'x'))).reason, 'pass on no user');
  assert.equal((await none.service.authenticate(req('nobody', 'x'))).reason, 'unknown user');
});

test('a resolver that cannot answer gives reject "resolver unavailable"', async () => {
  const { service, users } = await setup();
  users.down = true;
  assert.equal((await service.authenticate(req('alice', `1234${at(0)}`))).reason, 'resolver unavailable');
});

test('CHAP, EAP, no password: rejected with a reason', async () => {
  const { service } = await setup();
  assert.match((await service.authenticate(req('alice', undefined, { chap: true }))).reason, /chap not supported/);
  assert.equal((await service.authenticate(req('alice', undefined, { eap: true }))).reason, 'eap not supported');
  assert.equal((await service.authenticate(req('alice', undefined))).reason, 'no password');
});

test('validity period and auth limits', async () => {
  const { service, clock } = await setup({}, [{ validFrom: 1_800_000_100, validUntil: 1_800_000_200 }]);
  assert.equal((await service.authenticate(req('alice', `1234${at(0)}`))).reason, 'not yet valid');
  clock.now = 1_800_000_150;
  assert.equal((await service.authenticate(req('alice', `1234${at(0)}`))).decision, 'accept');
  clock.now = 1_800_000_201;
  assert.equal((await service.authenticate(req('alice', `1234${at(1)}`))).reason, 'expired');
  const limited = await setup({}, [{ maxSuccess: 1 }]);
  assert.equal((await limited.service.authenticate(req('alice', `1234${at(0)}`))).decision, 'accept');
  assert.equal((await limited.service.authenticate(req('alice', `1234${at(1)}`))).reason, 'success limit reached');
});

test('the fail counter blames the tokens whose PIN matched; when none did, the token counters stay (linotp: all are blamed)', async () => {
  for (const lockout of ['otp', 'linotp'] as const) {
    const { service, store } = await setup({ lockout }, [{}, { pinHash: null, serial: 'OTHER' }]);
    assert.equal((await service.authenticate(req('alice', '1234000000'))).reason, 'wrong otp');
    assert.equal((await store.getToken('T1'))!.failCount, 1);
    assert.equal((await store.getToken('OTHER'))!.failCount, 0);
    assert.equal((await service.authenticate(req('alice', '9999000000'))).reason, 'wrong pin');
    assert.equal((await store.getToken('T1'))!.failCount, lockout === 'otp' ? 1 : 2, lockout);
    assert.equal((await store.getToken('OTHER'))!.failCount, lockout === 'otp' ? 0 : 1, lockout);
    assert.equal((await service.authenticate(req('alice', `1234${at(0)}`))).decision, 'accept');
    assert.equal((await store.getToken('T1'))!.failCount, 0, 'a success resets it');
  }
});

test('maxFail locks; failCounterClearTimeout unlocks after the quiet period', async () => {
  const { service, store, clock } = await setup({ failCounterClearTimeout: 600 }, [{ maxFail: 3 }]);
  for (let i = 0; i < 3; i++) await service.authenticate(req('alice', `1234${String(100000 + i)}`));
  assert.equal((await store.getToken('T1'))!.locked, true);
  assert.equal((await service.authenticate(req('alice', `1234${at(0)}`))).reason, 'locked');
  clock.now += 601;
  assert.equal((await service.authenticate(req('alice', `1234${at(0)}`))).decision, 'accept');
});

test('without challenge-response a wrong OTP costs one KDF, as a right one does, to tell a wrong PIN from a wrong OTP', async () => {
  const { service, kdf } = await setup({ challengeResponse: [] }, [{ maxFail: 100 }]);
  for (let i = 0; i < 20; i++) await service.authenticate(req('alice', `1234${String(200000 + i)}`));
  assert.equal(kdf.calls, 20);
  await service.authenticate(req('alice', `1234${at(0)}`));
  assert.equal(kdf.calls, 21);
});

test('with challenge-response the PIN check costs the same KDF whether the PIN is right or wrong', async () => {
  const { service, kdf } = await setup();
  await service.authenticate(req('alice', '1234999999'));
  const wrongOtp = kdf.calls;
  kdf.calls = 0;
  await service.authenticate(req('alice', '9999999999'));
  assert.equal(kdf.calls, wrongOtp, 'same number of KDF runs for a right and a wrong PIN');
});

test('passwords are compared as bytes: a Latin-1 PIN does not match the UTF-8 one, and a byte that is not a digit never matches an OTP', async () => {
  const { service, store } = await setup();
  await store.updateToken('T1', { pinHash: await store.pins.hash('café') });
  assert.equal((await service.authenticate(req('alice', Buffer.concat([Buffer.from('caf\xe9', 'latin1'), Buffer.from(at(0))])))).reason, 'wrong pin');
  assert.equal((await service.authenticate(req('alice', Buffer.concat([Buffer.from('café'), Buffer.from(`${at(0)}\n`)])))).decision, 'reject', 'a trailing LF is part of the password');
  assert.equal((await service.authenticate(req('alice', Buffer.concat([Buffer.from('café'), Buffer.from(at(0))])))).decision, 'accept');
  assert.equal((await service.authenticate(req('alice', Buffer.concat([Buffer.from('café'), Buffer.from(`${at(1)}`.slice(0, 5)), Buffer.from([0xb9])])))).decision, 'reject');
  const userstore = await setup({ otppin: 'userstore' });
  assert.equal(
    (await userstore.service.authenticate(req('alice', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(at(0))])))).reason,
    'wrong pin',
    'bytes that are not UTF-8 are no directory password',
  );
});

test('several tokens: whichever matches accepts', async () => {
  const other = Buffer.from('abcdefghijabcdefghij', 'ascii');
  const { service } = await setup({}, [{}, { serial: 'T2', seed: other }]);
  const r = await service.authenticate(req('alice', `1234${hotp(other, 0)}`));
  assert.equal(r.decision, 'accept');
  assert.equal(r.serial, 'T2');
});

test('a right PIN under an old hash format is re-hashed in the current one; a wrong one changes nothing', async () => {
  const { service, store, pins } = await setup();
  const legacy = 'legacy$1234';
  await store.updateToken('T1', { pinHash: legacy });
  const real = pins.verify;
  pins.verify = async (pin, hash) => (hash === legacy ? pin.toString() === '1234' : real(pin, hash));
  pins.needsRehash = (hash) => hash.startsWith('legacy$');
  pins.hash = (pin) => store.pins.hash(pin);
  assert.equal((await service.authenticate(req('alice', `9999${at(0)}`))).decision, 'reject');
  assert.equal((await store.getToken('T1'))!.pinHash, legacy);
  assert.equal((await service.authenticate(req('alice', `1234${at(0)}`))).decision, 'accept');
  const after = (await store.getToken('T1'))!.pinHash!;
  assert.notEqual(after, legacy);
  assert.equal(await store.pins.verify('1234', after), true);
});

test('an unknown user, a user without tokens, a disabled or locked token and a throttled source cost the KDFs of a wrong password', async () => {
  for (const challengeResponse of [[], ['hotp']] as const) {
    const { service, kdf, store } = await setup({ challengeResponse: [...challengeResponse] }, [{ maxFail: 1 }]);
    await service.authenticate(req('alice', '9999999999'));
    const wrong = kdf.calls;
    assert.equal(wrong, challengeResponse.length > 0 ? 2 : 1, 'the PIN part, and the whole password as a PIN when challenges are on');
    const cost = async (r: AccessRequest, reason: string): Promise<void> => {
      kdf.calls = 0;
      assert.equal((await service.authenticate(r)).reason, reason);
      assert.equal(kdf.calls, wrong, reason);
    };
    await cost(req('nobody', '1234567890'), 'unknown user');
    await cost(req('bob', '1234567890'), 'no token');
    await store.updateToken('T1', { active: false });
    await cost(req('alice', '1234567890', { callingStationId: 'other-1' }), 'disabled');
    await store.updateToken('T1', { active: true, locked: true });
    await cost(req('alice', '1234567890', { callingStationId: 'other-2' }), 'locked');
    for (let i = 0; i < 5; i++) await service.authenticate(req('alice', '1234567890', { callingStationId: 'station-t' }));
    await cost(req('alice', '1234567890', { callingStationId: 'station-t' }), 'throttled');
  }
});

test('a store that does not answer gives reject "store unavailable", logged once', async () => {
  const { service, store } = await setup();
  const { StoreError } = await import('../../src/store/errors.ts');
  store.tokensOfUser = async () => {
    throw new StoreError('unavailable', 'connection terminated');
  };
  assert.equal((await service.authenticate(req('alice', `1234${at(0)}`))).reason, 'store unavailable');
  assert.equal((await service.authenticate(req('alice', `1234${at(0)}`))).reason, 'store unavailable');
});

test('throttle: five wrong PINs from a source are judged, then that source waits, doubling; another source is not affected; it clears by itself and on success', async () => {
  const { service, store, clock, kdf } = await setup();
  const attacker = { callingStationId: '02-00-00-00-00-66' };
  const wrong = () => service.authenticate(req('alice', `0000${at(0)}`, attacker));
  for (let i = 0; i < 5; i++) assert.equal((await wrong()).reason, 'wrong pin', `attempt ${i + 1} is free`);
  assert.equal((await wrong()).reason, 'throttled', 'the sixth comes too soon');
  clock.now += 1;
  assert.equal((await wrong()).reason, 'throttled');
  assert.equal((await service.authenticate(req('alice', `1234${at(0)}`, attacker))).reason, 'throttled', 'even the right password waits');
  assert.equal((await service.authenticate(req('alice', `1234${at(0)}`, { callingStationId: '02-00-00-00-00-01' }))).decision, 'accept', 'the real user from another station logs in');
  clock.now += 1;
  assert.equal((await wrong()).reason, 'wrong pin', 'after the first delay (2 s) one more is judged');
  assert.equal((await wrong()).reason, 'throttled');
  clock.now += 3;
  assert.equal((await wrong()).reason, 'throttled', 'the second delay is 4 s');
  clock.now += 1;
  assert.equal((await wrong()).reason, 'wrong pin');
  const key = { realm: 'default', login: 'alice', source: 'station:02-00-00-00-00-66' };
  assert.equal((await store.getThrottle(key))!.failures, 7);
  assert.equal((await store.getThrottle(key))!.refused, 5);
  assert.equal((await store.getToken('T1'))!.failCount, 0, 'no wrong PIN touched the token');
  clock.now += 3600;
  kdf.calls = 0;
  assert.equal((await wrong()).reason, 'wrong pin', 'an hour later it has cleared by itself');
  assert.equal((await service.authenticate(req('alice', `1234${at(1)}`, attacker))).decision, 'accept');
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(await store.getThrottle(key), undefined, 'a success clears it');
});

test('throttle: a burst from one source is judged no further than the attempts left', async () => {
  const { service } = await setup();
  const results = await Promise.all(Array.from({ length: 30 }, () => service.authenticate(req('alice', `0000${at(0)}`, { callingStationId: 'burst' }))));
  const judged = results.filter((r) => r.reason === 'wrong pin').length;
  assert.equal(judged, 5, 'five judged, however many came at once');
  assert.equal(results.filter((r) => r.reason === 'throttled').length, 25);
});

test('throttle: false turns it off', async () => {
  const { service } = await setup({ throttle: false });
  for (let i = 0; i < 12; i++) assert.equal((await service.authenticate(req('alice', `0000${at(0)}`))).reason, 'wrong pin');
});

test('a burst of wrong OTPs with the right PIN and the right OTP among them: no more than max fail judged, the right one locked out, the counter at max fail', async () => {
  const { service, store } = await setup({ throttle: false }, [{ maxFail: 10 }]);
  const wrongs = Array.from({ length: 200 }, (_, i) => `1234${String(100000 + i)}`).filter((p) => p !== `1234${at(0)}`);
  const passwords = [...wrongs.slice(0, 99), `1234${at(0)}`, ...wrongs.slice(99)];
  const results = await Promise.all(passwords.map((p) => service.authenticate(req('alice', p))));
  const judged = results.filter((r) => r.reason.startsWith('wrong otp')).length;
  assert.equal(judged, 10, 'exactly max fail judged');
  assert.equal(results[99]!.reason, 'locked', 'the right OTP after the lock is refused');
  assert.equal(results.filter((r) => r.decision === 'accept').length, 0);
  const t = (await store.getToken('T1'))!;
  assert.deepEqual([t.failCount, t.locked, t.successCount], [10, true, 0]);
});

test('several tokens: a right OTP under a wrong PIN costs its KDF once, not again when blaming', async () => {
  const other = Buffer.from('abcdefghijabcdefghij', 'ascii');
  const { service, kdf } = await setup({ challengeResponse: [] }, [{}, { serial: 'T2', seed: other }]);
  assert.equal((await service.authenticate(req('alice', `9999${at(0)}`))).reason, 'wrong pin');
  assert.equal(kdf.calls, 2, 'one PIN check per token');
});
