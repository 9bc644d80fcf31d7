// The self-service tables on PostgreSQL. Replacing a user's unused
// enrollment codes and storing the new one is one statement, so two admins
// making codes at once leave one of them live.

import type pg from 'pg';
import type { EnrollmentCode, UserSession } from '../../model/self-service.ts';
import { checkHexId } from '../admin-rows.ts';
import { insertNew } from '../errors.ts';
import { enrollmentCodeToRow, rowToUserSession, userKey, userSessionToRow } from '../self-service-rows.ts';
import { ENROLLMENT_CODE_COLUMNS, SELF_SERVICE_STATEMENTS, TOUCH_EVERY_SECONDS, type SelfServiceStatementName } from '../self-service-sql.ts';
import type { SelfServiceTables } from '../self-service-types.ts';
import { checkTimestamp } from '../validate.ts';
import type { Query } from './admin-tables.ts';
import { isUniqueViolation } from './errors.ts';
import { bind, postgres } from './sql.ts';

const SQL = Object.fromEntries(Object.entries(SELF_SERVICE_STATEMENTS).map(([name, s]) => [name, postgres(s)])) as Record<SelfServiceStatementName, string>;

const BIGINT = new Set(['created_at', 'expires_at', 'used_at']);
const REPLACE_CODE =
  'WITH dropped AS (DELETE FROM enrollment_codes WHERE resolver = $3 AND user_id = $4 AND used_at IS NULL) ' +
  `INSERT INTO enrollment_codes (${ENROLLMENT_CODE_COLUMNS.join(', ')}) VALUES (${ENROLLMENT_CODE_COLUMNS.map((c, i) => `$${i + 1}${BIGINT.has(c) ? '::bigint' : ''}`).join(', ')})`;

export class PostgresSelfServiceTables implements SelfServiceTables {
  readonly #query: Query;

  constructor(query: Query) {
    this.#query = query;
  }

  #run(name: SelfServiceStatementName, args: object): Promise<pg.QueryResult> {
    return this.#query(name, SQL[name], bind(SELF_SERVICE_STATEMENTS[name], args), `self.${name}`);
  }

  async createSession(session: UserSession): Promise<void> {
    const row = userSessionToRow(session);
    await insertNew('user session', isUniqueViolation, () => this.#run('insertSession', row));
  }

  async getSession(id: string): Promise<UserSession | undefined> {
    const { rows } = await this.#run('getSession', { id: checkHexId(id, 'session id') });
    return rows[0] && rowToUserSession(rows[0]);
  }

  async touchSession(id: string, now: number): Promise<void> {
    await this.#run('touchSession', { id: checkHexId(id, 'session id'), now: checkTimestamp(now, 'touchSession: now'), every: TOUCH_EVERY_SECONDS });
  }

  async deleteSession(id: string): Promise<boolean> {
    return (await this.#run('deleteSession', { id: checkHexId(id, 'session id') })).rowCount === 1;
  }

  async deleteSessionsOf(resolver: string, userId: string): Promise<number> {
    return (await this.#run('deleteSessionsOf', userKey(resolver, userId, 'deleteSessionsOf'))).rowCount ?? 0;
  }

  async purgeSessions(idleBefore: number, createdBefore: number): Promise<number> {
    return (await this.#run('purgeSessions', { idle: checkTimestamp(idleBefore, 'purgeSessions'), created: checkTimestamp(createdBefore, 'purgeSessions') })).rowCount ?? 0;
  }

  async createEnrollmentCode(code: EnrollmentCode): Promise<void> {
    const row = enrollmentCodeToRow(code);
    await insertNew('enrollment code', isUniqueViolation, () =>
      this.#query(
        'createEnrollmentCode',
        REPLACE_CODE,
        ENROLLMENT_CODE_COLUMNS.map((c) => row[c]),
        'self.replaceCode',
      ),
    );
  }

  async redeemEnrollmentCode(id: string, resolver: string, userId: string, now: number): Promise<boolean> {
    const args = { id: checkHexId(id, 'enrollment code id'), ...userKey(resolver, userId, 'redeemEnrollmentCode'), now: checkTimestamp(now, 'redeemEnrollmentCode: now') };
    return (await this.#run('redeemCode', args)).rowCount === 1;
  }

  async releaseEnrollmentCode(id: string, resolver: string, userId: string, now: number): Promise<boolean> {
    const args = { id: checkHexId(id, 'enrollment code id'), ...userKey(resolver, userId, 'releaseEnrollmentCode'), now: checkTimestamp(now, 'releaseEnrollmentCode: now') };
    return (await this.#run('releaseCode', args)).rowCount === 1;
  }

  async purgeEnrollmentCodes(before: number): Promise<number> {
    return (await this.#run('purgeCodes', { before: checkTimestamp(before, 'purgeEnrollmentCodes') })).rowCount ?? 0;
  }
}
