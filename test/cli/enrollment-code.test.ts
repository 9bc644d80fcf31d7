// `otp-radius admin enrollment-code`: the code alone on stdout, what it is
// for on stderr, audited; it works once on the self-service portal's
// enrollment; bad input is refused with a line naming it.

import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { deleteToken } from '../../src/auth/admin.ts';
import { SelfService } from '../../src/auth/self-service.ts';
import { loadConfig } from '../../src/config/load.ts';
import { openServices } from '../../src/server/services.ts';
import { runCli, writeStackConfig } from '../helpers/stack.ts';

describe('otp-radius admin enrollment-code', () => {
  let dir: string;
  let config: string;
  const cli = (args: string[]) => runCli([...args, '--config', config]);
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'otp-radius-code-cli-'));
    config = await writeStackConfig(dir, 0);
    await appendFile(config, 'selfService:\n  enrollmentCodeHours: 48\n');
    const init = await runCli(['store', 'init', '--config', config]);
    assert.equal(init.code, 0, init.stderr);
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  test('prints a code that lets the user enroll once, valid for the configured hours; audited', async () => {
    const before = Date.now() / 1000;
    const r = await cli(['admin', 'enrollment-code', 'alice']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}\n$/);
    const until = /valid until (\S+), for one enrollment/.exec(r.stderr)?.[1];
    assert.ok(until, r.stderr);
    const hours = (Date.parse(until) / 1000 - before) / 3600;
    assert.ok(hours > 47.9 && hours <= 48.01, `valid for ${hours} h`);
    assert.match(r.stderr, /^enrollment code for alice \(realm default\)/);
    assert.doesNotMatch(r.stderr, /note:/, 'the default realm asks for codes');

    const s = await openServices(loadConfig(config).config, pino({ level: 'silent' }), {});
    try {
      const self = new SelfService(s.admin, s.config.selfService);
      const done = await self.login.login({ username: 'alice', password: 'alice-password', address: '127.0.0.1' });
      assert.ok(!('codeSent' in done), 'a session, no code step');
      const { actor } = done;
      const request = { type: 'totp', code: r.stdout.trim(), pin: '24680', pinAgain: '24680' } as const;
      const enrolled = await self.enroll(actor, request);
      assert.equal(enrolled.token.pending, true);
      assert.deepEqual(await self.delete(actor, enrolled.token.serial), { codeReleased: true }, "the user's own delete of the waiting token gives the code back");
      const again = await self.enroll(actor, request);
      await deleteToken(s.admin, { via: 'cli', name: 'root', role: 'admin' }, again.token.serial);
      await assert.rejects(self.enroll(actor, request), { reason: 'code-wrong' }, "used once: an admin's delete does not give it back");
      await s.admin.audit.flush?.();
      const rows = (await s.store.audit.query({ event: 'admin', limit: 100 })).filter((row) => row.action === 'user.enrollment-code');
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.user, 'alice');
      assert.equal(rows[0]!.extra.via, 'cli');
      assert.equal(JSON.stringify(rows).includes(r.stdout.trim()), false, 'the code is not in the audit');
    } finally {
      await s.close();
    }
  });

  test('--valid-hours, --realm; mistakes are one line and a non-zero exit', async () => {
    const two = await cli(['admin', 'enrollment-code', 'bob', '--valid-hours', '2']);
    assert.equal(two.code, 0, two.stderr);
    const until = Date.parse(/valid until (\S+),/.exec(two.stderr)![1]!) / 1000;
    assert.ok(Math.abs(until - Date.now() / 1000 - 7200) < 60);
    const none = await cli(['admin', 'enrollment-code', 'nobody']);
    assert.equal(none.code, 1);
    assert.equal(none.stderr, 'otp-radius: admin enrollment-code: user "nobody" not found in realm "default"\n');
    assert.equal(none.stdout, '');
    const realm = await cli(['admin', 'enrollment-code', 'alice', '--realm', 'mars']);
    assert.match(realm.stderr, /unknown realm "mars" \(realms: default\)/);
    const hours = await cli(['admin', 'enrollment-code', 'alice', '--valid-hours', 'soon']);
    assert.equal(hours.code, 2);
    assert.match(hours.stderr, /--valid-hours must be a whole number from 1 to 720, got "soon"/);
    assert.match((await cli(['admin', 'enrollment-code', 'alice', '--valid-hours', '721'])).stderr, /the validity must be 1 to 720 hours, got 721/);
    assert.equal((await cli(['admin', 'enrollment-code'])).code, 2);
  });
});
