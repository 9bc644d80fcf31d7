// Static password tokens (spass) through the authentication service over a
// real SQLite store: the PIN alone logs in, any number of times, and only
// while the token is usable; wrong passwords are throttled (or, with
// lockout: linotp, counted); without a PIN the token is refused.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { pino } from 'pino';
import { createAuthContext } from '../../src/auth/context.ts';
import { AuthService } from '../../src/auth/service.ts';
import { hotp } from '../../src/otp/hotp.ts';
import type { Decision } from '../../src/model/decision.ts';
import { DEFAULT_POLICY, type AuthPolicy } from '../../src/model/policy.ts';
import type { NewToken } from '../../src/model/token.ts';
import { openSqliteStore, type KeyedTokenStore } from '../../src/store/index.ts';
import type { User } from '../../src/users/types.ts';
import { newToken, SEED } from '../store/helpers.ts';

const ALICE: User = { resolver: 'local', id: '1', login: 'alice', groups: [], attributes: {} };
const KEYS = { seedKey: Buffer.alloc(32, 1), pepper: Buffer.alloc(32, 2) };
const OWNER = { realm: 'default', resolver: 'local', userId: '1', login: 'alice' };

function service(store: KeyedTokenStore, policy: Partial<AuthPolicy> = {}, kdf = { calls: 0 }, now = () => 1_800_000_000): AuthService {
  const users = {
    defaultRealm: 'default',
    names: ['default'],
    hasRealm: (r: string) => r === 'default',
    findUser: async (_r: string, login: string) => (login === 'alice' ? ALICE : undefined),
    listUsers: async () => [ALICE],
    checkPassword: async (_u: User, pw: string) => pw === 'directory-pw',
  };
  return new AuthService(
    createAuthContext({
      store,
      users,
      policy: { ...DEFAULT_POLICY, ...policy },
      logger: pino({ level: 'silent' }),
      now,
      pins: {
        verify: async (pin, hash) => {
          kdf.calls++;
          return store.pins.verify(pin, hash);
        },
        hash: (pin) => store.pins.hash(pin),
      },
    }),
  );
}

async function store(path = ':memory:'): Promise<KeyedTokenStore> {
  const s = await openSqliteStore({ path, keys: KEYS });
  after(() => s.close());
  return s;
}

async function spass(s: KeyedTokenStore, extra: Partial<NewToken> = {}): Promise<void> {
  await s.createToken({
    serial: 'SP1',
    type: 'spass',
    seed: SEED,
    otpLength: 6,
    algorithm: 'sha1',
    timeStep: 30,
    window: 0,
    syncWindow: 0,
    maxFail: 3,
    owner: OWNER,
    pinHash: await s.pins.hash('static-Secret-1'),
    ...extra,
  });
}

const login = (svc: AuthService, password: string): Promise<Decision> => svc.authenticate({ userName: 'alice', password: Buffer.from(password), nas: { client: 't', address: '127.0.0.1' } });

test('the PIN alone logs in, again and again; each login is counted on the token', async () => {
  const s = await store();
  await spass(s);
  const svc = service(s);
  for (let i = 0; i < 3; i++) assert.deepEqual(await login(svc, 'static-Secret-1'), { decision: 'accept', reason: 'ok', user: 'alice', realm: 'default', serial: 'SP1' });
  const t = (await s.getToken('SP1'))!;
  assert.deepEqual([t.successCount, t.authCount, t.failCount], [3, 3, 0]);
  assert.equal((await login(svc, 'static-Secret-1123456')).reason, 'wrong pin', 'nothing is split off as an OTP');
});

test('a wrong password is throttled, not counted on the token; lockout: linotp counts it and locks', async () => {
  const s = await store();
  await spass(s);
  const svc = service(s);
  assert.equal((await login(svc, 'wrong')).reason, 'wrong pin');
  assert.equal((await s.getToken('SP1'))!.failCount, 0);
  assert.equal((await s.getThrottle({ realm: 'default', login: 'alice', source: 'nas:127.0.0.1' }))?.failures, 1);

  const l = await store();
  await spass(l);
  const linotp = service(l, { lockout: 'linotp', throttle: false });
  for (let i = 0; i < 3; i++) await login(linotp, 'wrong');
  assert.equal((await l.getToken('SP1'))!.locked, true);
  assert.equal((await login(linotp, 'static-Secret-1')).reason, 'locked', 'the right password does not open a locked token');
});

test('a locked, disabled, expired or used-up token refuses the right password', async () => {
  for (const [extra, reason] of [
    [{ active: false }, 'disabled'],
    [{ validUntil: 1_700_000_000 }, 'expired'],
    [{ maxSuccess: 1 }, 'success limit reached'],
  ] as const) {
    const s = await store();
    await spass(s, extra);
    const svc = service(s);
    if ('maxSuccess' in extra) assert.equal((await login(svc, 'static-Secret-1')).decision, 'accept', 'LinOTP onetime: the first login');
    assert.equal((await login(svc, 'static-Secret-1')).reason, reason);
  }
  const s = await store();
  await spass(s);
  await s.updateToken('SP1', { locked: true });
  assert.equal((await login(service(s), 'static-Secret-1')).reason, 'locked');
});

test('without a PIN, or under otppin: none, the token is unusable; under otppin: userstore the directory password is it', async () => {
  const s = await store();
  await spass(s, { pinHash: null });
  assert.equal((await login(service(s), '')).reason, 'static password without a PIN');
  assert.equal((await login(service(s), 'anything')).reason, 'static password without a PIN');
  const n = await store();
  await spass(n);
  assert.equal((await login(service(n, { otppin: 'none' }), '')).reason, 'static password unusable under otppin none');
  const u = await store();
  await spass(u, { pinHash: null });
  assert.equal((await login(service(u, { otppin: 'userstore' }), 'directory-pw')).decision, 'accept');
  assert.equal((await login(service(u, { otppin: 'userstore' }), 'static-Secret-1')).reason, 'wrong pin');
});

test('beside an HOTP token: each logs in its own way', async () => {
  const s = await store();
  await spass(s);
  await s.createToken(newToken('H1', { owner: OWNER, pinHash: await s.pins.hash('1234') }));
  const svc = service(s);
  assert.equal((await login(svc, `1234${hotp(SEED, 0)}`)).serial, 'H1');
  assert.equal((await login(svc, 'static-Secret-1')).serial, 'SP1');
});

test('a wrong password costs two KDF runs, as for a user whose token takes challenges', async () => {
  const s = await store();
  await spass(s);
  const kdf = { calls: 0 };
  assert.equal((await login(service(s, {}, kdf), 'wrong-password')).reason, 'wrong pin');
  assert.equal(kdf.calls, 2);
});

test('logins at once on two workers sharing the store are all accepted: a static password has no replay', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otp-radius-spass-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const a = await store(join(dir, 'tokens.db'));
  const b = await store(join(dir, 'tokens.db'));
  await spass(a);
  const workers = [service(a), service(b)];
  const results = await Promise.all(Array.from({ length: 8 }, (_, i) => login(workers[i % 2]!, 'static-Secret-1')));
  assert.deepEqual(
    results.map((r) => r.decision),
    Array(8).fill('accept'),
    results.map((r) => r.reason).join(', '),
  );
  assert.equal((await a.getToken('SP1'))!.successCount, 8);
});
