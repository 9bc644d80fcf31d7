// Pending tokens, admin accounts, API keys, admin sessions and the audit
// table, the same on every backend.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import type { AuditRecord } from '../../src/model/audit.ts';
import { newToken } from './helpers.ts';
import type { StoreFactory } from './suite.ts';

function record(over: Partial<AuditRecord> = {}): AuditRecord {
  return {
    id: randomBytes(12).toString('hex'),
    at: 1_700_000_000_000,
    event: 'auth',
    actor: 'vpn-gw',
    action: 'authenticate',
    result: 'accept',
    reason: 'ok',
    user: 'alice',
    realm: 'corp',
    serial: 'TOTP1',
    address: '192.0.2.1',
    extra: { ms: 3.5 },
    ...over,
  };
}

export function adminSuite(factory: StoreFactory): void {
  describe(`${factory.name}: pending tokens`, () => {
    test('a pending token takes no accept until verifyPending; verifying twice or behind the counter does nothing', async () => {
      const { store } = await factory.fresh();
      await store.createToken(newToken('P1', { pending: true, counter: 3 }));
      assert.equal((await store.getToken('P1'))!.pending, true);
      assert.equal(await store.commitSuccess('P1', 4, 1000), false, 'no login while pending');
      assert.equal(await store.verifyPending('P1', 2), false, 'behind the counter');
      assert.equal(await store.verifyPending('P1', 5, 30), true);
      const t = (await store.getToken('P1'))!;
      assert.equal(t.pending, false);
      assert.equal(t.counter, 6);
      assert.equal(t.drift, 30);
      assert.equal(t.successCount, 0, 'a verification is not a login');
      assert.equal(await store.verifyPending('P1', 7), false, 'not pending any more');
      assert.equal(await store.commitSuccess('P1', 6, 1001), true);
      assert.equal(await store.updateToken('P1', { pending: true }), true);
      assert.equal((await store.getToken('P1'))!.pending, true);
      await store.close();
    });
  });

  describe(`${factory.name}: token lists`, () => {
    test('filters by serial prefix, type, state, last use and realm scope; pages in byte order', async () => {
      const { store } = await factory.fresh();
      const corp = { realm: 'corp', resolver: 'r', userId: '1', login: 'alice' };
      const lab = { realm: 'lab', resolver: 'r', userId: '2', login: 'bob' };
      const admin = { realm: '@admin', resolver: '@admin', userId: 'boss', login: 'boss' };
      await store.createToken(newToken('A-1', { owner: corp }));
      await store.createToken(newToken('A-2', { owner: corp, type: 'totp', pending: true }));
      await store.createToken(newToken('A-3', { owner: lab, active: false }));
      await store.createToken(newToken('B-1', { owner: admin }));
      await store.createToken(newToken('a-1'));
      await store.updateToken('A-1', { locked: true });
      await store.commitSuccess('B-1', 0, 5000);
      const serials = async (f: Parameters<typeof store.listTokens>[0]): Promise<string[]> => (await store.listTokens(f)).map((t) => t.serial);
      assert.deepEqual(await serials({}), ['A-1', 'A-2', 'A-3', 'B-1', 'a-1'], 'byte order: upper case first');
      assert.deepEqual(await serials({ serialPrefix: 'A-' }), ['A-1', 'A-2', 'A-3']);
      assert.deepEqual(await serials({ type: 'totp' }), ['A-2']);
      assert.deepEqual(await serials({ state: 'locked' }), ['A-1']);
      assert.deepEqual(await serials({ state: 'pending' }), ['A-2']);
      assert.deepEqual(await serials({ state: 'disabled' }), ['A-3']);
      assert.deepEqual(await serials({ state: 'active' }), ['B-1', 'a-1']);
      assert.deepEqual(await serials({ lastAuthAfter: 4000 }), ['B-1']);
      assert.deepEqual(await serials({ lastAuthBefore: 4000 }), ['A-1', 'A-2', 'A-3', 'a-1'], 'never used counts as before');
      assert.deepEqual(await serials({ withinRealms: ['lab'] }), ['A-3', 'a-1'], 'the realm and unassigned tokens');
      assert.deepEqual(await serials({ exceptRealm: '@admin' }), ['A-1', 'A-2', 'A-3', 'a-1']);
      assert.deepEqual(await serials({ limit: 2 }), ['A-1', 'A-2']);
      assert.deepEqual(await serials({ limit: 2, after: 'A-2' }), ['A-3', 'B-1']);
      assert.deepEqual(await serials({ unassigned: true, type: 'hotp' }), ['a-1']);
      await assert.rejects(store.listTokens({ state: 'frozen' as never }), /state must be one of/);
      await assert.rejects(store.listTokens({ limit: 0 }), /limit/);
      await store.close();
    });
  });

  describe(`${factory.name}: admin accounts, API keys, sessions`, () => {
    test('accounts: create, read, list, update, delete; a name is taken once', async () => {
      const { store } = await factory.fresh();
      const a = await store.admins.createAccount({ name: 'ops', role: 'helpdesk', realms: ['corp'], passwordHash: '$scrypt$x', otpSerial: 'ADM1' }, 1000.5);
      assert.deepEqual(a, { name: 'ops', role: 'helpdesk', realms: ['corp'], passwordHash: '$scrypt$x', otpSerial: 'ADM1', disabled: false, createdAt: 1000, lastLogin: null });
      assert.deepEqual(await store.admins.getAccount('ops'), a);
      await assert.rejects(store.admins.createAccount({ name: 'ops', role: 'admin', realms: null, passwordHash: 'h', otpSerial: null }, 1), /admin account ops already exists/);
      await store.admins.createAccount({ name: 'boss', role: 'admin', realms: null, passwordHash: 'h', otpSerial: null }, 2);
      assert.deepEqual(
        (await store.admins.listAccounts()).map((x) => x.name),
        ['boss', 'ops'],
      );
      assert.equal(await store.admins.updateAccount('ops', { disabled: true, lastLogin: 2000, realms: null }), true);
      assert.deepEqual(await store.admins.getAccount('ops'), { ...a, disabled: true, lastLogin: 2000, realms: null });
      assert.equal(await store.admins.updateAccount('nobody', { disabled: true }), false);
      await assert.rejects(store.admins.createAccount({ name: 'x', role: 'root' as never, realms: null, passwordHash: 'h', otpSerial: null }, 1), /role: expected one of admin, helpdesk, auditor/);
      await assert.rejects(store.admins.getAccount('bad name'), /admin account name/);
      assert.equal(await store.admins.deleteAccount('ops'), true);
      assert.equal(await store.admins.deleteAccount('ops'), false);
      assert.equal(await store.admins.getAccount('ops'), undefined);
      await store.close();
    });

    test('API keys: revoked once, a use is recorded at most once a minute', async () => {
      const { store } = await factory.fresh();
      const key = {
        id: 'a1b2c3d4e5f60718',
        secretHash: 'ff'.repeat(32),
        role: 'auditor' as const,
        realms: ['corp', 'lab'],
        description: 'reports',
        expiresAt: 5000,
        createdBy: 'boss',
        createdAt: 1000,
      };
      await store.admins.createApiKey(key);
      assert.deepEqual(await store.admins.getApiKey(key.id), { ...key, lastUsed: null, revokedAt: null });
      await store.admins.touchApiKey(key.id, 1100);
      await store.admins.touchApiKey(key.id, 1130);
      assert.equal((await store.admins.getApiKey(key.id))!.lastUsed, 1100);
      await store.admins.touchApiKey(key.id, 1160);
      assert.equal((await store.admins.getApiKey(key.id))!.lastUsed, 1160);
      assert.equal(await store.admins.revokeApiKey(key.id, 1200), true);
      assert.equal(await store.admins.revokeApiKey(key.id, 1300), false);
      assert.equal((await store.admins.getApiKey(key.id))!.revokedAt, 1200);
      assert.equal((await store.admins.listApiKeys()).length, 1);
      await assert.rejects(store.admins.getApiKey('NOT-HEX'), /API key id/);
      await store.close();
    });

    test('sessions: read by id, touched, deleted alone or per account, purged when idle or old', async () => {
      const { store } = await factory.fresh();
      const s = (id: string, account: string, createdAt: number, lastSeen: number) => ({
        id,
        account,
        source: 'local' as const,
        role: 'admin' as const,
        realms: null,
        csrf: 'ab'.repeat(16),
        address: '127.0.0.1',
        createdAt,
        lastSeen,
      });
      await store.admins.createSession(s('aa'.repeat(32), 'boss', 1000, 1000));
      await store.admins.createSession(s('bb'.repeat(32), 'boss', 1000, 1000));
      await store.admins.createSession(s('cc'.repeat(32), 'ops', 100, 1900));
      await store.admins.createSession(s('dd'.repeat(32), 'ops', 1500, 1500));
      assert.deepEqual(await store.admins.getSession('aa'.repeat(32)), s('aa'.repeat(32), 'boss', 1000, 1000));
      await store.admins.touchSession('aa'.repeat(32), 1030);
      assert.equal((await store.admins.getSession('aa'.repeat(32)))!.lastSeen, 1000, 'touched again only after a minute');
      await store.admins.touchSession('aa'.repeat(32), 1200);
      assert.equal((await store.admins.getSession('aa'.repeat(32)))!.lastSeen, 1200);
      assert.equal(await store.admins.deleteSession('aa'.repeat(32)), true);
      assert.equal(await store.admins.getSession('aa'.repeat(32)), undefined);
      assert.equal(await store.admins.deleteSessionsOf('boss'), 1);
      assert.equal(await store.admins.purgeSessions(1400, 500), 1, 'dd stays; cc is too old though recently seen');
      assert.equal((await store.admins.getSession('dd'.repeat(32)))!.account, 'ops');
      await store.close();
    });
  });

  describe(`${factory.name}: audit table`, () => {
    test('records come back newest first, filtered, a page at a time; long values are cut; purge removes the old ones', async () => {
      const { store } = await factory.fresh();
      const base = 1_700_000_000_000;
      const rows = [
        record({ at: base, user: 'alice', result: 'reject', reason: 'wrong otp' }),
        record({ at: base + 1000, user: 'bob', realm: 'lab', serial: 'H9' }),
        record({ at: base + 2000, event: 'admin', actor: 'boss', action: 'token.reset', result: 'ok', reason: '', user: 'alice', address: '127.0.0.1', extra: { via: 'api', role: 'admin' } }),
        record({ at: base + 2000, user: 'x'.repeat(5000), realm: null, serial: null, address: null }),
      ];
      await store.audit.write(rows.slice(0, 2));
      assert.equal(await store.audit.settle(), 2, 'the first two move to the indexed table');
      await store.audit.write(rows.slice(2));
      const all = await store.audit.query({ limit: 10 });
      assert.equal(all.length, 4);
      assert.deepEqual(
        all.map((r) => r.at),
        [base + 2000, base + 2000, base + 1000, base],
      );
      assert.equal(all.find((r) => r.realm === null)!.user!.length, 1000, 'a 5000-character user name is cut, not refused');
      assert.deepEqual(await store.audit.query({ user: 'alice', event: 'admin', limit: 10 }), [rows[2]]);
      assert.deepEqual(
        (await store.audit.query({ user: 'alice', limit: 10 })).map((r) => r.action),
        ['token.reset', 'authenticate'],
      );
      assert.deepEqual(
        (await store.audit.query({ serial: 'H9', limit: 10 })).map((r) => r.user),
        ['bob'],
      );
      assert.deepEqual(
        (await store.audit.query({ result: 'reject', limit: 10 })).map((r) => r.reason),
        ['wrong otp'],
      );
      assert.equal((await store.audit.query({ from: base + 500, to: base + 1500, limit: 10 }))[0]!.user, 'bob');
      assert.deepEqual(
        (await store.audit.query({ realms: ['lab'], limit: 10 })).map((r) => r.user),
        ['bob'],
      );
      assert.deepEqual(await store.audit.query({ realms: [], limit: 10 }), []);
      assert.deepEqual(
        (await store.audit.query({ actor: 'boss', limit: 10 })).map((r) => r.action),
        ['token.reset'],
      );
      assert.equal((await store.audit.query({ actor: 'vpn-gw', limit: 10 })).length, 3);
      assert.deepEqual(
        (await store.audit.query({ reason: 'OTP', limit: 10 })).map((r) => r.user),
        ['alice'],
        'a part of the reason, in any case',
      );
      assert.deepEqual(await store.audit.query({ reason: '%', limit: 10 }), [], '% is a character, not a wildcard');
      assert.deepEqual(await store.audit.query({ reason: 'wrong_otp', limit: 10 }), [], '_ is a character, not a wildcard');
      const first = await store.audit.query({ limit: 2 });
      const last = first[first.length - 1]!;
      const second = await store.audit.query({ limit: 2, before: { at: last.at, id: last.id } });
      assert.deepEqual(
        [...first, ...second].map((r) => r.id),
        all.map((r) => r.id),
        'pages follow each other without a gap or a repeat',
      );
      await assert.rejects(store.audit.query({ limit: 0 }), /limit: expected 1\.\.1000/);
      assert.deepEqual(await store.audit.query({ limit: 10 }), all, 'reads find a row wherever it is');
      assert.equal(await store.audit.settle(1), 1, 'at most maxRows');
      assert.equal(await store.audit.settle(), 1);
      assert.deepEqual(await store.audit.query({ limit: 10 }), all, 'a row reads the same after it moved');
      assert.equal(await store.audit.purge(base + 1500), 2);
      assert.equal((await store.audit.query({ limit: 10 })).length, 2);
      assert.equal(await store.audit.purge(base), 0);
      await store.close();
    });

    test('countDecisions counts authentications per minute and names the commonest reject reasons', async () => {
      const { store } = await factory.fresh();
      const minute = 60_000;
      const t0 = 1_700_000_040_000; // a minute's start
      await store.audit.write([
        record({ at: t0 + 1 }),
        record({ at: t0 + 2, result: 'reject', reason: 'wrong otp' }),
        record({ at: t0 + 3, result: 'challenge', reason: 'challenge sent' }),
        record({ at: t0 + minute + 5, result: 'reject', reason: 'wrong otp' }),
        record({ at: t0 + minute + 6, result: 'reject', reason: 'token locked', realm: 'lab' }),
        record({ at: t0 + 2 * minute, result: 'reject', reason: 'after the range' }),
        record({ at: t0 + 7, event: 'admin', action: 'token.reset', result: 'ok', reason: '' }),
      ]);
      await store.audit.settle(3);
      const q = { from: t0, to: t0 + 2 * minute, topReasons: 5 };
      const counts = await store.audit.countDecisions(q);
      assert.deepEqual(
        counts.perMinute,
        [
          { minute: t0, decision: 'accept', count: 1 },
          { minute: t0, decision: 'challenge', count: 1 },
          { minute: t0, decision: 'reject', count: 1 },
          { minute: t0 + minute, decision: 'reject', count: 2 },
        ],
        'rows of both tables, admin events left out, the end exclusive',
      );
      assert.deepEqual(counts.rejectReasons, [
        { reason: 'wrong otp', count: 2 },
        { reason: 'token locked', count: 1 },
      ]);
      assert.deepEqual((await store.audit.countDecisions({ ...q, topReasons: 1 })).rejectReasons, [{ reason: 'wrong otp', count: 2 }]);
      assert.deepEqual((await store.audit.countDecisions({ ...q, realms: ['lab'] })).rejectReasons, [{ reason: 'token locked', count: 1 }]);
      assert.deepEqual(await store.audit.countDecisions({ ...q, realms: [] }), { perMinute: [], rejectReasons: [] });
      await assert.rejects(store.audit.countDecisions({ ...q, from: -1 }), /from: expected unix milliseconds/);
      await store.close();
    });

    test('a purge far behind removes everything older, a slice at a time, settled or not', async () => {
      const { store } = await factory.fresh();
      const day = 86_400_000;
      await store.audit.write(Array.from({ length: 25 }, (_, i) => record({ at: 1_600_000_000_000 + i * day })));
      assert.equal(await store.audit.settle(), 25);
      await store.audit.write(Array.from({ length: 5 }, (_, i) => record({ at: 1_600_000_000_000 + (25 + i) * day })));
      await store.audit.write([record({ at: 1_600_000_000_000 })]);
      assert.equal(await store.audit.purge(1_600_000_000_000 + 20 * day), 21);
      assert.equal((await store.audit.query({ limit: 100 })).length, 10);
      await store.close();
    });

    test('settling moves each row once, however many stores settle at once', async () => {
      const f = await factory.fresh();
      const other = await f.open();
      await f.store.audit.write(Array.from({ length: 2500 }, (_, i) => record({ at: 1_700_000_000_000 + i })));
      const moved = await Promise.all([f.store.audit.settle(), other.audit.settle(), f.store.audit.settle()]);
      assert.equal(
        moved.reduce((a, b) => a + b, 0),
        2500,
      );
      const rows = await f.store.audit.query({ limit: 1000 });
      assert.equal(new Set(rows.map((r) => r.id)).size, 1000);
      assert.equal(Number((await f.sql('SELECT count(*) AS n FROM audit'))[0]!.n), 2500);
      assert.equal(Number((await f.sql('SELECT count(*) AS n FROM audit_recent'))[0]!.n), 0);
      await f.store.close();
    });
  });
}
