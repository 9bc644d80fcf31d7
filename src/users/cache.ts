// A short-lived cache of lookups for the resolvers that ask a server (LDAP,
// SQL): a burst of logins must not become a burst of directory queries.
// "Found" is kept for the resolver's cacheTtl; "not found" for a few seconds
// at most, so a user created in the directory can log in almost at once.
// Failures are never kept. Concurrent lookups of the same key share one query.

import type { User } from './types.ts';

/** The longest "no such user" is remembered, whatever cacheTtl says. */
export const NEGATIVE_TTL_MAX_MS = 5_000;
export const DEFAULT_CACHE_ENTRIES = 10_000;

export interface LookupCacheOptions {
  /** How long a found user is kept, in ms; 0 turns the cache off (lookups are still coalesced). */
  ttlMs: number;
  /** How long "not found" is kept; capped at NEGATIVE_TTL_MAX_MS and at ttlMs. */
  negativeTtlMs?: number;
  /** Oldest entries are dropped beyond this. */
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  user: User | undefined;
  expires: number;
}

function copy(user: User | undefined): User | undefined {
  return user === undefined ? undefined : structuredClone(user);
}

export class LookupCache {
  readonly ttlMs: number;
  readonly negativeTtlMs: number;
  readonly maxEntries: number;
  readonly #now: () => number;
  /** Map order is insertion order; a hit re-inserts, so the first key is the least recently used. */
  readonly #entries = new Map<string, Entry>();
  readonly #inflight = new Map<string, Promise<User | undefined>>();
  /** Bumped by clear(): a lookup that started before must not fill the cache after. */
  #generation = 0;

  constructor(options: LookupCacheOptions) {
    this.ttlMs = Math.max(0, options.ttlMs);
    this.negativeTtlMs = Math.min(options.negativeTtlMs ?? NEGATIVE_TTL_MAX_MS, NEGATIVE_TTL_MAX_MS, this.ttlMs);
    this.maxEntries = Math.max(1, options.maxEntries ?? DEFAULT_CACHE_ENTRIES);
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The cached answer for `key`, or `load()`'s (shared with concurrent callers of the same key). */
  async get(key: string, load: () => Promise<User | undefined>): Promise<User | undefined> {
    const hit = this.#entries.get(key);
    if (hit) {
      if (hit.expires > this.#now()) {
        this.#entries.delete(key);
        this.#entries.set(key, hit);
        return copy(hit.user);
      }
      this.#entries.delete(key);
    }
    let pending = this.#inflight.get(key);
    if (!pending) {
      const generation = this.#generation;
      pending = load().then((user) => {
        if (generation === this.#generation) this.#store(key, user);
        return user;
      });
      const settled = (): void => {
        if (this.#inflight.get(key) === pending) this.#inflight.delete(key);
      };
      pending.then(settled, settled);
      this.#inflight.set(key, pending);
    }
    return copy(await pending);
  }

  #store(key: string, user: User | undefined): void {
    const ttl = user === undefined ? this.negativeTtlMs : this.ttlMs;
    if (ttl <= 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, { user: copy(user), expires: this.#now() + ttl });
    while (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
  }

  clear(): void {
    this.#generation++;
    this.#entries.clear();
  }
}
