// Finding the owners of imported tokens among the resolvers and realms of
// our config: by (resolver, user id) for LinOTP, by login for files.

import type { TokenOwner } from '../model/token.ts';
import type { User, UserResolver } from '../users/types.ts';

export interface Directory {
  resolvers: ReadonlyMap<string, UserResolver>;
  /** Realms by lower-case name, as the loaded config has them: their resolvers, and whether it is the default. */
  realms: Readonly<Record<string, { resolvers: readonly string[]; default: boolean }>>;
}

/** The realms that contain `resolver`, the default realm first, then by name. */
export function realmsOfResolver(dir: Directory, resolver: string): string[] {
  return Object.entries(dir.realms)
    .filter(([, r]) => r.resolvers.includes(resolver))
    .sort(([a, ra], [b, rb]) => Number(rb.default) - Number(ra.default) || a.localeCompare(b))
    .map(([name]) => name);
}

/**
 * The realm an imported owner is put in: the first of the token's own realms
 * (after mapping) that holds its resolver, else the default realm, else the
 * first by name that holds it; undefined when no realm holds the resolver.
 */
export function chooseRealm(dir: Directory, resolver: string, preferred: readonly string[]): string | undefined {
  const candidates = realmsOfResolver(dir, resolver);
  return preferred.map((r) => r.toLowerCase()).find((r) => candidates.includes(r)) ?? candidates[0];
}

/** Runs `task` over `items` with at most `limit` in flight (directory lookups over the network). */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Looks each (resolver, id) up once. */
export class UserCache {
  readonly #dir: Directory;
  readonly #byId = new Map<string, Promise<User | undefined>>();

  constructor(dir: Directory) {
    this.#dir = dir;
  }

  byId(resolver: string, userId: string): Promise<User | undefined> {
    const key = `${resolver}\0${userId}`;
    let hit = this.#byId.get(key);
    if (!hit) {
      const r = this.#dir.resolvers.get(resolver);
      hit = r ? r.getUserById(userId) : Promise.resolve(undefined);
      this.#byId.set(key, hit);
    }
    return hit;
  }
}

export function ownerOf(user: User, realm: string): TokenOwner {
  return { realm, resolver: user.resolver, userId: user.id, login: user.login };
}
