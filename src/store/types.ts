// The TokenStore contract. Authentication rules live in auth/ and tokens/;
// the store only persists rows and performs the atomic updates those rules
// need (compare-and-set on the counter, fail-counter increments), so the same
// rules hold on SQLite and on PostgreSQL shared by several servers.

export type TokenType = 'hotp' | 'totp' | 'ocra';
export type HashAlgorithm = 'sha1' | 'sha256' | 'sha512';

/** Who a token belongs to: bound to (resolver, user id), the login is kept for display and search. */
export interface TokenOwner {
  realm: string;
  resolver: string;
  userId: string;
  login: string;
}

export interface Token {
  serial: string;
  type: TokenType;
  /** The shared secret, decrypted in memory; encrypted at rest by the store. */
  seed: Buffer;
  otpLength: number;
  algorithm: HashAlgorithm;
  /** TOTP time step in seconds (30 by default); unused by HOTP. */
  timeStep: number;
  /**
   * The next usable counter: HOTP/OCRA counter, or for TOTP the next usable
   * time step. An OTP at counter c is accepted only when c >= counter, and
   * accepting it moves counter to c + 1.
   */
  counter: number;
  /** TOTP clock drift learned from successful logins, in seconds. */
  drift: number;
  /** Look-ahead of a normal check: counters (HOTP/OCRA) or seconds each side (TOTP). */
  window: number;
  /** Look-ahead for autosync and resync: counters, or for TOTP time steps. */
  syncWindow: number;
  /** PIN hash in the store's format, or null for no PIN. */
  pinHash: string | null;
  owner: TokenOwner | null;
  active: boolean;
  revoked: boolean;
  locked: boolean;
  failCount: number;
  maxFail: number;
  /** Authentication attempts that reached this token, and successes; null max = unlimited. */
  authCount: number;
  maxAuth: number | null;
  successCount: number;
  maxSuccess: number | null;
  /** Unix seconds; null = no bound. */
  validFrom: number | null;
  validUntil: number | null;
  lastAuth: number | null;
  /** Unix seconds of the last failure (for failCounterClearTimeout). */
  lastFail: number | null;
  /** Autosync: counter of the first OTP of a pending resync pair and when it was seen (unix seconds). */
  syncCounter: number | null;
  syncAt: number | null;
  description: string;
  /** Free-form token info (e.g. ocrasuite, imported LinOTP fields). */
  info: Record<string, string>;
  createdAt: number;
}

/** What a caller gives to create a token; the store fills counters, flags and timestamps. */
export type NewToken = Pick<Token, 'serial' | 'type' | 'seed' | 'otpLength' | 'algorithm' | 'timeStep' | 'window' | 'syncWindow' | 'maxFail'> &
  Partial<Pick<Token, 'counter' | 'drift' | 'pinHash' | 'owner' | 'active' | 'description' | 'info' | 'maxAuth' | 'maxSuccess' | 'validFrom' | 'validUntil' | 'failCount'>>;

/** Fields an administrator may change on an existing token. */
export type TokenPatch = Partial<Pick<Token, 'pinHash' | 'owner' | 'active' | 'revoked' | 'locked' | 'failCount' | 'maxFail' | 'description' | 'info' | 'window' | 'syncWindow' | 'maxAuth' | 'maxSuccess' | 'validFrom' | 'validUntil' | 'otpLength'>>;

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

export interface Challenge {
  /** The transaction id (sent as State): 128 random bits, hex. */
  transactionId: string;
  /** The tokens whose PIN matched: the answer may come from any of them. */
  serials: string[];
  realm: string;
  resolver: string;
  userId: string;
  login: string;
  /** Challenge data, e.g. the OCRA question. */
  data: string;
  createdAt: number;
  expiresAt: number;
  attempts: number;
  maxAttempts: number;
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
