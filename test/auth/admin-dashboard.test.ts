// The dashboard figures over a real SQLite store: a dense minute series of
// the audit's decisions, reject reasons, locked tokens, and what each role
// (and a realm-limited one) gets to see.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { dashboardFigures } from '../../src/auth/admin.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { Actor } from '../../src/model/actor.ts';
import type { AuditRecord } from '../../src/model/audit.ts';
import { openServices, type Services } from '../../src/server/services.ts';
import { newToken } from '../store/helpers.ts';
import { localConfigYaml } from '../helpers/local-config.ts';

const NOW = 1_800_000_030_000; // half a minute into a minute
const MINUTE = 60_000;

function auth(at: number, result: string, reason: string, realm = 'default'): AuditRecord {
  return { id: randomBytes(12).toString('hex'), at, event: 'auth', actor: 'vpn', action: 'authenticate', result, reason, user: 'alice', realm, serial: null, address: '192.0.2.1', extra: {} };
}

describe('dashboard figures', () => {
  let dir: string;
  let s: Services;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'otp-radius-dashboard-'));
    await writeFile(join(dir, 'users.yaml'), 'users: []\n');
    await writeFile(
      join(dir, 'otp-radius.yaml'),
      `
${localConfigYaml(dir, ['lab'])}`,
    );
    s = await openServices(loadConfig(join(dir, 'otp-radius.yaml')).config, pino({ level: 'silent' }), { create: true });
    const current = Math.floor(NOW / MINUTE) * MINUTE;
    await s.store.audit.write([
      auth(current + 1, 'accept', 'ok'),
      auth(current + 2, 'reject', 'wrong otp'),
      auth(current - 10 * MINUTE, 'reject', 'wrong otp'),
      auth(current - 10 * MINUTE + 1, 'challenge', 'challenge sent', 'lab'),
      auth(current - 10 * MINUTE + 2, 'reject', 'token locked', 'lab'),
      auth(current - 60 * MINUTE, 'reject', 'an hour ago: outside'),
    ]);
    const owner = (realm: string) => ({ realm, resolver: 'local', userId: realm, login: realm });
    await s.store.createToken(newToken('L-DEFAULT', { owner: owner('default') }));
    await s.store.createToken(newToken('L-LAB', { owner: owner('lab') }));
    await s.store.createToken(newToken('L-ADMIN', { owner: owner('@admin') }));
    await s.store.createToken(newToken('ACTIVE'));
    for (const serial of ['L-DEFAULT', 'L-LAB', 'L-ADMIN']) await s.store.updateToken(serial, { locked: true });
  });

  after(async () => {
    await s.close();
    await rm(dir, { recursive: true, force: true });
  });

  const as = (role: Actor['role'], realms?: string[]): Actor => ({ via: 'web', name: role, role, ...(realms ? { realms } : {}) });

  test('an admin sees every minute of the hour, the totals, the reasons and every locked token', async () => {
    const f = await dashboardFigures(s.admin, as('admin'), { now: NOW });
    const current = Math.floor(NOW / MINUTE) * MINUTE;
    assert.equal(f.to, current + MINUTE);
    assert.equal(f.from, current - 59 * MINUTE);
    assert.equal(f.decisions!.perMinute.length, 60);
    assert.deepEqual(f.decisions!.perMinute.at(-1), { minute: current, accept: 1, reject: 1, challenge: 0 });
    assert.deepEqual(f.decisions!.perMinute[49], { minute: current - 10 * MINUTE, accept: 0, reject: 2, challenge: 1 });
    assert.deepEqual(f.decisions!.totals, { accept: 1, reject: 3, challenge: 1 });
    assert.deepEqual(f.decisions!.rejectReasons, [
      { reason: 'wrong otp', count: 2 },
      { reason: 'token locked', count: 1 },
    ]);
    assert.equal(f.lockedTokens, 3, "the admin accounts' own tokens too");
  });

  test('the helpdesk gets no audit figures; an auditor limited to a realm counts only its realm', async () => {
    const desk = await dashboardFigures(s.admin, as('helpdesk'), { now: NOW });
    assert.equal(desk.decisions, undefined);
    assert.equal(desk.lockedTokens, 2, "not the admin accounts' tokens");
    const lab = await dashboardFigures(s.admin, as('auditor', ['lab']), { now: NOW });
    assert.deepEqual(lab.decisions!.totals, { accept: 0, reject: 1, challenge: 1 });
    assert.deepEqual(lab.decisions!.rejectReasons, [{ reason: 'token locked', count: 1 }]);
    assert.equal(lab.lockedTokens, 1);
  });
});
