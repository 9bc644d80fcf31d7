// Realms: named groups of resolvers. A login is looked up in every resolver
// of its realm at once; finding it twice is an error (which user is meant?),
// and an unreachable resolver is only an error when nobody found the user.

import { AmbiguousUserError, ResolverConfigError, ResolverUnavailableError, type User, type UserResolver } from './types.ts';

export interface RealmOptions {
  resolvers: string[];
  default?: boolean;
}

export interface Realm {
  /** Lower-cased: realm names are case-insensitive. */
  readonly name: string;
  readonly resolvers: readonly UserResolver[];
  readonly isDefault: boolean;
}

export class UnknownRealmError extends Error {
  override name = 'UnknownRealmError';
  readonly realm: string;

  constructor(realm: string) {
    super(`unknown realm "${realm}"`);
    this.realm = realm;
  }
}

type Path = (string | number)[];

function pathText(path: Path): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
}

export class Realms {
  readonly #realms = new Map<string, Realm>();
  readonly #default: Realm | undefined;
  readonly #resolvers: ReadonlyMap<string, UserResolver>;

  /**
   * Validates the realm definitions against the resolvers and builds the
   * realms; throws ResolverConfigError naming every problem (its `path` is
   * the key path of the first, for the config loader to find the line).
   */
  constructor(config: Readonly<Record<string, RealmOptions>>, resolvers: ReadonlyMap<string, UserResolver> | Readonly<Record<string, UserResolver>>) {
    const byName: ReadonlyMap<string, UserResolver> = resolvers instanceof Map ? resolvers : new Map(Object.entries(resolvers));
    this.#resolvers = byName;
    const problems: { path: Path; message: string }[] = [];
    const problem = (path: Path, message: string): void => {
      problems.push({ path, message });
    };
    const known = byName.size > 0 ? [...byName.keys()].join(', ') : 'none configured';
    const originalName = new Map<string, string>();
    let defaultName: string | undefined;

    for (const [rawName, options] of Object.entries(config)) {
      const name = rawName.toLowerCase();
      if (name.trim() === '' || name.includes('@')) {
        problem(['realms', rawName], 'a realm name must be non-empty and must not contain "@"');
        continue;
      }
      const clash = originalName.get(name);
      if (clash !== undefined) {
        problem(['realms', rawName], `realm names are case-insensitive and "${clash}" is already defined`);
        continue;
      }
      originalName.set(name, rawName);

      const list = options.resolvers;
      if (list.length === 0) problem(['realms', rawName, 'resolvers'], 'an empty list; a realm needs at least one resolver');
      const members: UserResolver[] = [];
      list.forEach((resolverName, i) => {
        const resolver = byName.get(resolverName);
        if (!resolver) problem(['realms', rawName, 'resolvers', i], `unknown resolver "${resolverName}" (resolvers: ${known})`);
        else if (members.includes(resolver)) problem(['realms', rawName, 'resolvers', i], `resolver "${resolverName}" is listed twice`);
        else members.push(resolver);
      });

      const isDefault = options.default === true;
      if (isDefault) {
        if (defaultName !== undefined) {
          problem(['realms', rawName, 'default'], `only one realm can be the default; "${originalName.get(defaultName)}" already is`);
        } else {
          defaultName = name;
        }
      }
      this.#realms.set(name, { name, resolvers: members, isDefault: isDefault && defaultName === name });
    }

    const first = problems[0];
    if (first)
      throw new ResolverConfigError(
        problems.map((p) => `${pathText(p.path)}: ${p.message}`),
        first.path,
      );
    this.#default = defaultName === undefined ? undefined : this.#realms.get(defaultName);
  }

  /** The realm of that name (any case), or undefined. */
  get(name: string): Realm | undefined {
    return this.#realms.get(name.toLowerCase());
  }

  /** Name of the default realm (lower-cased), or undefined when none is marked default. */
  get defaultRealm(): string | undefined {
    return this.#default?.name;
  }

  hasRealm(name: string): boolean {
    return this.#realms.has(name.toLowerCase());
  }

  /** All realm names, lower-cased, in definition order. */
  get names(): string[] {
    return [...this.#realms.keys()];
  }

  /**
   * Looks the login up in every resolver of the realm, in parallel.
   * Undefined when no resolver knows it. Throws AmbiguousUserError when two
   * or more do; throws ResolverUnavailableError only when nobody found the
   * user and at least one resolver could not answer (so one flaky directory
   * does not block users of another). Throws UnknownRealmError for an
   * unknown realm name.
   */
  async findUser(realm: string | Realm, login: string): Promise<User | undefined> {
    const r = typeof realm === 'string' ? this.get(realm) : realm;
    if (!r) throw new UnknownRealmError(typeof realm === 'string' ? realm : String(realm));
    const results = await Promise.allSettled(r.resolvers.map((resolver) => resolver.findUser(login)));
    const found: User[] = [];
    let unavailable: ResolverUnavailableError | undefined;
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') {
        if (result.value) found.push(result.value);
      } else if (!unavailable) {
        const reason: unknown = result.reason;
        // Any failure means that resolver could not answer; keep the original as the cause.
        unavailable = reason instanceof ResolverUnavailableError ? reason : new ResolverUnavailableError(r.resolvers[i]?.name ?? '?', reason);
      }
    });
    if (found.length > 1)
      throw new AmbiguousUserError(
        r.name,
        login,
        found.map((u) => u.resolver),
      );
    if (found.length === 1) return found[0];
    if (unavailable) throw unavailable;
    return undefined;
  }

  /** Users of the realm's resolvers, in resolver order, at most `limit` in all. */
  async listUsers(realm: string, search: string | undefined, limit: number): Promise<User[]> {
    const r = this.get(realm);
    if (!r) throw new UnknownRealmError(realm);
    const users: User[] = [];
    for (const resolver of r.resolvers) {
      if (users.length >= limit) break;
      users.push(...(await resolver.listUsers(search, limit - users.length)));
    }
    return users;
  }

  /**
   * The user's password, checked by the resolver that found them. False for
   * a user of a resolver these realms do not know; ResolverUnavailableError
   * propagates from the resolver.
   */
  async checkPassword(user: User, password: string): Promise<boolean> {
    const resolver = this.#resolvers.get(user.resolver);
    return resolver ? resolver.checkPassword(user, password) : false;
  }
}
