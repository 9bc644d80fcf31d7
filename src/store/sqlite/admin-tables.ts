// The admin tables and the audit table on SQLite. Admin rows are written on
// the main connection (rare, and an admin can wait for a busy lock); audit
// rows join the group commits of authentication (group-commit.ts), so an
// audited login costs no transaction of its own.

import type Database from 'better-sqlite3';
import type { AdminAccount, AdminAccountPatch, AdminSession, ApiKey, NewAdminAccount, NewApiKey } from '../../model/admin-account.ts';
import type { AuditQuery, AuditRecord, DecisionCountQuery, DecisionCounts } from '../../model/audit.ts';
import { accountToRow, apiKeyToRow, checkAccountName, checkHexId, rowToAccount, rowToApiKey, rowToSession, sessionToRow } from '../admin-rows.ts';
import { ADMIN_STATEMENTS, TOUCH_EVERY_SECONDS, type AdminStatementName } from '../admin-sql.ts';
import type { AdminTables, AuditTable } from '../admin-types.ts';
import { AUDIT_LIST, auditQuerySql, auditToRow, decisionCounts, decisionCountSql, INSERT_AUDIT, OLDEST_AUDIT, PURGE_AUDIT, PURGE_RECENT, PURGE_SLICE_MS, rowToAudit, SETTLE_CHUNK } from '../audit-sql.ts';
import { errorCode, insertNew } from '../errors.ts';
import { checkTimestamp } from '../validate.ts';
import { SQLITE, sqlite } from './sql.ts';

type Row = Record<string, unknown>;

function isDuplicate(err: unknown): boolean {
  return errorCode(err)?.startsWith('SQLITE_CONSTRAINT') ?? false;
}

export class SqliteAdminTables implements AdminTables {
  readonly #s: Record<AdminStatementName, Database.Statement>;
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#s = Object.fromEntries(Object.entries(ADMIN_STATEMENTS).map(([name, s]) => [name, db.prepare(sqlite(s))])) as Record<AdminStatementName, Database.Statement>;
  }

  async createAccount(account: NewAdminAccount, now: number): Promise<AdminAccount> {
    const full: AdminAccount = { ...account, disabled: false, createdAt: Math.floor(now), lastLogin: null };
    const row = accountToRow(full);
    await insertNew(`admin account ${row.name}`, isDuplicate, () => this.#s.insertAccount.run(row));
    return full;
  }

  async getAccount(name: string): Promise<AdminAccount | undefined> {
    const row = this.#s.getAccount.get({ name: checkAccountName(name) }) as Row | undefined;
    return row && rowToAccount(row);
  }

  async listAccounts(): Promise<AdminAccount[]> {
    return (this.#s.listAccounts.all() as Row[]).map(rowToAccount);
  }

  async updateAccount(name: string, patch: AdminAccountPatch): Promise<boolean> {
    checkAccountName(name);
    return this.#db.transaction((): boolean => {
      const row = this.#s.getAccount.get({ name }) as Row | undefined;
      if (!row) return false;
      this.#s.updateAccount.run(accountToRow({ ...rowToAccount(row), ...patch }));
      return true;
    }).immediate();
  }

  async deleteAccount(name: string): Promise<boolean> {
    return this.#s.deleteAccount.run({ name: checkAccountName(name) }).changes === 1;
  }

  async createApiKey(key: NewApiKey): Promise<void> {
    const row = apiKeyToRow({ ...key, lastUsed: null, revokedAt: null });
    await insertNew(`API key ${row.id}`, isDuplicate, () => this.#s.insertApiKey.run(row));
  }

  async getApiKey(id: string): Promise<ApiKey | undefined> {
    const row = this.#s.getApiKey.get({ id: checkHexId(id, 'API key id') }) as Row | undefined;
    return row && rowToApiKey(row);
  }

  async listApiKeys(): Promise<ApiKey[]> {
    return (this.#s.listApiKeys.all() as Row[]).map(rowToApiKey);
  }

  async revokeApiKey(id: string, now: number): Promise<boolean> {
    return this.#s.revokeApiKey.run({ id: checkHexId(id, 'API key id'), now: checkTimestamp(now, 'revokeApiKey: now') }).changes === 1;
  }

  async touchApiKey(id: string, now: number): Promise<void> {
    this.#s.touchApiKey.run({ id: checkHexId(id, 'API key id'), now: checkTimestamp(now, 'touchApiKey: now'), every: TOUCH_EVERY_SECONDS });
  }

  async createSession(session: AdminSession): Promise<void> {
    const row = sessionToRow(session);
    await insertNew('admin session', isDuplicate, () => this.#s.insertSession.run(row));
  }

  async getSession(id: string): Promise<AdminSession | undefined> {
    const row = this.#s.getSession.get({ id: checkHexId(id, 'session id') }) as Row | undefined;
    return row && rowToSession(row);
  }

  async touchSession(id: string, now: number): Promise<void> {
    this.#s.touchSession.run({ id: checkHexId(id, 'session id'), now: checkTimestamp(now, 'touchSession: now'), every: TOUCH_EVERY_SECONDS });
  }

  async deleteSession(id: string): Promise<boolean> {
    return this.#s.deleteSession.run({ id: checkHexId(id, 'session id') }).changes === 1;
  }

  async deleteSessionsOf(account: string): Promise<number> {
    return this.#s.deleteSessionsOf.run({ account: checkAccountName(account) }).changes;
  }

  async purgeSessions(idleBefore: number, createdBefore: number): Promise<number> {
    return this.#s.purgeSessions.run({ idle: checkTimestamp(idleBefore, 'purgeSessions'), created: checkTimestamp(createdBefore, 'purgeSessions') }).changes;
  }
}

export class SqliteAuditTable implements AuditTable {
  readonly #db: Database.Database;
  readonly #write: <T>(run: () => T) => Promise<T>;
  readonly #insert: Database.Statement;
  readonly #oldest: Database.Statement;
  readonly #purge: Database.Statement;
  readonly #purgeRecent: Database.Statement;
  readonly #lastOfChunk: Database.Statement;
  readonly #copy: Database.Statement;
  readonly #drop: Database.Statement;
  readonly #queries = new Map<string, Database.Statement>();

  /** `writer` is the group-commit connection, `write` runs a function inside its next batch. */
  constructor(db: Database.Database, writer: Database.Database, write: <T>(run: () => T) => Promise<T>) {
    this.#db = db;
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
    let moved = 0;
    while (moved < maxRows) {
      const n = await this.#write(() => {
        const last = this.#lastOfChunk.get(Math.min(SETTLE_CHUNK, maxRows - moved)) as number | null;
        if (last === null) return 0;
        this.#copy.run(last);
        return this.#drop.run(last).changes;
      });
      moved += n;
      if (n === 0) break;
    }
    return moved;
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

  /** A statement of a query's text, prepared once (the texts vary only with the number of realms). */
  #prepared(text: string): Database.Statement {
    let stmt = this.#queries.get(text);
    if (!stmt) {
      if (this.#queries.size > 200) this.#queries.clear();
      stmt = this.#db.prepare(text);
      this.#queries.set(text, stmt);
    }
    return stmt;
  }

  async purge(before: number): Promise<number> {
    let removed = await this.#write(() => this.#purgeRecent.run({ before }).changes);
    for (;;) {
      const oldest = this.#oldest.get() as number | null;
      if (oldest === null || oldest >= before) return removed;
      const upTo = Math.min(before, Number(oldest) + PURGE_SLICE_MS);
      removed += await this.#write(() => this.#purge.run({ before: upTo }).changes);
    }
  }
}
