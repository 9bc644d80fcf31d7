// Connecting to PostgreSQL: options and their defaults, the URL shown in
// logs (never the password), per-pool type parsing, and the dedicated
// connection migrations and bulk work use.

import pg from 'pg';
import type { Logger } from 'pino';
import { StoreError } from '../errors.ts';
import type { BackendOptions } from '../key-check.ts';
import { translatePgError } from './errors.ts';

export interface PostgresPoolOptions {
  /** Connections per process. Default 10. */
  max?: number;
  /** Close a connection idle this long. Default 30000 ms. */
  idleTimeoutMs?: number;
  /** Give up connecting after this long, so a dead database fails requests fast. Default 5000 ms. */
  connectionTimeoutMs?: number;
}

export interface PostgresStoreOptions extends BackendOptions {
  /** postgres://user:password@host:port/database[?sslmode=...]; libpq-style parameters in the query string. */
  url: string;
  pool?: PostgresPoolOptions;
  /** Server-side limit per statement (0 = none); the client gives up 1 s later. Default 5000 ms. */
  statementTimeoutMs?: number;
  /** Where connection losses of idle clients are reported. */
  logger?: Logger;
}

export const POSTGRES_DEFAULTS = { max: 10, idleTimeoutMs: 30_000, connectionTimeoutMs: 5000, statementTimeoutMs: 5000 } as const;

const INT8_OID = 20;

/** int8 as a JS number when it is safe; otherwise the text, which rows.ts reports as a wrong type. */
function parseInt8(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

// Per-pool type parsers: the global pg.types registry is shared with any
// other pg user in the process.
const TYPES = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** The URL without password or query parameters, for logs and messages. */
export function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    const user = u.username ? `${decodeURIComponent(u.username)}@` : '';
    const host = u.searchParams.get('host');
    return `postgres://${user}${u.host}${u.pathname}${host ? `?host=${host}` : ''}`;
  } catch {
    return 'postgres://(unparsable url)';
  }
}

export function checkUrl(url: unknown): string {
  if (typeof url !== 'string' || !/^postgres(ql)?:\/\//.test(url)) {
    const shown = typeof url === 'string' ? `"${url.slice(0, url.indexOf(':') + 1 || 12)}..."` : typeof url;
    throw new StoreError('invalid', `postgres url: expected postgres://[user[:password]@]host[:port]/database, got ${shown}`);
  }
  try {
    new URL(url);
  } catch {
    throw new StoreError('invalid', 'postgres url: not a valid URL (percent-encode special characters in the user name and password)');
  }
  return url;
}

export function clientConfig(opts: PostgresStoreOptions, withTimeouts: boolean): pg.ClientConfig {
  const statementTimeoutMs = opts.statementTimeoutMs ?? POSTGRES_DEFAULTS.statementTimeoutMs;
  return {
    connectionString: opts.url,
    connectionTimeoutMillis: opts.pool?.connectionTimeoutMs ?? POSTGRES_DEFAULTS.connectionTimeoutMs,
    keepAlive: true,
    application_name: 'otp-radius',
    types: TYPES,
    ...(withTimeouts && statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs, query_timeout: statementTimeoutMs + 1000 } : {}),
  };
}

/** A connection of its own, without statement timeouts, for migrations and bulk work. */
export async function connectAdmin(opts: PostgresStoreOptions, where: string, what: string): Promise<pg.Client> {
  const client = new pg.Client(clientConfig(opts, false));
  // An error after connect (the server going away) must not crash the process; the next query fails instead.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw translatePgError(err, where, what);
  }
  return client;
}

/**
 * `body` between BEGIN (or `begin`) and COMMIT on `client`, or ROLLBACK
 * when `commit` is false (a dry run). When anything fails the transaction is
 * rolled back and the error rethrown; a ROLLBACK that fails too is reported
 * to `onRollbackFailed`, since the connection is then of no further use.
 */
export async function inTransaction<T>(
  client: pg.ClientBase,
  body: () => Promise<T>,
  options: { begin?: string; commit?: boolean; onRollbackFailed?: (err: Error) => void } = {},
): Promise<T> {
  try {
    await client.query(options.begin ?? 'BEGIN');
    const out = await body();
    await client.query(options.commit === false ? 'ROLLBACK' : 'COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch((e: Error) => options.onRollbackFailed?.(e));
    throw err;
  }
}
