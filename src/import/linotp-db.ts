// Reads LinOTP's Token table and the realms each token is in (TokenRealm,
// Realm) from its SQLite, PostgreSQL or MySQL/MariaDB database, in one
// read-only transaction so both queries see the same state. URLs are taken
// as LinOTP's own config writes them (SQLAlchemy's `postgresql+psycopg2://`,
// `mysql+pymysql://`, `sqlite:////abs/path`) or plainly (`sqlite:PATH`).
// Column names are matched without regard to case; some installs were
// created by hand or moved between databases and lost the mixed case.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Connection } from 'mysql2/promise';
import { ImportError } from './errors.ts';

export type LinotpDialect = 'sqlite' | 'postgres' | 'mysql';

export interface LinotpSource {
  dialect: LinotpDialect;
  /** sqlite: the file; otherwise the connection URL. */
  target: string;
}

/** A Token row with lower-case column names and values as the driver gave them. */
export type LinotpRow = Record<string, unknown>;

export interface LinotpData {
  tokens: LinotpRow[];
  /** Realm names by LinOtpTokenId. */
  realms: Map<number, string[]>;
}

/** Where a --db URL points; the password of a URL is never shown in a message. */
export function parseLinotpUrl(url: string): LinotpSource {
  const m = /^([a-z][a-z0-9]*)(?:\+[a-z0-9_]+)?:(.*)$/is.exec(url);
  if (!m) throw new ImportError([`--db: expected sqlite:PATH, postgres://... or mysql://..., got "${url.length > 40 ? `${url.slice(0, 40)}...` : url}"`]);
  const scheme = m[1]!.toLowerCase();
  const rest = m[2]!;
  if (scheme === 'sqlite') {
    // SQLAlchemy: sqlite:///relative or sqlite:////absolute.
    const path = rest.startsWith('///') ? rest.slice(3) : rest.startsWith('//') ? rest.slice(2) : rest;
    if (path === '') throw new ImportError(['--db: sqlite: needs a file path']);
    return { dialect: 'sqlite', target: resolve(path) };
  }
  if (scheme === 'postgres' || scheme === 'postgresql') return { dialect: 'postgres', target: `postgres:${rest}` };
  if (scheme === 'mysql' || scheme === 'mariadb') return { dialect: 'mysql', target: `mysql:${rest}` };
  throw new ImportError([`--db: unsupported database "${scheme}" (expected sqlite, postgres or mysql/mariadb)`]);
}

/** The URL without its password, for messages. */
export function describeSource(source: LinotpSource): string {
  return source.dialect === 'sqlite' ? `sqlite:${source.target}` : source.target.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

function lowerKeys(row: Record<string, unknown>): LinotpRow {
  const out: LinotpRow = {};
  for (const [k, v] of Object.entries(row)) out[k.toLowerCase()] = v;
  return out;
}

function realmMap(rows: Record<string, unknown>[]): Map<number, string[]> {
  const map = new Map<number, string[]>();
  for (const raw of rows) {
    const row = lowerKeys(raw);
    const id = Number(row.token_id);
    const name = String(row.name ?? '').trim();
    if (!Number.isSafeInteger(id) || name === '') continue;
    const list = map.get(id) ?? [];
    list.push(name);
    map.set(id, list);
  }
  return map;
}

function missingTable(err: unknown, source: LinotpSource): never {
  const msg = (err as Error).message;
  if (/no such table|does not exist|doesn't exist/i.test(msg)) throw new ImportError([`${describeSource(source)}: ${msg}: is this LinOTP's database?`]);
  throw new ImportError([`${describeSource(source)}: ${msg}`]);
}

export async function readLinotpDb(source: LinotpSource): Promise<LinotpData> {
  switch (source.dialect) {
    case 'sqlite':
      return readSqlite(source);
    case 'postgres':
      return readPostgres(source);
    case 'mysql':
      return readMysql(source);
  }
}

const SQL = (q: (name: string) => string) => ({
  tokens: `SELECT * FROM ${q('Token')}`,
  realms: `SELECT tr.${q('token_id')} AS token_id, r.${q('name')} AS name FROM ${q('TokenRealm')} tr JOIN ${q('Realm')} r ON r.${q('id')} = tr.${q('realm_id')}`,
});

async function readSqlite(source: LinotpSource): Promise<LinotpData> {
  if (!existsSync(source.target)) throw new ImportError([`--db: ${source.target} does not exist`]);
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(source.target, { readonly: true, fileMustExist: true });
  try {
    const sql = SQL((n) => `"${n}"`);
    return db.transaction(() => ({
      tokens: (db.prepare(sql.tokens).all() as Record<string, unknown>[]).map(lowerKeys),
      realms: realmMap(db.prepare(sql.realms).all() as Record<string, unknown>[]),
    }))();
  } catch (err) {
    return missingTable(err, source);
  } finally {
    db.close();
  }
}

async function readPostgres(source: LinotpSource): Promise<LinotpData> {
  const { default: pg } = await import('pg');
  // Timestamps come back as the text in the column: LinOTP writes UTC without a zone.
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === pg.types.builtins.TIMESTAMP ? (v: string) => v : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
  };
  const client = new pg.Client({ connectionString: source.target, types });
  try {
    await client.connect();
  } catch (err) {
    throw new ImportError([`${describeSource(source)}: cannot connect: ${(err as Error).message}`]);
  }
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const sql = SQL((n) => `"${n}"`);
    const tokens = (await client.query(sql.tokens)).rows as Record<string, unknown>[];
    const realms = (await client.query(sql.realms)).rows as Record<string, unknown>[];
    await client.query('COMMIT');
    return { tokens: tokens.map(lowerKeys), realms: realmMap(realms) };
  } catch (err) {
    return missingTable(err, source);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function readMysql(source: LinotpSource): Promise<LinotpData> {
  const mysql = await import('mysql2/promise');
  let conn: Connection;
  try {
    conn = await mysql.createConnection({ uri: source.target, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true, charset: 'utf8mb4' });
  } catch (err) {
    throw new ImportError([`${describeSource(source)}: cannot connect: ${(err as Error).message}`]);
  }
  try {
    await conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
    const sql = SQL((n) => `\`${n}\``);
    const [tokens] = await conn.query(sql.tokens);
    const [realms] = await conn.query(sql.realms);
    await conn.query('COMMIT');
    return { tokens: (tokens as Record<string, unknown>[]).map(lowerKeys), realms: realmMap(realms as Record<string, unknown>[]) };
  } catch (err) {
    return missingTable(err, source);
  } finally {
    await conn.end().catch(() => undefined);
  }
}
