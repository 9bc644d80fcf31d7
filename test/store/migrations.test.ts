import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, pendingMigrations, SCHEMA_VERSION, type Migration } from '../../src/store/migrations.ts';
import { migrateSqlite } from '../../src/store/sqlite/schema.ts';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
import { SCHEMA_INDEXES, SCHEMA_TABLES, tempDir } from './helpers.ts';

function versions(db: Database.Database): number[] {
  return db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all() as number[];
}

test('migrations apply once, in order, and are idempotent', () => {
  const db = new Database(':memory:');
  const first = migrateSqlite(db, 'test.db');
  assert.deepEqual(
    first.applied,
    MIGRATIONS.map((m) => m.version),
  );
  assert.equal(first.version, SCHEMA_VERSION);
  const again = migrateSqlite(db, 'test.db');
  assert.deepEqual(again.applied, []);
  assert.deepEqual(
    versions(db),
    MIGRATIONS.map((m) => m.version),
  );
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
  assert.deepEqual(tables, SCHEMA_TABLES);
  const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all();
  assert.deepEqual(indexes, SCHEMA_INDEXES);
  db.close();
});

test('a later migration is applied on top of an existing database', () => {
  const db = new Database(':memory:');
  migrateSqlite(db, 'test.db');
  const extra: Migration[] = [...MIGRATIONS, { version: SCHEMA_VERSION + 1, name: 'add a column', sql: 'ALTER TABLE tokens ADD COLUMN note TEXT' }];
  assert.deepEqual(migrateSqlite(db, 'test.db', extra).applied, [SCHEMA_VERSION + 1]);
  const cols = (db.prepare('PRAGMA table_info(tokens)').all() as { name: string }[]).map((c) => c.name);
  assert.ok(cols.includes('note'));
  db.close();
});

test('a failing migration rolls back and names itself', () => {
  const db = new Database(':memory:');
  const broken: Migration[] = [...MIGRATIONS, { version: SCHEMA_VERSION + 1, name: 'broken', sql: 'CREATE TABLE x (a TEXT); SELECT * FROM nowhere' }];
  assert.throws(() => migrateSqlite(db, 'test.db', broken), { code: 'schema', message: new RegExp(`test\\.db: migration ${SCHEMA_VERSION + 1} \\(broken\\) failed: no such table: nowhere`) });
  assert.deepEqual(
    versions(db),
    MIGRATIONS.map((m) => m.version),
    'the released migrations committed, the broken one not recorded',
  );
  assert.equal(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'x'").pluck().get(), 0, 'partial DDL rolled back');
  db.close();
});

test('a database newer than the code is refused', async () => {
  const dir = tempDir();
  const path = join(dir, 'future.db');
  const keys = { seedKey: Buffer.alloc(32, 1), pepper: Buffer.alloc(32, 2) };
  const store = await openSqliteStore({ path, keys });
  await store.close();
  const db = new Database(path);
  db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(SCHEMA_VERSION + 1, 'from the future', 0);
  db.close();
  await assert.rejects(openSqliteStore({ path, keys }), {
    name: 'StoreError',
    code: 'schema',
    message: `${path} has schema version ${SCHEMA_VERSION + 1}, newer than this program knows (${SCHEMA_VERSION}): upgrade otp-radius, or restore a backup made before the upgrade`,
  });
});

test('pendingMigrations and list checks', () => {
  const list: Migration[] = [
    { version: 1, name: 'a', sql: '' },
    { version: 2, name: 'b', sql: '' },
  ];
  assert.deepEqual(
    pendingMigrations([], list, 'x').map((m) => m.version),
    [1, 2],
  );
  assert.deepEqual(
    pendingMigrations([1], list, 'x').map((m) => m.version),
    [2],
  );
  assert.deepEqual(pendingMigrations([1, 2], list, 'x'), []);
  assert.throws(() => pendingMigrations([1, 2, 3], list, 'x'), /x has schema version 3, newer than this program knows \(2\)/);
  const db = new Database(':memory:');
  assert.throws(() => migrateSqlite(db, 'x', [{ version: 2, name: 'b', sql: '' }]), /entry 0 has version 2, expected 1/);
  assert.throws(
    () =>
      migrateSqlite(db, 'x', [
        { version: 1, name: 'a', sql: '' },
        { version: 1, name: 'b', sql: '' },
      ]),
    /entry 1 has version 1, expected more than 1/,
  );
  // Versions may leave a gap (another change holds it); the list still applies in order.
  assert.deepEqual(
    pendingMigrations([1], [...list, { version: 4, name: 'd', sql: '' }], 'x').map((m) => m.version),
    [2, 4],
  );
  db.close();
});

test('the schema rejects a partly set owner', () => {
  const db = new Database(':memory:');
  migrateSqlite(db, 'x');
  assert.throws(
    () =>
      db
        .prepare(
          "INSERT INTO tokens (serial, type, seed, otp_length, algorithm, time_step, check_window, sync_window, max_fail, created_at, owner_login) VALUES ('t', 'hotp', 'v1:', 6, 'sha1', 30, 10, 100, 10, 0, 'alice')",
        )
        .run(),
    /CHECK constraint failed/,
  );
  db.close();
});
