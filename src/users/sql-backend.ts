// The two databases an `sql` resolver can read: SQLite through better-sqlite3
// (read-only, synchronous, so its busy wait is kept short) and PostgreSQL
// through a small pg pool with connect, statement and query timeouts so that
// a dead or frozen server fails a lookup instead of holding it.

import Database from 'better-sqlite3';
import pg from 'pg';
import type { Logger } from 'pino';
import { withDeadline } from './deadline.ts';
import { ResolverConfigError } from './types.ts';

export type Row = Record<string, unknown>;

export interface SqlBackend {
  /** Placeholder for the n-th parameter (1-based) in this driver's syntax. */
  placeholder(n: number): string;
  query(sql: string, params: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

/** The longest SQLite may wait on a writer's lock; the wait blocks the event loop. */
export const SQLITE_BUSY_MAX_MS = 1000;

export class SqliteBackend implements SqlBackend {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();

  constructor(path: string, timeoutMs: number) {
    this.#db = new Database(path, { readonly: true, fileMustExist: true, timeout: Math.min(timeoutMs, SQLITE_BUSY_MAX_MS) });
  }

  /** Opens the file; a missing or unreadable file is a configuration error. */
  static open(resolver: string, path: string, timeoutMs: number): SqliteBackend {
    try {
      return new SqliteBackend(path, timeoutMs);
    } catch (e) {
      throw new ResolverConfigError([`resolvers.${resolver}.path: cannot open the SQLite database ${path}: ${(e as Error).message}`], ['resolvers', resolver, 'path']);
    }
  }

  placeholder(n: number): string {
    return `@p${n}`;
  }

  /** Compiles `sql` now (to find unknown tables and columns at start-up). */
  prepare(sql: string): Database.Statement {
    let st = this.#statements.get(sql);
    if (!st) {
      st = this.#db.prepare(sql);
      this.#statements.set(sql, st);
    }
    return st;
  }

  async query(sql: string, params: unknown[]): Promise<Row[]> {
    const named: Record<string, unknown> = {};
    params.forEach((p, i) => {
      named[`p${i + 1}`] = p;
    });
    return this.prepare(sql).all(named) as Row[];
  }

  async close(): Promise<void> {
    this.#statements.clear();
    if (this.#db.open) this.#db.close();
  }
}

export interface PostgresBackendOptions {
  resolver: string;
  url: string;
  password: string | undefined;
  timeoutMs: number;
  connectTimeoutMs: number;
  poolSize: number;
  logger?: Logger | undefined;
}

export class PostgresBackend implements SqlBackend {
  readonly #pool: pg.Pool;
  readonly #limitMs: number;

  constructor(o: PostgresBackendOptions) {
    this.#pool = new pg.Pool({
      connectionString: o.url,
      ...(o.password !== undefined ? { password: o.password } : {}),
      max: o.poolSize,
      connectionTimeoutMillis: Math.ceil(o.connectTimeoutMs),
      statement_timeout: Math.ceil(o.timeoutMs),
      query_timeout: Math.ceil(o.timeoutMs),
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      application_name: 'otp-radius',
      allowExitOnIdle: true,
    });
    // An idle connection the server drops emits here; without a listener it would end the process.
    this.#pool.on('error', (err) => {
      o.logger?.warn({ resolver: o.resolver, cause: err.message }, 'PostgreSQL dropped an idle resolver connection');
    });
    // pg's own timeouts cover connect and query; this covers whatever they miss.
    this.#limitMs = o.connectTimeoutMs + o.timeoutMs + 500;
  }

  placeholder(n: number): string {
    return `$${n}`;
  }

  async query(sql: string, params: unknown[]): Promise<Row[]> {
    const result = await withDeadline(this.#pool.query(sql, params), this.#limitMs, 'PostgreSQL query', () => undefined);
    return result.rows as Row[];
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}

/** SQLSTATE class 42 (syntax error or access rule violation: unknown table, column, bad where). */
export function isSqlMistake(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^42[0-9A-Z]{3}$/.test(code);
}

/** SQLSTATE class 22 (data exception): e.g. a text id compared with an integer column. */
export function isDataException(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}
