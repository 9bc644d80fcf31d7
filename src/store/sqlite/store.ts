// The SQLite TokenStore: the embedded default, one file shared by the
// worker processes of one server.
//
// Durability: journal_mode = WAL, and every commit is on disk before its
// caller hears of it. Plain synchronous = NORMAL would not do: WAL commits
// are not fsynced, so a power loss could drop a counter advance whose
// Access-Accept was already sent, and after the reboot the same OTP would be
// accepted again. The main connection runs FULL (fsync inside COMMIT); the
// group-commit connection runs NORMAL and fsyncs the WAL after each commit on
// the thread pool (wal-sync.ts), so the disk flush holds neither the event
// loop nor the write lock.
//
// better-sqlite3 is synchronous: every call here finishes (or fails) before
// the returned promise settles. The writes of authentication (counter
// advance, fail counters, challenges) go through a second connection in
// group commits (group-commit.ts) that never sleep on another process's
// write lock; reads and administrative writes use the first, whose busy
// timeout may block this process's event loop for a moment.

import { existsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { errorCode, insertNew, StoreError } from '../errors.ts';
import { checkKeySource, CREATE_HINT, tieToKeys, type BackendOptions } from '../key-check.ts';
import { sealedInfoRows, type InfoRow } from '../seal-at-rest.ts';
import type { StoreKeys } from '../keyfile.ts';
import { DEFAULT_PIN_PARAMS, PASSWORD_PARAMS, pinHasher, type PinHasher, type ScryptParams } from '../pin-hash.ts';
import { secretDigest } from '../secret-digest.ts';
import type { AdminTables } from '../admin-types.ts';
import { SqliteAuditTable, sqliteAdminTables } from './admin-tables.ts';
import { SqliteSelfServiceTables } from './self-service-tables.ts';
import { challengeToRow, FAILED_TOKEN_COLUMNS, patchedRow, rowToChallenge, rowToFailedToken, rowToToken, tokenToRow } from '../rows.ts';
// biome-ignore format: one name per line would double the imports' length
import {
  advanceCounterArgs, checkBatchSize, checkNasClient, checkOwnerKey, checkTransactionId, commitSuccessArgs, purgeArgs, recordFailureArgs, rowToThrottle, syncStateArgs,
  throttleArgs, throttleFailureArgs, tokenCountSql, tokenListSql, type ThrottleRow,
} from '../query-args.ts';
import { rowToWindow, sendSubjects, sendTime, type SendRow } from '../sends.ts';
import { setting, SQLITE_SETTINGS } from '../settings.ts';
import { FAILURE_COUNTS, recordFailureSet, STATEMENTS, type StatementName } from '../sql.ts';
import type { FailedToken, ImportOptions, ImportResult, SendWindow, ThrottleKey, ThrottleState, TokenFilter, TokenStore } from '../types.ts';
import type { Challenge } from '../../model/challenge.ts';
import type { NewToken, Token, TokenPatch } from '../../model/token.ts';
import { checkChallenge, checkSerial, checkTimestamp, tokenFromNew } from '../validate.ts';
import { openMain, openWriter } from './connect.ts';
import { exportTokenPages, importTokenList } from './bulk.ts';
import { GroupCommit } from './group-commit.ts';
import { migrateSqlite } from './schema.ts';
import { asOutage, preparedByText, SQLITE, sqlite } from './sql.ts';
import { WalSync, WalSyncError } from './wal-sync.ts';

export interface SqliteStoreOptions extends BackendOptions {
  /** Database file; created with its directory on first start. ':memory:' for tests. */
  path: string;
  /** See SQLITE_SETTINGS. */
  busyTimeoutMs?: number;
  /** Another process checkpoints the WAL (checkpointer.ts): this store's commits checkpoint only as a fallback. */
  checkpointedElsewhere?: boolean;
}

export async function openSqliteStore(opts: SqliteStoreOptions): Promise<SqliteTokenStore> {
  const busyTimeoutMs = setting(opts.busyTimeoutMs, SQLITE_SETTINGS.busyTimeoutMs, 'busyTimeoutMs');
  checkKeySource(opts, 'openSqliteStore');
  const checkpointedElsewhere = opts.checkpointedElsewhere ?? false;
  // Opening a missing file would create an empty store beside the one the admin meant.
  if (opts.create === false && opts.path !== ':memory:' && !existsSync(opts.path)) throw new StoreError('missing', `store ${opts.path} does not exist: ${CREATE_HINT}`);
  const db = openMain(opts.path, busyTimeoutMs, checkpointedElsewhere);
  let writer: Database.Database | undefined;
  try {
    migrateSqlite(db, opts.path);
    const { readKeyCheck, insertKeyCheck } = prepare(db, ['readKeyCheck', 'insertKeyCheck']);
    const keyCheck = { read: () => readKeyCheck.pluck().get() as string | undefined, insertIfAbsent: (value: string) => void insertKeyCheck.run({ value }) };
    const keys = await tieToKeys(keyCheck, opts, opts.path, 'openSqliteStore');
    const { plainInfoSecrets, replaceInfo } = prepare(db, ['plainInfoSecrets', 'replaceInfo']);
    for (const row of sealedInfoRows(plainInfoSecrets.all() as InfoRow[], keys.seedKey)) replaceInfo.run(row);
    // An in-memory database is private to its connection, and has no other process to wait for.
    writer = opts.path === ':memory:' ? undefined : openWriter(opts.path, checkpointedElsewhere);
    const walSync = writer ? new WalSync(`${opts.path}-wal`) : undefined;
    return new SqliteTokenStore(db, keys, `sqlite:${opts.path}`, opts.pinParams ?? DEFAULT_PIN_PARAMS, { writer, busyTimeoutMs, walSync });
  } catch (err) {
    writer?.close();
    db.close();
    throw err;
  }
}

export interface GroupOptions {
  /** The connection for group commits (busy_timeout 0); the main connection when absent (in-memory stores, bulk tools). */
  writer?: Database.Database | undefined;
  /** How long a group commit keeps trying for the write lock; default as SQLITE_SETTINGS. */
  busyTimeoutMs?: number;
  /** Syncs the writer's commits when it runs synchronous = NORMAL (see wal-sync.ts). */
  walSync?: WalSync | undefined;
}

/**
 * Least time between two group commits of one process. A transaction costs
 * far more than its rows (BEGIN, the WAL frames and their index, and every
 * other connection dropping its page cache at its next read), so gathering
 * larger batches saves CPU and adds at most this to an answer. An idle
 * server commits at once.
 */
const COMMIT_INTERVAL_MS = 2;

export class SqliteTokenStore implements TokenStore {
  readonly description: string;
  /** PIN hashing with this store's pepper. */
  readonly pins: PinHasher;
  readonly passwords: PinHasher;
  readonly digest: (secret: string) => string;
  readonly admins: AdminTables;
  readonly audit: SqliteAuditTable;
  readonly selfService: SqliteSelfServiceTables;
  /** See KeyedTokenStore.fatal (index.ts); an in-memory store has no WAL to fail. */
  readonly fatal: Promise<WalSyncError>;
  readonly #db: Database.Database;
  readonly #writer: Database.Database;
  readonly #group: GroupCommit;
  readonly #walSync: WalSync | undefined;
  readonly #seedKey: Buffer;
  readonly #s;
  readonly #w;
  readonly #filtered: (text: string) => Database.Statement;

  /** Use openSqliteStore; this takes a database that is already migrated and checked. */
  constructor(db: Database.Database, keys: StoreKeys, description: string, pinParams: ScryptParams = DEFAULT_PIN_PARAMS, group: GroupOptions = {}) {
    this.#db = db;
    this.#filtered = preparedByText(db);
    const writer = group.writer ?? db;
    this.#writer = writer;
    this.#group = new GroupCommit(writer, {
      busyTimeoutMs: group.busyTimeoutMs ?? SQLITE_SETTINGS.busyTimeoutMs.default,
      walSync: group.walSync,
      minIntervalMs: group.walSync ? COMMIT_INTERVAL_MS : 0,
    });
    this.#walSync = group.walSync;
    this.fatal = group.walSync?.fatal ?? new Promise(() => undefined);
    this.#seedKey = keys.seedKey;
    this.description = description;
    this.pins = pinHasher(keys.pepper, pinParams);
    this.passwords = pinHasher(keys.pepper, PASSWORD_PARAMS);
    this.digest = secretDigest(keys.pepper);
    this.admins = sqliteAdminTables(db);
    this.audit = new SqliteAuditTable(db, writer, (run) => this.#write(run));
    this.selfService = new SqliteSelfServiceTables(db);
    this.#s = {
      ...prepare(db, ['insertToken', 'patchToken', 'getChallenge', 'listChallenges', 'challengesOfUser', 'getThrottle', 'learnedNasClients', 'sendWindow']),
      getToken: db.prepare('SELECT * FROM tokens WHERE serial = ?'),
      // No ORDER BY: sorting a user's few rows in JavaScript is cheaper than the temporary B-tree SQLite builds for it.
      tokensOfUser: db.prepare('SELECT * FROM tokens WHERE owner_resolver = ? AND owner_user_id = ?'),
      deleteToken: db.prepare('DELETE FROM tokens WHERE serial = ?'),
      ping: db.prepare('SELECT 1').pluck(),
    };
    // The statements of authentication's writes run in group commits on the writer connection.
    this.#w = {
      // biome-ignore format: statement names, packed
      ...prepare(writer, [
        'commitSuccess', 'verifyPending', 'setSyncState', 'insertChallenge', 'challengeAttempt', 'deleteChallenge', 'takeChallenge', 'purgeExpired', 'purgeOverCap',
        'throttleFailure', 'throttleRefusal', 'clearThrottle', 'clearUserThrottles', 'purgeThrottles', 'learnNasClient',
        'advanceCounter', 'sendWindow', 'insertSend', 'purgeSends',
      ]),
      recordFailure: writer.prepare(`UPDATE tokens AS t SET ${recordFailureSet('@now')} WHERE serial = @serial AND ${FAILURE_COUNTS} RETURNING ${FAILED_TOKEN_COLUMNS}`),
      insertChallengeToken: writer.prepare('INSERT INTO challenge_tokens (transaction_id, serial) VALUES (?, ?)'),
    };
  }

  async createToken(token: NewToken, now: number = Date.now() / 1000): Promise<Token> {
    const full = tokenFromNew(token, now);
    await insertNew(`token ${full.serial}`, isDuplicate, () => this.#s.insertToken.run(tokenToRow(full, this.#seedKey)));
    return full;
  }

  async getToken(serial: string): Promise<Token | undefined> {
    const row = this.#read('getToken', () => this.#s.getToken.get(checkSerial(serial)));
    return row === undefined ? undefined : rowToToken(row, this.#seedKey);
  }

  async listTokens(filter: TokenFilter = {}): Promise<Token[]> {
    const { text, params } = tokenListSql(filter, SQLITE);
    return this.#filtered(text)
      .all(params)
      .map((row) => rowToToken(row, this.#seedKey));
  }

  async countTokens(filter: TokenFilter = {}): Promise<number> {
    const { text, params } = tokenCountSql(filter, SQLITE);
    return Number((this.#filtered(text).get(params) as { n: number }).n);
  }

  async tokensOfUser(resolver: string, userId: string): Promise<Token[]> {
    checkOwnerKey(resolver, userId);
    const rows = this.#read('tokensOfUser', () => this.#s.tokensOfUser.all(resolver, userId) as { serial: string }[]);
    rows.sort((a, b) => (a.serial < b.serial ? -1 : a.serial > b.serial ? 1 : 0));
    return rows.map((row) => rowToToken(row, this.#seedKey));
  }

  async updateToken(serial: string, patch: TokenPatch): Promise<boolean> {
    checkSerial(serial);
    // IMMEDIATE takes the write lock before the read, so no other process's
    // fail-counter update can land between our read and our write.
    return this.#db
      .transaction((): boolean => {
        const row = this.#s.getToken.get(serial);
        if (row !== undefined) this.#s.patchToken.run(patchedRow(row, patch));
        return row !== undefined;
      })
      .immediate();
  }

  async deleteToken(serial: string): Promise<boolean> {
    return this.#s.deleteToken.run(checkSerial(serial)).changes === 1;
  }

  /** The reads authentication makes, with SQLite's outage errors as 'unavailable' (the caller fails closed with that reason). */
  #read<T>(what: string, run: () => T): T {
    try {
      return run();
    } catch (err) {
      throw asOutage(err, `${this.description}: ${what}`);
    }
  }

  #write<T>(run: () => T): Promise<T> {
    return this.#group.write(run).catch((err: unknown) => {
      throw asOutage(err, this.description);
    });
  }

  async commitSuccess(serial: string, matched: number, now: number, drift?: number): Promise<boolean> {
    const args = commitSuccessArgs(serial, matched, now, drift);
    return this.#write(() => this.#w.commitSuccess.run(args).changes === 1);
  }

  async verifyPending(serial: string, matched: number, drift?: number): Promise<boolean> {
    const { serial: s, matched: m, drift: d } = commitSuccessArgs(serial, matched, 0, drift);
    return this.#write(() => this.#w.verifyPending.run({ serial: s, matched: m, drift: d }).changes === 1);
  }

  async recordFailure(serials: string[], now: number): Promise<FailedToken[]> {
    const args = recordFailureArgs(serials, now);
    const rows = await this.#write(() => args.serials.map((serial) => this.#w.recordFailure.get({ serial, now: args.now })).filter((r) => r !== undefined));
    return rows.map(rowToFailedToken);
  }

  async advanceCounter(serial: string, from: number): Promise<boolean> {
    const args = advanceCounterArgs(serial, from);
    return this.#write(() => this.#w.advanceCounter.run(args).changes === 1);
  }

  async setSyncState(serial: string, counter: number | null, at: number | null): Promise<void> {
    const args = syncStateArgs(serial, counter, at);
    await this.#write(() => this.#w.setSyncState.run(args));
  }

  async createChallenge(challenge: Challenge): Promise<void> {
    const c = checkChallenge(challenge);
    const insert = this.#writer.transaction(() => {
      this.#w.insertChallenge.run(challengeToRow(c));
      for (const serial of c.serials) this.#w.insertChallengeToken.run(c.transactionId, serial);
    });
    await insertNew(`challenge ${c.transactionId}`, isDuplicate, () => this.#write(() => insert()));
  }

  async getChallenge(transactionId: string): Promise<Challenge | undefined> {
    const row = this.#read('getChallenge', () => this.#s.getChallenge.get({ id: checkTransactionId(transactionId) }));
    return row === undefined ? undefined : rowToChallenge(row);
  }

  async recordChallengeAttempt(transactionId: string): Promise<Challenge | undefined> {
    const id = checkTransactionId(transactionId);
    const row = await this.#write(() => this.#w.challengeAttempt.get({ id }));
    return row === undefined ? undefined : rowToChallenge(row);
  }

  async deleteChallenge(transactionId: string): Promise<boolean> {
    const id = checkTransactionId(transactionId);
    return this.#write(() => this.#w.deleteChallenge.run({ id }).changes === 1);
  }

  async takeChallenge(transactionId: string): Promise<boolean> {
    const id = checkTransactionId(transactionId);
    return this.#write(() => this.#w.takeChallenge.run({ id }).changes === 1);
  }

  async challengesOfUser(resolver: string, userId: string): Promise<Challenge[]> {
    checkOwnerKey(resolver, userId);
    return this.#read('challengesOfUser', () => this.#s.challengesOfUser.all({ resolver, userId })).map(rowToChallenge);
  }

  async sendWindows(subjects: readonly string[], since: number): Promise<SendWindow[]> {
    sendSubjects(subjects, 'sendWindows');
    const args = { since: sendTime(since, 'sendWindows: since') };
    return this.#read('sendWindows', () => subjects.map((subject) => rowToWindow(this.#s.sendWindow.get({ ...args, subject }) as SendRow)));
  }

  /** Read and written in one write transaction (BEGIN IMMEDIATE): no other process's send lands between. */
  async takeSend(subjects: readonly string[], since: number, at: number, allow: (windows: SendWindow[]) => boolean): Promise<boolean> {
    const unique = sendSubjects(subjects, 'takeSend');
    const args = { since: sendTime(since, 'takeSend: since'), at: sendTime(at, 'takeSend: at') };
    return this.#write(() => {
      if (!allow(subjects.map((subject) => rowToWindow(this.#w.sendWindow.get({ subject, since: args.since }) as SendRow)))) return false;
      for (const subject of unique) this.#w.insertSend.run({ subject, at: args.at });
      return true;
    });
  }

  async recordSend(subjects: readonly string[], at: number): Promise<void> {
    const unique = sendSubjects(subjects, 'recordSend');
    const when = sendTime(at, 'recordSend: at');
    await this.#write(() => {
      for (const subject of unique) this.#w.insertSend.run({ subject, at: when });
    });
  }

  async purgeSends(before: number): Promise<number> {
    const at = sendTime(before, 'purgeSends: before');
    return this.#write(() => this.#w.purgeSends.run({ before: at }).changes);
  }

  async getThrottle(key: ThrottleKey): Promise<ThrottleState | undefined> {
    const row = this.#read('getThrottle', () => this.#s.getThrottle.get(throttleArgs(key, 'getThrottle')) as ThrottleRow | undefined);
    return row === undefined ? undefined : rowToThrottle(row);
  }

  async recordThrottleFailure(key: ThrottleKey, now: number, resetAfter: number): Promise<ThrottleState> {
    const args = throttleFailureArgs(key, now, resetAfter);
    return rowToThrottle(await this.#write(() => this.#w.throttleFailure.get(args) as ThrottleRow));
  }

  async recordThrottleRefusal(key: ThrottleKey): Promise<void> {
    const args = throttleArgs(key, 'recordThrottleRefusal');
    await this.#write(() => this.#w.throttleRefusal.run(args));
  }

  async clearThrottle(key: ThrottleKey): Promise<void> {
    const args = throttleArgs(key, 'clearThrottle');
    await this.#write(() => this.#w.clearThrottle.run(args));
  }

  async clearUserThrottles(realm: string, login: string): Promise<number> {
    const { realm: r, login: l } = throttleArgs({ realm, login, source: '' }, 'clearUserThrottles');
    return this.#write(() => this.#w.clearUserThrottles.run({ realm: r, login: l }).changes);
  }

  async purgeThrottles(before: number): Promise<number> {
    const at = checkTimestamp(before, 'purgeThrottles: before');
    return this.#write(() => this.#w.purgeThrottles.run({ before: at }).changes);
  }

  async learnedNasClients(): Promise<string[]> {
    return (this.#s.learnedNasClients.all() as { client: string }[]).map((r) => r.client);
  }

  async learnNasClient(client: string, now: number): Promise<void> {
    const args = { client: checkNasClient(client), now: checkTimestamp(now, 'learnNasClient: now') };
    await this.#write(() => this.#w.learnNasClient.run(args));
  }

  /** Returns how many were removed. */
  async purgeChallenges(now: number, maxPerToken: number): Promise<number> {
    const args = purgeArgs(now, maxPerToken);
    return this.#write(() => this.#w.purgeExpired.run(args).changes + this.#w.purgeOverCap.run(args).changes);
  }

  async *exportTokens(batchSize = 1000): AsyncIterable<Token[]> {
    yield* exportTokenPages(this.#db, this.#seedKey, checkBatchSize(batchSize));
  }

  async listChallenges(): Promise<Challenge[]> {
    return this.#s.listChallenges.all().map(rowToChallenge);
  }

  async importTokens(tokens: Iterable<Token> | AsyncIterable<Token>, options: ImportOptions = {}): Promise<ImportResult> {
    return importTokenList(this.#db, this.#seedKey, tokens, options);
  }

  async ping(): Promise<void> {
    if (this.#s.ping.get() !== 1) throw new Error(`${this.description}: ping returned an unexpected value`);
  }

  async close(): Promise<void> {
    if (this.#writer.open) this.#group.flushNow();
    // After a failed WAL fsync the connections stay open: closing the last one would checkpoint the WAL,
    // which can no longer be trusted, into the database file. The process exits with them (see `fatal`).
    if (this.#walSync?.failed instanceof WalSyncError) return;
    if (this.#writer !== this.#db && this.#writer.open) this.#writer.close();
    if (this.#db.open) this.#db.close();
  }
}

/** Shared statements prepared on `db`, by name. */
function prepare<K extends StatementName>(db: Database.Database, names: readonly K[]): Record<K, Database.Statement> {
  return Object.fromEntries(names.map((name) => [name, db.prepare(sqlite(STATEMENTS[name]))])) as Record<K, Database.Statement>;
}

function isDuplicate(err: unknown): boolean {
  return errorCode(err) === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
