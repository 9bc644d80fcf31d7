// The admin tables and the audit table on SQLite. Admin rows are written on
// the main connection (rare, and an admin can wait for a busy lock); audit
// rows join the group commits of authentication (group-commit.ts), so an
// audited login costs no transaction of its own.

import type Database from 'better-sqlite3';
import type { AuditQuery, AuditRecord, DecisionCountQuery, DecisionCounts } from '../../model/audit.ts';
import { ADMIN_STATEMENTS, type AdminStatementName } from '../admin-sql.ts';
import { SqlAdminTables, type Row } from '../admin-tables.ts';
import type { AdminTables, AuditTable } from '../admin-types.ts';
import {
  AUDIT_LIST,
  auditQuerySql,
  auditToRow,
  decisionCounts,
  decisionCountSql,
  INSERT_AUDIT,
  OLDEST_AUDIT,
  PURGE_AUDIT,
  PURGE_RECENT,
  purgeInSlices,
  rowToAudit,
  settleInChunks,
} from '../audit-sql.ts';
import { errorCode } from '../errors.ts';
import { preparedByText, SQLITE, sqlite } from './sql.ts';

function isDuplicate(err: unknown): boolean {
  return errorCode(err)?.startsWith('SQLITE_CONSTRAINT') ?? false;
}

export function sqliteAdminTables(db: Database.Database): AdminTables {
  const s = Object.fromEntries(Object.entries(ADMIN_STATEMENTS).map(([name, st]) => [name, db.prepare(sqlite(st))])) as Record<AdminStatementName, Database.Statement>;
  return new SqlAdminTables({
    async run(name, args) {
      const statement = s[name];
      return statement.reader ? { rows: statement.all(args) as Row[], changes: 0 } : { rows: [], changes: statement.run(args).changes };
    },
    isDuplicate,
    // IMMEDIATE takes the write lock before the read, so no other write lands between the two.
    async replaceAccount(name, change) {
      return db
        .transaction((): boolean => {
          const row = s.getAccount.get({ name }) as Row | undefined;
          if (!row) return false;
          s.updateAccount.run(change(row));
          return true;
        })
        .immediate();
    },
  });
}

export class SqliteAuditTable implements AuditTable {
  readonly #write: <T>(run: () => T) => Promise<T>;
  readonly #insert: Database.Statement;
  readonly #oldest: Database.Statement;
  readonly #purge: Database.Statement;
  readonly #purgeRecent: Database.Statement;
  readonly #lastOfChunk: Database.Statement;
  readonly #copy: Database.Statement;
  readonly #drop: Database.Statement;
  readonly #prepared: (text: string) => Database.Statement;

  /** `writer` is the group-commit connection, `write` runs a function inside its next batch. */
  constructor(db: Database.Database, writer: Database.Database, write: <T>(run: () => T) => Promise<T>) {
    this.#prepared = preparedByText(db);
    this.#write = write;
    this.#insert = writer.prepare(sqlite(INSERT_AUDIT));
    this.#purge = writer.prepare(sqlite(PURGE_AUDIT));
    this.#purgeRecent = writer.prepare(sqlite(PURGE_RECENT));
    this.#oldest = db.prepare(sqlite(OLDEST_AUDIT)).pluck();
    // A chunk is the oldest rows by rowid: one writer at a time, so copying and deleting them in one transaction moves each once.
    this.#lastOfChunk = writer.prepare('SELECT max(rowid) FROM (SELECT rowid FROM audit_recent ORDER BY rowid LIMIT ?)').pluck();
    this.#copy = writer.prepare(`INSERT INTO audit (${AUDIT_LIST}) SELECT ${AUDIT_LIST} FROM audit_recent WHERE rowid <= ? ORDER BY rowid`);
    this.#drop = writer.prepare('DELETE FROM audit_recent WHERE rowid <= ?');
  }

  async settle(maxRows = Number.MAX_SAFE_INTEGER): Promise<number> {
    return settleInChunks(maxRows, (limit) =>
      this.#write(() => {
        const last = this.#lastOfChunk.get(limit) as number | null;
        if (last === null) return 0;
        this.#copy.run(last);
        return this.#drop.run(last).changes;
      }),
    );
  }

  async write(records: readonly AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    const rows = records.map(auditToRow);
    await this.#write(() => {
      for (const row of rows) this.#insert.run(row);
    });
  }

  async query(q: AuditQuery): Promise<AuditRecord[]> {
    const { text, params } = auditQuerySql(q, SQLITE);
    return (this.#prepared(text).all(params) as Row[]).map(rowToAudit);
  }

  async countDecisions(q: DecisionCountQuery): Promise<DecisionCounts> {
    const { perMinute, reasons, params } = decisionCountSql(q, SQLITE);
    return decisionCounts(this.#prepared(perMinute).all(params) as Row[], this.#prepared(reasons).all(params) as Row[]);
  }

  async purge(before: number): Promise<number> {
    return purgeInSlices(before, {
      recent: (upTo) => this.#write(() => this.#purgeRecent.run({ before: upTo }).changes),
      oldest: async () => {
        const oldest = this.#oldest.get() as number | null;
        return oldest === null ? null : Number(oldest);
      },
      older: (upTo) => this.#write(() => this.#purge.run({ before: upTo }).changes),
    });
  }
}
