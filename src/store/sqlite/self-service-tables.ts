// The self-service tables on SQLite, on the main connection: a login or an
// enrollment is rare next to authentication, and a user can wait for a
// busy lock.

import type Database from 'better-sqlite3';
import type { EnrollmentCode, UserSession } from '../../model/self-service.ts';
import { checkHexId } from '../admin-rows.ts';
import { errorCode, insertNew } from '../errors.ts';
import { enrollmentCodeToRow, rowToUserSession, userKey, userSessionToRow } from '../self-service-rows.ts';
import { SELF_SERVICE_STATEMENTS, TOUCH_EVERY_SECONDS, type SelfServiceStatementName } from '../self-service-sql.ts';
import type { SelfServiceTables } from '../self-service-types.ts';
import { checkTimestamp } from '../validate.ts';
import { sqlite } from './sql.ts';

function isDuplicate(err: unknown): boolean {
  return errorCode(err)?.startsWith('SQLITE_CONSTRAINT') ?? false;
}

export class SqliteSelfServiceTables implements SelfServiceTables {
  readonly #s: Record<SelfServiceStatementName, Database.Statement>;
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#s = Object.fromEntries(Object.entries(SELF_SERVICE_STATEMENTS).map(([name, s]) => [name, db.prepare(sqlite(s))])) as Record<SelfServiceStatementName, Database.Statement>;
  }

  async createSession(session: UserSession): Promise<void> {
    const row = userSessionToRow(session);
    await insertNew('user session', isDuplicate, () => this.#s.insertSession.run(row));
  }

  async getSession(id: string): Promise<UserSession | undefined> {
    const row = this.#s.getSession.get({ id: checkHexId(id, 'session id') }) as Record<string, unknown> | undefined;
    return row && rowToUserSession(row);
  }

  async touchSession(id: string, now: number): Promise<void> {
    this.#s.touchSession.run({ id: checkHexId(id, 'session id'), now: checkTimestamp(now, 'touchSession: now'), every: TOUCH_EVERY_SECONDS });
  }

  async deleteSession(id: string): Promise<boolean> {
    return this.#s.deleteSession.run({ id: checkHexId(id, 'session id') }).changes === 1;
  }

  async deleteSessionsOf(resolver: string, userId: string): Promise<number> {
    return this.#s.deleteSessionsOf.run(userKey(resolver, userId, 'deleteSessionsOf')).changes;
  }

  async purgeSessions(idleBefore: number, createdBefore: number): Promise<number> {
    return this.#s.purgeSessions.run({ idle: checkTimestamp(idleBefore, 'purgeSessions'), created: checkTimestamp(createdBefore, 'purgeSessions') }).changes;
  }

  async createEnrollmentCode(code: EnrollmentCode): Promise<void> {
    const row = enrollmentCodeToRow(code);
    await insertNew('enrollment code', isDuplicate, () =>
      this.#db
        .transaction(() => {
          this.#s.dropUnusedCodes.run({ resolver: row.resolver, user_id: row.user_id });
          this.#s.insertCode.run(row);
        })
        .immediate(),
    );
  }

  async redeemEnrollmentCode(id: string, resolver: string, userId: string, now: number): Promise<boolean> {
    const args = { id: checkHexId(id, 'enrollment code id'), ...userKey(resolver, userId, 'redeemEnrollmentCode'), now: checkTimestamp(now, 'redeemEnrollmentCode: now') };
    return this.#s.redeemCode.run(args).changes === 1;
  }

  async releaseEnrollmentCode(id: string, resolver: string, userId: string, now: number): Promise<boolean> {
    const args = { id: checkHexId(id, 'enrollment code id'), ...userKey(resolver, userId, 'releaseEnrollmentCode'), now: checkTimestamp(now, 'releaseEnrollmentCode: now') };
    return this.#s.releaseCode.run(args).changes === 1;
  }

  async purgeEnrollmentCodes(before: number): Promise<number> {
    return this.#s.purgeCodes.run({ before: checkTimestamp(before, 'purgeEnrollmentCodes') }).changes;
  }
}
