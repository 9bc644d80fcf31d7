// The admin tables and the audit table on PostgreSQL. Audit records come in
// batches (the audit sink gathers them per event-loop turn) and go in as one
// multi-row insert of arrays, so a busy server sends one statement per batch.

import type pg from 'pg';
import type { AdminAccount, AdminAccountPatch, AdminSession, ApiKey, NewAdminAccount, NewApiKey } from '../../model/admin-account.ts';
import type { AuditQuery, AuditRecord, DecisionCountQuery, DecisionCounts } from '../../model/audit.ts';
import { accountToRow, apiKeyToRow, checkAccountName, checkHexId, rowToAccount, rowToApiKey, rowToSession, sessionToRow } from '../admin-rows.ts';
import { ADMIN_STATEMENTS, TOUCH_EVERY_SECONDS, type AdminStatementName } from '../admin-sql.ts';
import type { AdminTables, AuditTable } from '../admin-types.ts';
import { AUDIT_COLUMNS, AUDIT_LIST, auditQuerySql, auditToRow, decisionCounts, decisionCountSql, OLDEST_AUDIT, PURGE_AUDIT, PURGE_RECENT, PURGE_SLICE_MS, rowToAudit, SETTLE_CHUNK } from '../audit-sql.ts';
import { insertNew } from '../errors.ts';
import { checkTimestamp } from '../validate.ts';
import { isUniqueViolation } from './errors.ts';
import { bind, POSTGRES, postgres } from './sql.ts';

/** Runs a statement on the store's pool, errors translated; `name` prepares it once per connection. */
export type Query = (what: string, text: string, values: unknown[], name?: string) => Promise<pg.QueryResult>;

const SQL = Object.fromEntries(Object.entries(ADMIN_STATEMENTS).map(([name, s]) => [name, postgres(s)])) as Record<AdminStatementName, string>;

export class PostgresAdminTables implements AdminTables {
  readonly #query: Query;

  constructor(query: Query) {
    this.#query = query;
  }

  #run(name: AdminStatementName, args: object): Promise<pg.QueryResult> {
    return this.#query(name, SQL[name], bind(ADMIN_STATEMENTS[name], args), `admin.${name}`);
  }

  async createAccount(account: NewAdminAccount, now: number): Promise<AdminAccount> {
    const full: AdminAccount = { ...account, disabled: false, createdAt: Math.floor(now), lastLogin: null };
    const row = accountToRow(full);
    await insertNew(`admin account ${row.name}`, isUniqueViolation, () => this.#run('insertAccount', row));
    return full;
  }

  async getAccount(name: string): Promise<AdminAccount | undefined> {
    const { rows } = await this.#run('getAccount', { name: checkAccountName(name) });
    return rows[0] && rowToAccount(rows[0]);
  }

  async listAccounts(): Promise<AdminAccount[]> {
    return (await this.#run('listAccounts', {})).rows.map(rowToAccount);
  }

  async updateAccount(name: string, patch: AdminAccountPatch): Promise<boolean> {
    const current = await this.getAccount(name);
    if (!current) return false;
    return (await this.#run('updateAccount', accountToRow({ ...current, ...patch }))).rowCount === 1;
  }

  async deleteAccount(name: string): Promise<boolean> {
    return (await this.#run('deleteAccount', { name: checkAccountName(name) })).rowCount === 1;
  }

  async createApiKey(key: NewApiKey): Promise<void> {
    const row = apiKeyToRow({ ...key, lastUsed: null, revokedAt: null });
    await insertNew(`API key ${row.id}`, isUniqueViolation, () => this.#run('insertApiKey', row));
  }

  async getApiKey(id: string): Promise<ApiKey | undefined> {
    const { rows } = await this.#run('getApiKey', { id: checkHexId(id, 'API key id') });
    return rows[0] && rowToApiKey(rows[0]);
  }

  async listApiKeys(): Promise<ApiKey[]> {
    return (await this.#run('listApiKeys', {})).rows.map(rowToApiKey);
  }

  async revokeApiKey(id: string, now: number): Promise<boolean> {
    return (await this.#run('revokeApiKey', { id: checkHexId(id, 'API key id'), now: checkTimestamp(now, 'revokeApiKey: now') })).rowCount === 1;
  }

  async touchApiKey(id: string, now: number): Promise<void> {
    await this.#run('touchApiKey', { id: checkHexId(id, 'API key id'), now: checkTimestamp(now, 'touchApiKey: now'), every: TOUCH_EVERY_SECONDS });
  }

  async createSession(session: AdminSession): Promise<void> {
    const row = sessionToRow(session);
    await insertNew('admin session', isUniqueViolation, () => this.#run('insertSession', row));
  }

  async getSession(id: string): Promise<AdminSession | undefined> {
    const { rows } = await this.#run('getSession', { id: checkHexId(id, 'session id') });
    return rows[0] && rowToSession(rows[0]);
  }

  async touchSession(id: string, now: number): Promise<void> {
    await this.#run('touchSession', { id: checkHexId(id, 'session id'), now: checkTimestamp(now, 'touchSession: now'), every: TOUCH_EVERY_SECONDS });
  }

  async deleteSession(id: string): Promise<boolean> {
    return (await this.#run('deleteSession', { id: checkHexId(id, 'session id') })).rowCount === 1;
  }

  async deleteSessionsOf(account: string): Promise<number> {
    return (await this.#run('deleteSessionsOf', { account: checkAccountName(account) })).rowCount ?? 0;
  }

  async purgeSessions(idleBefore: number, createdBefore: number): Promise<number> {
    return (await this.#run('purgeSessions', { idle: checkTimestamp(idleBefore, 'purgeSessions'), created: checkTimestamp(createdBefore, 'purgeSessions') })).rowCount ?? 0;
  }
}

// One array parameter per column, unnested into rows.
const INSERT_AUDIT_BATCH =
  `INSERT INTO audit_recent (${AUDIT_COLUMNS.join(', ')}) SELECT * FROM unnest(` +
  AUDIT_COLUMNS.map((c, i) => `$${i + 1}::${c === 'at_ms' ? 'bigint' : 'text'}[]`).join(', ') +
  ')';

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
    await this.#query('audit write', INSERT_AUDIT_BATCH, AUDIT_COLUMNS.map((c) => rows.map((r) => r[c])), 'audit.insertBatch');
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
    let moved = 0;
    while (moved < maxRows) {
      const n = (await this.#query('audit settle', SETTLE, [Math.min(SETTLE_CHUNK, maxRows - moved)], 'audit.settle')).rowCount ?? 0;
      moved += n;
      if (n === 0) break;
    }
    return moved;
  }

  async purge(before: number): Promise<number> {
    let removed = (await this.#query('audit purge', postgres(PURGE_RECENT), bind(PURGE_RECENT, { before }))).rowCount ?? 0;
    for (;;) {
      const oldest = (await this.#query('audit purge', postgres(OLDEST_AUDIT), [])).rows[0]?.oldest as number | string | null | undefined;
      if (oldest === null || oldest === undefined || Number(oldest) >= before) return removed;
      const upTo = Math.min(before, Number(oldest) + PURGE_SLICE_MS);
      removed += (await this.#query('audit purge', postgres(PURGE_AUDIT), bind(PURGE_AUDIT, { before: upTo }))).rowCount ?? 0;
    }
  }
}
