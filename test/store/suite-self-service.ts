// The self-service tables on every backend: user sessions (touched at most
// once a minute, ended one by one, per user, or by the timeouts) and
// enrollment codes (one live code per user, used up once, by that user
// only, before it expires).

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import type { EnrollmentCode, UserSession } from '../../src/model/self-service.ts';
import type { StoreFactory } from './suite.ts';

const hex = (n = 32): string => randomBytes(n).toString('hex');

function session(over: Partial<UserSession> = {}): UserSession {
  return { id: hex(), realm: 'corp', resolver: 'ldap', userId: 'uid-1', login: 'alice', csrf: hex(16), address: '127.0.0.1', createdAt: 1000, lastSeen: 1000, ...over };
}

function code(over: Partial<EnrollmentCode> = {}): EnrollmentCode {
  return { id: hex(), realm: 'corp', resolver: 'ldap', userId: 'uid-1', login: 'alice', createdBy: 'desk', createdAt: 1000, expiresAt: 2000, usedAt: null, ...over };
}

export function selfServiceSuite(factory: StoreFactory): void {
  describe(`${factory.name}: self-service sessions and enrollment codes`, () => {
    test("sessions: create, read back, touch at most once a minute, delete one, a user's, or by the timeouts", async () => {
      const { store } = await factory.fresh();
      const t = store.selfService;
      const a = session();
      await t.createSession(a);
      assert.deepEqual(await t.getSession(a.id), a);
      await assert.rejects(t.createSession(a), /user session already exists/);
      await t.touchSession(a.id, 1030);
      assert.equal((await t.getSession(a.id))!.lastSeen, 1000, 'within a minute: not written');
      await t.touchSession(a.id, 1060);
      assert.equal((await t.getSession(a.id))!.lastSeen, 1060);
      assert.equal(await t.deleteSession(a.id), true);
      assert.equal(await t.deleteSession(a.id), false);
      assert.equal(await t.getSession(a.id), undefined);

      const mine = [session(), session()];
      const bobs = session({ userId: 'uid-2', login: 'bob' });
      for (const s of [...mine, bobs]) await t.createSession(s);
      assert.equal(await t.deleteSessionsOf('ldap', 'uid-1'), 2);
      assert.deepEqual(await t.getSession(bobs.id), bobs, "another user's session stays");

      const idle = session({ lastSeen: 500, createdAt: 500 });
      const old = session({ createdAt: 100, lastSeen: 5000 });
      await t.createSession(idle);
      await t.createSession(old);
      assert.equal(await t.purgeSessions(900, 200), 2, 'one idle, one too old');
      assert.deepEqual(await t.getSession(bobs.id), bobs);
      await assert.rejects(t.getSession('not hex'), /session id: expected lower-case hex digits/);
      await assert.rejects(t.createSession(session({ login: '' })), /user session: login: expected 1\.\.512 characters/);
      await store.close();
    });

    test('enrollment codes: used once, by their user, before they expire; a new code replaces an unused one; a used one given back', async () => {
      const f = await factory.fresh();
      const t = f.store.selfService;
      const first = code();
      await t.createEnrollmentCode(first);
      assert.equal(await t.redeemEnrollmentCode(first.id, 'ldap', 'uid-2', 1500), false, 'another user');
      assert.equal(await t.redeemEnrollmentCode(first.id, 'ldap', 'uid-1', 2000), false, 'expired at expiresAt');
      const other = await f.open();
      const raced = await Promise.all([t.redeemEnrollmentCode(first.id, 'ldap', 'uid-1', 1500), other.selfService.redeemEnrollmentCode(first.id, 'ldap', 'uid-1', 1500)]);
      assert.deepEqual(raced.sort(), [false, true], 'two at once: one succeeds');
      assert.equal(await t.redeemEnrollmentCode(first.id, 'ldap', 'uid-1', 1501), false, 'used up');

      const second = code();
      const third = code();
      await t.createEnrollmentCode(second);
      await t.createEnrollmentCode(third);
      assert.equal(await t.redeemEnrollmentCode(second.id, 'ldap', 'uid-1', 1500), false, 'replaced by the newer code');
      assert.equal(await t.redeemEnrollmentCode(third.id, 'ldap', 'uid-1', 1500), true);

      assert.equal(await t.releaseEnrollmentCode(third.id, 'ldap', 'uid-2', 1500), false, 'not for another user');
      assert.equal(await t.releaseEnrollmentCode(third.id, 'ldap', 'uid-1', 2000), false, 'not once expired');
      assert.equal(await t.releaseEnrollmentCode(third.id, 'ldap', 'uid-1', 1500), true, 'its token was deleted before its first code');
      assert.equal(await t.releaseEnrollmentCode(third.id, 'ldap', 'uid-1', 1500), false, 'unused already');
      assert.equal(await t.redeemEnrollmentCode(third.id, 'ldap', 'uid-1', 1500), true, 'usable again');
      const newer = code();
      await t.createEnrollmentCode(newer);
      assert.equal(await t.releaseEnrollmentCode(third.id, 'ldap', 'uid-1', 1500), false, 'not while a newer code is live');
      assert.equal(await t.redeemEnrollmentCode(newer.id, 'ldap', 'uid-1', 1500), true);

      await t.createEnrollmentCode(code({ createdAt: 10, expiresAt: 20 }));
      assert.equal(Number((await f.sql('SELECT count(*) AS n FROM enrollment_codes'))[0]!.n), 4, 'the used ones are kept until purged, with the new one');
      assert.equal(await t.purgeEnrollmentCodes(1600), 4, 'used before, or expired before');
      await assert.rejects(t.createEnrollmentCode(code({ expiresAt: 1000 })), /expiresAt: expected a time after createdAt/);
      await assert.rejects(t.redeemEnrollmentCode('xyz', 'ldap', 'uid-1', 1), /enrollment code id: expected lower-case hex digits/);
      await f.store.close();
    });
  });
}
