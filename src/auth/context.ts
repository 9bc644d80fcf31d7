// What authentication and the admin operations work with: the store, the
// user directory, PIN hashing, the policy, a logger and the clock. Built once
// by the wiring; the service and the operations take it instead of each
// other's internals.

import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Delivery, DeliveryLimiter } from '../delivery/index.ts';
import type { DeliveredType } from '../model/token.ts';
import type { AuthPolicy } from '../model/policy.ts';
import type { TokenStore } from '../store/types.ts';
import type { User } from '../users/types.ts';
import type { ReplyRule } from './reply-rules.ts';

/** Where users come from: the realms and their resolvers. */
export interface UserDirectory {
  readonly defaultRealm: string | undefined;
  /** Every realm's name, lower-cased. */
  readonly names: readonly string[];
  hasRealm(name: string): boolean;
  findUser(realm: string, login: string): Promise<User | undefined>;
  /** Users of a realm whose login or name contains `search`, at most `limit`. */
  listUsers(realm: string, search: string | undefined, limit: number): Promise<User[]>;
  /** The user's directory password (otppin: userstore), asked of the resolver that found them. */
  checkPassword(user: User, password: string): Promise<boolean>;
}

/** PIN hashes are the store's format; authentication only asks yes or no. */
export interface PinVerifier {
  /** A null hash is an empty PIN. Costs the same whether or not the PIN is right. Text is compared as its UTF-8 bytes. */
  verify(pin: string | Buffer, hash: string | null): Promise<boolean>;
  /** Hashes in an older or weaker format (imported LinOTP PIN hashes, lower scrypt cost) are replaced on a right PIN. */
  needsRehash?(hash: string): boolean;
  hash(pin: string): Promise<string>;
}

/** Sending e-mail and SMS codes: the configured channels and the rate limits every worker shares. */
export interface DeliveryDeps {
  sender: Delivery;
  limiter: DeliveryLimiter;
  /** Within this many seconds of a send, a new PIN alone gets the open challenge again instead of another code. */
  resendIntervalSeconds: number;
}

/** How one attempted send ended, for metrics: sent, limited, or why not (a fixed word). */
export type DeliveryOutcome = { channel: DeliveredType; outcome: string };

export interface AuthDeps {
  store: TokenStore;
  users: UserDirectory;
  pins: PinVerifier;
  policy: AuthPolicy;
  /** Attributes for Access-Accept from the user's groups and data. */
  replyRules?: readonly ReplyRule[];
  logger: Logger;
  /** Unix seconds; tests move the clock. */
  now?: () => number;
  /** Told when a resolver could not answer (metrics). */
  onResolverError?: (resolver: string) => void;
  /** Codes for e-mail and SMS tokens; without it such tokens get no code and cannot log in. */
  delivery?: DeliveryDeps;
  /** Told of every send attempt (metrics). */
  onDelivery?: (outcome: DeliveryOutcome) => void;
}

export interface AuthContext {
  readonly store: TokenStore;
  readonly users: UserDirectory;
  readonly pins: PinVerifier;
  readonly policy: AuthPolicy;
  readonly replyRules: readonly ReplyRule[];
  readonly logger: Logger;
  /** Unix seconds. */
  now(): number;
  newTransactionId(): string;
  onResolverError(resolver: string): void;
  readonly delivery: DeliveryDeps | undefined;
  onDelivery(outcome: DeliveryOutcome): void;
}

/** The user a request or an operation is about, once found. */
export interface Subject {
  user: User;
  realm: string;
}

export function createAuthContext(deps: AuthDeps): AuthContext {
  const clock = deps.now ?? (() => Date.now() / 1000);
  return {
    store: deps.store,
    users: deps.users,
    pins: deps.pins,
    policy: deps.policy,
    replyRules: deps.replyRules ?? [],
    logger: deps.logger,
    now: clock,
    newTransactionId: () => randomBytes(16).toString('hex'),
    onResolverError: deps.onResolverError ?? (() => undefined),
    delivery: deps.delivery,
    onDelivery: deps.onDelivery ?? (() => undefined),
  };
}
