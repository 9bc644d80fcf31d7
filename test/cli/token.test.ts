// The token and check commands as an admin runs them: output, files, errors
// and exit codes.

import assert from 'node:assert/strict';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { totp } from '../../src/otp/totp.ts';
import { initStackDir, runCli } from '../helpers/stack.ts';

describe('otp-radius token / check', () => {
  let dir: string;
  let config: string;
  const cli = (...args: string[]) => runCli([...args, '--config', config]);
  /** The newest rows of the audit table (both of its parts), as the CLI left them. */
  const auditRows = (limit = 5): Record<string, unknown>[] => {
    const db = new Database(join(dir, 'tokens.db'), { readonly: true });
    try {
      return db.prepare('SELECT * FROM audit UNION ALL SELECT * FROM audit_recent ORDER BY at_ms DESC LIMIT ?').all(limit) as Record<string, unknown>[];
    } finally {
      db.close();
    }
  };
  before(async () => {
    ({ dir, config } = await initStackDir('otp-radius-cli-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  test('enroll prints serial, URI and a terminal QR code, and writes PNG and SVG files', async () => {
    const png = join(dir, 'alice.png');
    const r = await cli('token', 'enroll', '--user', 'alice', '--type', 'totp', '--pin', '1234', '--qr', png, '--description', 'phone');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^serial:\s+TOTP[0-9A-F]{8}$/m);
    assert.match(r.stdout, /otpauth:\/\/totp\/otp-radius:alice\?secret=[A-Z2-7]{32}&issuer=otp-radius&algorithm=SHA1&digits=6&period=30/);
    assert.match(r.stdout, /[▀▄█]{10}/, 'QR code drawn with block characters');
    assert.deepEqual([...(await readFile(png)).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    const svg = join(dir, 'alice.svg');
    assert.equal((await cli('token', 'enroll', '--user', 'alice', '--type', 'hotp', '--qr', svg, '--no-qr', '--serial', 'H-SVG')).code, 0);
    assert.match(await readFile(svg, 'utf8'), /<svg/);
    assert.equal(((await stat(join(dir, 'tokens.key'))).mode & 0o777).toString(8), '600', 'key file created with mode 0600');
  });

  test('enroll --json, then list, show, disable, enable, revoke, delete', async () => {
    const e = await cli(
      'token',
      'enroll',
      '--user',
      'bob',
      '--type',
      'totp',
      '--seed',
      'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
      '--serial',
      'BOB-1',
      '--json',
      '--digits',
      '8',
      '--algorithm',
      'SHA256',
      '--period',
      '60',
    );
    assert.equal(e.code, 0, e.stderr);
    assert.match(e.stderr, /warning: token BOB-1 has no PIN/);
    const j = JSON.parse(e.stdout) as { serial: string; uri: string; seedHex: string };
    assert.equal(j.serial, 'BOB-1');
    assert.match(j.uri, /algorithm=SHA256&digits=8&period=60/);
    assert.equal(j.seedHex, '3132333435363738393031323334353637383930');

    const list = await cli('token', 'list', '--user', 'bob');
    assert.match(list.stdout, /^SERIAL\s+TYPE\s+STATE\s+USER/);
    assert.match(list.stdout, /BOB-1\s+totp\s+active\s+bob\s+default\s+0\/10/);
    const all = JSON.parse((await cli('token', 'list', '--json')).stdout) as { serial: string }[];
    assert.ok(all.length >= 3);
    const show = await cli('token', 'show', 'BOB-1');
    assert.match(show.stdout, /^timeStep\s+60$/m);
    assert.doesNotMatch(show.stdout, /3132333435|GEZDGNBV/, 'show never prints the seed');

    assert.match((await cli('token', 'disable', 'BOB-1')).stdout, /BOB-1 disabled/);
    assert.match((await cli('token', 'show', 'BOB-1')).stdout, /^state\s+disabled$/m);
    assert.equal((await cli('token', 'enable', 'BOB-1')).code, 0);
    assert.equal((await cli('token', 'revoke', 'BOB-1')).code, 0);
    const again = await cli('token', 'enable', 'BOB-1');
    assert.equal(again.code, 1);
    assert.equal(again.stderr.split('\n')[0], 'otp-radius: token enable: BOB-1 is revoked and cannot be enabled again');
    assert.equal(again.stderr.trim().split('\n').length, 1, `one line on the terminal, no audit JSON: ${again.stderr}`);
    const refusal = auditRows(1)[0]!;
    assert.deepEqual(
      [refusal.event, refusal.action, refusal.result, refusal.serial, refusal.reason],
      ['admin', 'token.enable', 'refused', 'BOB-1', 'BOB-1 is revoked and cannot be enabled again'],
      'the refusal is audited in the table',
    );
    assert.equal((await cli('token', 'delete', 'BOB-1')).code, 0);
    assert.equal((await cli('token', 'show', 'BOB-1')).stderr.split('\n')[0], 'otp-radius: token show: no token with serial "BOB-1"');
  });

  test('PINs from a file or stdin; on the command line with a warning; not from both', async () => {
    const pinFile = join(dir, 'pin.txt');
    await writeFile(pinFile, '2468\nignored\n', { mode: 0o600 });
    const rfcSeed = Buffer.from('12345678901234567890').toString('hex');
    const enrolled = await cli('token', 'enroll', '--type', 'hotp', '--seed-hex', rfcSeed, '--serial', 'PINFILE', '--pin-file', pinFile, '--no-qr', '--user', 'alice');
    assert.equal(enrolled.code, 0, enrolled.stderr);
    assert.doesNotMatch(enrolled.stderr, /warning/);
    // RFC 4226 Appendix D: counter 0 is 755224, counter 1 is 287082.
    assert.equal((await runCli(['check', '--user', 'alice', '--password', '-', '--config', config], '2468755224\n')).stdout, 'accept: ok, serial PINFILE\n');
    const viaArg = await cli('token', 'set-pin', 'PINFILE', '--pin', '1357');
    assert.equal(viaArg.code, 0, viaArg.stderr);
    assert.match(viaArg.stderr, /^warning: --pin on the command line is visible to other users/m);
    assert.equal((await runCli(['check', '--user', 'alice', '--password', '-', '--config', config], '1357287082\n')).stdout, 'accept: ok, serial PINFILE\n');
    const both = await cli('token', 'set-pin', 'PINFILE', '--pin', '1', '--pin-file', pinFile);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /token set-pin: give --pin or --pin-file, not both/);
    const missing = await cli('token', 'set-pin', 'PINFILE', '--pin-file', join(dir, 'nope.txt'));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /token set-pin: --pin-file: cannot read .*nope\.txt: ENOENT/);
    assert.equal((await cli('token', 'delete', 'PINFILE')).code, 0);
  });

  test('set-pin from stdin, unassign and assign, then check accepts PIN+OTP', async () => {
    const seed = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    assert.equal((await cli('token', 'enroll', '--type', 'totp', '--seed', seed, '--serial', 'FREE', '--no-qr')).code, 0);
    assert.match((await cli('token', 'list', '--unassigned')).stdout, /FREE/);
    const assign = await cli('token', 'assign', 'FREE', '--user', 'bob');
    assert.equal(assign.stdout, 'FREE assigned to bob (realm default)\n');
    const setPin = await runCli(['token', 'set-pin', 'FREE', '--config', config], '4711\n');
    assert.equal(setPin.stdout, 'FREE: PIN set\n');
    const code = totp(Buffer.from('12345678901234567890'), Date.now() / 1000);
    const ok = await runCli(['check', '--user', 'bob', '--password', '-', '--config', config], `4711${code}\n`);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'accept: ok, serial FREE\n');
    assert.doesNotMatch(ok.stderr, /warning/, 'a password read from stdin draws no warning');
    assert.doesNotMatch(ok.stderr, /"event"/, 'no audit JSON on the terminal');
    const audited = auditRows(1)[0]!;
    assert.deepEqual([audited.event, audited.actor, audited.result, audited.user_name, audited.serial], ['auth', 'cli', 'accept', 'bob', 'FREE'], 'the CLI check is audited in the table');
    const replay = await cli('check', '--user', 'bob', '--password', `4711${code}`, '--json');
    assert.equal(replay.code, 1);
    assert.match(replay.stderr, /^warning: --password on the command line is visible to other users \(ps, shell history\); use --password - \(stdin\) or --password-file FILE$/m);
    assert.equal((JSON.parse(replay.stdout) as { reason: string }).reason, 'replay');
    const taken = await cli('token', 'assign', 'FREE', '--user', 'alice');
    assert.match(taken.stderr, /belongs to bob@default; unassign it first/);
    assert.match((await cli('token', 'unassign', 'FREE')).stdout, /FREE unassigned from bob; its PIN was removed/);
  });

  test('bad input: one line, non-zero exit, nothing changed', async () => {
    const cases: [string[], number, RegExp][] = [
      [['token', 'enroll', '--type', 'push', '--user', 'alice'], 2, /--type must be one of hotp, totp, ocra, email, sms, spass, got "push"/],
      [['token', 'enroll', '--type', 'totp', '--user', 'nobody'], 1, /user "nobody" not found in realm "default"/],
      [['token', 'enroll', '--type', 'totp', '--seed', 'not base32!'], 2, /seed: .*base32/],
      [['token', 'enroll', '--type', 'totp', '--digits', 'six'], 2, /--digits: expected a whole number/],
      [['token', 'enroll', '--type', 'hotp', '--qr', 'x.jpg'], 2, /--qr must name a .png or .svg file/],
      [['token', 'enroll', '--type', 'ocra', '--ocrasuite', 'OCRA-1:HOTP-SHA1-6:QN08-S064'], 2, /session information/],
      [['token', 'enroll', '--type', 'totp', '--digits', '9'], 2, /digits: expected 6, 7 or 8, got 9/],
      [['token', 'enroll', '--type', 'email', '--user', 'bob'], 1, /bob has no e-mail address in the directory: give --email/],
      [['token', 'enroll', '--type', 'email', '--user', 'alice', '--email', 'a@x.org, b@y.org'], 1, /--email: not a single e-mail address/],
      [['token', 'enroll', '--type', 'sms', '--user', 'alice'], 1, /alice has no phone number in the directory: give --phone/],
      [['token', 'enroll', '--type', 'spass', '--user', 'alice'], 1, /a static password token needs a PIN: it is the whole password/],
      [['token', 'enroll', '--type', 'hotp', '--email', 'a@example.org'], 2, /--email: applies to e-mail tokens only, not hotp/],
      [['token', 'enroll', '--type', 'email', '--user', 'alice', '--seed-hex', '00'.repeat(20)], 2, /--seed: do not apply to email tokens/],
      [['token', 'enroll', '--type', 'sms', '--qr', 'x.png'], 2, /--qr and --no-qr apply to tokens an app holds, not to sms tokens/],
      [['token', 'frobnicate'], 2, /token: unknown subcommand "frobnicate"/],
      [['token', 'resync', 'FREE', '123456'], 2, /expected resync SERIAL OTP1 OTP2/],
      [['check', '--password', 'x'], 2, /--user is required/],
      [['token', 'list', '--user', 'alice@nowhere'], 1, /user "alice@nowhere" not found|unknown realm/],
      [['check', '--user', 'alice', '--password', 'x', '--nas', 'nowhere'], 1, /check: unknown NAS client "nowhere" \(clients: local\)/],
      [['user', 'list', '--limit', 'ten'], 2, /user list: --limit: expected a positive number, got "ten"/],
      [['serve', '--workers', '0'], 2, /serve: --workers: expected a number from 1 to 999, got "0"/],
    ];
    for (const [args, code, message] of cases) {
      const r = await cli(...args);
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
    const missing = await runCli(['token', 'list', '--config', join(dir, 'nope.yaml')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.yaml/);
  });

  test('--help for every token subcommand exits 0', async () => {
    for (const sub of ['enroll', 'list', 'show', 'enable', 'disable', 'revoke', 'delete', 'set-pin', 'reset', 'resync', 'assign', 'unassign', 'challenge']) {
      const r = await runCli(['token', sub, '--help']);
      assert.equal(r.code, 0, sub);
      assert.match(r.stdout, /^usage: otp-radius token/, sub);
    }
  });
});
