// SQLite cannot change a table's CHECK constraint in place. Its documented
// way (sqlite.org/lang_altertable.html, "other kinds of table schema
// changes"): inside the migration's transaction, create the table anew from
// its own stored definition with the one edit, copy the rows, drop the old
// table, rename the new one, and create its indexes and triggers again.
// Working from the stored definition keeps every column a migration before
// this one added, whatever it was.

import type Database from 'better-sqlite3';
import type { TableEdit } from '../migrations.ts';

const NAME = /^[a-z_][a-z0-9_]*$/;

export function rebuildTable(db: Database.Database, edit: TableEdit): void {
  if (!NAME.test(edit.table)) throw new Error(`rebuild: not a table name: ${edit.table}`);
  const definition = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(edit.table) as string | undefined;
  if (definition === undefined) throw new Error(`rebuild: no table ${edit.table}`);
  const found = definition.split(edit.from).length - 1;
  if (found !== 1) throw new Error(`rebuild: table ${edit.table}: expected ${edit.from} once in its definition, found it ${found} times`);
  const temporary = `${edit.table}_rebuilt`;
  const head = new RegExp(`^CREATE TABLE\\s+(?:"${edit.table}"|${edit.table})\\s*\\(`, 'i');
  if (!head.test(definition)) throw new Error(`rebuild: table ${edit.table}: its definition does not start with CREATE TABLE ${edit.table} (`);
  const created = definition.replace(edit.from, edit.to).replace(head, `CREATE TABLE ${temporary} (`);
  // Indexes and triggers go with the old table; automatic indexes (sql NULL) come back with the new one's keys.
  const dependents = db.prepare("SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY type, name").pluck().all(edit.table) as string[];
  db.exec(created);
  db.exec(`INSERT INTO ${temporary} SELECT * FROM ${edit.table}`);
  db.exec(`DROP TABLE ${edit.table}`);
  db.exec(`ALTER TABLE ${temporary} RENAME TO ${edit.table}`);
  for (const sql of dependents) db.exec(sql);
}
