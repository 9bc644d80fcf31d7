// Connecting to PostgreSQL: the options, per-pool type parsing, the
// dedicated connection migrations and bulk work use, and transactions.

import pg from 'pg';
import type { Logger } from 'pino';
import type { BackendOptions } from '../key-check.ts';
import { POSTGRES_SETTINGS } from '../settings.ts';
import { translatePgError } from './errors.ts';

/** Defaults and ranges: POSTGRES_SETTINGS.pool. */
export interface PostgresPoolOptions {
  max?: number;
  idleTimeoutMs?: number;
  connectionTimeoutMs?: number;
}

export interface PostgresStoreOptions extends BackendOptions {
  /** postgres://user:password@host:port/database[?sslmode=...]; libpq-style parameters in the query string. */
  url: string;
  pool?: PostgresPoolOptions;
  /** See POSTGRES_SETTINGS. */
  statementTimeoutMs?: number;
  /** Where connection losses of idle clients are reported. */
  logger?: Logger;
}

const INT8_OID = 20;

/** int8 as a JS number when it is safe; otherwise the text, which rows.ts reports as a wrong type. */
function parseInt8(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

// Per-pool type parsers: the global pg.types registry is shared with any
// other pg user in the process.
const TYPES = {
  getTypeParser: ((oid: number, format?: string) => (oid === INT8_OID && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format as 'text'))) as typeof pg.types.getTypeParser,
};

export function clientConfig(opts: PostgresStoreOptions, withTimeouts: boolean): pg.ClientConfig {
  const statementTimeoutMs = opts.statementTimeoutMs ?? POSTGRES_SETTINGS.statementTimeoutMs.default;
  return {
    connectionString: opts.url,
    connectionTimeoutMillis: opts.pool?.connectionTimeoutMs ?? POSTGRES_SETTINGS.pool.connectionTimeoutMs.default,
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
export async function inTransaction<T>(client: pg.ClientBase, body: () => Promise<T>, options: { begin?: string; commit?: boolean; onRollbackFailed?: (err: Error) => void } = {}): Promise<T> {
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
