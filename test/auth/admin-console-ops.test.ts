// The admin operations the console adds, over a real SQLite store: a bulk
// action over several serials (each done or refused on its own, each
// audited), a user's last authentications for roles that may read the user,
// and the audit read row by row for an export (paged, capped, filtered by
// reason and actor, realm-limited).

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { AdminError, auditRecords, tokenBatch, userAuthentications } from '../../src/auth/admin.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { Actor } from '../../src/model/actor.ts';
import type { AuditRecord } from '../../src/model/audit.ts';
import { openServices, type Services } from '../../src/server/services.ts';
import { newToken } from '../store/helpers.ts';
import { localConfigYaml } from '../helpers/local-config.ts';

const BOSS: Actor = { via: 'web', name: 'boss', role: 'admin' };
const DESK: Actor = { via: 'web', name: 'desk', role: 'helpdesk' };
const AUDITOR: Actor = { via: 'web', name: 'audit', role: 'auditor' };
const LABDESK: Actor = { via: 'web', name: 'labdesk', role: 'helpdesk', realms: ['lab'] };
const LABAUDIT: Actor = { via: 'web', name: 'labaudit', role: 'auditor', realms: ['lab'] };

function auth(at: number, over: Partial<AuditRecord> = {}): AuditRecord {
  return {
    id: randomBytes(12).toString('hex'),
    at,
    event: 'auth',
    actor: 'vpn',
    action: 'authenticate',
    result: 'accept',
    reason: 'ok',
    user: 'alice',
    realm: 'default',
    serial: 'T1',
    address: '192.0.2.1',
    extra: {},
    ...over,
  };
}

describe('console admin operations', () => {
  let dir: string;
  let s: Services;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'otp-radius-console-ops-'));
    await writeFile(join(dir, 'users.yaml'), 'users:\n  - { login: alice, id: "1001" }\n');
    await writeFile(
      join(dir, 'otp-radius.yaml'),
      `
${localConfigYaml(dir, ['lab'])}`,
    );
    s = await openServices(loadConfig(join(dir, 'otp-radius.yaml')).config, pino({ level: 'silent' }), { create: true });
    const owner = (realm: string) => ({ realm, resolver: 'local', userId: '1001', login: 'alice' });
    await s.store.createToken(newToken('B-DEFAULT', { owner: owner('default') }));
    await s.store.createToken(newToken('B-LAB', { owner: owner('lab') }));
    await s.store.createToken(newToken('B-SPARE'));
    await s.store.updateToken('B-LAB', { locked: true, failCount: 10 });
    await s.store.updateToken('B-DEFAULT', { revoked: true, active: false });
  });

  after(async () => {
    await s.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function adminEvents(action: string): Promise<AuditRecord[]> {
    await s.admin.audit.flush?.();
    return (await s.store.audit.query({ event: 'admin', limit: 100 })).filter((r) => r.action === action);
  }

  test('a batch runs each serial as its own operation: done, refused with the reason, or unknown', async () => {
    const out = await tokenBatch(s.admin, LABDESK, 'reset', ['B-LAB', 'B-DEFAULT', 'NOPE', 'B-LAB']);
    assert.deepEqual(out, [
      { serial: 'B-LAB', done: true },
      { serial: 'B-DEFAULT', done: false, why: 'labdesk may act on realm lab only', worded: { reason: 'realm-scope', params: { name: 'labdesk', realms: 'lab', count: 1 } } },
      { serial: 'NOPE', done: false, why: 'no token with serial "NOPE"', worded: { reason: 'no-token', params: { serial: 'NOPE' } } },
    ]);
    assert.equal((await s.store.getToken('B-LAB'))!.locked, false);
    const events = await adminEvents('token.reset');
    assert.deepEqual(events.map((e) => [e.serial, e.result]).sort(), [
      ['B-DEFAULT', 'refused'],
      ['B-LAB', 'ok'],
      ['NOPE', 'refused'],
    ]);

    const enabled = await tokenBatch(s.admin, DESK, 'enable', ['B-DEFAULT', 'B-SPARE']);
    assert.deepEqual(enabled, [
      { serial: 'B-DEFAULT', done: false, why: 'B-DEFAULT is revoked and cannot be enabled again', worded: { reason: 'revoked-enable', params: { serial: 'B-DEFAULT' } } },
      { serial: 'B-SPARE', done: true },
    ]);
    assert.deepEqual(await tokenBatch(s.admin, DESK, 'disable', ['B-SPARE']), [{ serial: 'B-SPARE', done: true }]);
    assert.equal((await s.store.getToken('B-SPARE'))!.active, false);
  });

  test('a batch is refused as a whole for a role that may not, with nothing selected, or with too many', async () => {
    await assert.rejects(tokenBatch(s.admin, AUDITOR, 'disable', ['B-SPARE']), (e: unknown) => e instanceof AdminError && e.code === 'forbidden');
    await assert.rejects(tokenBatch(s.admin, BOSS, 'disable', []), /no token selected/);
    await assert.rejects(
      tokenBatch(
        s.admin,
        BOSS,
        'disable',
        Array.from({ length: 201 }, (_, i) => `S${i}`),
      ),
      /at most 200 tokens at once/,
    );
  });

  test("a user's last authentications: newest first, the user's realm only, for every role that may read users", async () => {
    const t0 = 1_800_000_000_000;
    await s.store.audit.write([
      auth(t0, { reason: 'wrong otp', result: 'reject' }),
      auth(t0 + 1),
      auth(t0 + 2, { realm: 'lab' }),
      auth(t0 + 3, { user: 'bob' }),
      auth(t0 + 4, { event: 'admin', action: 'token.reset', result: 'ok', reason: '' }),
    ]);
    const rows = await userAuthentications(s.admin, DESK, 'alice', 'default', 10);
    assert.deepEqual(
      rows.map((r) => r.at),
      [t0 + 1, t0],
    );
    assert.equal((await userAuthentications(s.admin, AUDITOR, 'alice', 'DEFAULT', 1)).length, 1);
    assert.deepEqual(
      (await userAuthentications(s.admin, LABDESK, 'alice', 'lab', 10)).map((r) => r.at),
      [t0 + 2],
    );
    await assert.rejects(userAuthentications(s.admin, LABDESK, 'alice', 'default', 10), /labdesk may act on realm lab only/);
  });

  test('the audit read for an export: pages joined without a gap, capped, filtered by reason and actor, realm-limited', async () => {
    const t0 = 1_900_000_000_000;
    await s.store.audit.write(
      Array.from({ length: 1203 }, (_, i) => auth(t0 + i, { actor: i % 2 === 0 ? 'vpn-a' : 'vpn-b', reason: i % 3 === 0 ? 'wrong otp, token locked' : 'ok', realm: i < 3 ? 'lab' : 'default' })),
    );
    const read = async (actor: Actor, query: Parameters<typeof auditRecords>[2], max: number): Promise<AuditRecord[]> => {
      const rows: AuditRecord[] = [];
      for await (const r of auditRecords(s.admin, actor, query, max)) rows.push(r);
      return rows;
    };
    const all = await read(BOSS, { from: t0 }, 10_000);
    assert.equal(all.length, 1203);
    assert.equal(new Set(all.map((r) => r.id)).size, 1203, 'no row twice across pages');
    assert.ok(
      all.every((r, i) => i === 0 || r.at < all[i - 1]!.at),
      'newest first',
    );
    assert.equal((await read(BOSS, { from: t0 }, 1001)).length, 1001, 'capped');
    assert.equal((await read(AUDITOR, { from: t0, actor: 'vpn-a' }, 10_000)).length, 602);
    assert.equal((await read(AUDITOR, { from: t0, reason: 'LOCKED' }, 10_000)).length, 401);
    assert.deepEqual(
      (await read(LABAUDIT, { from: t0 }, 10_000)).map((r) => r.at),
      [t0 + 2, t0 + 1, t0],
    );
    await assert.rejects(read(DESK, {}, 10), (e: unknown) => e instanceof AdminError && e.code === 'forbidden');
  });
});
