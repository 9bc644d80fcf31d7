// The admin commands as an operator runs them: accounts with their own
// token shown once, passwords from stdin, API keys printed once on stdout.

import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { initStackDir, runCli } from '../helpers/stack.ts';

describe('otp-radius admin', () => {
  let dir: string;
  let config: string;
  const cli = (args: string[], stdin = '') => runCli([...args, '--config', config], stdin);
  before(async () => {
    ({ dir, config } = await initStackDir('otp-radius-admin-cli-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  test("add enrolls the account's own TOTP token and shows it once; list shows no secret", async () => {
    const r = await cli(['admin', 'add', 'boss', '--role', 'admin', '--password', '-', '--no-qr'], 'a long enough password\n');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^admin account boss added \(role admin\)$/m);
    assert.match(r.stdout, /^token: +TOTP[0-9A-F]{8} \(totp\), shown once/m);
    assert.match(r.stdout, /^uri: +otpauth:\/\/totp\/otp-radius%20admin:boss\?secret=[A-Z2-7]{32}&/m);
    assert.doesNotMatch(r.stderr, /"event"|^warning/m, 'no audit JSON and no warning on the terminal');
    const list = await cli(['admin', 'list']);
    assert.match(list.stdout, /^NAME +ROLE +REALMS +TOKEN +STATE +LAST LOGIN$/m);
    assert.match(list.stdout, /^boss +admin +\* +TOTP[0-9A-F]{8} +active +-$/m);
    const json = JSON.parse((await cli(['admin', 'list', '--json'])).stdout) as Record<string, unknown>[];
    assert.deepEqual(Object.keys(json[0]!).sort(), ['created', 'disabled', 'lastLogin', 'name', 'otpSerial', 'realms', 'role']);
    const tokens = await cli(['token', 'list']);
    assert.match(tokens.stdout, /TOTP[0-9A-F]{8} +totp +active +boss +@admin/, "the account's token is in the @admin realm");
  });

  test('--no-otp warns; a realm-limited account; disable, enable, passwd, delete', async () => {
    const r = await cli(['admin', 'add', 'ops', '--role', 'helpdesk', '--realm', 'default', '--no-otp', '--password', '-'], 'another long password\n');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^warning: ops logs in with the password alone \(--no-otp\)/);
    assert.match(r.stdout, /role helpdesk, realms default/);
    assert.equal((await cli(['admin', 'disable', 'ops'])).stdout, 'admin account ops disabled; its sessions have ended\n');
    assert.match((await cli(['admin', 'list'])).stdout, /^ops +helpdesk +default +\(none\) +disabled/m);
    assert.equal((await cli(['admin', 'enable', 'ops'])).code, 0);
    assert.equal((await cli(['admin', 'passwd', 'ops', '--password', '-'], 'a third long password\n')).stdout, 'password of ops changed; its sessions have ended\n');
    assert.equal((await cli(['admin', 'delete', 'ops'])).stdout, 'admin account ops deleted; its sessions have ended\n');
    assert.doesNotMatch((await cli(['admin', 'list'])).stdout, /^ops /m);
  });

  test('key create prints the key alone on stdout; list and revoke', async () => {
    const r = await cli(['admin', 'key', 'create', '--role', 'helpdesk', '--realm', 'default', '--expires', '90d', '--description', 'HR onboarding']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^otpr_[0-9a-f]{16}_[0-9a-f]{64}\n$/);
    const id = /^otpr_([0-9a-f]{16})_/.exec(r.stdout)![1]!;
    assert.match(r.stderr, new RegExp(`^API key ${id}: role helpdesk, realms default, expires 20\\d\\d-.*; keep it now, it is not shown again$`, 'm'));
    const list = await cli(['admin', 'key', 'list']);
    assert.match(list.stdout, new RegExp(`^${id} +helpdesk +default +active +20\\d\\d-\\S+ +- +\\S+ +HR onboarding$`, 'm'));
    assert.doesNotMatch(list.stdout, /otpr_/, 'the secret is never shown again');
    assert.equal((await cli(['admin', 'key', 'revoke', id])).stdout, `API key ${id} revoked\n`);
    assert.match((await cli(['admin', 'key', 'list'])).stdout, new RegExp(`^${id} +helpdesk +default +revoked`, 'm'));
  });

  test('bad input: one line, non-zero exit, nothing changed', async () => {
    const cases: [string[], string, number, RegExp][] = [
      [['admin', 'add', 'x', '--password', '-'], 'a long enough password\n', 2, /admin add: --role is required/],
      [['admin', 'add', 'x', '--role', 'root', '--password', '-'], 'a long enough password\n', 2, /--role must be one of admin, helpdesk, auditor, got "root"/],
      [['admin', 'add', 'x', '--role', 'admin', '--password', '-'], 'short\n', 1, /admin add: the password must have at least 12 characters/],
      [['admin', 'add', 'x', '--role', 'admin', '--realm', 'nowhere', '--password', '-'], 'a long enough password\n', 1, /unknown realm nowhere/],
      [['admin', 'add', 'x', '--role', 'admin', '--no-otp', '--otp', 'hotp', '--password', '-'], 'a long enough password\n', 2, /give one of --otp, --token, --no-otp/],
      [['admin', 'add', 'x', '--role', 'admin', '--token', 'NOPE', '--password', '-'], 'a long enough password\n', 1, /no token with serial "NOPE"/],
      [['admin', 'add', 'boss', '--role', 'admin', '--no-otp', '--password', '-'], 'a long enough password\n', 1, /admin account "boss" exists already/],
      [['admin', 'key', 'create', '--role', 'auditor', '--expires', 'soon'], '', 2, /--expires: expected a duration/],
      [['admin', 'key', 'revoke', '0123456789abcdef'], '', 1, /no API key 0123456789abcdef/],
      [['admin', 'disable', 'nobody'], '', 1, /no admin account "nobody"/],
      [['admin', 'frobnicate'], '', 2, /admin: unknown subcommand "frobnicate"/],
    ];
    for (const [args, stdin, code, message] of cases) {
      const r = await cli(args, stdin);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
      assert.equal(
        r.stderr
          .trim()
          .split('\n')
          .filter((l) => l.startsWith('otp-radius:')).length,
        1,
        `one error line: ${r.stderr}`,
      );
    }
    assert.doesNotMatch((await cli(['admin', 'list'])).stdout, /^x /m);
  });
});
