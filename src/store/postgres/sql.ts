// PostgreSQL's dialect of the shared SQL (../sql.ts): numbered parameters
// with the casts PostgreSQL cannot infer, and the statements the store and
// the bulk import both run.

import { CHALLENGE_COLUMNS } from '../rows.ts';
import { insertChallengeSql, render, type Dialect, type Statement } from '../sql.ts';

export const POSTGRES: Dialect = {
  param: (names, name, type) => {
    const i = names.indexOf(name);
    if (i < 0) throw new Error(`SQL parameter ${name} is not among ${names.join(', ')}`);
    return `$${i + 1}${type ? `::${type}` : ''}`;
  },
  greatest: 'GREATEST',
  // Microseconds of the database's clock, the one all servers share.
  challengeSeq: '(extract(epoch FROM clock_timestamp()) * 1000000)::bigint',
  binary: (e) => `${e} COLLATE "C"`,
};

export function postgres(s: Statement): string {
  return render(s, POSTGRES);
}

/** The statement's parameters, in order, from `args` keyed by their names. */
export function bind(s: Statement, args: object): unknown[] {
  return s.params.map((name) => (args as Record<string, unknown>)[name]);
}

/**
 * A challenge and its token links (`tokens`, the serials) in one statement;
 * `merge` as for insertChallengeSql, and a link already there is kept.
 */
export function challengeWithTokens(merge: boolean): Statement {
  return {
    params: [...CHALLENGE_COLUMNS, 'tokens'],
    text: (p, d) =>
      `WITH c AS (${insertChallengeSql(p, d, merge)} RETURNING transaction_id) ` +
      `INSERT INTO challenge_tokens (transaction_id, serial) SELECT c.transaction_id, s FROM c, unnest(${p('tokens')}::text[]) AS s${merge ? ' ON CONFLICT DO NOTHING' : ''}`,
  };
}
