// Bulk paths of the PostgreSQL store: exporting every token from one
// snapshot through a cursor, and importing tokens in batches of multi-row
// upserts inside one transaction. Both run on a dedicated connection without
// the pool's statement timeout, since they may take minutes on a large store.

import type pg from 'pg';
import { challengeToRow, rowToToken, TOKEN_COLUMNS, tokenToRow, type TokenRow } from '../rows.ts';
import { importChecker } from '../query-args.ts';
import { upsertTokenSql } from '../sql.ts';
import type { ImportOptions, ImportResult } from '../types.ts';
import type { Challenge } from '../../model/challenge.ts';
import type { Token } from '../../model/token.ts';
import { checkChallenge } from '../validate.ts';
import { inTransaction } from './connect.ts';
import { bind, challengeWithTokens, POSTGRES, postgres } from './sql.ts';

const INT_COLUMNS = new Set<keyof TokenRow>(['otp_length', 'time_step', 'drift', 'check_window', 'sync_window', 'active', 'pending', 'revoked', 'locked', 'fail_count', 'max_fail']);
const BIGINT_COLUMNS = new Set<keyof TokenRow>([
  'counter',
  'auth_count',
  'max_auth',
  'success_count',
  'max_success',
  'valid_from',
  'valid_until',
  'last_auth',
  'last_fail',
  'sync_counter',
  'sync_at',
  'created_at',
]);

function pgType(column: keyof TokenRow): string {
  return INT_COLUMNS.has(column) ? 'integer' : BIGINT_COLUMNS.has(column) ? 'bigint' : 'text';
}

// One array parameter per column, unnested into rows.
const TOKEN_ARRAYS = TOKEN_COLUMNS.map((c, i) => `$${i + 1}::${pgType(c)}[]`).join(', ');
const UPSERT_TOKENS = `INSERT INTO tokens AS t (${TOKEN_COLUMNS.join(', ')}) SELECT * FROM unnest(${TOKEN_ARRAYS})${upsertTokenSql(POSTGRES)}`;

const MERGE_CHALLENGE = challengeWithTokens(true);
const MERGE_CHALLENGE_SQL = postgres(MERGE_CHALLENGE);

const BATCH = 500;

/** Every token, `size` at a time, from one REPEATABLE READ snapshot. */
export async function* exportTokenBatches(client: pg.ClientBase, seedKey: Buffer, size: number): AsyncGenerator<Token[]> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  let finished = false;
  try {
    await client.query('DECLARE export_tokens NO SCROLL CURSOR FOR SELECT * FROM tokens ORDER BY serial COLLATE "C"');
    for (;;) {
      const { rows } = await client.query(`FETCH ${size} FROM export_tokens`);
      if (rows.length > 0) yield rows.map((row) => rowToToken(row, seedKey));
      if (rows.length < size) break;
    }
    await client.query('COMMIT');
    finished = true;
  } finally {
    // An error, or a consumer that stopped early.
    if (!finished) await client.query('ROLLBACK').catch(() => undefined);
  }
}

/** The whole import in one transaction on `client`; rolled back on error or dry run. */
export async function importTokenBatches(client: pg.ClientBase, seedKey: Buffer, tokens: Iterable<Token> | AsyncIterable<Token>, options: ImportOptions): Promise<ImportResult> {
  const challenges: Challenge[] = (options.challenges ?? []).map(checkChallenge);
  const check = importChecker();
  const result: ImportResult = { created: 0, updated: 0, challenges: 0 };
  let batch: Token[] = [];
  let index = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const serials = batch.map((t) => t.serial);
    // Locks the existing rows too, so the count of updates is exact.
    const existing = await client.query('SELECT serial FROM tokens WHERE serial = ANY($1::text[]) ORDER BY serial FOR UPDATE', [serials]);
    result.updated += existing.rowCount ?? 0;
    result.created += batch.length - (existing.rowCount ?? 0);
    const rows = batch.map((t) => tokenToRow(t, seedKey));
    await client.query(
      UPSERT_TOKENS,
      TOKEN_COLUMNS.map((c) => rows.map((r) => r[c])),
    );
    batch = [];
  };
  return inTransaction(
    client,
    async () => {
      for await (const t of tokens) {
        batch.push(check(t, index++));
        if (batch.length >= BATCH) await flush();
      }
      await flush();
      for (const c of challenges) {
        await client.query(MERGE_CHALLENGE_SQL, bind(MERGE_CHALLENGE, { ...challengeToRow(c), tokens: c.serials }));
        result.challenges++;
      }
      return result;
    },
    { commit: !options.dryRun },
  );
}
