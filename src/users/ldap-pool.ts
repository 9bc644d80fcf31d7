// The servers of one LDAP resolver: a few service-bound connections shared
// by concurrent lookups (LDAP multiplexes operations on one connection), and
// failover over the URI list. A server that fails is logged once and tried
// after the others until it answers again or its mark runs out; nothing waits
// past the caller's deadline.

import type { Logger } from 'pino';
import type { Client } from 'ldapts';
import { withDeadline } from './deadline.ts';
import { isServerAnswer, type LdapConnection, openConnection, resultCode, type ConnectOptions } from './ldap-connection.ts';
import { ResolverUnavailableError } from './types.ts';

/** A failed server is put back in its place in the URI order after this long. */
export const SERVER_RETRY_MS = 30_000;
/** Connections unused this long are closed; servers drop idle ones anyway. */
export const IDLE_CLOSE_MS = 60_000;

export interface LdapPoolOptions extends ConnectOptions {
  resolver: string;
  uris: string[];
  bind: { dn: string; password: string } | undefined;
  poolSize: number;
  logger?: Logger | undefined;
  now?: () => number;
}

/** A readable cause: ldapts puts the server's (often empty) diagnostic first and the code in hex last. */
export function describeLdapError(err: unknown): string {
  const code = resultCode(err);
  const message = err instanceof Error ? err.message : String(err);
  if (code === undefined) return message;
  if (code === 49) return 'invalid credentials (LDAP result 49)';
  const text = message.replace(/\s*Code: 0x[0-9a-f]+$/, '').trim();
  return `${text || (err as Error).name} (LDAP result ${code})`;
}

/** The error to carry as cause: the server's URI and a readable reason, the original kept below. */
function serverError(uri: string, err: unknown): Error {
  return new Error(`${uri}: ${describeLdapError(err)}`, { cause: err });
}

export class LdapPool {
  readonly #o: LdapPoolOptions;
  readonly #now: () => number;
  /** Pool slots; each holds a connection or the promise of one being opened. */
  readonly #slots: (Promise<LdapConnection> | undefined)[];
  readonly #settled: (LdapConnection | undefined)[];
  /** URI -> when it was marked failed. */
  readonly #down = new Map<string, number>();
  readonly #sweeper: NodeJS.Timeout;
  #closed = false;

  constructor(options: LdapPoolOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#slots = new Array<Promise<LdapConnection> | undefined>(options.poolSize).fill(undefined);
    this.#settled = new Array<LdapConnection | undefined>(options.poolSize).fill(undefined);
    this.#sweeper = setInterval(() => this.#closeIdle(), Math.min(IDLE_CLOSE_MS, 10_000));
    this.#sweeper.unref();
  }

  /** URIs in the order to try: config order, servers that failed recently last. */
  orderedUris(): string[] {
    const now = this.#now();
    for (const [uri, since] of this.#down) if (now - since >= SERVER_RETRY_MS) this.#down.delete(uri);
    const { uris } = this.#o;
    return [...uris.filter((u) => !this.#down.has(u)), ...uris.filter((u) => this.#down.has(u))];
  }

  /** Records a failed server; logs only when it was not already known to be failing. */
  markDown(uri: string, err: unknown, what: string): void {
    const known = this.#down.has(uri);
    this.#down.set(uri, this.#now());
    const log = { resolver: this.#o.resolver, uri, cause: describeLdapError(err) };
    if (!known) this.#o.logger?.error(log, `LDAP server ${what}`);
    else this.#o.logger?.debug(log, `LDAP server still ${what}`);
  }

  markUp(uri: string): void {
    if (this.#down.delete(uri)) this.#o.logger?.info({ resolver: this.#o.resolver, uri }, 'LDAP server answers again');
  }

  /**
   * A new connection to the first server that takes it (bound as `bind`),
   * trying the URIs in order until `deadline` (ms since epoch). Throws
   * ResolverUnavailableError with the last cause; an LDAP answer to the bind
   * (e.g. invalid credentials) is rethrown as is when `answerIsFinal`.
   */
  async connect(bind: { dn: string; password: string } | undefined, deadline: number, answerIsFinal = false): Promise<LdapConnection> {
    const failures: Error[] = [];
    for (const uri of this.orderedUris()) {
      const left = deadline - this.#now();
      if (left <= 0) break;
      try {
        const conn = await openConnection(uri, this.#o, bind, left);
        this.markUp(uri);
        return conn;
      } catch (err) {
        if (answerIsFinal && isServerAnswer(err)) {
          this.markUp(uri);
          throw err;
        }
        failures.push(serverError(uri, err));
        this.markDown(uri, err, resultCode(err) === 49 ? 'refused the service bind' : 'unreachable');
      }
    }
    const cause =
      failures.length === 0 ? new Error('no time left to try a server') : failures.length === 1 ? failures[0] : new Error(failures.map((f) => f.message).join('; '), { cause: failures.at(-1)?.cause });
    throw new ResolverUnavailableError(this.#o.resolver, cause, 'no LDAP server answered');
  }

  /** A live pooled connection: an idle one, else a new slot, else the least busy. */
  async #acquire(deadline: number): Promise<LdapConnection> {
    if (this.#closed) throw new ResolverUnavailableError(this.#o.resolver, new Error('the resolver has been closed'));
    let empty = -1;
    let best: LdapConnection | undefined;
    let pending: Promise<LdapConnection> | undefined;
    for (let i = 0; i < this.#slots.length; i++) {
      const slot = this.#slots[i];
      const conn = this.#settled[i];
      if (conn && !conn.alive) {
        this.#slots[i] = undefined;
        this.#settled[i] = undefined;
      }
      if (this.#slots[i] === undefined) {
        if (empty < 0) empty = i;
        continue;
      }
      if (conn?.alive) {
        if (conn.inflight === 0) return conn;
        if (!best || conn.inflight < best.inflight) best = conn;
      } else {
        pending ??= slot;
      }
    }
    if (empty >= 0) {
      const i = empty;
      const opening = this.connect(this.#o.bind, deadline);
      this.#slots[i] = opening;
      opening.then(
        (c) => {
          if (this.#slots[i] === opening && !this.#closed) this.#settled[i] = c;
          else void c.close();
        },
        () => {
          if (this.#slots[i] === opening) this.#slots[i] = undefined;
        },
      );
      return opening;
    }
    if (best) return best;
    // Every slot is still opening: share the first.
    return pending!;
  }

  /**
   * Runs `op` on a pooled service connection. A transport failure or timeout
   * drops the connection and runs `op` once more on a fresh one (the server
   * may have closed an idle connection, or failed over) if time is left.
   * LDAP answers (result errors) are rethrown as they are; everything else
   * ends as ResolverUnavailableError.
   */
  async run<T>(op: (client: Client) => Promise<T>, deadline: number, what: string): Promise<T> {
    let last: { uri: string; err: unknown } | undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      if (attempt > 0 && deadline - this.#now() <= 0) break;
      const conn = await this.#acquire(deadline);
      conn.inflight++;
      conn.lastUsed = this.#now();
      try {
        return await withDeadline(op(conn.client), deadline - this.#now(), `${what} on ${conn.uri}`, () => conn.destroy());
      } catch (err) {
        if (isServerAnswer(err)) throw err;
        conn.destroy();
        // Not logged yet: a server that merely dropped an idle connection answers the retry.
        last = { uri: conn.uri, err };
      } finally {
        conn.inflight--;
        conn.lastUsed = this.#now();
      }
    }
    if (last) this.markDown(last.uri, last.err, 'failed');
    throw new ResolverUnavailableError(this.#o.resolver, last ? serverError(last.uri, last.err) : new Error('no time left'), `${what} failed`);
  }

  #closeIdle(): void {
    const now = this.#now();
    this.#settled.forEach((conn, i) => {
      if (conn && conn.inflight === 0 && now - conn.lastUsed >= IDLE_CLOSE_MS) {
        this.#slots[i] = undefined;
        this.#settled[i] = undefined;
        void conn.close();
      }
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweeper);
    const open = this.#settled.filter((c): c is LdapConnection => c !== undefined);
    this.#slots.fill(undefined);
    this.#settled.fill(undefined);
    await Promise.all(open.map((c) => c.close()));
  }
}
