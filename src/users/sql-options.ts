// Options of the `sql` resolver and their checks, shared by the config loader
// and the resolver. Table and column names cannot be bound parameters, so
// they are held to plain identifiers and always quoted; the login, ids and
// search text only ever travel as parameters.

import { ResolverConfigError } from './types.ts';

export type SqlDriver = 'sqlite' | 'postgres';

/** Column names of the user table; only login is required (id defaults to it). */
export interface SqlColumns {
  login: string;
  id?: string;
  /** Password hash ({SSHA}, $6$, $2b$, $argon2id$, ...), for `otppin: userstore`. */
  password?: string;
  email?: string;
  phone?: string;
  givenName?: string;
  surname?: string;
  /** Comma-separated group names (or a PostgreSQL text[]). */
  groups?: string;
}

export interface SqlResolverOptions {
  driver: SqlDriver;
  /** SQLite database file (opened read-only; it must exist). */
  path?: string;
  /** PostgreSQL connection URL (postgres://user@host:port/db). */
  url?: string;
  /** PostgreSQL password, when not in the URL. */
  password?: string;
  /** Table or view, optionally schema-qualified (schema.table). */
  table: string;
  columns: SqlColumns;
  /** More columns copied into User.attributes (for reply rules). */
  extraColumns?: string[];
  /** An SQL condition ANDed to every query, written by the admin (e.g. `active = 1`). */
  where?: string;
  /** Compare logins with lower() on both sides. */
  caseInsensitive?: boolean;
  /** Seconds one query may take (PostgreSQL statement_timeout; the SQLite busy wait is capped at 1 s). */
  timeout?: number;
  /** Seconds to wait for a PostgreSQL connection. */
  connectTimeout?: number;
  /** PostgreSQL connections kept open. */
  poolSize?: number;
  /** Most users a listing returns. */
  sizeLimit?: number;
  /** Seconds a found user is cached; 0 turns the cache off. */
  cacheTtl?: number;
}

export const SQL_DEFAULTS = {
  caseInsensitive: false,
  timeout: 5,
  connectTimeout: 2,
  poolSize: 4,
  sizeLimit: 500,
  cacheTtl: 60,
};

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/;
const MAX_IDENTIFIER = 63;

/** Why `name` cannot be a column (or, with `dotted`, a table) name, or undefined. */
export function identifierProblem(name: string, dotted = false): string | undefined {
  const parts = dotted ? name.split('.') : [name];
  if (parts.length > 2 || parts.some((p) => !IDENTIFIER.test(p) || p.length > MAX_IDENTIFIER)) {
    return `"${name}" is not a plain ${dotted ? 'table name (or schema.table)' : 'column name'}: letters, digits, _ and $, starting with a letter or _`;
  }
  return undefined;
}

/** "name" or "schema"."name": quoted, so case and reserved words are kept as written. */
export function quoteIdentifier(name: string): string {
  return name
    .split('.')
    .map((p) => `"${p}"`)
    .join('.');
}

/** Why the admin's `where` fragment is refused, or undefined. */
export function whereProblem(where: string): string | undefined {
  if (where.trim() === '') return 'must not be empty';
  // One statement only: a stray ";" would end ours and start another.
  if (where.includes(';')) return 'must not contain ";"';
  if (/--|\/\*/.test(where)) return 'must not contain SQL comments (they would swallow the rest of the query)';
  return undefined;
}

export interface SqlSettings {
  driver: SqlDriver;
  path: string | undefined;
  url: string | undefined;
  password: string | undefined;
  table: string;
  columns: Required<Pick<SqlColumns, 'login' | 'id'>> & Omit<SqlColumns, 'login' | 'id'>;
  extraColumns: string[];
  where: string | undefined;
  caseInsensitive: boolean;
  timeoutMs: number;
  connectTimeoutMs: number;
  poolSize: number;
  sizeLimit: number;
  cacheTtlMs: number;
}

/** Applies defaults and checks everything; throws ResolverConfigError naming each problem. */
export function sqlSettings(name: string, o: SqlResolverOptions): SqlSettings {
  const problems: string[] = [];
  if (o.driver !== 'sqlite' && o.driver !== 'postgres') problems.push(`driver: expected "sqlite" or "postgres", got ${JSON.stringify(o.driver)}`);
  if (o.driver === 'sqlite' && (o.path === undefined || o.path === '')) problems.push('path: required with driver sqlite (the database file)');
  if (o.driver === 'sqlite' && o.url !== undefined) problems.push('url: is for driver postgres; give path for sqlite');
  if (o.driver === 'postgres' && (o.url === undefined || o.url === '')) problems.push('url: required with driver postgres (postgres://user@host:port/database)');
  if (o.driver === 'postgres' && o.path !== undefined) problems.push('path: is for driver sqlite; give url for postgres');
  if (o.url !== undefined && !/^postgres(?:ql)?:\/\//.test(o.url)) problems.push('url: expected postgres://user@host:port/database');
  const tableProblem = identifierProblem(o.table, true);
  if (tableProblem) problems.push(`table: ${tableProblem}`);
  const columns = { ...o.columns, id: o.columns.id ?? o.columns.login };
  for (const [key, col] of Object.entries(columns)) {
    if (col === undefined) continue;
    const p = identifierProblem(col);
    if (p) problems.push(`columns.${key}: ${p}`);
  }
  const extraColumns = o.extraColumns ?? [];
  extraColumns.forEach((c, i) => {
    const p = identifierProblem(c);
    if (p) problems.push(`extraColumns[${i}]: ${p}`);
    else if (columns.password !== undefined && c === columns.password) problems.push(`extraColumns[${i}]: "${c}" is the password column and is never handed out`);
  });
  if (o.where !== undefined) {
    const p = whereProblem(o.where);
    if (p) problems.push(`where: ${p}`);
  }
  const num = (v: number | undefined, fallback: number, key: string, min: number, integer: boolean): number => {
    const x = v ?? fallback;
    if (!Number.isFinite(x) || x < min || (integer && !Number.isInteger(x))) {
      problems.push(`${key}: expected ${integer ? 'a whole number' : 'a number'} of at least ${min}, got ${String(x)}`);
      return fallback;
    }
    return x;
  };
  const settings: SqlSettings = {
    driver: o.driver,
    path: o.path,
    url: o.url,
    password: o.password,
    table: o.table,
    columns,
    extraColumns,
    where: o.where,
    caseInsensitive: o.caseInsensitive ?? SQL_DEFAULTS.caseInsensitive,
    timeoutMs: num(o.timeout, SQL_DEFAULTS.timeout, 'timeout', 0.05, false) * 1000,
    connectTimeoutMs: num(o.connectTimeout, SQL_DEFAULTS.connectTimeout, 'connectTimeout', 0.05, false) * 1000,
    poolSize: num(o.poolSize, SQL_DEFAULTS.poolSize, 'poolSize', 1, true),
    sizeLimit: num(o.sizeLimit, SQL_DEFAULTS.sizeLimit, 'sizeLimit', 1, true),
    cacheTtlMs: num(o.cacheTtl, SQL_DEFAULTS.cacheTtl, 'cacheTtl', 0, false) * 1000,
  };
  if (problems.length > 0)
    throw new ResolverConfigError(
      problems.map((p) => `resolvers.${name}.${p}`),
      ['resolvers', name],
    );
  return settings;
}
