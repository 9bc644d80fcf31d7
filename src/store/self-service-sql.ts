// The SQL of the self-service tables (user sessions, enrollment codes),
// written once for both backends like admin-sql.ts.

import { TOUCH_EVERY_SECONDS } from './admin-sql.ts';
import type { Statement } from './sql.ts';

export { TOUCH_EVERY_SECONDS };

export const USER_SESSION_COLUMNS = ['id', 'realm', 'resolver', 'user_id', 'login', 'csrf', 'address', 'created_at', 'last_seen'] as const;
export const ENROLLMENT_CODE_COLUMNS = ['id', 'realm', 'resolver', 'user_id', 'login', 'created_by', 'created_at', 'expires_at', 'used_at'] as const;

const BIGINT = new Set(['created_at', 'last_seen', 'expires_at', 'used_at']);

function insert(table: string, columns: readonly string[]): Statement {
  return { params: columns, text: (p) => `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => p(c, BIGINT.has(c) ? 'bigint' : undefined)).join(', ')})` };
}

export const SELF_SERVICE_STATEMENTS = {
  insertSession: insert('user_sessions', USER_SESSION_COLUMNS),
  getSession: { params: ['id'], text: (p) => `SELECT * FROM user_sessions WHERE id = ${p('id')}` },
  touchSession: {
    params: ['id', 'now', 'every'],
    text: (p) => `UPDATE user_sessions SET last_seen = ${p('now', 'bigint')} WHERE id = ${p('id')} AND last_seen <= ${p('now', 'bigint')} - ${p('every', 'bigint')}`,
  },
  deleteSession: { params: ['id'], text: (p) => `DELETE FROM user_sessions WHERE id = ${p('id')}` },
  deleteSessionsOf: { params: ['resolver', 'user_id'], text: (p) => `DELETE FROM user_sessions WHERE resolver = ${p('resolver')} AND user_id = ${p('user_id')}` },
  purgeSessions: {
    params: ['idle', 'created'],
    text: (p) => `DELETE FROM user_sessions WHERE last_seen < ${p('idle', 'bigint')} OR created_at < ${p('created', 'bigint')}`,
  },

  insertCode: insert('enrollment_codes', ENROLLMENT_CODE_COLUMNS),
  dropUnusedCodes: {
    params: ['resolver', 'user_id'],
    text: (p) => `DELETE FROM enrollment_codes WHERE resolver = ${p('resolver')} AND user_id = ${p('user_id')} AND used_at IS NULL`,
  },
  // One conditional statement: of two requests with the same code, one finds it unused.
  redeemCode: {
    params: ['id', 'resolver', 'user_id', 'now'],
    text: (p) =>
      `UPDATE enrollment_codes SET used_at = ${p('now', 'bigint')} WHERE id = ${p('id')} AND resolver = ${p('resolver')} AND user_id = ${p('user_id')} ` +
      `AND used_at IS NULL AND expires_at > ${p('now', 'bigint')}`,
  },
  // Only while the user has no other live code: an admin's newer one stays the only one.
  releaseCode: {
    params: ['id', 'resolver', 'user_id', 'now'],
    text: (p) =>
      `UPDATE enrollment_codes SET used_at = NULL WHERE id = ${p('id')} AND resolver = ${p('resolver')} AND user_id = ${p('user_id')} ` +
      `AND used_at IS NOT NULL AND expires_at > ${p('now', 'bigint')} ` +
      `AND NOT EXISTS (SELECT 1 FROM enrollment_codes live WHERE live.resolver = ${p('resolver')} AND live.user_id = ${p('user_id')} AND live.used_at IS NULL)`,
  },
  purgeCodes: {
    params: ['before'],
    text: (p) => `DELETE FROM enrollment_codes WHERE expires_at < ${p('before', 'bigint')} OR used_at < ${p('before', 'bigint')}`,
  },
} satisfies Record<string, Statement>;

export type SelfServiceStatementName = keyof typeof SELF_SERVICE_STATEMENTS;
