// Rows <-> objects. Reading checks every column's type: a NULL or a string
// where an integer belongs (a hand-edited row, a bad import, a foreign
// tool) throws naming the serial and column instead of leaking a wrong type
// into authentication.

import { StoreError } from './errors.ts';
import { decryptSeed, encryptSeed, openInfo, sealInfo } from './seed-crypto.ts';
import type { FailedToken } from './types.ts';
import type { Challenge } from '../model/challenge.ts';
import type { Token, TokenPatch } from '../model/token.ts';
import { applyPatch, checkChallenge, checkToken } from './validate.ts';

/** Named parameters for a full token row; keys are column names. */
export interface TokenRow {
  serial: string;
  type: string;
  seed: string;
  otp_length: number;
  algorithm: string;
  time_step: number;
  counter: number;
  drift: number;
  check_window: number;
  sync_window: number;
  pin_hash: string | null;
  owner_realm: string | null;
  owner_resolver: string | null;
  owner_user_id: string | null;
  owner_login: string | null;
  active: number;
  revoked: number;
  locked: number;
  fail_count: number;
  max_fail: number;
  auth_count: number;
  max_auth: number | null;
  success_count: number;
  max_success: number | null;
  valid_from: number | null;
  valid_until: number | null;
  last_auth: number | null;
  last_fail: number | null;
  sync_counter: number | null;
  sync_at: number | null;
  description: string;
  info: string;
  created_at: number;
  pending: number;
}

export const TOKEN_COLUMNS: readonly (keyof TokenRow)[] = [
  'serial',
  'type',
  'seed',
  'otp_length',
  'algorithm',
  'time_step',
  'counter',
  'drift',
  'check_window',
  'sync_window',
  'pin_hash',
  'owner_realm',
  'owner_resolver',
  'owner_user_id',
  'owner_login',
  'active',
  'revoked',
  'locked',
  'fail_count',
  'max_fail',
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
  'description',
  'info',
  'created_at',
  'pending',
];

/** The columns an administrative patch (updateToken) may change; the rest only the store's own rules write. */
export const PATCH_COLUMNS = [
  'pin_hash',
  'owner_realm',
  'owner_resolver',
  'owner_user_id',
  'owner_login',
  'active',
  'revoked',
  'locked',
  'fail_count',
  'max_fail',
  'description',
  'info',
  'check_window',
  'sync_window',
  'max_auth',
  'max_success',
  'valid_from',
  'valid_until',
  'otp_length',
  'pending',
] as const satisfies readonly (keyof TokenRow)[];

/** `seedKey` null leaves the seed column empty, for writes that do not touch it. */
export function tokenToRow(t: Token, seedKey: Buffer | null): TokenRow {
  return {
    serial: t.serial,
    type: t.type,
    seed: seedKey ? encryptSeed(t.seed, t.serial, seedKey) : '',
    otp_length: t.otpLength,
    algorithm: t.algorithm,
    time_step: t.timeStep,
    counter: t.counter,
    drift: t.drift,
    check_window: t.window,
    sync_window: t.syncWindow,
    pin_hash: t.pinHash,
    owner_realm: t.owner?.realm ?? null,
    owner_resolver: t.owner?.resolver ?? null,
    owner_user_id: t.owner?.userId ?? null,
    owner_login: t.owner?.login ?? null,
    active: t.active ? 1 : 0,
    revoked: t.revoked ? 1 : 0,
    locked: t.locked ? 1 : 0,
    fail_count: t.failCount,
    max_fail: t.maxFail,
    auth_count: t.authCount,
    max_auth: t.maxAuth,
    success_count: t.successCount,
    max_success: t.maxSuccess,
    valid_from: t.validFrom,
    valid_until: t.validUntil,
    last_auth: t.lastAuth,
    last_fail: t.lastFail,
    sync_counter: t.syncCounter,
    sync_at: t.syncAt,
    description: t.description,
    // Without the key (a patch), info is written as it was read: its secret values stay sealed.
    info: JSON.stringify(seedKey ? sealInfo(t.info, t.serial, seedKey) : t.info),
    created_at: t.createdAt,
    pending: t.pending ? 1 : 0,
  };
}

type Kind = 'int' | 'int?' | 'text' | 'text?' | 'bool';

class RowReader {
  readonly row: Record<string, unknown>;
  readonly where: string;

  constructor(row: unknown, where: string) {
    if (typeof row !== 'object' || row === null) throw new StoreError('corrupt', `${where}: not a row`);
    this.row = row as Record<string, unknown>;
    this.where = where;
  }

  get(column: string, kind: 'int'): number;
  get(column: string, kind: 'int?'): number | null;
  get(column: string, kind: 'text'): string;
  get(column: string, kind: 'text?'): string | null;
  get(column: string, kind: 'bool'): boolean;
  get(column: string, kind: Kind): number | string | boolean | null {
    const v = this.row[column];
    // Called for every column of every row read: nothing is allocated unless the value is wrong.
    if (v === null && (kind === 'int?' || kind === 'text?')) return null;
    if (kind === 'int' || kind === 'int?') {
      if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
    } else if (kind === 'text' || kind === 'text?') {
      if (typeof v === 'string') return v;
    } else if (v === 0 || v === 1) {
      return v === 1;
    }
    const nullable = kind.endsWith('?');
    const base = kind.replace('?', '');
    const expected = { int: 'an integer', text: 'text', bool: '0 or 1' }[base as 'int' | 'text' | 'bool'] + (nullable ? ' or NULL' : '');
    const got = v === null ? 'NULL' : v === undefined ? 'no such column' : `${typeof v} ${JSON.stringify(v)}`.slice(0, 60);
    throw new StoreError('corrupt', `${this.where}: column ${column}: expected ${expected}, got ${got}`);
  }

  json(column: string): unknown {
    const text = this.get(column, 'text');
    try {
      return JSON.parse(text);
    } catch {
      throw new StoreError('corrupt', `${this.where}: column ${column}: not valid JSON`);
    }
  }
}

/** Range checks on a stored row report as corruption: the data, not the caller, is wrong. */
function asCorrupt<T>(where: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof StoreError && err.code === 'invalid') throw new StoreError('corrupt', `${where}: stored value out of range: ${err.message}`);
    throw err;
  }
}

/** The columns `recordFailure` returns, checked like a whole row. */
export const FAILED_TOKEN_COLUMNS = 'serial, fail_count, max_fail, locked, last_fail, auth_count';

/** A reader whose messages name the token row by its serial. */
function tokenRowReader(raw: unknown): RowReader {
  const serial = (raw as Record<string, unknown> | null)?.serial;
  return new RowReader(raw, `token ${typeof serial === 'string' ? serial : '(no serial)'}`);
}

export function rowToFailedToken(raw: unknown): FailedToken {
  const r = tokenRowReader(raw);
  return {
    serial: r.get('serial', 'text'),
    failCount: r.get('fail_count', 'int'),
    maxFail: r.get('max_fail', 'int'),
    locked: r.get('locked', 'bool'),
    lastFail: r.get('last_fail', 'int?'),
    authCount: r.get('auth_count', 'int'),
  };
}

/** Token info as stored; with the key its sealed values opened (checkToken checks its shape afterwards). */
function readInfo(info: unknown, serial: string, seedKey: Buffer | null): Record<string, string> {
  if (!seedKey || typeof info !== 'object' || info === null || Array.isArray(info)) return info as Record<string, string>;
  return openInfo(info as Record<string, string>, serial, seedKey);
}

/** A placeholder when the caller asked not to decrypt (an administrative patch must work even if the seed does not decrypt). */
const UNREAD_SEED = Buffer.from([0]);

/** The seed decrypted with the key; without one, the column is still checked to be text. */
function readSeed(r: RowReader, seedKey: Buffer | null): Buffer {
  const sealed = r.get('seed', 'text');
  return seedKey ? decryptSeed(sealed, r.get('serial', 'text'), seedKey) : UNREAD_SEED;
}

export function rowToToken(raw: unknown, seedKey: Buffer | null): Token {
  const r = tokenRowReader(raw);
  r.get('serial', 'text');
  const realm = r.get('owner_realm', 'text?');
  const resolver = r.get('owner_resolver', 'text?');
  const userId = r.get('owner_user_id', 'text?');
  const login = r.get('owner_login', 'text?');
  let owner: Token['owner'] = null;
  if (realm !== null && resolver !== null && userId !== null && login !== null) owner = { realm, resolver, userId, login };
  else if (realm !== null || resolver !== null || userId !== null || login !== null) throw new StoreError('corrupt', `${r.where}: owner columns are partly NULL`);
  const token = {
    serial: r.get('serial', 'text'),
    type: r.get('type', 'text') as Token['type'],
    seed: readSeed(r, seedKey),
    otpLength: r.get('otp_length', 'int'),
    algorithm: r.get('algorithm', 'text') as Token['algorithm'],
    timeStep: r.get('time_step', 'int'),
    counter: r.get('counter', 'int'),
    drift: r.get('drift', 'int'),
    window: r.get('check_window', 'int'),
    syncWindow: r.get('sync_window', 'int'),
    pinHash: r.get('pin_hash', 'text?'),
    owner,
    active: r.get('active', 'bool'),
    pending: r.get('pending', 'bool'),
    revoked: r.get('revoked', 'bool'),
    locked: r.get('locked', 'bool'),
    failCount: r.get('fail_count', 'int'),
    maxFail: r.get('max_fail', 'int'),
    authCount: r.get('auth_count', 'int'),
    maxAuth: r.get('max_auth', 'int?'),
    successCount: r.get('success_count', 'int'),
    maxSuccess: r.get('max_success', 'int?'),
    validFrom: r.get('valid_from', 'int?'),
    validUntil: r.get('valid_until', 'int?'),
    lastAuth: r.get('last_auth', 'int?'),
    lastFail: r.get('last_fail', 'int?'),
    syncCounter: r.get('sync_counter', 'int?'),
    syncAt: r.get('sync_at', 'int?'),
    description: r.get('description', 'text'),
    info: readInfo(r.json('info'), r.get('serial', 'text'), seedKey),
    createdAt: r.get('created_at', 'int'),
  };
  return asCorrupt(r.where, () => checkToken(token));
}

/**
 * updateToken's read-patch-write on both backends: the stored row with the
 * patch applied and checked as a whole. The seed is neither read nor
 * written, so a token whose seed no longer decrypts can still be disabled.
 */
export function patchedRow(raw: unknown, patch: TokenPatch): TokenRow {
  return tokenToRow(applyPatch(rowToToken(raw, null), patch), null);
}

export interface ChallengeRow {
  transaction_id: string;
  serials: string;
  realm: string;
  resolver: string;
  user_id: string;
  login: string;
  data: string;
  created_at: number;
  expires_at: number;
  attempts: number;
  max_attempts: number;
}

export const CHALLENGE_COLUMNS: readonly (keyof ChallengeRow)[] = [
  'transaction_id',
  'serials',
  'realm',
  'resolver',
  'user_id',
  'login',
  'data',
  'created_at',
  'expires_at',
  'attempts',
  'max_attempts',
];

export function challengeToRow(c: Challenge): ChallengeRow {
  return {
    transaction_id: c.transactionId,
    serials: JSON.stringify(c.serials),
    realm: c.realm,
    resolver: c.resolver,
    user_id: c.userId,
    login: c.login,
    data: c.data,
    created_at: c.createdAt,
    expires_at: c.expiresAt,
    attempts: c.attempts,
    max_attempts: c.maxAttempts,
  };
}

export function rowToChallenge(raw: unknown): Challenge {
  const id = (raw as Record<string, unknown> | null)?.transaction_id;
  const r = new RowReader(raw, `challenge ${typeof id === 'string' ? id : '(no transaction id)'}`);
  const challenge = {
    transactionId: r.get('transaction_id', 'text'),
    serials: r.json('serials') as string[],
    realm: r.get('realm', 'text'),
    resolver: r.get('resolver', 'text'),
    userId: r.get('user_id', 'text'),
    login: r.get('login', 'text'),
    data: r.get('data', 'text'),
    createdAt: r.get('created_at', 'int'),
    expiresAt: r.get('expires_at', 'int'),
    attempts: r.get('attempts', 'int'),
    maxAttempts: r.get('max_attempts', 'int'),
  };
  return asCorrupt(r.where, () => checkChallenge(challenge));
}
