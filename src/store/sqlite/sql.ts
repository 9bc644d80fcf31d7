// SQLite's dialect of the shared SQL (../sql.ts): parameters bound by name.

import { render, type Dialect, type Statement } from '../sql.ts';

export const SQLITE: Dialect = {
  param: (_names, name) => `@${name}`,
  greatest: 'max',
  // Writers take turns on the database's one write lock, so the next number is never taken twice.
  challengeSeq: '(SELECT coalesce(max(created_seq), 0) + 1 FROM challenges)',
  // SQLite's default collation is already byte order.
  binary: (e) => e,
};

/** The statement's text for better-sqlite3, which binds an object's keys to the @names. */
export function sqlite(s: Statement): string {
  return render(s, SQLITE);
}
