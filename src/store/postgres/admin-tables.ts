// The admin tables and the audit table on PostgreSQL. Audit records come in
// batches (the audit sink gathers them per event-loop turn) and go in as one
// multi-row insert of arrays, so a busy server sends one statement per batch.

import type pg from 'pg';
import type { AuditQuery, AuditRecord, DecisionCountQuery, DecisionCounts } from '../../model/audit.ts';
import { ADMIN_STATEMENTS, type AdminStatementName } from '../admin-sql.ts';
import { SqlAdminTables, type Row } from '../admin-tables.ts';
import type { AdminTables, AuditTable } from '../admin-types.ts';
import {
  AUDIT_COLUMNS,
  AUDIT_LIST,
  auditQuerySql,
  auditToRow,
  decisionCounts,
  decisionCountSql,
  OLDEST_AUDIT,
  PURGE_AUDIT,
  PURGE_RECENT,
  purgeInSlices,
  rowToAudit,
  settleInChunks,
} from '../audit-sql.ts';
import type { Statement } from '../sql.ts';
import { isUniqueViolation } from './errors.ts';
import { bind, POSTGRES, postgres } from './sql.ts';

/** Runs a statement on the store's pool, errors translated; `name` prepares it once per connection. */
export type Query = (what: string, text: string, values: unknown[], name?: string) => Promise<pg.QueryResult>;

const SQL = Object.fromEntries(Object.entries(ADMIN_STATEMENTS).map(([name, s]) => [name, postgres(s)])) as Record<AdminStatementName, string>;

export function postgresAdminTables(query: Query): AdminTables {
  const run = async (name: AdminStatementName, args: object): Promise<{ rows: Row[]; changes: number }> => {
    const r = await query(name, SQL[name], bind(ADMIN_STATEMENTS[name], args), `admin.${name}`);
    return { rows: r.rows, changes: r.rowCount ?? 0 };
  };
  return new SqlAdminTables({
    run,
    isDuplicate: isUniqueViolation,
    async replaceAccount(name, change) {
      const { rows } = await run('getAccount', { name });
      return rows[0] !== undefined && (await run('updateAccount', change(rows[0]))).changes === 1;
    },
  });
}

// One array parameter per column, unnested into rows.
const AUDIT_ARRAYS = AUDIT_COLUMNS.map((c, i) => `$${i + 1}::${c === 'at_ms' ? 'bigint' : 'text'}[]`).join(', ');
const INSERT_AUDIT_BATCH = `INSERT INTO audit_recent (${AUDIT_COLUMNS.join(', ')}) SELECT * FROM unnest(${AUDIT_ARRAYS})`;

/**
 * A chunk of audit_recent into audit in one statement: the rows it deletes are the rows it inserts, and rows
 * another server is moving right now are skipped, not waited for.
 */
const SETTLE =
  `WITH moved AS (DELETE FROM audit_recent WHERE ctid IN (SELECT ctid FROM audit_recent LIMIT $1 FOR UPDATE SKIP LOCKED) RETURNING ${AUDIT_LIST}) ` +
  `INSERT INTO audit (${AUDIT_LIST}) SELECT ${AUDIT_LIST} FROM moved`;

export class PostgresAuditTable implements AuditTable {
  readonly #query: Query;

  constructor(query: Query) {
    this.#query = query;
  }

  async write(records: readonly AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    const rows = records.map(auditToRow);
    await this.#query(
      'audit write',
      INSERT_AUDIT_BATCH,
      AUDIT_COLUMNS.map((c) => rows.map((r) => r[c])),
      'audit.insertBatch',
    );
  }

  async query(q: AuditQuery): Promise<AuditRecord[]> {
    const { text, params } = auditQuerySql(q, POSTGRES);
    return (await this.#query('audit query', text, Object.values(params))).rows.map(rowToAudit);
  }

  async countDecisions(q: DecisionCountQuery): Promise<DecisionCounts> {
    const { perMinute, reasons, params } = decisionCountSql(q, POSTGRES);
    const values = Object.values(params);
    const [minutes, top] = await Promise.all([this.#query('audit counts', perMinute, values), this.#query('audit counts', reasons, values)]);
    return decisionCounts(minutes.rows, top.rows);
  }

  async settle(maxRows = Number.MAX_SAFE_INTEGER): Promise<number> {
    return settleInChunks(maxRows, async (limit) => (await this.#query('audit settle', SETTLE, [limit], 'audit.settle')).rowCount ?? 0);
  }

  async purge(before: number): Promise<number> {
    const removed = async (s: Statement, upTo: number): Promise<number> => (await this.#query('audit purge', postgres(s), bind(s, { before: upTo }))).rowCount ?? 0;
    return purgeInSlices(before, {
      recent: (upTo) => removed(PURGE_RECENT, upTo),
      oldest: async () => {
        const oldest = (await this.#query('audit purge', postgres(OLDEST_AUDIT), [])).rows[0]?.oldest as number | string | null | undefined;
        return oldest === null || oldest === undefined ? null : Number(oldest);
      },
      older: (upTo) => removed(PURGE_AUDIT, upTo),
    });
  }
}
