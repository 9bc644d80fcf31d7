// Resumable tunnels, bounded. A TLS session enters only once the login
// inside it succeeded, with what that login decided, so resuming it skips
// the inner login the way RFC 5281 section 7.1 and PEAP fast reconnect do,
// and nothing else can be resumed. Oldest out first when full; an entry
// expires after the configured lifetime whatever its use.

import type { Decision } from '../model/decision.ts';
import type { EapMethodName } from './options.ts';

export interface ResumableLogin {
  method: EapMethodName;
  innerIdentity: string;
  decision: Decision;
}

interface Entry extends ResumableLogin {
  session: Buffer;
  expires: number;
}

export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly max: number;
  private readonly lifetimeMs: number;
  private readonly now: () => number;

  constructor(max: number, lifetimeSeconds: number, now: () => number = Date.now) {
    this.max = max;
    this.lifetimeMs = lifetimeSeconds * 1000;
    this.now = now;
  }

  get enabled(): boolean {
    return this.lifetimeMs > 0 && this.max > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  add(id: Buffer, session: Buffer, login: ResumableLogin): void {
    if (!this.enabled) return;
    const key = id.toString('hex');
    this.entries.delete(key);
    this.entries.set(key, { ...login, session, expires: this.now() + this.lifetimeMs });
    this.sweep();
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }

  /** The session for `id` if it is known, unexpired and of `method`. */
  find(id: Buffer, method: EapMethodName): (ResumableLogin & { session: Buffer }) | undefined {
    const key = id.toString('hex');
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.method === method ? entry : undefined;
  }

  forget(id: Buffer): void {
    this.entries.delete(id.toString('hex'));
  }

  /** Entries were added in expiry order, so the expired ones are at the front. */
  sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.expires > now) break;
      this.entries.delete(key);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
