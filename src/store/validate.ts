// Checks at the store's boundary: what callers hand in is validated before
// it reaches SQL, with messages that name the token and field. Timestamps
// are unix seconds; fractional values (Date.now() / 1000) are floored, since
// the schema keeps whole seconds. Drift is rounded to whole seconds.

import { StoreError } from './errors.ts';
import type { Challenge } from '../model/challenge.ts';
import { HASH_ALGORITHMS, TOKEN_TYPES, type NewToken, type Token, type TokenOwner, type TokenPatch } from '../model/token.ts';

const SERIAL_RE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]{1,128}$/u;
const TRANSACTION_ID_RE = /^[A-Za-z0-9._-]{8,128}$/;
const MAX_SEED_BYTES = 1024;
const MAX_TEXT = 10_000;
const MAX_NAME = 512;
const MAX_COUNT = 1_000_000;

const NEW_TOKEN_KEYS = new Set([
  'serial',
  'type',
  'seed',
  'otpLength',
  'algorithm',
  'timeStep',
  'window',
  'syncWindow',
  'maxFail',
  'counter',
  'drift',
  'pinHash',
  'owner',
  'active',
  'pending',
  'description',
  'info',
  'maxAuth',
  'maxSuccess',
  'validFrom',
  'validUntil',
  'failCount',
]);
const PATCH_KEYS = new Set([
  'pinHash',
  'owner',
  'active',
  'pending',
  'revoked',
  'locked',
  'failCount',
  'maxFail',
  'description',
  'info',
  'window',
  'syncWindow',
  'maxAuth',
  'maxSuccess',
  'validFrom',
  'validUntil',
  'otpLength',
]);

function invalid(what: string, msg: string): never {
  throw new StoreError('invalid', `${what}: ${msg}`);
}

function show(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return Array.isArray(v) ? 'an array' : `a ${typeof v}`;
}

export function checkSerial(v: unknown, what = 'serial'): string {
  if (typeof v !== 'string' || !SERIAL_RE.test(v)) invalid(what, `expected 1..128 printable characters without spaces, got ${show(v)}`);
  return v;
}

export function checkInt(v: unknown, what: string, min: number, max: number = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) invalid(what, `expected an integer ${min}..${max}, got ${show(v)}`);
  return v;
}

export function checkTimestamp(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1e13) invalid(what, `expected unix seconds, got ${show(v)}`);
  return Math.floor(v);
}

export function checkDrift(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > 1e9) invalid(what, `expected seconds (a finite number), got ${show(v)}`);
  return Math.round(v);
}

function checkBool(v: unknown, what: string): boolean {
  if (typeof v !== 'boolean') invalid(what, `expected true or false, got ${show(v)}`);
  return v;
}

function checkString(v: unknown, what: string, opts: { nonEmpty?: boolean; max?: number } = {}): string {
  const max = opts.max ?? MAX_TEXT;
  if (typeof v !== 'string') invalid(what, `expected a string, got ${show(v)}`);
  if (opts.nonEmpty && v.length === 0) invalid(what, 'must not be empty');
  if (v.length > max) invalid(what, `longer than ${max} characters`);
  return v;
}

function checkOneOf<T extends string>(v: unknown, what: string, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) invalid(what, `expected one of ${allowed.join(', ')}, got ${show(v)}`);
  return v as T;
}

function checkOwner(v: unknown, what: string): TokenOwner {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) invalid(what, `expected { realm, resolver, userId, login } or null, got ${show(v)}`);
  const o = v as Record<string, unknown>;
  return named(`${what}.`, () => ({
    realm: checkString(o.realm, 'realm', NAME_TEXT),
    resolver: checkString(o.resolver, 'resolver', NAME_TEXT),
    userId: checkString(o.userId, 'userId', NAME_TEXT),
    login: checkString(o.login, 'login', NAME_TEXT),
  }));
}

const NAME_TEXT = { nonEmpty: true, max: MAX_NAME } as const;
const NAME_LIMIT = { max: MAX_NAME } as const;

/**
 * Runs checks that name fields only, and puts `prefix` before the field of
 * a failure, so that a token read, which checks every field, builds the
 * "token SERIAL: field" text only when a check fails.
 */
function named<T>(prefix: string, check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof StoreError && err.code === 'invalid') throw new StoreError('invalid', `${prefix}${err.message}`);
    throw err;
  }
}

export function checkInfo(v: unknown, what: string): Record<string, string> {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || Buffer.isBuffer(v)) invalid(what, `expected an object of strings, got ${show(v)}`);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (k.length === 0 || k.length > 256) invalid(what, `key ${show(k)}: expected 1..256 characters`);
    out[k] = checkString(val, `${what}.${k}`);
  }
  return out;
}

function checkPinHash(v: unknown, what: string): string {
  const s = checkString(v, what, { max: 1024 });
  if (s.length === 0) invalid(what, 'empty: use null for a token without a PIN hash');
  return s;
}

function checkSeed(v: unknown, what: string): Buffer {
  if (!Buffer.isBuffer(v)) invalid(what, `expected a Buffer, got ${show(v)}`);
  if (v.length === 0 || v.length > MAX_SEED_BYTES) invalid(what, `expected 1..${MAX_SEED_BYTES} bytes, got ${v.length}`);
  return v;
}

function checkKeys(obj: object, allowed: Set<string>, what: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.has(k)) invalid(what, `unknown or read-only field '${k}'`);
  }
}

/** Validates every field of a token and returns it normalised (timestamps floored, drift rounded). */
export function checkToken(t: Token): Token {
  const serial = checkSerial(t.serial);
  return named(`token ${serial}: `, () => ({
    serial,
    type: checkOneOf(t.type, 'type', TOKEN_TYPES),
    seed: checkSeed(t.seed, 'seed'),
    otpLength: checkInt(t.otpLength, 'otpLength', 4, 10),
    algorithm: checkOneOf(t.algorithm, 'algorithm', HASH_ALGORITHMS),
    timeStep: checkInt(t.timeStep, 'timeStep', 1, 86_400),
    counter: checkInt(t.counter, 'counter', 0),
    drift: checkDrift(t.drift, 'drift'),
    window: checkInt(t.window, 'window', 0, MAX_COUNT),
    syncWindow: checkInt(t.syncWindow, 'syncWindow', 0, MAX_COUNT),
    pinHash: t.pinHash === null ? null : checkPinHash(t.pinHash, 'pinHash'),
    owner: t.owner === null ? null : checkOwner(t.owner, 'owner'),
    active: checkBool(t.active, 'active'),
    pending: checkBool(t.pending, 'pending'),
    revoked: checkBool(t.revoked, 'revoked'),
    locked: checkBool(t.locked, 'locked'),
    failCount: checkInt(t.failCount, 'failCount', 0),
    maxFail: checkInt(t.maxFail, 'maxFail', 1, MAX_COUNT),
    authCount: checkInt(t.authCount, 'authCount', 0),
    maxAuth: t.maxAuth === null ? null : checkInt(t.maxAuth, 'maxAuth', 0),
    successCount: checkInt(t.successCount, 'successCount', 0),
    maxSuccess: t.maxSuccess === null ? null : checkInt(t.maxSuccess, 'maxSuccess', 0),
    validFrom: t.validFrom === null ? null : checkTimestamp(t.validFrom, 'validFrom'),
    validUntil: t.validUntil === null ? null : checkTimestamp(t.validUntil, 'validUntil'),
    lastAuth: t.lastAuth === null ? null : checkTimestamp(t.lastAuth, 'lastAuth'),
    lastFail: t.lastFail === null ? null : checkTimestamp(t.lastFail, 'lastFail'),
    syncCounter: t.syncCounter === null ? null : checkInt(t.syncCounter, 'syncCounter', 0),
    syncAt: t.syncAt === null ? null : checkTimestamp(t.syncAt, 'syncAt'),
    description: checkString(t.description, 'description'),
    info: checkInfo(t.info, 'info'),
    createdAt: checkTimestamp(t.createdAt, 'createdAt'),
  }));
}

/** A complete token from what a caller gives to create one. */
export function tokenFromNew(t: NewToken, now: number): Token {
  if (typeof t !== 'object' || t === null) invalid('createToken', `expected a token object, got ${show(t)}`);
  checkKeys(t, NEW_TOKEN_KEYS, `token ${typeof t.serial === 'string' ? t.serial : show(t.serial)}`);
  return checkToken({
    counter: 0,
    drift: 0,
    pinHash: null,
    owner: null,
    active: true,
    pending: false,
    description: '',
    info: {},
    maxAuth: null,
    maxSuccess: null,
    validFrom: null,
    validUntil: null,
    failCount: 0,
    ...definedOnly(t),
    revoked: false,
    locked: false,
    authCount: 0,
    successCount: 0,
    lastAuth: null,
    lastFail: null,
    syncCounter: null,
    syncAt: null,
    createdAt: checkTimestamp(now, 'createToken: now'),
  } as Token);
}

/** The token after a patch, validated as a whole. */
export function applyPatch(token: Token, patch: TokenPatch): Token {
  if (typeof patch !== 'object' || patch === null) invalid(`token ${token.serial}`, `expected a patch object, got ${show(patch)}`);
  checkKeys(patch, PATCH_KEYS, `token ${token.serial}`);
  return checkToken({ ...token, ...definedOnly(patch) });
}

/** An explicit `undefined` means "not given", as it does for an optional field everywhere else. */
function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function checkChallenge(c: Challenge): Challenge {
  if (typeof c !== 'object' || c === null) invalid('challenge', `expected a challenge object, got ${show(c)}`);
  if (typeof c.transactionId !== 'string' || !TRANSACTION_ID_RE.test(c.transactionId)) {
    invalid('challenge transactionId', `expected 8..128 characters of [A-Za-z0-9._-], got ${show(c.transactionId)}`);
  }
  return named(`challenge ${c.transactionId}: `, () => {
    if (!Array.isArray(c.serials) || c.serials.length === 0) invalid('serials', `expected a non-empty array of serials, got ${show(c.serials)}`);
    const serials = c.serials.map((s, i) => checkSerial(s, `serials[${i}]`));
    if (new Set(serials).size !== serials.length) invalid('serials', 'contains a serial twice');
    const createdAt = checkTimestamp(c.createdAt, 'createdAt');
    const expiresAt = checkTimestamp(c.expiresAt, 'expiresAt');
    if (expiresAt < createdAt) invalid('expiresAt', `before createdAt (${expiresAt} < ${createdAt})`);
    return {
      transactionId: c.transactionId,
      serials,
      realm: checkString(c.realm, 'realm', NAME_LIMIT),
      resolver: checkString(c.resolver, 'resolver', NAME_LIMIT),
      userId: checkString(c.userId, 'userId', NAME_LIMIT),
      login: checkString(c.login, 'login', NAME_LIMIT),
      data: checkString(c.data, 'data'),
      createdAt,
      expiresAt,
      attempts: checkInt(c.attempts, 'attempts', 0, MAX_COUNT),
      maxAttempts: checkInt(c.maxAttempts, 'maxAttempts', 1, MAX_COUNT),
    };
  });
}
