// Bulk paths of the SQLite store: exporting every token a page at a time in
// serial order, and importing tokens and challenges in one IMMEDIATE
// transaction on the main connection. The tokens to import are collected and
// checked first, since a SQLite transaction cannot span awaits.

import type Database from 'better-sqlite3';
import type { Token } from '../../model/token.ts';
import { importChecker } from '../query-args.ts';
import { challengeToRow, rowToToken, tokenToRow } from '../rows.ts';
import { STATEMENTS, upsertTokenSql } from '../sql.ts';
import type { ImportOptions, ImportResult } from '../types.ts';
import { checkChallenge } from '../validate.ts';
import { SQLITE, sqlite } from './sql.ts';

/** Pages of `size` tokens (a checked batch size), in serial order, read on `db`. */
export async function* exportTokenPages(db: Database.Database, seedKey: Buffer, size: number): AsyncIterable<Token[]> {
  const page = db.prepare('SELECT * FROM tokens WHERE serial > ? ORDER BY serial LIMIT ?');
  let after = '';
  for (;;) {
    const rows = page.all(after, size) as { serial: string }[];
    if (rows.length === 0) return;
    after = rows[rows.length - 1]!.serial;
    yield rows.map((row) => rowToToken(row, seedKey));
    if (rows.length < size) return;
  }
}

export async function importTokenList(db: Database.Database, seedKey: Buffer, tokens: Iterable<Token> | AsyncIterable<Token>, options: ImportOptions): Promise<ImportResult> {
  const check = importChecker();
  const list: Token[] = [];
  for await (const t of tokens) list.push(check(t, list.length));
  const challenges = (options.challenges ?? []).map(checkChallenge);
  const tokenExists = db.prepare('SELECT 1 FROM tokens WHERE serial = ?').pluck();
  const upsertToken = db.prepare(sqlite(STATEMENTS.insertToken) + upsertTokenSql(SQLITE));
  const mergeChallenge = db.prepare(sqlite(STATEMENTS.mergeChallenge));
  const linkToken = db.prepare('INSERT INTO challenge_tokens (transaction_id, serial) VALUES (?, ?) ON CONFLICT DO NOTHING');
  const result: ImportResult = { created: 0, updated: 0, challenges: 0 };
  const rollback = new Error('dry run');
  try {
    db.transaction(() => {
      for (const t of list) {
        if (tokenExists.get(t.serial) === undefined) result.created++;
        else result.updated++;
        upsertToken.run(tokenToRow(t, seedKey));
      }
      for (const c of challenges) {
        mergeChallenge.run(challengeToRow(c));
        for (const serial of c.serials) linkToken.run(c.transactionId, serial);
        result.challenges++;
      }
      if (options.dryRun) throw rollback;
    }).immediate();
  } catch (err) {
    if (err !== rollback) throw err;
  }
  return result;
}
