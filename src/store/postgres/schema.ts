// Schema migrations on PostgreSQL: the same numbered list as SQLite
// (../migrations.ts), recorded in the same schema_migrations table. Several
// servers may start at once against a new database; each migration runs in
// its own transaction that first takes a transaction-scoped advisory lock and
// re-reads what is applied, so every step is applied exactly once and a
// server that waited sees the finished schema. DDL is transactional here, so
// a failing migration leaves nothing behind.

import type pg from 'pg';
import { StoreError } from '../errors.ts';
import { checkMigrationList, MIGRATIONS, pendingMigrations, SCHEMA_MIGRATIONS_SQL, type Migration, type MigrationResult } from '../migrations.ts';

/** Advisory lock key for schema changes: "otpradiu" read as a 64-bit integer. */
export const SCHEMA_LOCK_KEY = '8031167672070990197';

/** `client` must not be inside a transaction; it is left outside one. */
export async function migratePostgres(
  client: pg.ClientBase,
  where: string,
  migrations: readonly Migration[] = MIGRATIONS,
  now: number = Math.floor(Date.now() / 1000),
): Promise<MigrationResult> {
  checkMigrationList(migrations);
  const applied: number[] = [];
  for (;;) {
    await client.query('BEGIN');
    try {
      // A migration may rewrite a large table: no statement timeout here.
      await client.query('SET LOCAL statement_timeout = 0');
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [SCHEMA_LOCK_KEY]);
      await client.query(SCHEMA_MIGRATIONS_SQL);
      const rows = (await client.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).rows;
      const next = pendingMigrations(rows.map((r) => Number(r.version)), migrations, where)[0];
      if (!next) {
        await client.query('COMMIT');
        return { applied, version: migrations.length };
      }
      try {
        await client.query(next.sql);
      } catch (err) {
        throw new StoreError('schema', `${where}: migration ${next.version} (${next.name}) failed: ${(err as Error).message}`, { cause: err });
      }
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [next.version, next.name, now]);
      await client.query('COMMIT');
      applied.push(next.version);
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }
}
