// The SQL of the admin tables (accounts, API keys, sessions), written once
// for both backends like sql.ts.

import type { Statement } from './sql.ts';

const ACCOUNT_COLUMNS = ['name', 'role', 'realms', 'password_hash', 'otp_serial', 'disabled', 'created_at', 'last_login'] as const;
const API_KEY_COLUMNS = ['id', 'secret_hash', 'role', 'realms', 'description', 'expires_at', 'created_by', 'created_at', 'last_used', 'revoked_at'] as const;
const SESSION_COLUMNS = ['id', 'account', 'source', 'role', 'realms', 'csrf', 'address', 'created_at', 'last_seen'] as const;

const BIGINT = new Set(['created_at', 'last_login', 'expires_at', 'last_used', 'revoked_at', 'last_seen']);

function insert(table: string, columns: readonly string[]): Statement {
  return {
    params: columns,
    text: (p) => `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => p(c, BIGINT.has(c) ? 'bigint' : c === 'disabled' ? 'integer' : undefined)).join(', ')})`,
  };
}

/** A use or a request is written again only after this many seconds: a busy client costs no write per request. */
export const TOUCH_EVERY_SECONDS = 60;

export const ADMIN_STATEMENTS = {
  insertAccount: insert('admin_accounts', ACCOUNT_COLUMNS),
  getAccount: { params: ['name'], text: (p) => `SELECT * FROM admin_accounts WHERE name = ${p('name')}` },
  listAccounts: { params: [], text: () => 'SELECT * FROM admin_accounts ORDER BY name' },
  updateAccount: {
    params: ACCOUNT_COLUMNS.filter((c) => c !== 'created_at'),
    text: (p) =>
      `UPDATE admin_accounts SET role = ${p('role')}, realms = ${p('realms')}, password_hash = ${p('password_hash')}, otp_serial = ${p('otp_serial')}, ` +
      `disabled = ${p('disabled', 'integer')}, last_login = ${p('last_login', 'bigint')} WHERE name = ${p('name')}`,
  },
  deleteAccount: { params: ['name'], text: (p) => `DELETE FROM admin_accounts WHERE name = ${p('name')}` },

  insertApiKey: insert('api_keys', API_KEY_COLUMNS),
  getApiKey: { params: ['id'], text: (p) => `SELECT * FROM api_keys WHERE id = ${p('id')}` },
  listApiKeys: { params: [], text: () => 'SELECT * FROM api_keys ORDER BY created_at, id' },
  revokeApiKey: { params: ['id', 'now'], text: (p) => `UPDATE api_keys SET revoked_at = ${p('now', 'bigint')} WHERE id = ${p('id')} AND revoked_at IS NULL` },
  touchApiKey: {
    params: ['id', 'now', 'every'],
    text: (p) => `UPDATE api_keys SET last_used = ${p('now', 'bigint')} WHERE id = ${p('id')} AND (last_used IS NULL OR last_used <= ${p('now', 'bigint')} - ${p('every', 'bigint')})`,
  },

  insertSession: insert('admin_sessions', SESSION_COLUMNS),
  getSession: { params: ['id'], text: (p) => `SELECT * FROM admin_sessions WHERE id = ${p('id')}` },
  touchSession: {
    params: ['id', 'now', 'every'],
    text: (p) => `UPDATE admin_sessions SET last_seen = ${p('now', 'bigint')} WHERE id = ${p('id')} AND last_seen <= ${p('now', 'bigint')} - ${p('every', 'bigint')}`,
  },
  deleteSession: { params: ['id'], text: (p) => `DELETE FROM admin_sessions WHERE id = ${p('id')}` },
  deleteSessionsOf: { params: ['account'], text: (p) => `DELETE FROM admin_sessions WHERE account = ${p('account')}` },
  purgeSessions: {
    params: ['idle', 'created'],
    text: (p) => `DELETE FROM admin_sessions WHERE last_seen < ${p('idle', 'bigint')} OR created_at < ${p('created', 'bigint')}`,
  },
} satisfies Record<string, Statement>;

export type AdminStatementName = keyof typeof ADMIN_STATEMENTS;
