// The TokenStore contract. Authentication rules live in auth/ and tokens/;
// the store only persists rows and performs the atomic updates those rules
// need (compare-and-set on the counter, fail-counter increments), so the same
// rules hold on SQLite and on PostgreSQL shared by several servers.

import type { Challenge } from '../model/challenge.ts';
import type { AdminTables, AuditTable } from './admin-types.ts';
import type { SelfServiceTables } from './self-service-types.ts';
import type { NewToken, Token, TokenPatch, TokenType } from '../model/token.ts';

/** A token's counters after a failed attempt: enough to tell whether it is now locked. */
export type FailedToken = Pick<Token, 'serial' | 'failCount' | 'maxFail' | 'locked' | 'lastFail' | 'authCount'>;

export interface TokenFilter {
  /** Tokens of this login (any realm unless realm is given). */
  login?: string;
  realm?: string;
  /** Tokens bound to this resolver and user id. */
  resolver?: string;
  userId?: string;
  /** Only tokens with no owner. */
  unassigned?: boolean;
  /** Serials that start with this. */
  serialPrefix?: string;
  type?: TokenType;
  /** The state tokenState() gives: revoked, locked, disabled, pending or active. */
  state?: 'active' | 'disabled' | 'locked' | 'pending' | 'revoked';
  /** Last successful login before / at or after (unix seconds); a token never used is "before" any time. */
  lastAuthBefore?: number;
  lastAuthAfter?: number;
  /** Only unassigned tokens and those of these realms (a realm-limited admin). */
  withinRealms?: string[];
  /** Never tokens of this realm (the admin accounts' own, for the helpdesk). */
  exceptRealm?: string;
  /** Serials after this one, in byte order: the next page. */
  after?: string;
  /** At most this many, 1..10000. */
  limit?: number;
}

/** Whose wrong first factors a throttle counts: a user (as typed, lower-cased) from one source. */
export interface ThrottleKey {
  realm: string;
  login: string;
  /** 'station:' + Calling-Station-Id, or 'nas:' + the NAS (HTTP: client) address. */
  source: string;
}

export interface ThrottleState {
  /** Wrong first factors in a row. */
  failures: number;
  /** Unix seconds of the last one. */
  lastFailure: number;
  /** Requests refused while throttled. */
  refused: number;
}

/** Code sends recorded for one subject in a window: how many, and the oldest and newest (unix ms). */
export interface SendWindow {
  count: number;
  oldest?: number;
  newest?: number;
}

export interface ImportOptions {
  /** Open challenges to copy along (store migration); one already present keeps the higher attempt count. */
  challenges?: Challenge[];
  /** Check and count everything, then roll back. */
  dryRun?: boolean;
}

export interface ImportResult {
  /** Tokens inserted, and tokens that existed and were overwritten. */
  created: number;
  updated: number;
  /** Challenges inserted or merged. */
  challenges: number;
}

export interface TokenStore {
  /** Short description for logs, e.g. 'sqlite:/var/lib/otp-radius/otp-radius.db'. */
  readonly description: string;

  createToken(token: NewToken, now?: number): Promise<Token>;
  getToken(serial: string): Promise<Token | undefined>;
  listTokens(filter?: TokenFilter): Promise<Token[]>;
  /** How many tokens listTokens would give for the filter, without reading them. */
  countTokens(filter?: TokenFilter): Promise<number>;
  /** Tokens owned by (resolver, userId): the authentication path's lookup, indexed. */
  tokensOfUser(resolver: string, userId: string): Promise<Token[]>;
  updateToken(serial: string, patch: TokenPatch): Promise<boolean>;
  deleteToken(serial: string): Promise<boolean>;

  /**
   * The accept step, atomic: only if the stored counter is still <= matched,
   * set counter = matched + 1 (and drift, when given), reset the fail counter,
   * count the attempt and the success, set lastAuth, clear autosync state —
   * one write, so an accept costs one commit. Only while the token is
   * usable at `now` (active, not revoked, not locked, under max fail and its
   * auth and success limits, inside its validity period), checked in the
   * same statement. Returns false when another request got there first (the
   * OTP was used) or the token became unusable meanwhile: the caller rejects.
   */
  commitSuccess(serial: string, matched: number, now: number, drift?: number): Promise<boolean>;

  /**
   * A failed attempt against these tokens, one write: fail counter + 1 each,
   * locked when it reaches max fail, the attempt counted (auth counter), lastFail
   * set. A token already locked (or at max fail) is not counted: the fail
   * counter never exceeds max fail. Returns the counters of the tokens it
   * counted, in the order given; those locked already and those gone are
   * left out. The seeds are not read.
   */
  recordFailure(serials: string[], now: number): Promise<FailedToken[]>;

  /**
   * A pending token's first right OTP (the `verify` operation): clears
   * pending and moves the counter past `matched`, only while the token is
   * still pending, not revoked, and its counter has not passed `matched`.
   */
  verifyPending(serial: string, matched: number, drift?: number): Promise<boolean>;

  /**
   * An e-mail or SMS token's next code: the counter moves from `from` to
   * `from + 1`, only while it is still `from`, retiring a code sent before
   * and never used. False when another request moved it first.
   */
  advanceCounter(serial: string, from: number): Promise<boolean>;

  /** Remember the first OTP of an autosync pair. */
  setSyncState(serial: string, counter: number | null, at: number | null): Promise<void>;

  createChallenge(challenge: Challenge): Promise<void>;
  getChallenge(transactionId: string): Promise<Challenge | undefined>;
  /** Atomic attempts + 1 while attempts < maxAttempts; returns the challenge afterwards, or undefined if gone or closed. */
  recordChallengeAttempt(transactionId: string): Promise<Challenge | undefined>;
  /** Returns false when it was already gone (answered or purged by another request). */
  deleteChallenge(transactionId: string): Promise<boolean>;
  /** A right answer's gate: deletes the challenge only while attempts < maxAttempts; false when gone or closed. */
  takeChallenge(transactionId: string): Promise<boolean>;
  /** A user's challenges (expired ones too, until purged), newest first. */
  challengesOfUser(resolver: string, userId: string): Promise<Challenge[]>;
  /** Remove expired challenges, and keep at most maxPerToken open per token (oldest go first). */
  purgeChallenges(now: number, maxPerToken: number): Promise<number>;

  /**
   * Every token, in batches of about `batchSize`, for export and store
   * migration. On PostgreSQL the batches come from one snapshot; on SQLite
   * they are pages by serial, so stop writers for a consistent copy.
   */
  exportTokens(batchSize?: number): AsyncIterable<Token[]>;

  /** Every stored challenge (expired ones too, until purged), oldest first. */
  listChallenges(): Promise<Challenge[]>;

  /**
   * Writes complete tokens as given (store migration, imports from other
   * systems), all or nothing in one transaction: a new serial is inserted,
   * an existing one has every field overwritten except that the counter
   * never moves back (max of stored and given), so re-running an import
   * cannot make an OTP that was already accepted valid again. A serial given
   * twice is an error.
   */
  importTokens(tokens: Iterable<Token> | AsyncIterable<Token>, options?: ImportOptions): Promise<ImportResult>;

  getThrottle(key: ThrottleKey): Promise<ThrottleState | undefined>;
  /** One more wrong first factor, atomically; the count starts over when the last one is `resetAfter` seconds old. */
  recordThrottleFailure(key: ThrottleKey, now: number, resetAfter: number): Promise<ThrottleState>;
  /** A request refused while throttled: counted for admins, the backoff stays as it is. */
  recordThrottleRefusal(key: ThrottleKey): Promise<void>;
  clearThrottle(key: ThrottleKey): Promise<void>;
  /** Every source's throttle of one user (an admin reset); returns how many went. */
  clearUserThrottles(realm: string, login: string): Promise<number>;
  /** Throttles whose last failure is before `before` (unix seconds); returns how many went. */
  purgeThrottles(before: number): Promise<number>;

  /** Each subject's code sends after `since` (unix ms), in the order given. */
  sendWindows(subjects: readonly string[], since: number): Promise<SendWindow[]>;
  /**
   * The rate limits' one step, atomic across workers and servers: the
   * subjects' windows after `since`, and when `allow` (a pure function of
   * them) says yes, a send at `at` recorded for each subject. Returns what
   * `allow` said.
   */
  takeSend(subjects: readonly string[], since: number, at: number, allow: (windows: SendWindow[]) => boolean): Promise<boolean>;
  /** A send at `at` for each subject, whatever the limits say (an administrator's test message). */
  recordSend(subjects: readonly string[], at: number): Promise<void>;
  /** Sends at or before `before` (unix ms); returns how many went. */
  purgeSends(before: number): Promise<number>;

  /** NAS clients under `requireMessageAuthenticator: auto` that have sent one. */
  learnedNasClients(): Promise<string[]>;
  learnNasClient(client: string, now: number): Promise<void>;

  /** Admin accounts, API keys and admin sessions. */
  readonly admins: AdminTables;
  /** The queryable audit trail. */
  readonly audit: AuditTable;
  /** Users' self-service sessions and their enrollment codes. */
  readonly selfService: SelfServiceTables;

  /** A cheap round trip for health checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
