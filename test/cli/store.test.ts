// Who may create a store: `serve` (first start) and `store init`, nobody
// else. Every other command on a missing store or key file says so in one
// line naming the path, exits 1 and writes nothing, key file included; a
// usage error exits 2 before anything is opened.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../helpers/stack.ts';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'otp-radius-store-cli-'));
});
after(async () => rm(root, { recursive: true, force: true }));

/** A config in `<dir>/etc` whose store and key file lie in `<dir>/etc/../data`, named relatively; returns the config file. */
async function deployment(name: string): Promise<{ dir: string; config: string; db: string; key: string }> {
  const dir = join(root, name);
  await mkdir(join(dir, 'etc'), { recursive: true });
  await writeFile(join(dir, 'etc', 'users.yaml'), 'users:\n  - login: alice\n    id: "1001"\n');
  const config = join(dir, 'etc', 'otp-radius.yaml');
  await writeFile(
    config,
    [
      'clients:',
      '  - { name: local, address: 127.0.0.1, secret: a-long-enough-test-secret }',
      'store:',
      '  sqlite: { path: ../data/otp-radius.db }',
      '  keyFile: ../data/otp-radius.key',
      'resolvers:',
      '  local: { type: file, path: users.yaml }',
      'realms:',
      '  default: { resolvers: [local], default: true }',
      '',
    ].join('\n'),
  );
  return { dir, config, db: join(dir, 'data', 'otp-radius.db'), key: join(dir, 'data', 'otp-radius.key') };
}

/** Every file under `dir`, relative, sorted. */
async function files(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

describe('a missing store', () => {
  let d: Awaited<ReturnType<typeof deployment>>;
  let seeds: string;
  let encKey: string;
  before(async () => {
    d = await deployment('missing');
    seeds = join(d.dir, 'seeds.csv');
    await writeFile(seeds, 'IMPORT-1,3132333435363738393031323334353637383930,hotp,6,0\n');
    encKey = join(d.dir, 'encKey');
    await writeFile(encKey, Buffer.alloc(96, 7));
  });

  const commands: [string, string[]][] = [
    ['token list', ['token', 'list']],
    ['token show', ['token', 'show', 'T-1']],
    ['token enroll', ['token', 'enroll', '--user', 'alice', '--type', 'totp', '--no-qr']],
    ['token reset', ['token', 'reset', 'T-1']],
    ['user list', ['user', 'list']],
    ['user show', ['user', 'show', 'alice']],
    ['check', ['check', '--user', 'alice', '--password', '-']],
    ['export pskc', ['export', 'pskc', '--plain']],
    ['import oath-csv --dry-run', ['import', 'oath-csv', 'SEEDS', '--dry-run']],
    ['import oath-csv', ['import', 'oath-csv', 'SEEDS']],
    ['import linotp --dry-run', ['import', 'linotp', '--db', 'sqlite:/nonexistent/linotp.db', '--enckey', 'ENCKEY', '--dry-run']],
    ['store backup', ['store', 'backup', 'BACKUP']],
    ['store migrate', ['store', 'migrate', '--to', 'sqlite:TARGET', '--dry-run']],
  ];
  for (const [name, args] of commands) {
    test(`${name}: one line naming the store, exit 1, nothing written`, async () => {
      const argv = args.map((a) => a.replace('SEEDS', seeds).replace('ENCKEY', encKey).replace('BACKUP', join(d.dir, 'backup.db')).replace('TARGET', join(d.dir, 'target.db')));
      const before = await files(d.dir);
      // From another working directory: the paths come from the config file's folder, not from here.
      const r = await runCli([...argv, '--config', d.config], '123456\n', root);
      assert.equal(r.code, 1, `${name}: ${r.stderr}`);
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, `one line: ${r.stderr}`);
      assert.match(lines[0]!, new RegExp(`^otp-radius: (store migrate: --from: )?(store )?${d.db.replaceAll('/', '\\/').replaceAll('.', '\\.')} does not exist`));
      assert.match(lines[0]!, /store init|does not exist$/);
      assert.deepEqual(await files(d.dir), before, 'no file was created');
      assert.deepEqual(await readdir(root).then((n) => n.filter((f) => f === 'data')), [], 'nothing created in the working directory');
    });
  }

  test('config check reads the config only: no store, no key file', async () => {
    const r = await runCli(['config', 'check', d.config], '', root);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(existsSync(join(d.dir, 'data')), false);
  });

  test('token enroll --digits 9 is a usage error found before the store is opened', async () => {
    const r = await runCli(['token', 'enroll', '--user', 'alice', '--type', 'totp', '--digits', '9', '--config', d.config]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr, 'otp-radius: token enroll: digits: expected 6, 7 or 8, got 9\n');
    const ocra = await runCli(['token', 'enroll', '--type', 'ocra', '--ocrasuite', 'OCRA-1:HOTP-SHA1-6:QN08-PSHA1', '--config', d.config]);
    assert.equal(ocra.code, 2, ocra.stderr);
    assert.match(ocra.stderr, /^otp-radius: token enroll: OCRA suite .* takes a PIN/);
    assert.equal(existsSync(join(d.dir, 'data')), false);
  });
});

describe('store init', () => {
  test('creates the store and a 0600 key file; run again, it checks them; then the admin commands work', async () => {
    const d = await deployment('init');
    const first = await runCli(['store', 'init', '--config', d.config], '', root);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, `created sqlite:${d.db}; created key file ${d.key}: back it up, apart from the store; without it the seeds cannot be decrypted\n`);
    assert.equal(((await stat(d.key)).mode & 0o777).toString(8), '600');
    const again = await runCli(['store', 'init', '--config', d.config]);
    assert.equal(again.stdout, `sqlite:${d.db} exists; key file ${d.key} matches\n`);
    const list = await runCli(['token', 'list', '--config', d.config], '', root);
    assert.equal(list.code, 0, list.stderr);
    assert.equal(list.stdout, 'no tokens\n');
  });

  test('a store whose key file is gone: one line naming the key file, no new key', async () => {
    const d = await deployment('lost-key');
    assert.equal((await runCli(['store', 'init', '--config', d.config])).code, 0);
    assert.equal((await runCli(['token', 'enroll', '--user', 'alice', '--type', 'hotp', '--no-qr', '--config', d.config])).code, 0);
    await rm(d.key);
    const seeds = join(d.dir, 'seeds.csv');
    await writeFile(seeds, 'IMPORT-1,3132333435363738393031323334353637383930,hotp,6,0\n');
    for (const args of [
      ['token', 'list'],
      ['import', 'oath-csv', seeds, '--dry-run'],
    ]) {
      const r = await runCli([...args, '--config', d.config]);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, `otp-radius: key file ${d.key} does not exist, but ${d.db} holds seeds encrypted with a key file: restore that key file from backup (a new key cannot decrypt them)\n`);
      assert.equal(existsSync(d.key), false, `${args.join(' ')} created no key file`);
    }
    // store init does not paper over it either.
    const init = await runCli(['store', 'init', '--config', d.config]);
    assert.equal(init.code, 1);
    assert.equal(existsSync(d.key), false);
  });

  test('store migrate takes its source and key file from --config', async () => {
    const d = await deployment('migrate');
    assert.equal((await runCli(['store', 'init', '--config', d.config])).code, 0);
    assert.equal((await runCli(['token', 'enroll', '--user', 'alice', '--type', 'hotp', '--serial', 'MIG-1', '--no-qr', '--config', d.config])).code, 0);
    const target = join(d.dir, 'copy.db');
    const r = await runCli(['store', 'migrate', '--to', `sqlite:${target}`, '--config', d.config], '', root);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `migrated 1 token (1 new, 0 updated) and 0 open challenges from sqlite:${d.db} to sqlite:${target}\n`);
  });
});
