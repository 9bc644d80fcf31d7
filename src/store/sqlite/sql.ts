// SQLite's dialect of the shared SQL (../sql.ts): parameters bound by name.

import type Database from 'better-sqlite3';
import { errorCode, StoreError } from '../errors.ts';
import { render, type Dialect, type Statement } from '../sql.ts';

export const SQLITE: Dialect = {
  param: (_names, name) => `@${name}`,
  greatest: 'max',
  // Writers take turns on the database's one write lock, so the next number is never taken twice.
  challengeSeq: '(SELECT coalesce(max(created_seq), 0) + 1 FROM challenges)',
  // SQLite's default collation is already byte order.
  binary: (e) => e,
};

/** SQLite's answers that mean the database cannot read or write right now: a full or failing disk, a read-only file, a lock held too long. */
const OUTAGE = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|BUSY|LOCKED|NOMEM|PROTOCOL)/;

/** `err` as a StoreError 'unavailable' when SQLite says it cannot read or write right now; otherwise as it is. */
export function asOutage(err: unknown, where: string): unknown {
  const code = errorCode(err);
  if (code === undefined || !OUTAGE.test(code)) return err;
  return new StoreError('unavailable', `${where}: ${code}: ${(err as Error).message}`, { cause: err });
}

/**
 * Statements built at run time (filters, searches), prepared once per text
 * on `db`; the cache starts over past a couple of hundred texts, so odd
 * combinations cannot grow it without bound.
 */
export function preparedByText(db: Database.Database): (text: string) => Database.Statement {
  const cache = new Map<string, Database.Statement>();
  return (text) => {
    let stmt = cache.get(text);
    if (!stmt) {
      if (cache.size > 200) cache.clear();
      stmt = db.prepare(text);
      cache.set(text, stmt);
    }
    return stmt;
  };
}

/** The statement's text for better-sqlite3, which binds an object's keys to the @names. */
export function sqlite(s: Statement): string {
  return render(s, SQLITE);
}
