// The PostgreSQL TokenStore: one database shared by several otp-radius
// servers. Every state change the authentication rules depend on is a single
// statement that checks and writes at once (counter compare-and-set, fail
// counter increment with lock, challenge attempt), or a transaction holding
// row locks, never a read followed by a separate write, so two servers
// racing on the same OTP accept it once.
//
// Failure handling: a query on a lost connection rejects (StoreError
// 'unavailable') and the caller fails closed; the pool drops that connection
// and opens a new one on the next request, so after a failover the servers
// recover by themselves. Connect and statement timeouts keep a dead or
// hanging database from holding requests for long.

import pg from 'pg';
import { StoreError } from '../errors.ts';
import { loadKeys, newKeyCheck, verifyKeyCheck } from '../key-check.ts';
import type { StoreKeys } from '../keyfile.ts';
import { DEFAULT_PIN_PARAMS, pinHasher, type PinHasher, type ScryptParams } from '../pin-hash.ts';
import { exportTokenBatches, importTokenBatches } from './bulk.ts';
import { checkUrl, clientConfig, connectAdmin, describePostgresUrl, POSTGRES_DEFAULTS, type PostgresStoreOptions } from './connect.ts';
import { isUniqueViolation, translatePgError } from './errors.ts';
import { migratePostgres } from './schema.ts';
import { checkBatchSize, checkTransactionId, filterConditions, uniqueSerials } from '../query-args.ts';
import { challengeToRow, FAILED_TOKEN_COLUMNS, rowToChallenge, rowToFailedToken, rowToToken, TOKEN_COLUMNS, tokenToRow } from '../rows.ts';
import type { FailedToken, ImportOptions, ImportResult, TokenFilter, TokenStore } from '../types.ts';
import type { Challenge } from '../../model/challenge.ts';
import type { NewToken, Token, TokenPatch } from '../../model/token.ts';
import { applyPatch, checkChallenge, checkDrift, checkInt, checkSerial, checkTimestamp, tokenFromNew } from '../validate.ts';

export async function openPostgresStore(opts: PostgresStoreOptions): Promise<PostgresTokenStore> {
  const url = checkUrl(opts.url);
  const where = describePostgresUrl(url);
  const max = checkInt(opts.pool?.max ?? POSTGRES_DEFAULTS.max, 'postgres pool.max', 1, 1000);
  const idle = checkInt(opts.pool?.idleTimeoutMs ?? POSTGRES_DEFAULTS.idleTimeoutMs, 'postgres pool.idleTimeoutMs', 0, 86_400_000);
  checkInt(opts.pool?.connectionTimeoutMs ?? POSTGRES_DEFAULTS.connectionTimeoutMs, 'postgres pool.connectionTimeoutMs', 1, 600_000);
  checkInt(opts.statementTimeoutMs ?? POSTGRES_DEFAULTS.statementTimeoutMs, 'postgres statementTimeoutMs', 0, 3_600_000);
  if ((opts.keyFile === undefined) === (opts.keys === undefined)) throw new StoreError('invalid', 'openPostgresStore: give exactly one of keyFile and keys');

  const admin = await connectAdmin(opts, where, 'connect');
  let keys: StoreKeys;
  try {
    await migratePostgres(admin, where);
    const read = async () => (await admin.query<{ value: string }>("SELECT value FROM store_meta WHERE name = 'key_check'")).rows[0]?.value;
    keys = loadKeys(opts, (await read()) !== undefined, where, 'openPostgresStore');
    await admin.query("INSERT INTO store_meta (name, value) VALUES ('key_check', $1) ON CONFLICT (name) DO NOTHING", [newKeyCheck(keys)]);
    verifyKeyCheck((await read())!, keys, where, opts.keyFile, ': every server sharing the database needs a copy of the same key file');
  } catch (err) {
    throw translatePgError(err, where, 'open');
  } finally {
    await admin.end().catch(() => undefined);
  }
  const pool = new pg.Pool({ ...clientConfig(opts, true), max, idleTimeoutMillis: idle });
  return new PostgresTokenStore(pool, keys, opts, opts.pinParams ?? DEFAULT_PIN_PARAMS);
}

const PATCH_COLUMNS = [
  'pin_hash', 'owner_realm', 'owner_resolver', 'owner_user_id', 'owner_login', 'active', 'revoked', 'locked', 'fail_count',
  'max_fail', 'description', 'info', 'check_window', 'sync_window', 'max_auth', 'max_success', 'valid_from', 'valid_until', 'otp_length',
] as const;

const CHALLENGE_COLUMNS = 'transaction_id, serials, realm, resolver, user_id, login, data, created_at, expires_at, attempts, max_attempts';

/** Advisory lock key serialising challenge purges across servers: "otpchpur". */
const PURGE_LOCK_KEY = '8031167607764710770';

// Named statements are prepared once per connection. Several-token updates
// lock their rows in serial order first, so two of them cannot deadlock.
const SQL = {
  insertToken: `INSERT INTO tokens (${TOKEN_COLUMNS.join(', ')}) VALUES (${TOKEN_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`,
  getToken: 'SELECT * FROM tokens WHERE serial = $1',
  tokensOfUser: 'SELECT * FROM tokens WHERE owner_resolver = $1 AND owner_user_id = $2 ORDER BY serial COLLATE "C"',
  lockToken: 'SELECT * FROM tokens WHERE serial = $1 FOR UPDATE',
  patchToken: `UPDATE tokens SET ${PATCH_COLUMNS.map((c, i) => `${c} = $${i + 2}`).join(', ')} WHERE serial = $1`,
  deleteToken: 'DELETE FROM tokens WHERE serial = $1',
  commitSuccess:
    'UPDATE tokens SET counter = $2::bigint + 1, drift = coalesce($4::integer, drift), fail_count = 0, success_count = success_count + 1, auth_count = auth_count + 1, ' +
    'last_auth = $3::bigint, sync_counter = NULL, sync_at = NULL WHERE serial = $1 AND counter <= $2::bigint',
  recordFailure:
    'WITH target AS (SELECT serial FROM tokens WHERE serial = ANY($1::text[]) ORDER BY serial FOR UPDATE) ' +
    'UPDATE tokens t SET fail_count = t.fail_count + 1, auth_count = t.auth_count + 1, last_fail = $2::bigint, ' +
    'locked = CASE WHEN t.fail_count + 1 >= t.max_fail THEN 1 ELSE t.locked END FROM target WHERE t.serial = target.serial ' +
    `RETURNING ${FAILED_TOKEN_COLUMNS.split(', ').map((c) => `t.${c}`).join(', ')}`,
  setSyncState: 'UPDATE tokens SET sync_counter = $2::bigint, sync_at = $3::bigint WHERE serial = $1',
  // The challenge and its token links in one statement. created_seq orders
  // challenges of the same second; the database's clock is the one all servers share.
  insertChallenge:
    `WITH c AS (INSERT INTO challenges (${CHALLENGE_COLUMNS}, created_seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::bigint, $9::bigint, $10::integer, $11::integer, ` +
    '(extract(epoch FROM clock_timestamp()) * 1000000)::bigint) RETURNING transaction_id) ' +
    'INSERT INTO challenge_tokens (transaction_id, serial) SELECT c.transaction_id, s FROM c, unnest($12::text[]) AS s',
  getChallenge: `SELECT ${CHALLENGE_COLUMNS} FROM challenges WHERE transaction_id = $1`,
  challengeAttempt: `UPDATE challenges SET attempts = attempts + 1 WHERE transaction_id = $1 RETURNING ${CHALLENGE_COLUMNS}`,
  deleteChallenge: 'DELETE FROM challenges WHERE transaction_id = $1',
  purgeExpired: 'DELETE FROM challenges WHERE expires_at < $1::bigint',
  purgeOverCap:
    'DELETE FROM challenges WHERE transaction_id IN (SELECT transaction_id FROM (' +
    'SELECT ct.transaction_id, row_number() OVER (PARTITION BY ct.serial ORDER BY c.created_at DESC, c.created_seq DESC) AS rn ' +
    'FROM challenge_tokens ct JOIN challenges c ON c.transaction_id = ct.transaction_id) ranked WHERE rn > $1::integer)',
  listChallenges: `SELECT ${CHALLENGE_COLUMNS} FROM challenges ORDER BY created_at, created_seq`,
  ping: 'SELECT 1 AS one',
} as const;

type Named = keyof typeof SQL;

export class PostgresTokenStore implements TokenStore {
  readonly description: string;
  readonly pins: PinHasher;
  readonly #pool: pg.Pool;
  readonly #seedKey: Buffer;
  readonly #opts: PostgresStoreOptions;
  #closed = false;

  /** Use openPostgresStore; this takes a pool on a database that is already migrated and checked. */
  constructor(pool: pg.Pool, keys: StoreKeys, opts: PostgresStoreOptions, pinParams: ScryptParams = DEFAULT_PIN_PARAMS) {
    this.#pool = pool;
    this.#seedKey = keys.seedKey;
    this.#opts = opts;
    this.description = describePostgresUrl(opts.url);
    this.pins = pinHasher(keys.pepper, pinParams);
    // An idle connection that breaks (server restart, failover) emits here;
    // without a listener the process would crash. The pool already dropped it.
    pool.on('error', (err) => {
      opts.logger?.warn({ store: this.description, err: err.message }, 'PostgreSQL connection lost while idle; the pool reconnects on the next request');
    });
  }

  async #query(what: string, name: Named | null, text: string, values: unknown[]): Promise<pg.QueryResult> {
    if (this.#closed) throw new StoreError('unavailable', `${this.description}: ${what}: the store is not open (closed)`);
    try {
      return await this.#pool.query(name ? { name, text, values } : { text, values });
    } catch (err) {
      throw translatePgError(err, this.description, what);
    }
  }

  #named(what: string, name: Named, values: unknown[]): Promise<pg.QueryResult> {
    return this.#query(what, name, SQL[name], values);
  }

  /** BEGIN ... COMMIT on one pooled connection; a connection whose rollback failed is discarded. */
  async #transaction<T>(what: string, body: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    if (this.#closed) throw new StoreError('unavailable', `${this.description}: ${what}: the store is not open (closed)`);
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (err) {
      throw translatePgError(err, this.description, what);
    }
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const out = await body(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw translatePgError(err, this.description, what);
    } finally {
      client.release(broken);
    }
  }

  async createToken(token: NewToken, now: number = Date.now() / 1000): Promise<Token> {
    const full = tokenFromNew(token, now);
    const row = tokenToRow(full, this.#seedKey);
    try {
      await this.#named(`createToken ${full.serial}`, 'insertToken', TOKEN_COLUMNS.map((c) => row[c]));
    } catch (err) {
      if (isUniqueViolation(err)) throw new StoreError('duplicate', `token ${full.serial} already exists`);
      throw err;
    }
    return full;
  }

  async getToken(serial: string): Promise<Token | undefined> {
    const { rows } = await this.#named(`getToken ${serial}`, 'getToken', [checkSerial(serial)]);
    return rows[0] === undefined ? undefined : rowToToken(rows[0], this.#seedKey);
  }

  async listTokens(filter: TokenFilter = {}): Promise<Token[]> {
    const { equal, unassigned } = filterConditions(filter);
    const conds = equal.map(([column], i) => `${column} = $${i + 1}`);
    if (unassigned) conds.push('owner_resolver IS NULL');
    const where = conds.length ? ` WHERE ${conds.join(' AND ')}` : '';
    const { rows } = await this.#query('listTokens', null, `SELECT * FROM tokens${where} ORDER BY serial COLLATE "C"`, equal.map(([, v]) => v));
    return rows.map((row) => rowToToken(row, this.#seedKey));
  }

  async tokensOfUser(resolver: string, userId: string): Promise<Token[]> {
    if (typeof resolver !== 'string' || typeof userId !== 'string') throw new StoreError('invalid', 'tokensOfUser: resolver and userId must be strings');
    const { rows } = await this.#named('tokensOfUser', 'tokensOfUser', [resolver, userId]);
    return rows.map((row) => rowToToken(row, this.#seedKey));
  }

  async updateToken(serial: string, patch: TokenPatch): Promise<boolean> {
    checkSerial(serial);
    // The row lock keeps a fail-counter update from another server out
    // between our read and our write.
    return this.#transaction(`updateToken ${serial}`, async (c) => {
      const { rows } = await c.query({ name: 'lockToken', text: SQL.lockToken, values: [serial] });
      if (rows[0] === undefined) return false;
      // The seed is neither read nor written, so a token whose seed no longer decrypts can still be disabled.
      const next = tokenToRow(applyPatch(rowToToken(rows[0], null), patch), null);
      await c.query({ name: 'patchToken', text: SQL.patchToken, values: [serial, ...PATCH_COLUMNS.map((col) => next[col])] });
      return true;
    });
  }

  async deleteToken(serial: string): Promise<boolean> {
    return (await this.#named(`deleteToken ${serial}`, 'deleteToken', [checkSerial(serial)])).rowCount === 1;
  }

  async commitSuccess(serial: string, matched: number, now: number, drift?: number): Promise<boolean> {
    const values = [
      checkSerial(serial),
      checkInt(matched, `commitSuccess ${serial}: matched`, 0, Number.MAX_SAFE_INTEGER - 1),
      checkTimestamp(now, `commitSuccess ${serial}: now`),
      drift === undefined ? null : checkDrift(drift, `commitSuccess ${serial}: drift`),
    ];
    return (await this.#named(`commitSuccess ${serial}`, 'commitSuccess', values)).rowCount === 1;
  }

  async recordFailure(serials: string[], now: number): Promise<FailedToken[]> {
    const list = uniqueSerials(serials, 'recordFailure', checkSerial);
    const at = checkTimestamp(now, 'recordFailure: now');
    if (list.length === 0) return [];
    const { rows } = await this.#named('recordFailure', 'recordFailure', [list, at]);
    const bySerial = new Map(rows.map((row) => [row.serial as string, row]));
    return list.flatMap((s) => (bySerial.has(s) ? [rowToFailedToken(bySerial.get(s))] : []));
  }

  async setSyncState(serial: string, counter: number | null, at: number | null): Promise<void> {
    checkSerial(serial);
    if ((counter === null) !== (at === null)) throw new StoreError('invalid', `setSyncState ${serial}: counter and at must both be null or both be set`);
    const c = counter === null ? null : checkInt(counter, `setSyncState ${serial}: counter`, 0);
    const a = at === null ? null : checkTimestamp(at, `setSyncState ${serial}: at`);
    await this.#named(`setSyncState ${serial}`, 'setSyncState', [serial, c, a]);
  }

  async createChallenge(challenge: Challenge): Promise<void> {
    const c = checkChallenge(challenge);
    const r = challengeToRow(c);
    const values = [r.transaction_id, r.serials, r.realm, r.resolver, r.user_id, r.login, r.data, r.created_at, r.expires_at, r.attempts, r.max_attempts, c.serials];
    try {
      await this.#named(`createChallenge ${c.transactionId}`, 'insertChallenge', values);
    } catch (err) {
      if (isUniqueViolation(err)) throw new StoreError('duplicate', `challenge ${c.transactionId} already exists`);
      throw err;
    }
  }

  async getChallenge(transactionId: string): Promise<Challenge | undefined> {
    const { rows } = await this.#named('getChallenge', 'getChallenge', [checkTransactionId(transactionId)]);
    return rows[0] === undefined ? undefined : rowToChallenge(rows[0]);
  }

  async recordChallengeAttempt(transactionId: string): Promise<Challenge | undefined> {
    const { rows } = await this.#named('recordChallengeAttempt', 'challengeAttempt', [checkTransactionId(transactionId)]);
    return rows[0] === undefined ? undefined : rowToChallenge(rows[0]);
  }

  async deleteChallenge(transactionId: string): Promise<boolean> {
    return (await this.#named('deleteChallenge', 'deleteChallenge', [checkTransactionId(transactionId)])).rowCount === 1;
  }

  /** A challenge is expired once now > expiresAt. Purges from several servers take turns (an advisory lock), so they cannot deadlock. */
  async purgeChallenges(now: number, maxPerToken: number): Promise<number> {
    const at = checkTimestamp(now, 'purgeChallenges: now');
    const cap = checkInt(maxPerToken, 'purgeChallenges: maxPerToken', 0);
    return this.#transaction('purgeChallenges', async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1::bigint)', [PURGE_LOCK_KEY]);
      const expired = await c.query({ name: 'purgeExpired', text: SQL.purgeExpired, values: [at] });
      const over = await c.query({ name: 'purgeOverCap', text: SQL.purgeOverCap, values: [cap] });
      return (expired.rowCount ?? 0) + (over.rowCount ?? 0);
    });
  }

  async *exportTokens(batchSize = 1000): AsyncIterable<Token[]> {
    const size = checkBatchSize(batchSize);
    const client = await connectAdmin(this.#opts, this.description, 'exportTokens');
    try {
      yield* exportTokenBatches(client, this.#seedKey, size);
    } catch (err) {
      throw translatePgError(err, this.description, 'exportTokens');
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async listChallenges(): Promise<Challenge[]> {
    return (await this.#named('listChallenges', 'listChallenges', [])).rows.map(rowToChallenge);
  }

  async importTokens(tokens: Iterable<Token> | AsyncIterable<Token>, options: ImportOptions = {}): Promise<ImportResult> {
    const client = await connectAdmin(this.#opts, this.description, 'importTokens');
    try {
      return await importTokenBatches(client, this.#seedKey, tokens, options);
    } catch (err) {
      throw translatePgError(err, this.description, 'importTokens');
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async ping(): Promise<void> {
    const { rows } = await this.#named('ping', 'ping', []);
    if (rows[0]?.one !== 1) throw new Error(`${this.description}: ping returned an unexpected value`);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }
}
