// Argument checks shared by the SQL backends, so SQLite and PostgreSQL
// refuse the same input with the same message.

import { StoreError } from './errors.ts';
import { paramList, type Dialect } from './sql.ts';
import type { ThrottleKey, ThrottleState, TokenFilter } from './types.ts';
import type { Token } from '../model/token.ts';
import { checkDrift, checkInt, checkSerial, checkTimestamp, checkToken } from './validate.ts';

export function commitSuccessArgs(serial: string, matched: number, now: number, drift: number | undefined): { serial: string; matched: number; now: number; drift: number | null } {
  return {
    serial: checkSerial(serial),
    matched: checkInt(matched, `commitSuccess ${serial}: matched`, 0, Number.MAX_SAFE_INTEGER - 1),
    now: checkTimestamp(now, `commitSuccess ${serial}: now`),
    drift: drift === undefined ? null : checkDrift(drift, `commitSuccess ${serial}: drift`),
  };
}

export function advanceCounterArgs(serial: string, from: number): { serial: string; from: number } {
  return { serial: checkSerial(serial), from: checkInt(from, `advanceCounter ${serial}: from`, 0, Number.MAX_SAFE_INTEGER - 1) };
}

/** The serials without repeats, in the order given. */
export function recordFailureArgs(serials: string[], now: number): { serials: string[]; now: number } {
  if (!Array.isArray(serials)) throw new StoreError('invalid', 'recordFailure: expected an array of serials');
  const unique = [...new Set(serials.map((s, i) => checkSerial(s, `recordFailure: serials[${i}]`)))];
  return { serials: unique, now: checkTimestamp(now, 'recordFailure: now') };
}

export function syncStateArgs(serial: string, counter: number | null, at: number | null): { serial: string; counter: number | null; at: number | null } {
  checkSerial(serial);
  if ((counter === null) !== (at === null)) throw new StoreError('invalid', `setSyncState ${serial}: counter and at must both be null or both be set`);
  return {
    serial,
    counter: counter === null ? null : checkInt(counter, `setSyncState ${serial}: counter`, 0),
    at: at === null ? null : checkTimestamp(at, `setSyncState ${serial}: at`),
  };
}

export function purgeArgs(now: number, maxPerToken: number): { now: number; cap: number } {
  return { now: checkTimestamp(now, 'purgeChallenges: now'), cap: checkInt(maxPerToken, 'purgeChallenges: maxPerToken', 0) };
}

/** A throttle key's fields: strings of at most 1024 characters (a login or Calling-Station-Id as sent). */
export function throttleArgs(key: ThrottleKey, what: string): ThrottleKey {
  if (typeof key !== 'object' || key === null) throw new StoreError('invalid', `${what}: expected a throttle key`);
  const field = (name: keyof ThrottleKey): string => {
    const v = key[name];
    if (typeof v !== 'string' || v.length > 1024) throw new StoreError('invalid', `${what}: ${name} must be a string of at most 1024 characters`);
    return v;
  };
  return { realm: field('realm'), login: field('login'), source: field('source') };
}

export function throttleFailureArgs(key: ThrottleKey, now: number, resetAfter: number): ThrottleKey & { now: number; reset: number } {
  return { ...throttleArgs(key, 'recordThrottleFailure'), now: checkTimestamp(now, 'recordThrottleFailure: now'), reset: checkInt(resetAfter, 'recordThrottleFailure: resetAfter', 1) };
}

export interface ThrottleRow {
  failures: unknown;
  last_failure: unknown;
  refused: unknown;
}

export function rowToThrottle(row: ThrottleRow): ThrottleState {
  return { failures: Number(row.failures), lastFailure: Number(row.last_failure), refused: Number(row.refused) };
}

/** A NAS client's name as the config allows it. */
export function checkNasClient(client: unknown): string {
  if (typeof client !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/.test(client)) throw new StoreError('invalid', `NAS client: expected a client name, got ${JSON.stringify(client)}`);
  return client;
}

export function checkOwnerKey(resolver: unknown, userId: unknown): void {
  if (typeof resolver !== 'string' || typeof userId !== 'string') throw new StoreError('invalid', 'tokensOfUser: resolver and userId must be strings');
}

export function checkTransactionId(id: unknown): string {
  // Looked up as given: an id that cannot exist simply is not found.
  if (typeof id !== 'string') throw new StoreError('invalid', `transaction id: expected a string, got ${typeof id}`);
  return id;
}

const FILTER_KEYS = ['login', 'realm', 'resolver', 'userId', 'unassigned', 'serialPrefix', 'type', 'state', 'lastAuthBefore', 'lastAuthAfter', 'withinRealms', 'exceptRealm', 'after', 'limit'];
const FILTER_COLUMNS = { login: 'owner_login', realm: 'owner_realm', resolver: 'owner_resolver', userId: 'owner_user_id', type: 'type' } as const;
const STATES = {
  revoked: 'revoked = 1',
  locked: 'revoked = 0 AND locked = 1',
  disabled: 'revoked = 0 AND locked = 0 AND active = 0',
  pending: 'revoked = 0 AND locked = 0 AND active = 1 AND pending = 1',
  active: 'revoked = 0 AND locked = 0 AND active = 1 AND pending = 0',
} as const;

function filterString(v: unknown, key: string): string {
  if (typeof v !== 'string' || v.length > 1024) throw new StoreError('invalid', `listTokens: filter ${key} must be a string of at most 1024 characters`);
  return v;
}

/** The SELECT of a validated filter: tokens in byte order of their serials, at most `limit`. */
export function tokenListSql(filter: TokenFilter, d: Dialect): { text: string; params: Record<string, string | number> } {
  const { where, limit, params } = tokenFilterSql(filter, d);
  return { text: `SELECT * FROM tokens${where} ORDER BY ${d.binary('serial')}${limit}`, params };
}

/** How many tokens a validated filter matches (its `after` and `limit` included). */
export function tokenCountSql(filter: TokenFilter, d: Dialect): { text: string; params: Record<string, string | number> } {
  const { where, limit, params } = tokenFilterSql(filter, d);
  return { text: limit ? `SELECT count(*) AS n FROM (SELECT serial FROM tokens${where}${limit}) t` : `SELECT count(*) AS n FROM tokens${where}`, params };
}

function tokenFilterSql(filter: TokenFilter, d: Dialect): { where: string; limit: string; params: Record<string, string | number> } {
  if (typeof filter !== 'object' || filter === null) throw new StoreError('invalid', 'listTokens: filter must be an object');
  for (const k of Object.keys(filter)) {
    if (!FILTER_KEYS.includes(k)) throw new StoreError('invalid', `listTokens: unknown filter field '${k}', expected ${FILTER_KEYS.join(', ')}`);
  }
  const f = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)) as TokenFilter;
  const { p, params } = paramList(d);
  const conds: string[] = [];
  let owner = false;
  for (const [key, column] of Object.entries(FILTER_COLUMNS) as [keyof typeof FILTER_COLUMNS, string][]) {
    if (f[key] === undefined) continue;
    conds.push(`${column} = ${p(filterString(f[key], key))}`);
    if (key !== 'type') owner = true;
  }
  if (f.unassigned !== undefined && typeof f.unassigned !== 'boolean') throw new StoreError('invalid', 'listTokens: filter unassigned must be true or false');
  if (f.unassigned && owner) throw new StoreError('invalid', 'listTokens: unassigned cannot be combined with owner fields');
  if (f.unassigned) conds.push('owner_resolver IS NULL');
  if (f.serialPrefix !== undefined) {
    const prefix = filterString(f.serialPrefix, 'serialPrefix');
    conds.push(`substr(serial, 1, ${p(prefix.length, 'integer')}) = ${p(prefix)}`);
  }
  if (f.state !== undefined) {
    if (!(f.state in STATES)) throw new StoreError('invalid', `listTokens: filter state must be one of ${Object.keys(STATES).join(', ')}`);
    conds.push(`(${STATES[f.state]})`);
  }
  if (f.lastAuthBefore !== undefined) conds.push(`(last_auth IS NULL OR last_auth < ${p(checkTimestamp(f.lastAuthBefore, 'listTokens: lastAuthBefore'), 'bigint')})`);
  if (f.lastAuthAfter !== undefined) conds.push(`last_auth >= ${p(checkTimestamp(f.lastAuthAfter, 'listTokens: lastAuthAfter'), 'bigint')}`);
  if (f.withinRealms !== undefined) {
    if (!Array.isArray(f.withinRealms)) throw new StoreError('invalid', 'listTokens: filter withinRealms must be a list of realms');
    const realms = f.withinRealms.map((r) => p(filterString(r, 'withinRealms')));
    conds.push(realms.length === 0 ? 'owner_realm IS NULL' : `(owner_realm IS NULL OR owner_realm IN (${realms.join(', ')}))`);
  }
  if (f.exceptRealm !== undefined) conds.push(`(owner_realm IS NULL OR owner_realm <> ${p(filterString(f.exceptRealm, 'exceptRealm'))})`);
  if (f.after !== undefined) conds.push(`${d.binary('serial')} > ${p(filterString(f.after, 'after'))}`);
  let limit = '';
  if (f.limit !== undefined) limit = ` LIMIT ${checkInt(f.limit, 'listTokens: limit', 1, 10_000)}`;
  const where = conds.length ? ` WHERE ${conds.join(' AND ')}` : '';
  return { where, limit, params };
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
