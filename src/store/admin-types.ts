// The store's tables for administration over HTTP and for the audit trail:
// admin accounts, API keys, admin sessions, audit rows. Both backends
// implement them with the same SQL (admin-sql.ts, audit-sql.ts).

import type { AdminAccount, AdminAccountPatch, AdminSession, ApiKey, NewAdminAccount, NewApiKey } from '../model/admin-account.ts';
import type { AuditQuery, AuditRecord, DecisionCountQuery, DecisionCounts } from '../model/audit.ts';

export interface AdminTables {
  /** A 'duplicate' StoreError when the name is taken. */
  createAccount(account: NewAdminAccount, now: number): Promise<AdminAccount>;
  getAccount(name: string): Promise<AdminAccount | undefined>;
  listAccounts(): Promise<AdminAccount[]>;
  updateAccount(name: string, patch: AdminAccountPatch): Promise<boolean>;
  deleteAccount(name: string): Promise<boolean>;

  createApiKey(key: NewApiKey): Promise<void>;
  getApiKey(id: string): Promise<ApiKey | undefined>;
  listApiKeys(): Promise<ApiKey[]>;
  /** Revoked once: false when unknown or revoked already. */
  revokeApiKey(id: string, now: number): Promise<boolean>;
  /** Records a use; a key used in the same minute is not written again. */
  touchApiKey(id: string, now: number): Promise<void>;

  createSession(session: AdminSession): Promise<void>;
  getSession(id: string): Promise<AdminSession | undefined>;
  touchSession(id: string, now: number): Promise<void>;
  deleteSession(id: string): Promise<boolean>;
  /** Every session of an account (disabled, deleted, new password); returns how many went. */
  deleteSessionsOf(account: string): Promise<number>;
  /** Sessions idle since `idleBefore` or created before `createdBefore` (unix seconds). */
  purgeSessions(idleBefore: number, createdBefore: number): Promise<number>;
}

/**
 * The audit trail in two tables: new records are appended to one without
 * indexes (cheap for the commit of a login), and moved by settle() into the
 * indexed one in chunks, where many rows share the index pages they land
 * on. Queries read both.
 */
export interface AuditTable {
  /** Stores the records in one write (a group commit on SQLite, one multi-row insert on PostgreSQL). */
  write(records: readonly AuditRecord[]): Promise<void>;
  /** Newest first, at most `limit`. */
  query(query: AuditQuery): Promise<AuditRecord[]>;
  /** Authentication decisions in a time range, per minute and by reject reason. */
  countDecisions(query: DecisionCountQuery): Promise<DecisionCounts>;
  /** Moves appended rows into the indexed table, a chunk per transaction, until none are left or `maxRows` moved; returns how many moved. */
  settle(maxRows?: number): Promise<number>;
  /** Rows older than `before` (unix milliseconds), removed a slice at a time; returns how many went. */
  purge(before: number): Promise<number>;
}
