// Duplicate detection (RFC 5080 2.2.2): a request with the same source
// address and port, Identifier and Request Authenticator is a retransmission.
// It gets the answer already sent, byte for byte; if the first copy is still
// being authenticated, the retransmission is dropped, never handled twice
// (handling it again would burn the OTP and reject the user).

type Entry = { pending: true; expires: number } | { pending: false; response: Buffer; expires: number };

export class DuplicateCache {
  private readonly entries = new Map<string, Entry>();
  private readonly lifetimeMs: number;
  private readonly maxEntries: number;

  constructor(lifetimeSeconds: number, maxEntries = 1_000_000) {
    this.lifetimeMs = lifetimeSeconds * 1000;
    this.maxEntries = maxEntries;
  }

  static key(address: string, port: number, identifier: number, authenticator: Buffer): string {
    return `${address}|${port}|${identifier}|${authenticator.toString('latin1')}`;
  }

  /** 'new' marks the request as in progress; otherwise the cached answer or 'in-progress'. */
  check(key: string, now = Date.now()): 'new' | 'in-progress' | Buffer {
    const e = this.entries.get(key);
    if (e && e.expires > now) return e.pending ? 'in-progress' : e.response;
    if (e) this.entries.delete(key);
    this.evict(now);
    // A handler that never finishes must not pin its key forever.
    this.entries.set(key, { pending: true, expires: now + 10 * this.lifetimeMs });
    return 'new';
  }

  complete(key: string, response: Buffer, now = Date.now()): void {
    // Re-insert so the Map stays ordered by expiry for eviction.
    this.entries.delete(key);
    this.entries.set(key, { pending: false, response, expires: now + this.lifetimeMs });
  }

  /** Forget a request that got no answer (dropped), so a retransmission is handled afresh. */
  forget(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(now: number): void {
    // Entries are in (roughly) expiry order: stop at the first live one.
    for (const [k, e] of this.entries) {
      if (e.expires > now && this.entries.size < this.maxEntries) break;
      this.entries.delete(k);
    }
  }
}
