// Backup and restore as docs/operations.md tells it: `store backup` of a
// running server's store, the key file copied apart, `store restore` into a
// fresh directory, a server started on it, and a login there with a token
// enrolled before the backup. What a restore undoes is checked as documented:
// a TOTP code used after the backup is refused (the restore moved TOTP tokens
// past it), an HOTP code used after the backup logs in once more.

import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { oathtool, runCli, startStack, writeStackConfig, type Stack } from '../helpers/stack.ts';
import { requirePeer } from '../helpers/peers.ts';

const SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'; // RFC 4226 "12345678901234567890"
const SEED_HEX = '3132333435363738393031323334353637383930';

const stepNow = (): number => Math.floor(Date.now() / 1000 / 30);
const totpAt = (step: number): Promise<string> => oathtool(['--totp', '-b', SEED, '-N', `@${step * 30}`]);
const hotpAt = (counter: number): Promise<string> => oathtool(['--hotp', SEED_HEX, '-c', String(counter)]);

describe('backup of a running server, restore into a fresh directory', () => {
  let a: Stack;
  let b: Stack | undefined;
  let work: string;
  before(async () => {
    requirePeer('oathtool', 'oathtool');
    requirePeer('radclient', 'freeradius-utils');
    work = await mkdtemp(join(tmpdir(), 'otp-radius-restore-'));
    a = await startStack();
  });
  after(async () => {
    await b?.stop();
    await a.stop();
    await rm(work, { recursive: true, force: true });
  });

  test('a token enrolled before the backup logs in on the restored store', async () => {
    for (const args of [
      ['--type', 'totp', '--seed', SEED, '--serial', 'T-1', '--user', 'alice'],
      ['--type', 'hotp', '--seed-hex', SEED_HEX, '--serial', 'H-1', '--user', 'bob'],
    ]) {
      const e = await a.cli(['token', 'enroll', ...args, '--no-qr']);
      assert.equal(e.code, 0, e.stderr);
    }
    assert.equal((await a.auth('bob', await hotpAt(0))).code, 'accept');

    const backup = join(work, 'otp-radius.backup.db');
    const made = await a.cli(['store', 'backup', backup]);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /^backed up .*tokens\.db to .*otp-radius\.backup\.db \(2 tokens, \d+ bytes\)\n$/);
    assert.match(made.stderr, /the key file .*tokens\.key is not in the backup/);
    assert.equal(((await stat(backup)).mode & 0o777).toString(8), '600');
    const twice = await a.cli(['store', 'backup', backup]);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /exists already/);

    // Logins after the backup: the restore will undo these counters.
    const usedAfter = stepNow();
    assert.equal((await a.auth('alice', await totpAt(usedAfter))).code, 'accept');
    assert.equal((await a.auth('bob', await hotpAt(1))).code, 'accept');

    // Restoring over a store a server has open is refused.
    const busy = await a.cli(['store', 'restore', backup]);
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, /tokens\.db-wal exists: a server may be using/);

    // The fresh directory: its config, the key file copied apart, then the restore.
    const fresh = join(work, 'fresh');
    await mkdir(fresh);
    const config = await writeStackConfig(fresh, 0);
    const wrongKey = await runCli(['store', 'init', '--config', config]);
    assert.equal(wrongKey.code, 0, wrongKey.stderr);
    const refused = await runCli(['store', 'restore', backup, '--config', config]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /key file .*tokens\.key does not match .*: the database was set up with another key file/);
    await copyFile(join(a.dir, 'tokens.key'), join(fresh, 'tokens.key'));
    await rm(join(fresh, 'tokens.db'));
    const restored = await runCli(['store', 'restore', backup, '--config', config]);
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(restored.stdout, /^restored .*fresh\/tokens\.db from .*otp-radius\.backup\.db \(2 tokens\); 1 TOTP token moved to the next time step\n$/);
    assert.match(restored.stderr, /^warning: 1 HOTP\/OCRA token is back at the counter of the backup/);
    const stepAtRestore = stepNow();

    b = await startStack({ dir: fresh });
    assert.equal((await b.auth('alice', await totpAt(usedAfter))).code, 'reject', 'a TOTP code used after the backup stays used');
    assert.equal(b.audits().at(-1)!.reason, 'replay', JSON.stringify(b.logs.lines.filter((l) => (l.level as number) >= 50)));
    assert.equal((await b.auth('alice', await totpAt(stepAtRestore + 1))).code, 'accept', 'the next TOTP code logs in');
    assert.equal((await b.auth('bob', await hotpAt(1))).code, 'accept', 'documented: an HOTP code used after the backup logs in once more');
    assert.equal((await b.auth('bob', await hotpAt(2))).code, 'accept');
  });
});
