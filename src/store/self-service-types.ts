// The store's tables of the self-service portal: users' sessions and the
// enrollment codes admins hand out. Both backends implement them with the
// same SQL (self-service-sql.ts).

import type { EnrollmentCode, UserSession } from '../model/self-service.ts';

export interface SelfServiceTables {
  /** A 'duplicate' StoreError when the id is taken. */
  createSession(session: UserSession): Promise<void>;
  getSession(id: string): Promise<UserSession | undefined>;
  /** Records a request; a session seen in the same minute is not written again. */
  touchSession(id: string, now: number): Promise<void>;
  deleteSession(id: string): Promise<boolean>;
  /** Every session of a user (gone from the directory); returns how many went. */
  deleteSessionsOf(resolver: string, userId: string): Promise<number>;
  /** Sessions idle since `idleBefore` or created before `createdBefore` (unix seconds); returns how many went. */
  purgeSessions(idleBefore: number, createdBefore: number): Promise<number>;

  /** Stores a new code; the user's codes not used yet stop working, so one code is live per user. */
  createEnrollmentCode(code: EnrollmentCode): Promise<void>;
  /** Uses the code up, atomically: true once, for the user it was made for, while unused and before it expires. */
  redeemEnrollmentCode(id: string, resolver: string, userId: string, now: number): Promise<boolean>;
  /**
   * Makes a used code usable again (its token was deleted before its first
   * code): only for its user, before it expires, and while the user has no
   * other unused code. True when it did.
   */
  releaseEnrollmentCode(id: string, resolver: string, userId: string, now: number): Promise<boolean>;
  /** Codes used, or expired, before `before` (unix seconds); returns how many went. */
  purgeEnrollmentCodes(before: number): Promise<number>;
}
