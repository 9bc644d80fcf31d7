// The SQL both backends run, written once: the statements that carry a rule
// of the store (an accept is a compare-and-set on the counter, a failure
// locks at max fail, an import never moves a counter back, each token keeps
// its newest challenges) and those built from the column lists. A backend
// renders them in its dialect: how it writes a parameter, and its spelling
// of what SQLite and PostgreSQL say differently.

import { CHALLENGE_COLUMNS, PATCH_COLUMNS, TOKEN_COLUMNS, type ChallengeRow } from './rows.ts';
import { SEND_STATEMENTS } from './sends.ts';

/** The type PostgreSQL is told a parameter has where it cannot infer it. */
export type SqlType = 'bigint' | 'integer';

/** Writes the parameter `name` of the statement being rendered. */
export type Param = (name: string, type?: SqlType) => string;

export interface Dialect {
  /** The parameter `name` of a statement whose parameters are `names`, in order. */
  param(names: readonly string[], name: string, type?: SqlType): string;
  /** The larger of two values: SQLite's two-argument max(), PostgreSQL's GREATEST(). */
  greatest: string;
  /** created_seq of a new challenge: increasing in the order challenges are created. */
  challengeSeq: string;
  /** A text expression compared byte by byte (serials sort the same on both backends). */
  binary(expression: string): string;
}

/** A statement and the names of its parameters, in the order PostgreSQL numbers them. */
export interface Statement {
  readonly params: readonly string[];
  readonly text: (p: Param, d: Dialect) => string;
}

export function render(s: Statement, d: Dialect): string {
  return s.text((name, type) => d.param(s.params, name, type), d);
}

/**
 * The parameters p0, p1, ... of a query built piece by piece: `p` adds a
 * value and writes its parameter where it is called, which holds because an
 * added parameter never moves an earlier one.
 */
export function paramList(d: Dialect): { p: (value: string | number, type?: SqlType) => string; params: Record<string, string | number> } {
  const names: string[] = [];
  const params: Record<string, string | number> = {};
  const p = (value: string | number, type?: SqlType): string => {
    const name = `p${names.length}`;
    names.push(name);
    params[name] = value;
    return d.param(names, name, type);
  };
  return { p, params };
}

const CHALLENGE_TYPES: Partial<Record<keyof ChallengeRow, SqlType>> = { created_at: 'bigint', expires_at: 'bigint', attempts: 'integer', max_attempts: 'integer' };
const CHALLENGE_LIST = CHALLENGE_COLUMNS.join(', ');

/** Appended to an insert of whole tokens: an existing serial gets every column, except that its counter never moves back. */
export function upsertTokenSql(d: Dialect): string {
  const set = TOKEN_COLUMNS.filter((c) => c !== 'serial').map((c) => (c === 'counter' ? `counter = ${d.greatest}(t.counter, excluded.counter)` : `${c} = excluded.${c}`));
  return ` ON CONFLICT (serial) DO UPDATE SET ${set.join(', ')}`;
}

/** The SET of a failed attempt on the tokens aliased `t`: the attempt counts, and the token locks when its fail counter reaches max fail. */
export function recordFailureSet(now: string): string {
  return `fail_count = t.fail_count + 1, auth_count = t.auth_count + 1, last_fail = ${now}, locked = CASE WHEN t.fail_count + 1 >= t.max_fail THEN 1 ELSE t.locked END`;
}

/**
 * Which failures count, on the tokens aliased `t`: none once the token is
 * locked, so a burst of wrong OTPs stops at max fail however many arrive
 * together, and the answer to those past it is 'locked'.
 */
export const FAILURE_COUNTS = 't.locked = 0 AND t.fail_count < t.max_fail';

/**
 * A token may be used at `now`: active, verified (not pending), not revoked, not locked, under its
 * fail, auth and success limits, inside its validity period. The accept is
 * conditional on all of it in its one statement, so a lock or limit that
 * another request committed meanwhile is never read around.
 */
function usableAt(now: string): string {
  return (
    `active = 1 AND pending = 0 AND revoked = 0 AND locked = 0 AND fail_count < max_fail AND (max_auth IS NULL OR auth_count < max_auth) ` +
    `AND (max_success IS NULL OR success_count < max_success) AND (valid_from IS NULL OR valid_from <= ${now}) AND (valid_until IS NULL OR valid_until >= ${now})`
  );
}

const THROTTLE_KEY = ['realm', 'login', 'source'] as const;
const throttleWhere = (p: Param): string => `realm = ${p('realm')} AND login = ${p('login')} AND source = ${p('source')}`;

/** A new challenge; `merge` makes it an import that keeps the higher attempt count of one already there. */
export function insertChallengeSql(p: Param, d: Dialect, merge = false): string {
  const values = CHALLENGE_COLUMNS.map((c) => p(c, CHALLENGE_TYPES[c])).join(', ');
  const onConflict = merge ? ` ON CONFLICT (transaction_id) DO UPDATE SET attempts = ${d.greatest}(ch.attempts, excluded.attempts)` : '';
  return `INSERT INTO challenges AS ch (${CHALLENGE_LIST}, created_seq) VALUES (${values}, ${d.challengeSeq})${onConflict}`;
}

/** The shared statements, by the name a backend prepares each under. */
export const STATEMENTS = {
  insertToken: {
    params: TOKEN_COLUMNS,
    text: (p) => `INSERT INTO tokens AS t (${TOKEN_COLUMNS.join(', ')}) VALUES (${TOKEN_COLUMNS.map((c) => p(c)).join(', ')})`,
  },
  /** The accept: only while the stored counter is still <= matched and the token usable, one write moves it past matched and resets the failure state. */
  commitSuccess: {
    params: ['serial', 'matched', 'now', 'drift'],
    text: (p) =>
      `UPDATE tokens SET counter = ${p('matched', 'bigint')} + 1, drift = coalesce(${p('drift', 'integer')}, drift), fail_count = 0, ` +
      `success_count = success_count + 1, auth_count = auth_count + 1, last_auth = ${p('now', 'bigint')}, sync_counter = NULL, sync_at = NULL ` +
      `WHERE serial = ${p('serial')} AND counter <= ${p('matched', 'bigint')} AND ${usableAt(p('now', 'bigint'))}`,
  },
  /** A pending token's first right OTP: only while it is still pending and the counter has not passed `matched`. */
  verifyPending: {
    params: ['serial', 'matched', 'drift'],
    text: (p) =>
      `UPDATE tokens SET pending = 0, counter = ${p('matched', 'bigint')} + 1, drift = coalesce(${p('drift', 'integer')}, drift), fail_count = 0, sync_counter = NULL, sync_at = NULL ` +
      `WHERE serial = ${p('serial')} AND pending = 1 AND revoked = 0 AND counter <= ${p('matched', 'bigint')}`,
  },
  /** An e-mail or SMS token's next code: one step, only from where the caller read it. */
  advanceCounter: {
    params: ['serial', 'from'],
    text: (p) => `UPDATE tokens SET counter = counter + 1 WHERE serial = ${p('serial')} AND counter = ${p('from', 'bigint')}`,
  },
  setSyncState: {
    params: ['serial', 'counter', 'at'],
    text: (p) => `UPDATE tokens SET sync_counter = ${p('counter', 'bigint')}, sync_at = ${p('at', 'bigint')} WHERE serial = ${p('serial')}`,
  },
  patchToken: {
    params: ['serial', ...PATCH_COLUMNS],
    text: (p) => `UPDATE tokens SET ${PATCH_COLUMNS.map((c) => `${c} = ${p(c)}`).join(', ')} WHERE serial = ${p('serial')}`,
  },
  insertChallenge: { params: CHALLENGE_COLUMNS, text: (p, d) => insertChallengeSql(p, d) },
  mergeChallenge: { params: CHALLENGE_COLUMNS, text: (p, d) => insertChallengeSql(p, d, true) },
  getChallenge: { params: ['id'], text: (p) => `SELECT ${CHALLENGE_LIST} FROM challenges WHERE transaction_id = ${p('id')}` },
  /** A wrong answer counts only while the challenge is still open: never past max attempts. */
  challengeAttempt: {
    params: ['id'],
    text: (p) => `UPDATE challenges SET attempts = attempts + 1 WHERE transaction_id = ${p('id')} AND attempts < max_attempts RETURNING ${CHALLENGE_LIST}`,
  },
  deleteChallenge: { params: ['id'], text: (p) => `DELETE FROM challenges WHERE transaction_id = ${p('id')}` },
  /** The gate of a right answer: it takes the challenge only while attempts are left. */
  takeChallenge: { params: ['id'], text: (p) => `DELETE FROM challenges WHERE transaction_id = ${p('id')} AND attempts < max_attempts` },
  challengesOfUser: {
    params: ['resolver', 'userId'],
    text: (p) => `SELECT ${CHALLENGE_LIST} FROM challenges WHERE resolver = ${p('resolver')} AND user_id = ${p('userId')} ORDER BY created_at DESC, created_seq DESC`,
  },
  listChallenges: { params: [], text: () => `SELECT ${CHALLENGE_LIST} FROM challenges ORDER BY created_at, created_seq` },
  /** A challenge is expired once now > expiresAt: expiresAt is its last valid second. */
  purgeExpired: { params: ['now'], text: (p) => `DELETE FROM challenges WHERE expires_at < ${p('now', 'bigint')}` },
  /** Each token keeps its `cap` newest open challenges; a challenge goes once any of its tokens has more. */
  purgeOverCap: {
    params: ['cap'],
    text: (p) =>
      'DELETE FROM challenges WHERE transaction_id IN (SELECT transaction_id FROM (' +
      'SELECT ct.transaction_id, row_number() OVER (PARTITION BY ct.serial ORDER BY c.created_at DESC, c.created_seq DESC) AS rn ' +
      `FROM challenge_tokens ct JOIN challenges c ON c.transaction_id = ct.transaction_id) ranked WHERE rn > ${p('cap', 'integer')})`,
  },
  getThrottle: { params: THROTTLE_KEY, text: (p) => `SELECT failures, last_failure, refused FROM throttle WHERE ${throttleWhere(p)}` },
  /** One more wrong first factor; the count starts over when the last one is `reset` seconds old. */
  throttleFailure: {
    params: [...THROTTLE_KEY, 'now', 'reset'],
    text: (p) =>
      `INSERT INTO throttle AS th (realm, login, source, failures, last_failure, refused) VALUES (${p('realm')}, ${p('login')}, ${p('source')}, 1, ${p('now', 'bigint')}, 0) ` +
      `ON CONFLICT (realm, login, source) DO UPDATE SET failures = CASE WHEN excluded.last_failure - th.last_failure >= ${p('reset', 'bigint')} THEN 1 ELSE th.failures + 1 END, ` +
      'last_failure = excluded.last_failure RETURNING failures, last_failure, refused',
  },
  throttleRefusal: { params: THROTTLE_KEY, text: (p) => `UPDATE throttle SET refused = refused + 1 WHERE ${throttleWhere(p)}` },
  clearThrottle: { params: THROTTLE_KEY, text: (p) => `DELETE FROM throttle WHERE ${throttleWhere(p)}` },
  clearUserThrottles: { params: ['realm', 'login'], text: (p) => `DELETE FROM throttle WHERE realm = ${p('realm')} AND login = ${p('login')}` },
  purgeThrottles: { params: ['before'], text: (p) => `DELETE FROM throttle WHERE last_failure < ${p('before', 'bigint')}` },
  learnedNasClients: { params: [], text: () => 'SELECT client FROM nas_learned ORDER BY client' },
  learnNasClient: {
    params: ['client', 'now'],
    text: (p) => `INSERT INTO nas_learned (client, learned_at) VALUES (${p('client')}, ${p('now', 'bigint')}) ON CONFLICT (client) DO NOTHING`,
  },
  /** Rows whose info may hold a secret still in clear (written before it was sealed). */
  plainInfoSecrets: { params: [], text: () => `SELECT serial, info FROM tokens WHERE info LIKE '%"ocraPinHash":"%' AND info NOT LIKE '%"ocraPinHash":"v1:%'` },
  /** Info rewritten only if nobody changed it since it was read. */
  replaceInfo: { params: ['serial', 'old', 'info'], text: (p) => `UPDATE tokens SET info = ${p('info')} WHERE serial = ${p('serial')} AND info = ${p('old')}` },
  ...SEND_STATEMENTS,
  readKeyCheck: { params: [], text: () => "SELECT value FROM store_meta WHERE name = 'key_check'" },
  /** The first store to open a database ties it to its keys; later ones leave the value as it is. */
  insertKeyCheck: {
    params: ['value'],
    text: (p) => `INSERT INTO store_meta (name, value) VALUES ('key_check', ${p('value')}) ON CONFLICT (name) DO NOTHING`,
  },
} satisfies Record<string, Statement>;

export type StatementName = keyof typeof STATEMENTS;
