// The TokenStore contract. Authentication rules live in auth/ and tokens/;
// the store only persists rows and performs the atomic updates those rules
// need (compare-and-set on the counter, fail-counter increments), so the same
// rules hold on SQLite and on PostgreSQL shared by several servers.

import type { Challenge } from '../model/challenge.ts';
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
  /** Tokens owned by (resolver, userId): the authentication path's lookup, indexed. */
  tokensOfUser(resolver: string, userId: string): Promise<Token[]>;
  updateToken(serial: string, patch: TokenPatch): Promise<boolean>;
  deleteToken(serial: string): Promise<boolean>;

  /**
   * The accept step, atomic: only if the stored counter is still <= matched,
   * set counter = matched + 1 (and drift, when given), reset the fail counter,
   * count the attempt and the success, set lastAuth, clear autosync state —
   * one write, so an accept costs one commit. Returns false when
   * another request got there first (the OTP was used): the caller rejects.
   */
  commitSuccess(serial: string, matched: number, now: number, drift?: number): Promise<boolean>;

  /**
   * A failed attempt against these tokens, one write: fail counter + 1 each,
   * locked when it reaches max fail, the attempt counted (auth counter), lastFail
   * set. Returns their counters afterwards, in the order given; tokens that are
   * gone are left out. The seeds are not read.
   */
  recordFailure(serials: string[], now: number): Promise<FailedToken[]>;

  /** Remember the first OTP of an autosync pair. */
  setSyncState(serial: string, counter: number | null, at: number | null): Promise<void>;

  createChallenge(challenge: Challenge): Promise<void>;
  getChallenge(transactionId: string): Promise<Challenge | undefined>;
  /** Atomic attempts + 1; returns the challenge afterwards, or undefined if gone. */
  recordChallengeAttempt(transactionId: string): Promise<Challenge | undefined>;
  /** Returns false when it was already gone (answered or purged by another request). */
  deleteChallenge(transactionId: string): Promise<boolean>;
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

  /** A cheap round trip for health checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
