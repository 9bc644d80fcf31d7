// The same LinOTP database on SQLite, PostgreSQL and MariaDB imports to the
// same tokens: column names and case, booleans, timestamps as the drivers
// return them, and the URL spellings of LinOTP's own config.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { describeSource, parseLinotpUrl } from '../../src/import/linotp-db.ts';
import { importLinotp } from '../../src/import/linotp.ts';
import { startPostgres, type PostgresCluster } from '../helpers/postgres.ts';
import { dump, NOW, services, tempDir } from './helpers.ts';
import { COLUMNS, ENC_KEY, realmRows, sampleRows, schema, values, writeSqlite } from './linotp-fixture.ts';
import { startMariaDb, type MariaDb } from './mariadb.ts';

const rows = sampleRows(NOW);

async function importedFrom(db: string): Promise<unknown[]> {
  const { s } = await services();
  const summary = await importLinotp(s.store, { resolvers: s.resolvers, realms: s.config.realms }, { db, encKey: ENC_KEY, encKeyFile: 'encKey', realmMap: new Map([['myrealm', 'corp']]), now: NOW });
  assert.equal(summary.created, 7, db);
  // Encrypted PINs are hashed with a random salt: compare that they verify, not the text.
  const all = await dump(s.store);
  for (const t of all as { serial: string; pinHash: string | null }[]) {
    if (t.pinHash?.startsWith('$scrypt$')) {
      assert.equal(await s.store.pins.verify(t.serial === 'TOTP0002' ? '0000' : '9999', t.pinHash), true);
      t.pinHash = '<scrypt>';
    }
  }
  return all;
}

let fromSqlite: unknown[];
before(async () => {
  const path = join(await tempDir(), 'linotp.db');
  await writeSqlite(path, rows);
  fromSqlite = await importedFrom(`sqlite:${path}`);
});

describe('LinOTP on PostgreSQL', () => {
  let cluster: PostgresCluster;
  before(async () => {
    cluster = await startPostgres();
  });
  after(() => cluster?.stop());

  test('imports the same tokens as from SQLite, from a SQLAlchemy URL', async () => {
    const url = await cluster.createDatabase('linotp');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      for (const stmt of schema((n) => `"${n}"`, { int: 'INTEGER', text: 'TEXT', bool: 'BOOLEAN', time: 'TIMESTAMP' })) await client.query(stmt);
      for (const r of rows) await client.query(`INSERT INTO "Token" (${COLUMNS.map((c) => `"${c}"`).join(', ')}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`, values(r));
      const { realms, links } = realmRows(rows);
      for (const [id, name] of realms) await client.query('INSERT INTO "Realm" ("id", "name", "default", "option") VALUES ($1, $2, false, \'\')', [id, name]);
      for (const l of links) await client.query('INSERT INTO "TokenRealm" ("id", "token_id", "realm_id") VALUES ($1, $2, $3)', l);
    } finally {
      await client.end();
    }
    assert.deepEqual(await importedFrom(url.replace('postgres://', 'postgresql+psycopg2://')), fromSqlite);
  });

  test('a database without LinOTP tables says so', async () => {
    const url = await cluster.createDatabase('empty');
    const { s } = await services();
    await assert.rejects(
      importLinotp(s.store, { resolvers: s.resolvers, realms: s.config.realms }, { db: url, encKey: ENC_KEY, encKeyFile: 'k' }),
      /postgres:\/\/postgres@127\.0\.0\.1:\d+\/empty: relation "Token" does not exist: is this LinOTP's database\?/,
    );
  });
});

describe('LinOTP on MariaDB', () => {
  let server: MariaDb;
  before(async () => {
    server = await startMariaDb();
  });
  after(() => server?.stop());

  test('imports the same tokens as from SQLite, from a SQLAlchemy URL', async () => {
    const url = await server.createDatabase('linotp');
    const mysql = await import('mysql2/promise');
    const c = await mysql.createConnection({ uri: url });
    try {
      for (const stmt of schema((n) => `\`${n}\``, { int: 'INTEGER', text: 'TEXT', bool: 'BOOLEAN', time: 'DATETIME(6)' })) await c.query(stmt);
      for (const r of rows) await c.query(`INSERT INTO \`Token\` (${COLUMNS.map((col) => `\`${col}\``).join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`, values(r));
      const { realms, links } = realmRows(rows);
      for (const [id, name] of realms) await c.query("INSERT INTO `Realm` (`id`, `name`, `default`, `option`) VALUES (?, ?, 0, '')", [id, name]);
      for (const l of links) await c.query('INSERT INTO `TokenRealm` (`id`, `token_id`, `realm_id`) VALUES (?, ?, ?)', l);
    } finally {
      await c.end();
    }
    assert.deepEqual(await importedFrom(url.replace('mysql://', 'mysql+pymysql://')), fromSqlite);
  });

  test('a server that does not answer is a clear error', async () => {
    const { s } = await services();
    await assert.rejects(
      importLinotp(s.store, { resolvers: s.resolvers, realms: s.config.realms }, { db: 'mysql://linotp:secret@127.0.0.1:1/linotp', encKey: ENC_KEY, encKeyFile: 'k' }),
      /^ImportError: mysql:\/\/linotp:\*\*\*@127\.0\.0\.1:1\/linotp: cannot connect: /,
    );
  });
});

test('--db URLs: sqlite paths as LinOTP writes them, passwords never shown', () => {
  assert.deepEqual(parseLinotpUrl('sqlite:////var/lib/linotp/token.db'), { dialect: 'sqlite', target: '/var/lib/linotp/token.db' });
  assert.equal(parseLinotpUrl('sqlite:/tmp/x.db').target, '/tmp/x.db');
  assert.equal(parseLinotpUrl('sqlite:///x.db').target, join(process.cwd(), 'x.db'));
  assert.equal(describeSource(parseLinotpUrl('postgresql+psycopg2://linotp:s3cret@db/linotp')), 'postgres://linotp:***@db/linotp');
  assert.equal(describeSource(parseLinotpUrl('mariadb://u:p@h:3306/l')), 'mysql://u:***@h:3306/l');
  assert.throws(() => parseLinotpUrl('oracle://x'), /--db: unsupported database "oracle" \(expected sqlite, postgres or mysql\/mariadb\)/);
  assert.throws(() => parseLinotpUrl('/var/lib/linotp.db'), /--db: expected sqlite:PATH, postgres:\/\/\.\.\. or mysql:\/\/\.\.\., got "\/var\/lib\/linotp\.db"/);
});
