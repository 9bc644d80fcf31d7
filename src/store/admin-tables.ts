// The admin tables, once for both backends: each operation checks its
// arguments, runs its statement of admin-sql.ts and reads the rows back. A
// backend gives only how a statement runs, what a key clash looks like and
// how an account is rewritten.

import type { AdminAccount, AdminAccountPatch, AdminSession, ApiKey, NewAdminAccount, NewApiKey } from '../model/admin-account.ts';
import { accountToRow, apiKeyToRow, checkAccountName, checkHexId, rowToAccount, rowToApiKey, rowToSession, sessionToRow } from './admin-rows.ts';
import { TOUCH_EVERY_SECONDS, type AdminStatementName } from './admin-sql.ts';
import type { AdminTables } from './admin-types.ts';
import { insertNew } from './errors.ts';
import { checkTimestamp } from './validate.ts';

export type Row = Record<string, unknown>;

export interface AdminBackend {
  /** Runs one of ADMIN_STATEMENTS with its named arguments: the rows it returns and how many rows it changed. */
  run(name: AdminStatementName, args: object): Promise<{ rows: Row[]; changes: number }>;
  /** Whether an insert failed on a key that is taken. */
  isDuplicate(err: unknown): boolean;
  /** Reads the account `name` and writes the row `change` makes of it; false when there is none. */
  replaceAccount(name: string, change: (row: Row) => object): Promise<boolean>;
}

export class SqlAdminTables implements AdminTables {
  readonly #db: AdminBackend;

  constructor(backend: AdminBackend) {
    this.#db = backend;
  }

  #insert(what: string, name: AdminStatementName, row: object): Promise<void> {
    return insertNew(
      what,
      (err) => this.#db.isDuplicate(err),
      () => this.#db.run(name, row),
    );
  }

  async #changes(name: AdminStatementName, args: object): Promise<number> {
    return (await this.#db.run(name, args)).changes;
  }

  async createAccount(account: NewAdminAccount, now: number): Promise<AdminAccount> {
    const full: AdminAccount = { ...account, disabled: false, createdAt: Math.floor(now), lastLogin: null };
    const row = accountToRow(full);
    await this.#insert(`admin account ${row.name}`, 'insertAccount', row);
    return full;
  }

  async getAccount(name: string): Promise<AdminAccount | undefined> {
    const { rows } = await this.#db.run('getAccount', { name: checkAccountName(name) });
    return rows[0] && rowToAccount(rows[0]);
  }

  async listAccounts(): Promise<AdminAccount[]> {
    return (await this.#db.run('listAccounts', {})).rows.map(rowToAccount);
  }

  async updateAccount(name: string, patch: AdminAccountPatch): Promise<boolean> {
    return this.#db.replaceAccount(checkAccountName(name), (row) => accountToRow({ ...rowToAccount(row), ...patch }));
  }

  async deleteAccount(name: string): Promise<boolean> {
    return (await this.#changes('deleteAccount', { name: checkAccountName(name) })) === 1;
  }

  async createApiKey(key: NewApiKey): Promise<void> {
    const row = apiKeyToRow({ ...key, lastUsed: null, revokedAt: null });
    await this.#insert(`API key ${row.id}`, 'insertApiKey', row);
  }

  async getApiKey(id: string): Promise<ApiKey | undefined> {
    const { rows } = await this.#db.run('getApiKey', { id: checkHexId(id, 'API key id') });
    return rows[0] && rowToApiKey(rows[0]);
  }

  async listApiKeys(): Promise<ApiKey[]> {
    return (await this.#db.run('listApiKeys', {})).rows.map(rowToApiKey);
  }

  async revokeApiKey(id: string, now: number): Promise<boolean> {
    return (await this.#changes('revokeApiKey', { id: checkHexId(id, 'API key id'), now: checkTimestamp(now, 'revokeApiKey: now') })) === 1;
  }

  async touchApiKey(id: string, now: number): Promise<void> {
    await this.#db.run('touchApiKey', { id: checkHexId(id, 'API key id'), now: checkTimestamp(now, 'touchApiKey: now'), every: TOUCH_EVERY_SECONDS });
  }

  async createSession(session: AdminSession): Promise<void> {
    await this.#insert('admin session', 'insertSession', sessionToRow(session));
  }

  async getSession(id: string): Promise<AdminSession | undefined> {
    const { rows } = await this.#db.run('getSession', { id: checkHexId(id, 'session id') });
    return rows[0] && rowToSession(rows[0]);
  }

  async touchSession(id: string, now: number): Promise<void> {
    await this.#db.run('touchSession', { id: checkHexId(id, 'session id'), now: checkTimestamp(now, 'touchSession: now'), every: TOUCH_EVERY_SECONDS });
  }

  async deleteSession(id: string): Promise<boolean> {
    return (await this.#changes('deleteSession', { id: checkHexId(id, 'session id') })) === 1;
  }

  async deleteSessionsOf(account: string): Promise<number> {
    return this.#changes('deleteSessionsOf', { account: checkAccountName(account) });
  }

  async purgeSessions(idleBefore: number, createdBefore: number): Promise<number> {
    return this.#changes('purgeSessions', { idle: checkTimestamp(idleBefore, 'purgeSessions'), created: checkTimestamp(createdBefore, 'purgeSessions') });
  }
}
