// Schema migrations on SQLite: the numbered list of ../migrations.ts. Each
// migration runs in its own BEGIN IMMEDIATE transaction that first re-reads
// what is applied, so worker processes opening the same new file at once
// apply each step exactly once.

import type Database from 'better-sqlite3';
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
import { rebuildTable } from './rebuild.ts';
import { sqlite } from './sql.ts';

/** Brings the database up to date. */
export function migrateSqlite(db: Database.Database, where: string, migrations: readonly Migration[] = MIGRATIONS): MigrationResult {
  checkMigrationList(migrations);
  const applied: number[] = [];
  const step = db.transaction((): boolean => {
    db.exec(SCHEMA_MIGRATIONS_SQL);
    const next = pendingMigrations(db.prepare(APPLIED_VERSIONS).pluck().all() as number[], migrations, where)[0];
    if (!next) return false;
    try {
      for (const edit of next.sqliteRebuild ?? []) rebuildTable(db, edit);
      db.exec(next.sql);
    } catch (err) {
      throw migrationFailed(next, where, err);
    }
    db.prepare(sqlite(RECORD_MIGRATION)).run(migrationRecord(next));
    applied.push(next.version);
    return true;
  });
  while (step.immediate()) {
    // one migration per transaction
  }
  return { applied, version: latestVersion(migrations) };
}
