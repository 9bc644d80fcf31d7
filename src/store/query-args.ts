// Argument checks shared by the SQL backends, so SQLite and PostgreSQL
// refuse the same input with the same message.

import { StoreError } from './errors.ts';
import type { TokenFilter } from './types.ts';
import type { Token } from '../model/token.ts';
import { checkToken } from './validate.ts';

export function uniqueSerials(serials: unknown, what: string, check: (s: unknown, what: string) => string): string[] {
  if (!Array.isArray(serials)) throw new StoreError('invalid', `${what}: expected an array of serials`);
  return [...new Set(serials.map((s, i) => check(s, `${what}: serials[${i}]`)))];
}

export function checkTransactionId(id: unknown): string {
  // Looked up as given: an id that cannot exist simply is not found.
  if (typeof id !== 'string') throw new StoreError('invalid', `transaction id: expected a string, got ${typeof id}`);
  return id;
}

const FILTER_KEYS = ['login', 'realm', 'resolver', 'userId', 'unassigned'];
const FILTER_COLUMNS = { login: 'owner_login', realm: 'owner_realm', resolver: 'owner_resolver', userId: 'owner_user_id' } as const;

/** A validated filter as column equalities; `unassigned` becomes `owner_resolver IS NULL`. */
export function filterConditions(filter: TokenFilter): { equal: [column: string, value: string][]; unassigned: boolean } {
  if (typeof filter !== 'object' || filter === null) throw new StoreError('invalid', 'listTokens: filter must be an object');
  for (const k of Object.keys(filter)) {
    if (!FILTER_KEYS.includes(k)) throw new StoreError('invalid', `listTokens: unknown filter field '${k}', expected ${FILTER_KEYS.join(', ')}`);
  }
  const equal: [string, string][] = [];
  for (const [key, column] of Object.entries(FILTER_COLUMNS) as [keyof typeof FILTER_COLUMNS, string][]) {
    const v = filter[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw new StoreError('invalid', `listTokens: filter ${key} must be a string`);
    equal.push([column, v]);
  }
  if (filter.unassigned !== undefined && typeof filter.unassigned !== 'boolean') throw new StoreError('invalid', 'listTokens: filter unassigned must be true or false');
  if (filter.unassigned && equal.length > 0) throw new StoreError('invalid', 'listTokens: unassigned cannot be combined with owner fields');
  return { equal, unassigned: filter.unassigned === true };
}

export function checkBatchSize(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 100_000) {
    throw new StoreError('invalid', `exportTokens: batchSize: expected an integer 1..100000, got ${String(v)}`);
  }
  return v;
}

/**
 * Validates tokens for importTokens and refuses a serial given twice (which
 * of the two should win is not ours to guess). Returns a check to call on
 * each token in order.
 */
export function importChecker(): (t: Token, index: number) => Token {
  const seen = new Set<string>();
  return (t, index) => {
    if (typeof t !== 'object' || t === null) throw new StoreError('invalid', `importTokens: item ${index}: expected a token object`);
    const token = checkToken(t);
    if (seen.has(token.serial)) throw new StoreError('invalid', `importTokens: serial ${token.serial} is given twice`);
    seen.add(token.serial);
    return token;
  };
}
