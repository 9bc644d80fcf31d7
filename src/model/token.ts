// A token as every layer sees it: its type, seed, counters, limits and
// owner. The store persists it; tokens/ judges OTPs against it; auth/ and
// the admin operations decide with it.

export const TOKEN_TYPES = ['hotp', 'totp', 'ocra', 'email', 'sms', 'spass'] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];
/** Types whose codes the server sends (by e-mail or SMS) after the first factor. */
export const DELIVERED_TYPES = ['email', 'sms'] as const;
export type DeliveredType = (typeof DELIVERED_TYPES)[number];
/** Types that may answer a PIN alone with a challenge: all but the static password. */
export type ChallengeType = Exclude<TokenType, 'spass'>;
export const HASH_ALGORITHMS = ['sha1', 'sha256', 'sha512'] as const;
export type HashAlgorithm = (typeof HASH_ALGORITHMS)[number];

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
  /** Enrolled and not yet verified: unusable until one valid OTP is entered (the `verify` operation). */
  pending: boolean;
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
  /** Free-form token info (e.g. ocrasuite, the `email` address or `phone` number codes go to). */
  info: Record<string, string>;
  createdAt: number;
}

/** What a caller gives to create a token; the store fills counters, flags and timestamps. */
export type NewToken = Pick<Token, 'serial' | 'type' | 'seed' | 'otpLength' | 'algorithm' | 'timeStep' | 'window' | 'syncWindow' | 'maxFail'> &
  Partial<Pick<Token, 'counter' | 'drift' | 'pinHash' | 'owner' | 'active' | 'pending' | 'description' | 'info' | 'maxAuth' | 'maxSuccess' | 'validFrom' | 'validUntil' | 'failCount'>>;

/** Fields an administrator may change on an existing token. */
export type TokenPatch = Partial<
  Pick<
    Token,
    | 'pinHash'
    | 'owner'
    | 'active'
    | 'pending'
    | 'revoked'
    | 'locked'
    | 'failCount'
    | 'maxFail'
    | 'description'
    | 'info'
    | 'window'
    | 'syncWindow'
    | 'maxAuth'
    | 'maxSuccess'
    | 'validFrom'
    | 'validUntil'
    | 'otpLength'
  >
>;
