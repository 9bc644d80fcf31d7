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
import { insertNew, StoreError } from '../errors.ts';
import { checkKeySource, CREATE_HINT, tieToKeys } from '../key-check.ts';
import { sealedInfoRows, type InfoRow } from '../seal-at-rest.ts';
import type { StoreKeys } from '../keyfile.ts';
import { DEFAULT_PIN_PARAMS, PASSWORD_PARAMS, pinHasher, type PinHasher, type ScryptParams } from '../pin-hash.ts';
import { secretDigest } from '../secret-digest.ts';
import type { AdminTables } from '../admin-types.ts';
import { PostgresAuditTable, postgresAdminTables } from './admin-tables.ts';
import { PostgresSelfServiceTables } from './self-service-tables.ts';
// biome-ignore format: one name per line would double the imports' length
import {
  advanceCounterArgs, checkBatchSize, checkNasClient, checkOwnerKey, checkTransactionId, commitSuccessArgs, purgeArgs, recordFailureArgs, rowToThrottle, syncStateArgs,
  throttleArgs, throttleFailureArgs, tokenCountSql, tokenListSql, type ThrottleRow,
} from '../query-args.ts';
import { challengeToRow, FAILED_TOKEN_COLUMNS, patchedRow, rowToChallenge, rowToFailedToken, rowToToken, tokenToRow } from '../rows.ts';
import { rowToWindow, sendSubjects, sendTime, type SendRow } from '../sends.ts';
import { POSTGRES_SETTINGS, setting } from '../settings.ts';
import { FAILURE_COUNTS, recordFailureSet, STATEMENTS as SHARED, type Statement } from '../sql.ts';
import type { FailedToken, ImportOptions, ImportResult, SendWindow, ThrottleKey, ThrottleState, TokenFilter, TokenStore } from '../types.ts';
import type { Challenge } from '../../model/challenge.ts';
import type { NewToken, Token, TokenPatch } from '../../model/token.ts';
import { checkChallenge, checkSerial, checkTimestamp, tokenFromNew } from '../validate.ts';
import { exportTokenBatches, importTokenBatches } from './bulk.ts';
import { clientConfig, connectAdmin, inTransaction, type PostgresStoreOptions } from './connect.ts';
import { isUniqueViolation, translatePgError } from './errors.ts';
import { migratePostgres } from './schema.ts';
import { bind, challengeWithTokens, POSTGRES, postgres } from './sql.ts';
import { checkUrl, describePostgresUrl } from './url.ts';

export async function openPostgresStore(opts: PostgresStoreOptions): Promise<PostgresTokenStore> {
  const url = checkUrl(opts.url);
  const where = describePostgresUrl(url);
  const { pool: poolSettings, statementTimeoutMs } = POSTGRES_SETTINGS;
  const max = setting(opts.pool?.max, poolSettings.max, 'postgres pool.max');
  const idle = setting(opts.pool?.idleTimeoutMs, poolSettings.idleTimeoutMs, 'postgres pool.idleTimeoutMs');
  setting(opts.pool?.connectionTimeoutMs, poolSettings.connectionTimeoutMs, 'postgres pool.connectionTimeoutMs');
  setting(opts.statementTimeoutMs, statementTimeoutMs, 'postgres statementTimeoutMs');
  checkKeySource(opts, 'openPostgresStore');

  const admin = await connectAdmin(opts, where, 'connect');
  let keys: StoreKeys;
  try {
    // An empty database gets its tables from `serve` or `store init` only.
    if (opts.create === false && (await admin.query<{ t: string | null }>("SELECT to_regclass('store_meta') AS t")).rows[0]?.t == null) {
      throw new StoreError('missing', `store ${where} has no otp-radius tables: ${CREATE_HINT}`);
    }
    await migratePostgres(admin, where);
    const keyCheck = {
      read: async () => (await admin.query<{ value: string }>(postgres(SHARED.readKeyCheck))).rows[0]?.value,
      insertIfAbsent: async (value: string) => void (await admin.query(postgres(SHARED.insertKeyCheck), [value])),
    };
    keys = await tieToKeys(keyCheck, opts, where, 'openPostgresStore', ': every server sharing the database needs a copy of the same key file');
    const plain = (await admin.query<InfoRow>(postgres(SHARED.plainInfoSecrets))).rows;
    for (const row of sealedInfoRows(plain, keys.seedKey)) await admin.query(postgres(SHARED.replaceInfo), bind(SHARED.replaceInfo, row));
  } catch (err) {
    throw translatePgError(err, where, 'open');
  } finally {
    await admin.end().catch(() => undefined);
  }
  const pool = new pg.Pool({ ...clientConfig(opts, true), max, idleTimeoutMillis: idle });
  return new PostgresTokenStore(pool, keys, opts, opts.pinParams ?? DEFAULT_PIN_PARAMS);
}

/** Advisory lock key serialising challenge purges across servers: "otpchpur". */
const PURGE_LOCK_KEY = '8031167607764710770';

// Named statements are prepared once per connection. Several-token updates
// lock their rows in serial order first, so two of them cannot deadlock.
const STATEMENTS = { ...SHARED, insertChallenge: challengeWithTokens(false) } satisfies Record<string, Statement>;

const SQL = {
  ...(Object.fromEntries(Object.entries(STATEMENTS).map(([name, s]) => [name, postgres(s)])) as Record<keyof typeof STATEMENTS, string>),
  getToken: 'SELECT * FROM tokens WHERE serial = $1',
  tokensOfUser: 'SELECT * FROM tokens WHERE owner_resolver = $1 AND owner_user_id = $2 ORDER BY serial COLLATE "C"',
  lockToken: 'SELECT * FROM tokens WHERE serial = $1 FOR UPDATE',
  deleteToken: 'DELETE FROM tokens WHERE serial = $1',
  recordFailure:
    'WITH target AS (SELECT serial FROM tokens WHERE serial = ANY($1::text[]) ORDER BY serial FOR UPDATE) ' +
    `UPDATE tokens t SET ${recordFailureSet('$2::bigint')} FROM target WHERE t.serial = target.serial AND ${FAILURE_COUNTS} ` +
    `RETURNING ${FAILED_TOKEN_COLUMNS.split(', ')
      .map((c) => `t.${c}`)
      .join(', ')}`,
  ping: 'SELECT 1 AS one',
  /** One subject's sends take turns across servers until the transaction ends. */
  lockSendSubject: "SELECT pg_advisory_xact_lock(hashtextextended('otp-radius delivery ' || $1::text, 0))",
};

type Named = keyof typeof SQL;

export class PostgresTokenStore implements TokenStore {
  readonly description: string;
  readonly pins: PinHasher;
  readonly passwords: PinHasher;
  readonly digest: (secret: string) => string;
  readonly admins: AdminTables;
  readonly audit: PostgresAuditTable;
  readonly selfService: PostgresSelfServiceTables;
  /** Never settles: the database server owns durability, and a lost connection is recovered from. */
  readonly fatal: Promise<never> = new Promise(() => undefined);
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
    this.passwords = pinHasher(keys.pepper, PASSWORD_PARAMS);
    this.digest = secretDigest(keys.pepper);
    const query = (what: string, text: string, values: unknown[], name?: string): Promise<pg.QueryResult> => this.#query(what, name ?? null, text, values);
    this.admins = postgresAdminTables(query);
    this.audit = new PostgresAuditTable(query);
    this.selfService = new PostgresSelfServiceTables(query);
    // An idle connection that breaks (server restart, failover) emits here;
    // without a listener the process would crash. The pool already dropped it.
    pool.on('error', (err) => {
      opts.logger?.warn({ store: this.description, err: err.message }, 'PostgreSQL connection lost while idle; the pool reconnects on the next request');
    });
  }

  #checkOpen(what: string): void {
    if (this.#closed) throw new StoreError('unavailable', `${this.description}: ${what}: the store is not open (closed)`);
  }

  async #query(what: string, name: string | null, text: string, values: unknown[]): Promise<pg.QueryResult> {
    this.#checkOpen(what);
    try {
      return await this.#pool.query(name ? { name, text, values } : { text, values });
    } catch (err) {
      throw translatePgError(err, this.description, what);
    }
  }

  #named(what: string, name: Named, values: unknown[]): Promise<pg.QueryResult> {
    return this.#query(what, name, SQL[name], values);
  }

  /** A shared statement, its parameters taken by name from `args`. */
  #run(what: string, name: keyof typeof STATEMENTS, args: object): Promise<pg.QueryResult> {
    return this.#named(what, name, bind(STATEMENTS[name], args));
  }

  /** BEGIN ... COMMIT on one pooled connection; a connection whose rollback failed is discarded. */
  async #transaction<T>(what: string, body: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    this.#checkOpen(what);
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (err) {
      throw translatePgError(err, this.description, what);
    }
    let broken: Error | undefined;
    const run = () => inTransaction(client, () => body(client), { onRollbackFailed: (e) => (broken = e) });
    return this.#on(what, run, () => client.release(broken));
  }

  /** A dedicated connection without the pool's statement timeout, for work that may take minutes. */
  async #withAdmin<T>(what: string, body: (c: pg.Client) => Promise<T>): Promise<T> {
    const client = await connectAdmin(this.#opts, this.description, what);
    return this.#on(
      what,
      () => body(client),
      () => client.end().catch(() => undefined),
    );
  }

  /** Runs `body` on a connection of its own, then gives the connection back with `release`, whatever happened. */
  async #on<T>(what: string, body: () => Promise<T>, release: () => unknown): Promise<T> {
    try {
      return await body();
    } catch (err) {
      throw translatePgError(err, this.description, what);
    } finally {
      await release();
    }
  }

  async createToken(token: NewToken, now: number = Date.now() / 1000): Promise<Token> {
    const full = tokenFromNew(token, now);
    await insertNew(`token ${full.serial}`, isUniqueViolation, () => this.#run(`createToken ${full.serial}`, 'insertToken', tokenToRow(full, this.#seedKey)));
    return full;
  }

  async getToken(serial: string): Promise<Token | undefined> {
    const { rows } = await this.#named(`getToken ${serial}`, 'getToken', [checkSerial(serial)]);
    return rows[0] === undefined ? undefined : rowToToken(rows[0], this.#seedKey);
  }

  async listTokens(filter: TokenFilter = {}): Promise<Token[]> {
    const { text, params } = tokenListSql(filter, POSTGRES);
    const { rows } = await this.#query('listTokens', null, text, Object.values(params));
    return rows.map((row) => rowToToken(row, this.#seedKey));
  }

  async countTokens(filter: TokenFilter = {}): Promise<number> {
    const { text, params } = tokenCountSql(filter, POSTGRES);
    const { rows } = await this.#query('countTokens', null, text, Object.values(params));
    return Number(rows[0]?.n ?? 0);
  }

  async tokensOfUser(resolver: string, userId: string): Promise<Token[]> {
    checkOwnerKey(resolver, userId);
    const { rows } = await this.#named('tokensOfUser', 'tokensOfUser', [resolver, userId]);
    return rows.map((row) => rowToToken(row, this.#seedKey));
  }

  async updateToken(serial: string, patch: TokenPatch): Promise<boolean> {
    checkSerial(serial);
    // The row lock keeps a fail-counter update from another server out
    // between our read and our write.
    return this.#transaction(`updateToken ${serial}`, async (c) => {
      const { rows } = await c.query({ name: 'lockToken', text: SQL.lockToken, values: [serial] });
      if (rows[0] !== undefined) await c.query({ name: 'patchToken', text: SQL.patchToken, values: bind(STATEMENTS.patchToken, patchedRow(rows[0], patch)) });
      return rows[0] !== undefined;
    });
  }

  async deleteToken(serial: string): Promise<boolean> {
    return (await this.#named(`deleteToken ${serial}`, 'deleteToken', [checkSerial(serial)])).rowCount === 1;
  }

  async commitSuccess(serial: string, matched: number, now: number, drift?: number): Promise<boolean> {
    return (await this.#run(`commitSuccess ${serial}`, 'commitSuccess', commitSuccessArgs(serial, matched, now, drift))).rowCount === 1;
  }

  async verifyPending(serial: string, matched: number, drift?: number): Promise<boolean> {
    const { serial: s, matched: m, drift: d } = commitSuccessArgs(serial, matched, 0, drift);
    return (await this.#run(`verifyPending ${serial}`, 'verifyPending', { serial: s, matched: m, drift: d })).rowCount === 1;
  }

  async recordFailure(serials: string[], now: number): Promise<FailedToken[]> {
    const args = recordFailureArgs(serials, now);
    if (args.serials.length === 0) return [];
    const { rows } = await this.#named('recordFailure', 'recordFailure', [args.serials, args.now]);
    const bySerial = new Map(rows.map((row) => [row.serial as string, row]));
    return args.serials.flatMap((s) => (bySerial.has(s) ? [rowToFailedToken(bySerial.get(s))] : []));
  }

  async advanceCounter(serial: string, from: number): Promise<boolean> {
    return (await this.#run(`advanceCounter ${serial}`, 'advanceCounter', advanceCounterArgs(serial, from))).rowCount === 1;
  }

  async setSyncState(serial: string, counter: number | null, at: number | null): Promise<void> {
    await this.#run(`setSyncState ${serial}`, 'setSyncState', syncStateArgs(serial, counter, at));
  }

  async createChallenge(challenge: Challenge): Promise<void> {
    const c = checkChallenge(challenge);
    const args = { ...challengeToRow(c), tokens: c.serials };
    await insertNew(`challenge ${c.transactionId}`, isUniqueViolation, () => this.#run(`createChallenge ${c.transactionId}`, 'insertChallenge', args));
  }

  async getChallenge(transactionId: string): Promise<Challenge | undefined> {
    return firstChallenge(await this.#run('getChallenge', 'getChallenge', { id: checkTransactionId(transactionId) }));
  }

  async recordChallengeAttempt(transactionId: string): Promise<Challenge | undefined> {
    return firstChallenge(await this.#run('recordChallengeAttempt', 'challengeAttempt', { id: checkTransactionId(transactionId) }));
  }

  async deleteChallenge(transactionId: string): Promise<boolean> {
    return (await this.#run('deleteChallenge', 'deleteChallenge', { id: checkTransactionId(transactionId) })).rowCount === 1;
  }

  async takeChallenge(transactionId: string): Promise<boolean> {
    return (await this.#run('takeChallenge', 'takeChallenge', { id: checkTransactionId(transactionId) })).rowCount === 1;
  }

  async challengesOfUser(resolver: string, userId: string): Promise<Challenge[]> {
    checkOwnerKey(resolver, userId);
    return (await this.#run('challengesOfUser', 'challengesOfUser', { resolver, userId })).rows.map(rowToChallenge);
  }

  async sendWindows(subjects: readonly string[], since: number): Promise<SendWindow[]> {
    sendSubjects(subjects, 'sendWindows');
    const from = sendTime(since, 'sendWindows: since');
    return Promise.all(subjects.map(async (subject) => rowToWindow((await this.#run('sendWindows', 'sendWindow', { subject, since: from })).rows[0] as SendRow)));
  }

  /** Advisory locks on the subjects, in sorted order (so two takes cannot deadlock), then read, decide and write. */
  async takeSend(subjects: readonly string[], since: number, at: number, allow: (windows: SendWindow[]) => boolean): Promise<boolean> {
    const sorted = sendSubjects(subjects, 'takeSend');
    const from = sendTime(since, 'takeSend: since');
    const when = sendTime(at, 'takeSend: at');
    return this.#transaction('takeSend', async (c) => {
      for (const subject of sorted) await c.query({ name: 'lockSendSubject', text: SQL.lockSendSubject, values: [subject] });
      const windows: SendWindow[] = [];
      for (const subject of subjects)
        windows.push(rowToWindow((await c.query({ name: 'sendWindow', text: SQL.sendWindow, values: bind(STATEMENTS.sendWindow, { subject, since: from }) })).rows[0] as SendRow));
      if (!allow(windows)) return false;
      for (const subject of sorted) await c.query({ name: 'insertSend', text: SQL.insertSend, values: bind(STATEMENTS.insertSend, { subject, at: when }) });
      return true;
    });
  }

  async recordSend(subjects: readonly string[], at: number): Promise<void> {
    const sorted = sendSubjects(subjects, 'recordSend');
    const when = sendTime(at, 'recordSend: at');
    for (const subject of sorted) await this.#run('recordSend', 'insertSend', { subject, at: when });
  }

  async purgeSends(before: number): Promise<number> {
    return (await this.#run('purgeSends', 'purgeSends', { before: sendTime(before, 'purgeSends: before') })).rowCount ?? 0;
  }

  async getThrottle(key: ThrottleKey): Promise<ThrottleState | undefined> {
    const { rows } = await this.#run('getThrottle', 'getThrottle', throttleArgs(key, 'getThrottle'));
    return rows[0] === undefined ? undefined : rowToThrottle(rows[0] as ThrottleRow);
  }

  async recordThrottleFailure(key: ThrottleKey, now: number, resetAfter: number): Promise<ThrottleState> {
    const { rows } = await this.#run('recordThrottleFailure', 'throttleFailure', throttleFailureArgs(key, now, resetAfter));
    return rowToThrottle(rows[0] as ThrottleRow);
  }

  async recordThrottleRefusal(key: ThrottleKey): Promise<void> {
    await this.#run('recordThrottleRefusal', 'throttleRefusal', throttleArgs(key, 'recordThrottleRefusal'));
  }

  async clearThrottle(key: ThrottleKey): Promise<void> {
    await this.#run('clearThrottle', 'clearThrottle', throttleArgs(key, 'clearThrottle'));
  }

  async clearUserThrottles(realm: string, login: string): Promise<number> {
    const { realm: r, login: l } = throttleArgs({ realm, login, source: '' }, 'clearUserThrottles');
    return (await this.#run('clearUserThrottles', 'clearUserThrottles', { realm: r, login: l })).rowCount ?? 0;
  }

  async purgeThrottles(before: number): Promise<number> {
    return (await this.#run('purgeThrottles', 'purgeThrottles', { before: checkTimestamp(before, 'purgeThrottles: before') })).rowCount ?? 0;
  }

  async learnedNasClients(): Promise<string[]> {
    const { rows } = await this.#run('learnedNasClients', 'learnedNasClients', {});
    return rows.map((r) => (r as { client: string }).client);
  }

  async learnNasClient(client: string, now: number): Promise<void> {
    await this.#run('learnNasClient', 'learnNasClient', { client: checkNasClient(client), now: checkTimestamp(now, 'learnNasClient: now') });
  }

  /** Purges from several servers take turns (an advisory lock), so they cannot deadlock. */
  async purgeChallenges(now: number, maxPerToken: number): Promise<number> {
    const args = purgeArgs(now, maxPerToken);
    return this.#transaction('purgeChallenges', async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1::bigint)', [PURGE_LOCK_KEY]);
      const expired = await c.query({ name: 'purgeExpired', text: SQL.purgeExpired, values: bind(STATEMENTS.purgeExpired, args) });
      const over = await c.query({ name: 'purgeOverCap', text: SQL.purgeOverCap, values: bind(STATEMENTS.purgeOverCap, args) });
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
    return this.#withAdmin('importTokens', (client) => importTokenBatches(client, this.#seedKey, tokens, options));
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

function firstChallenge({ rows }: pg.QueryResult): Challenge | undefined {
  return rows[0] === undefined ? undefined : rowToChallenge(rows[0]);
}
