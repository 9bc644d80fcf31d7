// Schema migrations on PostgreSQL: the same numbered list as SQLite
// (../migrations.ts), recorded in the same schema_migrations table. Several
// servers may start at once against a new database; each migration runs in
// its own transaction that first takes a transaction-scoped advisory lock and
// re-reads what is applied, so every step is applied exactly once and a
// server that waited sees the finished schema. DDL is transactional here, so
// a failing migration leaves nothing behind.

import type pg from 'pg';
import {
  APPLIED_VERSIONS,
  checkMigrationList,
  latestVersion,
  migrationFailed,
  migrationRecord,
  MIGRATIONS,
  pendingMigrations,
  RECORD_MIGRATION,
  SCHEMA_MIGRATIONS_SQL,
  type Migration,
  type MigrationResult,
} from '../migrations.ts';
import { inTransaction } from './connect.ts';
import { bind, postgres } from './sql.ts';

/** Advisory lock key for schema changes: "otpradiu" read as a 64-bit integer. */
export const SCHEMA_LOCK_KEY = '8031167672070990197';

/** `client` must not be inside a transaction; it is left outside one. */
export async function migratePostgres(client: pg.ClientBase, where: string, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationResult> {
  checkMigrationList(migrations);
  const applied: number[] = [];
  for (;;) {
    const next = await inTransaction(client, async () => {
      // A migration may rewrite a large table: no statement timeout here.
      await client.query('SET LOCAL statement_timeout = 0');
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [SCHEMA_LOCK_KEY]);
      await client.query(SCHEMA_MIGRATIONS_SQL);
      const rows = (await client.query<{ version: number }>(APPLIED_VERSIONS)).rows;
      const m = pendingMigrations(
        rows.map((r) => Number(r.version)),
        migrations,
        where,
      )[0];
      if (!m) return undefined;
      try {
        if (m.postgres !== undefined) await client.query(m.postgres);
        await client.query(m.sql);
      } catch (err) {
        throw migrationFailed(m, where, err);
      }
      await client.query(postgres(RECORD_MIGRATION), bind(RECORD_MIGRATION, migrationRecord(m)));
      return m;
    });
    if (!next) return { applied, version: latestVersion(migrations) };
    applied.push(next.version);
  }
}
