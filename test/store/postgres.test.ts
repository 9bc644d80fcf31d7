// The shared TokenStore suite on PostgreSQL (a throwaway cluster from
// Debian's packages), and what only PostgreSQL has: schema migration under
// an advisory lock, 64-bit integers, timeouts, and lost connections.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { describePostgresUrl, openPostgresStore, openStore, type StoreOptions } from '../../src/store/index.ts';
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from '../../src/store/migrations.ts';
import { migratePostgres } from '../../src/store/postgres/schema.ts';
import { isReady, postgresBinDir, startPostgres, type PostgresCluster } from '../helpers/postgres.ts';
import { newToken, SCHEMA_INDEXES, SCHEMA_TABLES, tempDir } from './helpers.ts';
import { openClosedAfter, storeSuite, withKeyFile, type StoreFactory, type StoreFixture } from './suite.ts';

let cluster: PostgresCluster;
before(async () => {
  cluster = await startPostgres();
});
after(() => cluster?.stop());

async function rawClient(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  after(() => client.end());
  return client;
}

const postgresFactory: StoreFactory = {
  name: 'postgres',
  async fresh(): Promise<StoreFixture> {
    const url = await cluster.createDatabase();
    const dir = tempDir();
    const keyFile = join(dir, 'keys', 'otp-radius.key');
    const options: StoreOptions = { postgres: { url }, keyFile };
    const store = await openClosedAfter(options);
    const raw = await rawClient(url);
    return {
      store,
      options,
      where: describePostgresUrl(url),
      keyFile,
      dir,
      open: (o = {}) => openClosedAfter(withKeyFile(options, o.keyFile ?? keyFile, o.createKeyFile)),
      sql: async (text) => (await raw.query(text)).rows as Record<string, unknown>[],
    };
  },
  async emptyOptions(keyFile) {
    return { postgres: { url: await cluster.createDatabase() }, keyFile };
  },
};

storeSuite(postgresFactory);

const KEYS = { seedKey: Buffer.alloc(32, 3), pepper: Buffer.alloc(32, 4) };

describe('postgres only: schema', () => {
  test('migrations apply once, in order; five at once apply each step once', async () => {
    const url = await cluster.createDatabase();
    const clients = await Promise.all(Array.from({ length: 5 }, () => rawClient(url)));
    const results = await Promise.all(clients.map((c) => migratePostgres(c, 'db')));
    assert.deepEqual(
      results.flatMap((r) => r.applied).sort((a, b) => a - b),
      MIGRATIONS.map((m) => m.version),
      'each step applied by exactly one of the five',
    );
    assert.ok(results.every((r) => r.version === SCHEMA_VERSION));
    const c = clients[0]!;
    assert.deepEqual((await migratePostgres(c, 'db')).applied, []);
    const tables = (await c.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")).rows.map((r) => r.tablename);
    assert.deepEqual(tables, SCHEMA_TABLES);
    const indexes = (await c.query("SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE '%_pkey' ORDER BY indexname")).rows.map((r) => r.indexname);
    assert.deepEqual(indexes, SCHEMA_INDEXES);
  });

  test('a later migration is applied on top; a failing one rolls back and names itself', async () => {
    const c = await rawClient(await cluster.createDatabase());
    await migratePostgres(c, 'db');
    const next = SCHEMA_VERSION + 1;
    const extra: Migration[] = [...MIGRATIONS, { version: next, name: 'add a column', sql: 'ALTER TABLE tokens ADD COLUMN note TEXT' }];
    assert.deepEqual((await migratePostgres(c, 'db', extra)).applied, [next]);
    const broken: Migration[] = [...extra, { version: next + 1, name: 'broken', sql: 'CREATE TABLE x (a TEXT); SELECT * FROM nowhere' }];
    await assert.rejects(migratePostgres(c, 'db', broken), { code: 'schema', message: new RegExp(`^db: migration ${next + 1} \\(broken\\) failed: relation "nowhere" does not exist$`) });
    assert.deepEqual(
      (await c.query('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r) => r.version),
      extra.map((m) => m.version),
    );
    assert.equal((await c.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'x'")).rows[0].n, 0, 'partial DDL rolled back');
    assert.equal((await c.query('SELECT 1 AS one')).rows[0].one, 1, 'the connection is usable afterwards');
  });

  test('a database newer than the code is refused', async () => {
    const url = await cluster.createDatabase();
    const store = await openPostgresStore({ url, keys: KEYS });
    await store.close();
    const c = await rawClient(url);
    await c.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, 0)', [SCHEMA_VERSION + 1, 'from the future']);
    await assert.rejects(openPostgresStore({ url, keys: KEYS }), {
      name: 'StoreError',
      code: 'schema',
      message: `${describePostgresUrl(url)} has schema version ${SCHEMA_VERSION + 1}, newer than this program knows (${SCHEMA_VERSION}): upgrade otp-radius, or restore a backup made before the upgrade`,
    });
  });
});

describe('postgres only: values and options', () => {
  test('64-bit integers come back as numbers; unsafe ones are reported; the global pg parser is untouched', async () => {
    const { store, sql } = await postgresFactory.fresh();
    await store.createToken(newToken('I1', { counter: 2 ** 52 }));
    assert.equal((await store.getToken('I1'))!.counter, 2 ** 52);
    await sql("UPDATE tokens SET counter = 9007199254740993 WHERE serial = 'I1'");
    await assert.rejects(store.getToken('I1'), { code: 'corrupt', message: 'token I1: column counter: expected an integer, got string "9007199254740993"' });
    assert.equal(pg.types.getTypeParser(20, 'text')('5'), '5');
    await store.close();
  });

  test('values PostgreSQL refuses are invalid input, not an outage', async () => {
    const { store } = await postgresFactory.fresh();
    await assert.rejects(store.createToken(newToken('N1', { description: 'a\u0000b' })), { code: 'invalid', message: /^createToken N1: value refused by PostgreSQL: invalid byte sequence/ });
    await store.createToken(newToken('N2'));
    await assert.rejects(store.updateToken('N2', { failCount: 2 ** 31 }), { code: 'invalid', message: /updateToken N2: value refused by PostgreSQL: .*out of range for type integer/ });
    assert.equal((await store.getToken('N2'))!.failCount, 0);
    await store.close();
  });

  test('option checks, and the description hides the password', async () => {
    const keys = KEYS;
    await assert.rejects(openPostgresStore({ url: 'mysql://u:secret@h/db', keys }), {
      code: 'invalid',
      message: 'postgres url: expected postgres://[user[:password]@]host[:port]/database, got "mysql:..."',
    });
    await assert.rejects(openPostgresStore({ url: 'postgres://u:p@ss@[h/db', keys }), /postgres url: not a valid URL/);
    await assert.rejects(openPostgresStore({ url: cluster.url, keys, pool: { max: 0 } }), /postgres pool\.max: expected an integer 1\.\.1000, got 0/);
    await assert.rejects(openPostgresStore({ url: cluster.url, keys, pool: { connectionTimeoutMs: 0 } }), /pool\.connectionTimeoutMs: expected an integer 1\.\./);
    await assert.rejects(openPostgresStore({ url: cluster.url, keys, statementTimeoutMs: -5 }), /statementTimeoutMs: expected an integer 0\.\./);
    await assert.rejects(openPostgresStore({ url: cluster.url }), /give exactly one of keyFile and keys/);
    assert.equal(describePostgresUrl('postgresql://otp:s3cret@db.example:5433/otp?sslmode=require&password=x'), 'postgres://otp@db.example:5433/otp');
    assert.equal(describePostgresUrl('postgres:///otp?host=/run/postgresql'), 'postgres:///otp?host=/run/postgresql');
    const url = (await cluster.createDatabase()).replace('postgres@', 'postgres:not-shown@');
    const store = await openPostgresStore({ url, keys, pool: { max: 2, idleTimeoutMs: 100 }, statementTimeoutMs: 0 });
    assert.doesNotMatch(store.description, /not-shown/);
    await Promise.all(Array.from({ length: 10 }, () => store.ping()));
    await store.close();
    await store.close(); // twice is harmless
    await assert.rejects(store.ping(), { code: 'unavailable', message: /the store is not open/ });
  });
});

describe('postgres only: failures', () => {
  test('nothing listening: opening fails fast as unavailable', async () => {
    const started = Date.now();
    await assert.rejects(openStore({ postgres: { url: 'postgres://otp@127.0.0.1:1/otp' }, keyFile: join(tempDir(), 'k') }), {
      code: 'unavailable',
      message: /^postgres:\/\/otp@127\.0\.0\.1:1\/otp: connect: database unavailable: .*ECONNREFUSED/,
    });
    assert.ok(Date.now() - started < 3000);
  });

  test('a statement stuck behind a lock times out and fails closed; the store carries on', async () => {
    const url = await cluster.createDatabase();
    const store = await openPostgresStore({ url, keys: KEYS, statementTimeoutMs: 300 });
    after(() => store.close());
    await store.createToken(newToken('L1'));
    const raw = await rawClient(url);
    await raw.query('BEGIN');
    await raw.query("SELECT * FROM tokens WHERE serial = 'L1' FOR UPDATE");
    const started = Date.now();
    await assert.rejects(store.commitSuccess('L1', 0, 1), { code: 'unavailable', message: /commitSuccess L1: database unavailable: canceling statement due to statement timeout/ });
    assert.ok(Date.now() - started < 2000);
    await raw.query('ROLLBACK');
    assert.equal(await store.commitSuccess('L1', 0, 1), true);
    assert.equal(await store.commitSuccess('L1', 0, 1), false);
  });

  test('connections killed (failover): in-flight work fails, idle losses are logged, the pool recovers', async () => {
    const url = await cluster.createDatabase();
    const warnings: unknown[] = [];
    const logger = { warn: (obj: unknown, msg: string) => warnings.push([obj, msg]) } as never;
    const store = await openPostgresStore({ url, keys: KEYS, logger, pool: { max: 4 } });
    after(() => store.close());
    await store.createToken(newToken('K1'));
    await Promise.all(Array.from({ length: 4 }, () => store.ping())); // several idle connections
    const raw = await rawClient(url);
    await raw.query('BEGIN');
    await raw.query("SELECT * FROM tokens WHERE serial = 'K1' FOR UPDATE");
    // The expectation is attached at once: the rejection may arrive before the terminate query returns.
    const blocked = assert.rejects(store.commitSuccess('K1', 0, 1), {
      code: 'unavailable',
      message: /database unavailable: terminating connection due to administrator command|Connection terminated/,
    });
    await new Promise((r) => setTimeout(r, 100));
    await raw.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'otp-radius' AND datname = current_database()");
    await blocked;
    await raw.query('ROLLBACK');
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(warnings.length >= 1, 'idle connection losses were reported');
    assert.match(String((warnings[0] as unknown[])[1]), /connection lost while idle; the pool reconnects/);
    assert.equal(await store.commitSuccess('K1', 0, 2), true, 'the OTP the failed request tried is still usable exactly once');
    assert.equal(await store.commitSuccess('K1', 0, 3), false);
  });

  test('the database going away: requests fail fast as unavailable', async () => {
    const own = await startPostgres();
    after(() => own.stop());
    const store = await openPostgresStore({ url: own.url, keys: KEYS, pool: { connectionTimeoutMs: 1000 } });
    after(() => store.close());
    await store.createToken(newToken('G1'));
    await own.stop();
    assert.equal(isReady(own), false);
    const started = Date.now();
    await assert.rejects(store.getToken('G1'), { code: 'unavailable' });
    await assert.rejects(store.commitSuccess('G1', 0, 1), { code: 'unavailable', message: /commitSuccess G1: database unavailable/ });
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  });
});

describe('test helper', () => {
  test('without PostgreSQL installed the tests fail and say what to install', () => {
    assert.throws(() => postgresBinDir('/nonexistent'), {
      message: 'PostgreSQL server not found (no /nonexistent/*/bin/initdb): install the Debian package `postgresql` (apt-get install postgresql; .ci/run does this) to run the PostgreSQL tests',
    });
    assert.match(postgresBinDir(), /^\/usr\/lib\/postgresql\/\d+(\.\d+)?\/bin$/);
  });
});
