// Issue 5 end to end: an LDAP user with an enrolled TOTP token gets
// Access-Accept with the Class mapped from their LDAP group; userstore PINs
// bind as the user; slapd going away gives rejects, then it recovers.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';
import { corpLdapUsers, startSlapd, type Slapd } from '../helpers/slapd.ts';
import { oathtool, startStack, type Stack } from '../helpers/stack.ts';

const SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

const policyYaml = (otppin: string) => `policy: { otppin: ${otppin} }
reply:
  - group: vpn-admins
    attributes:
      Class: admins
`;

describe('LDAP users end to end', () => {
  let slapd: Slapd;
  let dir: string;
  before(async () => {
    slapd = await startSlapd();
    dir = await mkdtemp(join(tmpdir(), 'otp-radius-ldap-'));
  });
  after(async () => {
    await slapd.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  async function stack(otppin: string): Promise<Stack> {
    return startStack({ users: corpLdapUsers(slapd), yaml: policyYaml(otppin), dir: await mkdtemp(join(dir, 's-')) });
  }

  test('a TOTP token of an LDAP user: Accept with Class from the vpn-admins group', async () => {
    const s = await stack('token');
    try {
      const e = await s.cli(['token', 'enroll', '--user', 'alice@corp', '--type', 'totp', '--pin', '1234', '--seed', SEED, '--no-qr']);
      assert.equal(e.code, 0, e.stderr);
      const shown = JSON.parse((await s.cli(['user', 'show', 'alice@corp', '--json'])).stdout) as { resolver: string; id: string; groups: string[] };
      assert.equal(shown.resolver, 'corp');
      assert.match(shown.id, /^[0-9a-f-]{36}$/, 'bound to entryUUID, not the login');
      assert.ok(shown.groups.includes('vpn-admins'));
      const code = await oathtool(['--totp', '-b', SEED]);
      const r = await s.auth('alice@corp', `1234${code}`);
      assert.equal(r.code, 'accept', r.stdout);
      assert.match(r.stdout, /Class = 0x61646d696e73/, 'Class = "admins"');
      assert.equal((await s.auth('alice@corp', `1234${code}`)).code, 'reject');
      assert.equal((await s.auth('*)(uid=*@corp', `1234${code}`)).code, 'reject');
      assert.equal(s.audits().at(-1)!.reason, 'unknown user', 'a filter-injection login finds nobody');
    } finally {
      await s.stop();
    }
  });

  test('otppin userstore: the LDAP password is the PIN (a bind as the user)', async () => {
    const s = await stack('userstore');
    try {
      assert.equal((await s.cli(['token', 'enroll', '--user', 'bob@corp', '--type', 'totp', '--seed', SEED, '--no-qr'])).code, 0);
      const code = await oathtool(['--totp', '-b', SEED]);
      assert.equal((await s.auth('bob@corp', `wrong-pw${code}`)).code, 'reject');
      assert.equal((await s.auth('bob@corp', `bob-pw${code}`)).code, 'accept');
      const challenge = await s.auth('bob@corp', 'bob-pw');
      assert.equal(challenge.code, 'challenge', 'the directory password alone opens a challenge');
    } finally {
      await s.stop();
    }
  });

  test('slapd stopped: reject "resolver unavailable" within the timeout; back up: accepted again', async () => {
    const s = await stack('token');
    try {
      await s.cli(['token', 'enroll', '--user', 'alice@corp', '--type', 'totp', '--pin', '1234', '--seed', SEED, '--no-qr']);
      await slapd.stop();
      const started = Date.now();
      const down = await s.auth('alice@corp', `1234${await oathtool(['--totp', '-b', SEED])}`);
      assert.equal(down.code, 'reject');
      assert.ok(Date.now() - started < 4000, 'answered within the timeout');
      assert.equal(s.audits().at(-1)!.reason, 'resolver unavailable');
      await slapd.start();
      const up = await s.auth('alice@corp', `1234${await oathtool(['--totp', '-b', SEED])}`);
      assert.equal(up.code, 'accept', up.stdout);
    } finally {
      await s.stop();
    }
  });
});
