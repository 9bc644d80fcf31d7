// The contract between auth/ and wherever users live (a YAML file, LDAP or
// SQL). Everything is async because a directory is a network hop,
// and "the directory did not answer" is an error of its own type so that auth/
// can reject with a log line instead of treating it as "no such user".

import type { Logger } from 'pino';

/** A user as a resolver found them. Tokens are bound to (resolver, id); login is for display and lookup. */
export interface User {
  /** Name of the resolver that found the user. */
  resolver: string;
  /** Stable id within the resolver (LDAP entryUUID/objectGUID, SQL key, file id); survives renames. */
  id: string;
  login: string;
  email?: string;
  phone?: string;
  givenName?: string;
  surname?: string;
  groups: string[];
  /** Further attributes (for reply-attribute mapping later); never a password or its hash. */
  attributes: Record<string, string | string[]>;
}

export interface UserResolver {
  readonly name: string;
  /** Resolver type as written in the config: 'file', 'ldap' or 'sql'. */
  readonly type: string;
  /** Undefined when no such user; throws ResolverUnavailableError when the backend cannot answer. */
  findUser(login: string): Promise<User | undefined>;
  getUserById(id: string): Promise<User | undefined>;
  /** False for a wrong password and for a user without one; throws ResolverUnavailableError on backend failure. */
  checkPassword(user: User, password: string): Promise<boolean>;
  /** Users whose login (or name/email, as the backend can) contains `search`; at most `limit`. */
  listUsers(search?: string, limit?: number): Promise<User[]>;
  /** Releases connections and timers; the resolver is unusable afterwards. */
  close(): Promise<void>;
}

/** What a resolver that talks to a server gets besides its options. */
export interface ResolverRuntime {
  /** Receives server failures (one error per failing server or database, not one per request). */
  logger?: Logger | undefined;
  /** Clock for the caches (tests). */
  now?: () => number;
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  return String(cause);
}

/** The backend of a resolver could not answer (connection refused, timeout, unreadable file). */
export class ResolverUnavailableError extends Error {
  override name = 'ResolverUnavailableError';
  readonly resolver: string;
  override readonly cause: unknown;

  constructor(resolver: string, cause: unknown, what = 'unavailable') {
    super(`resolver "${resolver}": ${what}: ${describeCause(cause)}`, { cause });
    this.resolver = resolver;
    this.cause = cause;
  }
}

/** One login found by more than one resolver of a realm: nobody can tell which user is meant. */
export class AmbiguousUserError extends Error {
  override name = 'AmbiguousUserError';
  readonly realm: string;
  readonly login: string;
  readonly resolvers: string[];

  constructor(realm: string, login: string, resolvers: string[]) {
    super(`login "${login}" is found in more than one resolver of realm "${realm}": ${resolvers.join(', ')}`);
    this.realm = realm;
    this.login = login;
    this.resolvers = resolvers;
  }
}

/**
 * Bad resolver or realm configuration, or a bad users file. The message has
 * one line per problem; for files each line is `file:line: key.path: message`.
 * `path` is the config key path of the first problem when the input was a
 * plain object (realms), so the config loader can point at its line.
 */
export class ResolverConfigError extends Error {
  override name = 'ResolverConfigError';
  readonly problems: string[];
  readonly path: (string | number)[] | undefined;

  constructor(problems: string[], path?: (string | number)[]) {
    super(problems.join('\n'));
    this.problems = problems;
    this.path = path;
  }
}
