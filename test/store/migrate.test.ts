// Store migration, SQLite to PostgreSQL: through migrateStore and through
// `otp-radius store migrate` as an admin runs it.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { describePostgresUrl, openPostgresStore, openStore, type KeyedTokenStore, type StoreOptions } from '../../src/store/index.ts';
import { migrateStore } from '../../src/store/migrate.ts';
import { startPostgres, type PostgresCluster } from '../helpers/postgres.ts';
import { newToken, OWNER, tempDir } from './helpers.ts';
import { challenge } from './suite-challenges.ts';

let cluster: PostgresCluster;
before(async () => {
  cluster = await startPostgres();
});
after(() => cluster?.stop());

async function opened(options: StoreOptions): Promise<KeyedTokenStore> {
  const store = await openStore(options);
  after(() => store.close());
  return store;
}

/** A SQLite deployment with tokens in every state a server leaves them in. */
async function sqliteDeployment(count = 30) {
  const dir = tempDir();
  const keyFile = join(dir, 'otp-radius.key');
  const path = join(dir, 'otp-radius.db');
  const store = await opened({ sqlite: { path }, keyFile });
  const pinHash = await store.pins.hash('1234');
  for (let i = 0; i < count; i++) {
    await store.createToken(
      newToken(`S${String(i).padStart(3, '0')}`, { type: i % 2 ? 'totp' : 'hotp', owner: { ...OWNER, userId: `u${i}`, login: `user${i}` }, pinHash, info: { n: String(i) } }),
      1_700_000_000 + i,
    );
  }
  // State a running server produces: accepted OTPs, drift, failures, a pending autosync, an admin's lock.
  await store.commitSuccess('S001', 56_000_000, 1_700_000_500, -30);
  await store.commitSuccess('S002', 41, 1_700_000_600);
  await store.recordFailure(['S003', 'S004'], 1_700_000_700);
  await store.setSyncState('S005', 77, 1_700_000_800);
  await store.updateToken('S006', { locked: true, active: false, validUntil: 1_900_000_000, maxAuth: 10, description: 'lost phone' });
  const live = challenge(['S008'], 2_000_000_000, { attempts: 1 });
  const expired = challenge(['S009'], 1_000_000_000);
  await store.createChallenge(live);
  await store.createChallenge(expired);
  return { dir, keyFile, path, store, pinHash, live, expired, options: { sqlite: { path }, keyFile } as StoreOptions };
}

describe('migrateStore', () => {
  test('SQLite to PostgreSQL: every token with its state, open challenges; twice gives the same', async () => {
    const src = await sqliteDeployment();
    const url = await cluster.createDatabase();
    const to: StoreOptions = { postgres: { url }, keyFile: src.keyFile };
    const first = await migrateStore(src.options, to, { now: 1_900_000_000 });
    assert.deepEqual(first, { from: `sqlite:${src.path}`, to: describePostgresUrl(url), tokens: 30, created: 30, updated: 0, challenges: 1, expiredChallenges: 1, dryRun: false });
    const target = await opened(to);
    assert.deepEqual(await target.listTokens(), await src.store.listTokens(), 'every field of every token');
    assert.deepEqual(await target.listChallenges(), [src.live]);
    const s001 = (await target.getToken('S001'))!;
    assert.deepEqual([s001.counter, s001.drift, s001.successCount, s001.lastAuth], [56_000_001, -30, 1, 1_700_000_500]);
    assert.deepEqual((await target.getToken('S005'))!.syncCounter, 77);
    // The OTP state carries over: a used counter stays used, the next one works, the PIN still verifies.
    assert.equal(await target.commitSuccess('S002', 41, 1_700_001_000), false);
    assert.equal(await target.commitSuccess('S002', 42, 1_700_001_000), true);
    assert.equal(await target.pins.verify('1234', s001.pinHash), true);

    const second = await migrateStore(src.options, to, { now: 1_900_000_000 });
    assert.deepEqual(second, { ...first, created: 0, updated: 30 });
    assert.equal((await target.listTokens()).length, 30, 'no duplicates');
    assert.equal((await target.getToken('S002'))!.counter, 43, 'the counter the target advanced did not move back');
    assert.equal(await target.commitSuccess('S002', 42, 1_700_001_100), false, 'so the OTP it accepted cannot be replayed');
    assert.equal((await target.listChallenges()).length, 1);
  });

  test('a dry run counts and writes nothing; a failure part way writes nothing', async () => {
    const src = await sqliteDeployment(12);
    const url = await cluster.createDatabase();
    const to: StoreOptions = { postgres: { url }, keyFile: src.keyFile };
    const dry = await migrateStore(src.options, to, { dryRun: true, now: 1_900_000_000 });
    assert.deepEqual([dry.tokens, dry.created, dry.challenges, dry.dryRun], [12, 12, 1, true]);
    const target = await opened(to);
    assert.deepEqual(await target.listTokens(), []);
    // A damaged row late in the source: earlier batches were already sent.
    const raw = new (await import('better-sqlite3')).default(src.path);
    raw.prepare("UPDATE tokens SET otp_length = 99 WHERE serial = 'S010'").run();
    raw.close();
    await assert.rejects(migrateStore(src.options, to, { batchSize: 3 }), { code: 'corrupt', message: /token S010: stored value out of range/ });
    assert.deepEqual(await target.listTokens(), [], 'all or nothing');
  });

  test('refuses another PIN pepper and the same store twice', async () => {
    const src = await sqliteDeployment(2);
    const url = await cluster.createDatabase();
    const other = await openPostgresStore({ url, keys: { seedKey: Buffer.alloc(32, 1), pepper: Buffer.alloc(32, 2) } });
    after(() => other.close());
    await assert.rejects(migrateStore(src.store, other), {
      code: 'key',
      message: `${other.description} uses another key file than sqlite:${src.path}: PIN hashes would not verify there; use the same key file for both`,
    });
    assert.deepEqual(await other.listTokens(), []);
    await assert.rejects(migrateStore(src.options, src.options), { code: 'invalid', message: `source and target are the same store (sqlite:${src.path})` });
    const missing = join(src.dir, 'missing.key');
    await assert.rejects(migrateStore({ sqlite: { path: src.path }, keyFile: missing }, { postgres: { url }, keyFile: missing }), {
      code: 'key',
      message: `key file ${missing} does not exist, but ${src.path} holds seeds encrypted with a key file: restore that key file from backup (a new key cannot decrypt them)`,
    });
  });
});

/** `otp-radius store ARGS` in a child process, as main.ts runs it. */
function storeCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const cmd = new URL('../../src/cli/store.ts', import.meta.url).href;
  const errors = new URL('../../src/cli/errors.ts', import.meta.url).href;
  const script = `import { storeCommand } from ${JSON.stringify(cmd)}; import { reportError } from ${JSON.stringify(errors)};
storeCommand(process.argv.slice(1)).then((c) => { process.exitCode = c; }, (e) => { process.exitCode = reportError(e); });`;
  return new Promise((done) => {
    execFile(process.execPath, ['--input-type=module', '-e', script, ...args], { env: { ...process.env, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('otp-radius store migrate', () => {
  test('sqlite to postgres, twice, with a one-line summary', async () => {
    const src = await sqliteDeployment(5);
    await src.store.close();
    const url = await cluster.createDatabase();
    const args = ['migrate', '--from', `sqlite:${src.path}`, '--to', `postgres:${url}`, '--key-file', src.keyFile];
    const dry = await storeCli([...args, '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(
      dry.stdout,
      `dry run: would migrate 5 tokens (5 new, 0 updated) and 1 open challenge from sqlite:${src.path} to ${describePostgresUrl(url)}; 1 expired challenge left behind; nothing written\n`,
    );
    const first = await storeCli(args);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, `migrated 5 tokens (5 new, 0 updated) and 1 open challenge from sqlite:${src.path} to ${describePostgresUrl(url)}; 1 expired challenge left behind\n`);
    const again = await storeCli(['migrate', '--from', `sqlite:${src.path}`, '--to', url, '--key-file', src.keyFile]);
    assert.match(again.stdout, /^migrated 5 tokens \(0 new, 5 updated\) and 1 open challenge/);
    const raw = new pg.Client({ connectionString: url });
    await raw.connect();
    assert.equal((await raw.query('SELECT count(*)::int AS n FROM tokens')).rows[0].n, 5);
    await raw.end();
    const target = await opened({ postgres: { url }, keyFile: src.keyFile });
    assert.equal((await target.getToken('S001'))!.counter, 56_000_001);
  });

  test('help, usage errors and store errors', async () => {
    const help = await storeCli(['migrate', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: otp-radius store migrate --to STORE \[--from STORE\] \[--key-file FILE\] \[--dry-run\] \[--config FILE\]/);
    assert.equal((await storeCli([])).code, 2);
    assert.equal((await storeCli(['--help'])).code, 0);
    const cases: [string[], number, RegExp][] = [
      [['copy'], 2, /^otp-radius: store: unknown subcommand "copy" \(expected: init, backup, restore, migrate\)$/],
      [['migrate', '--to', 'sqlite:x.db', '--config', '/nonexistent/c.yaml'], 1, /^otp-radius: \/nonexistent\/c\.yaml: cannot read config: no such file$/],
      [['migrate', '--from', 'sqlite:x.db'], 2, /--to is required/],
      [['migrate', '--from', 'x.db', '--to', 'sqlite:y.db'], 2, /--from: expected sqlite:PATH or postgres:URL, got "x\.db"/],
      [['migrate', '--from', 'sqlite:x.db', '--to', 'mysql://u:hunter2@h/db'], 2, /--to: expected sqlite:PATH or postgres:URL, got "mysql:\/\/\.\.\."/],
      [['migrate', '--from', 'sqlite:x.db', '--to', 'postgres:db.example'], 2, /--to: expected postgres:postgres:\/\/user@host\/database/],
      [['migrate', '--from', 'sqlite:/nonexistent/x.db', '--to', 'sqlite:y.db'], 1, /--from: \/nonexistent\/x\.db does not exist/],
      [['migrate', '--frm', 'a'], 2, /^otp-radius: store migrate: unknown option --frm \(see otp-radius store migrate --help\)$/],
    ];
    for (const [args, code, message] of cases) {
      const r = await storeCli(args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr.trim(), message);
      assert.doesNotMatch(r.stderr, /hunter2/);
    }
    const src = await sqliteDeployment(1);
    const wrongKey = await storeCli(['migrate', '--from', `sqlite:${src.path}`, '--to', `postgres:${await cluster.createDatabase()}`, '--key-file', join(src.dir, 'none.key')]);
    assert.equal(wrongKey.code, 1);
    assert.match(wrongKey.stderr, /^otp-radius: key file .*none\.key does not exist, but .* holds seeds encrypted with a key file/);
    const down = await storeCli(['migrate', '--from', `sqlite:${src.path}`, '--to', 'postgres://otp:hunter2@127.0.0.1:1/otp', '--key-file', src.keyFile]);
    assert.equal(down.code, 1);
    assert.match(down.stderr, /^otp-radius: postgres:\/\/otp@127\.0\.0\.1:1\/otp: connect: database unavailable/);
    assert.doesNotMatch(down.stderr, /hunter2/);
  });
});
