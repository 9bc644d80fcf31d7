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

import { mkdirSync, openSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { errorCode, StoreError } from '../errors.ts';
import { WORKER_AUTOCHECKPOINT_PAGES } from './checkpointer.ts';
import { GroupCommit } from './group-commit.ts';
import { WalSync, WalSyncError } from './wal-sync.ts';
import { loadKeys, newKeyCheck, verifyKeyCheck } from '../key-check.ts';
import type { StoreKeys } from '../keyfile.ts';
import { migrateSqlite } from '../migrations.ts';
import { DEFAULT_PIN_PARAMS, pinHasher, type PinHasher, type ScryptParams } from '../pin-hash.ts';
import { challengeToRow, FAILED_TOKEN_COLUMNS, rowToChallenge, rowToFailedToken, rowToToken, TOKEN_COLUMNS, tokenToRow } from '../rows.ts';
import { checkBatchSize, checkTransactionId, filterConditions, importChecker, uniqueSerials } from '../query-args.ts';
import type { FailedToken, ImportOptions, ImportResult, TokenFilter, TokenStore } from '../types.ts';
import type { Challenge } from '../../model/challenge.ts';
import type { NewToken, Token, TokenPatch } from '../../model/token.ts';
import { applyPatch, checkChallenge, checkDrift, checkInt, checkSerial, checkTimestamp, tokenFromNew } from '../validate.ts';

export interface SqliteStoreOptions {
  /** Database file; created with its directory on first start. ':memory:' for tests. */
  path: string;
  /** Key file path (see keyfile.ts). Give this or `keys`. */
  keyFile?: string;
  /** Keys given directly instead of a key file (tests, tools). */
  keys?: StoreKeys;
  /** Create the key file when it is absent and the database has no data tied to another key. Default true. */
  createKeyFile?: boolean;
  /** How long to wait for another process's write lock. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** scrypt parameters for new PIN hashes. */
  pinParams?: ScryptParams;
  /** Another process checkpoints the WAL (checkpointer.ts): this store's commits checkpoint only as a fallback. */
  checkpointedElsewhere?: boolean;
  /**
   * Called once when an fsync of the WAL has failed (wal-sync.ts): the store
   * rejects every write from then on, and only a new process can trust the
   * database again. Stop the server and end the process with process.exit
   * without closing the store: close() would checkpoint the suspect WAL into
   * the database file, and so would a natural exit (better-sqlite3 closes open
   * databases then).
   */
  onFatal?: ((err: WalSyncError) => void) | undefined;
}

/**
 * Page cache per connection, as SQLite's negative "KiB" form. better-sqlite3
 * builds with 16 MB, but in WAL mode a connection drops its whole cache when
 * another connection has committed since its last read (pager_reset in
 * pagerBeginReadTransaction), which under load is before nearly every read:
 * a large cache never stays warm, yet could hold 16 MB on each of two
 * connections per worker. SQLite's own default of 2 MB is enough.
 */
const PAGE_CACHE_KIB = -2000;

export async function openSqliteStore(opts: SqliteStoreOptions): Promise<SqliteTokenStore> {
  const busyTimeoutMs = checkInt(opts.busyTimeoutMs ?? 5000, 'busyTimeoutMs', 0, 600_000);
  if ((opts.keyFile === undefined) === (opts.keys === undefined)) throw new StoreError('invalid', 'openSqliteStore: give exactly one of keyFile and keys');
  const inMemory = opts.path === ':memory:';
  if (!inMemory) createDbFile(opts.path);
  const db = new Database(opts.path, { timeout: busyTimeoutMs });
  let writer: Database.Database | undefined;
  try {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (!inMemory && mode !== 'wal') throw new StoreError('schema', `${opts.path}: cannot switch to WAL journal mode (got ${String(mode)})`);
    tuneConnection(db, opts.checkpointedElsewhere ?? false);
    // Its commits (administrative writes, migrations) sync inside COMMIT.
    db.pragma('synchronous = FULL');
    migrateSqlite(db, opts.path);
    const keyCheck = db.prepare("SELECT value FROM store_meta WHERE name = 'key_check'").pluck().get() as string | undefined;
    const keys = loadKeys(opts, keyCheck !== undefined, opts.path, 'openSqliteStore');
    checkKeys(db, keys, opts.path, opts.keyFile);
    // An in-memory database is private to its connection, and has no other process to wait for.
    writer = inMemory ? undefined : openWriter(opts.path, opts.checkpointedElsewhere ?? false);
    const walSync = writer ? new WalSync(`${opts.path}-wal`, { onFatal: opts.onFatal }) : undefined;
    return new SqliteTokenStore(db, keys, `sqlite:${opts.path}`, opts.pinParams ?? DEFAULT_PIN_PARAMS, { writer, busyTimeoutMs, walSync });
  } catch (err) {
    writer?.close();
    db.close();
    throw err;
  }
}

/**
 * The group-commit connection: no busy handler (see group-commit.ts), and no
 * fsync inside COMMIT: its WalSync syncs after the commit, off the event loop
 * (see wal-sync.ts), before any caller hears of the write.
 */
function openWriter(path: string, checkpointedElsewhere: boolean): Database.Database {
  const db = new Database(path, { timeout: 0 });
  db.pragma('busy_timeout = 0');
  tuneConnection(db, checkpointedElsewhere);
  db.pragma('synchronous = NORMAL');
  return db;
}

/** What both connections must agree on: foreign keys, the page cache, who checkpoints. Each sets its own sync mode. */
function tuneConnection(db: Database.Database, checkpointedElsewhere: boolean): void {
  db.pragma('foreign_keys = ON');
  db.pragma(`cache_size = ${PAGE_CACHE_KIB}`);
  if (checkpointedElsewhere) db.pragma(`wal_autocheckpoint = ${WORKER_AUTOCHECKPOINT_PAGES}`);
}

function createDbFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    // SQLite gives the -wal and -shm files the mode of the database file.
    closeSync(openSync(path, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/** Ties the database to its keys on first open, so a wrong key file stops the start instead of every login. */
function checkKeys(db: Database.Database, keys: StoreKeys, where: string, keyFile: string | undefined): void {
  db.prepare("INSERT INTO store_meta (name, value) VALUES ('key_check', ?) ON CONFLICT (name) DO NOTHING").run(newKeyCheck(keys));
  const stored = db.prepare("SELECT value FROM store_meta WHERE name = 'key_check'").pluck().get() as string;
  verifyKeyCheck(stored, keys, where, keyFile);
}

const PATCH_COLUMNS = [
  'pin_hash', 'owner_realm', 'owner_resolver', 'owner_user_id', 'owner_login', 'active', 'revoked', 'locked', 'fail_count',
  'max_fail', 'description', 'info', 'check_window', 'sync_window', 'max_auth', 'max_success', 'valid_from', 'valid_until', 'otp_length',
] as const;

export interface GroupOptions {
  /** The connection for group commits (busy_timeout 0); the main connection when absent (in-memory stores, bulk tools). */
  writer?: Database.Database | undefined;
  /** How long a group commit keeps trying for the write lock. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** Syncs the writer's commits when it runs synchronous = NORMAL (see wal-sync.ts). */
  walSync?: WalSync | undefined;
}

/**
 * Least time between two group commits of one process. A transaction costs
 * far more than its rows: BEGIN, the WAL frames and their index, and every
 * other connection (the reads of all workers) drops its page cache at its
 * next read after any commit. Once the fsync left COMMIT, batches shrank to a
 * few writes and the workers spent ~15% more CPU at 5,000 accepts/s; two
 * milliseconds between transactions gave the batches back (less CPU than
 * with the fsync in COMMIT) and add at most that to an answer. An idle
 * server commits at once.
 */
const COMMIT_INTERVAL_MS = 2;

const CHALLENGE_COLUMNS = 'transaction_id, serials, realm, resolver, user_id, login, data, created_at, expires_at, attempts, max_attempts';

export class SqliteTokenStore implements TokenStore {
  readonly description: string;
  /** PIN hashing with this store's pepper. */
  readonly pins: PinHasher;
  readonly #db: Database.Database;
  readonly #writer: Database.Database;
  readonly #group: GroupCommit;
  readonly #walSync: WalSync | undefined;
  readonly #seedKey: Buffer;
  readonly #s;
  readonly #w;
  readonly #filtered = new Map<string, Database.Statement>();

  /** Use openSqliteStore; this takes a database that is already migrated and checked. */
  constructor(db: Database.Database, keys: StoreKeys, description: string, pinParams: ScryptParams = DEFAULT_PIN_PARAMS, group: GroupOptions = {}) {
    this.#db = db;
    const writer = group.writer ?? db;
    this.#writer = writer;
    this.#group = new GroupCommit(writer, { busyTimeoutMs: group.busyTimeoutMs ?? 5000, walSync: group.walSync, minIntervalMs: group.walSync ? COMMIT_INTERVAL_MS : 0 });
    this.#walSync = group.walSync;
    this.#seedKey = keys.seedKey;
    this.description = description;
    this.pins = pinHasher(keys.pepper, pinParams);
    this.#s = {
      insertToken: db.prepare(`INSERT INTO tokens (${TOKEN_COLUMNS.join(', ')}) VALUES (${TOKEN_COLUMNS.map((c) => '@' + c).join(', ')})`),
      getToken: db.prepare('SELECT * FROM tokens WHERE serial = ?'),
      // No ORDER BY: sorting a user's few rows in JavaScript is cheaper than the temporary B-tree SQLite builds for it.
      tokensOfUser: db.prepare('SELECT * FROM tokens WHERE owner_resolver = ? AND owner_user_id = ?'),
      patchToken: db.prepare(`UPDATE tokens SET ${PATCH_COLUMNS.map((c) => `${c} = @${c}`).join(', ')} WHERE serial = @serial`),
      deleteToken: db.prepare('DELETE FROM tokens WHERE serial = ?'),
      getChallenge: db.prepare(`SELECT ${CHALLENGE_COLUMNS} FROM challenges WHERE transaction_id = ?`),
      ping: db.prepare('SELECT 1').pluck(),
      exportPage: db.prepare('SELECT * FROM tokens WHERE serial > ? ORDER BY serial LIMIT ?'),
      listChallenges: db.prepare(`SELECT ${CHALLENGE_COLUMNS} FROM challenges ORDER BY created_at, created_seq`),
      tokenExists: db.prepare('SELECT 1 FROM tokens WHERE serial = ?').pluck(),
      upsertToken: db.prepare(
        `INSERT INTO tokens (${TOKEN_COLUMNS.join(', ')}) VALUES (${TOKEN_COLUMNS.map((c) => '@' + c).join(', ')}) ON CONFLICT (serial) DO UPDATE SET ` +
          TOKEN_COLUMNS.filter((c) => c !== 'serial').map((c) => (c === 'counter' ? 'counter = max(counter, excluded.counter)' : `${c} = excluded.${c}`)).join(', '),
      ),
      importChallenge: db.prepare(
        `INSERT INTO challenges (${CHALLENGE_COLUMNS}, created_seq) VALUES (@transaction_id, @serials, @realm, @resolver, @user_id, @login, @data, ` +
          '@created_at, @expires_at, @attempts, @max_attempts, (SELECT coalesce(max(created_seq), 0) + 1 FROM challenges)) ' +
          'ON CONFLICT (transaction_id) DO UPDATE SET attempts = max(attempts, excluded.attempts)',
      ),
      importChallengeToken: db.prepare('INSERT INTO challenge_tokens (transaction_id, serial) VALUES (?, ?) ON CONFLICT DO NOTHING'),
    };
    // The statements of authentication's writes run in group commits on the writer connection.
    this.#w = {
      commitSuccess: writer.prepare(
        'UPDATE tokens SET counter = @matched + 1, drift = coalesce(@drift, drift), fail_count = 0, success_count = success_count + 1, auth_count = auth_count + 1, ' +
          'last_auth = @now, sync_counter = NULL, sync_at = NULL WHERE serial = @serial AND counter <= @matched',
      ),
      recordFailure: writer.prepare(
        'UPDATE tokens SET fail_count = fail_count + 1, auth_count = auth_count + 1, last_fail = @now, ' +
          `locked = CASE WHEN fail_count + 1 >= max_fail THEN 1 ELSE locked END WHERE serial = @serial RETURNING ${FAILED_TOKEN_COLUMNS}`,
      ),
      setSyncState: writer.prepare('UPDATE tokens SET sync_counter = ?, sync_at = ? WHERE serial = ?'),
      insertChallenge: writer.prepare(
        `INSERT INTO challenges (${CHALLENGE_COLUMNS}, created_seq) VALUES (@transaction_id, @serials, @realm, @resolver, @user_id, @login, @data, ` +
          '@created_at, @expires_at, @attempts, @max_attempts, (SELECT coalesce(max(created_seq), 0) + 1 FROM challenges))',
      ),
      insertChallengeToken: writer.prepare('INSERT INTO challenge_tokens (transaction_id, serial) VALUES (?, ?)'),
      challengeAttempt: writer.prepare(`UPDATE challenges SET attempts = attempts + 1 WHERE transaction_id = ? RETURNING ${CHALLENGE_COLUMNS}`),
      deleteChallenge: writer.prepare('DELETE FROM challenges WHERE transaction_id = ?'),
      purgeExpired: writer.prepare('DELETE FROM challenges WHERE expires_at < ?'),
      purgeOverCap: writer.prepare(
        'DELETE FROM challenges WHERE transaction_id IN (SELECT transaction_id FROM (' +
          'SELECT ct.transaction_id, row_number() OVER (PARTITION BY ct.serial ORDER BY c.created_at DESC, c.created_seq DESC) AS rn ' +
          'FROM challenge_tokens ct JOIN challenges c ON c.transaction_id = ct.transaction_id) ranked WHERE rn > ?)',
      ),
    };
  }

  async createToken(token: NewToken, now: number = Date.now() / 1000): Promise<Token> {
    const full = tokenFromNew(token, now);
    try {
      this.#s.insertToken.run(tokenToRow(full, this.#seedKey));
    } catch (err) {
      if (isConstraint(err, 'SQLITE_CONSTRAINT_PRIMARYKEY')) throw new StoreError('duplicate', `token ${full.serial} already exists`);
      throw err;
    }
    return full;
  }

  async getToken(serial: string): Promise<Token | undefined> {
    const row = this.#s.getToken.get(checkSerial(serial));
    return row === undefined ? undefined : rowToToken(row, this.#seedKey);
  }

  async listTokens(filter: TokenFilter = {}): Promise<Token[]> {
    const { where, params } = filterSql(filter);
    let stmt = this.#filtered.get(where);
    if (!stmt) {
      stmt = this.#db.prepare(`SELECT * FROM tokens${where} ORDER BY serial`);
      this.#filtered.set(where, stmt);
    }
    return stmt.all(params).map((row) => rowToToken(row, this.#seedKey));
  }

  async tokensOfUser(resolver: string, userId: string): Promise<Token[]> {
    if (typeof resolver !== 'string' || typeof userId !== 'string') throw new StoreError('invalid', 'tokensOfUser: resolver and userId must be strings');
    const rows = this.#s.tokensOfUser.all(resolver, userId) as { serial: string }[];
    rows.sort((a, b) => (a.serial < b.serial ? -1 : a.serial > b.serial ? 1 : 0));
    return rows.map((row) => rowToToken(row, this.#seedKey));
  }

  async updateToken(serial: string, patch: TokenPatch): Promise<boolean> {
    checkSerial(serial);
    // IMMEDIATE takes the write lock before the read, so no other process's
    // fail-counter update can land between our read and our write.
    return this.#db.transaction((): boolean => {
      const row = this.#s.getToken.get(serial);
      if (row === undefined) return false;
      // The seed is neither read nor written, so a token whose seed no longer decrypts can still be disabled.
      const next = tokenToRow(applyPatch(rowToToken(row, null), patch), null);
      this.#s.patchToken.run(Object.fromEntries((['serial', ...PATCH_COLUMNS] as const).map((c) => [c, next[c]])));
      return true;
    }).immediate();
  }

  async deleteToken(serial: string): Promise<boolean> {
    return this.#s.deleteToken.run(checkSerial(serial)).changes === 1;
  }

  #write<T>(run: () => T): Promise<T> {
    return this.#group.write(run);
  }

  async commitSuccess(serial: string, matched: number, now: number, drift?: number): Promise<boolean> {
    const params = {
      serial: checkSerial(serial),
      matched: checkInt(matched, `commitSuccess ${serial}: matched`, 0, Number.MAX_SAFE_INTEGER - 1),
      now: checkTimestamp(now, `commitSuccess ${serial}: now`),
      drift: drift === undefined ? null : checkDrift(drift, `commitSuccess ${serial}: drift`),
    };
    return this.#write(() => this.#w.commitSuccess.run(params).changes === 1);
  }

  async recordFailure(serials: string[], now: number): Promise<FailedToken[]> {
    const list = uniqueSerials(serials, 'recordFailure', checkSerial);
    const at = checkTimestamp(now, 'recordFailure: now');
    const rows = await this.#write(() => list.map((serial) => this.#w.recordFailure.get({ serial, now: at })).filter((r) => r !== undefined));
    return rows.map(rowToFailedToken);
  }

  async setSyncState(serial: string, counter: number | null, at: number | null): Promise<void> {
    checkSerial(serial);
    if ((counter === null) !== (at === null)) throw new StoreError('invalid', `setSyncState ${serial}: counter and at must both be null or both be set`);
    const c = counter === null ? null : checkInt(counter, `setSyncState ${serial}: counter`, 0);
    const a = at === null ? null : checkTimestamp(at, `setSyncState ${serial}: at`);
    await this.#write(() => this.#w.setSyncState.run(c, a, serial));
  }

  async createChallenge(challenge: Challenge): Promise<void> {
    const c = checkChallenge(challenge);
    try {
      await this.#write(() =>
        this.#writer.transaction(() => {
          this.#w.insertChallenge.run(challengeToRow(c));
          for (const serial of c.serials) this.#w.insertChallengeToken.run(c.transactionId, serial);
        })(),
      );
    } catch (err) {
      if (isConstraint(err, 'SQLITE_CONSTRAINT_PRIMARYKEY')) throw new StoreError('duplicate', `challenge ${c.transactionId} already exists`);
      throw err;
    }
  }

  async getChallenge(transactionId: string): Promise<Challenge | undefined> {
    const row = this.#s.getChallenge.get(checkTransactionId(transactionId));
    return row === undefined ? undefined : rowToChallenge(row);
  }

  async recordChallengeAttempt(transactionId: string): Promise<Challenge | undefined> {
    const id = checkTransactionId(transactionId);
    const row = await this.#write(() => this.#w.challengeAttempt.get(id));
    return row === undefined ? undefined : rowToChallenge(row);
  }

  async deleteChallenge(transactionId: string): Promise<boolean> {
    const id = checkTransactionId(transactionId);
    return this.#write(() => this.#w.deleteChallenge.run(id).changes === 1);
  }

  /** A challenge is expired once now > expiresAt (expiresAt is its last valid second). Returns how many were removed. */
  async purgeChallenges(now: number, maxPerToken: number): Promise<number> {
    const at = checkTimestamp(now, 'purgeChallenges: now');
    const cap = checkInt(maxPerToken, 'purgeChallenges: maxPerToken', 0);
    return this.#write(() => this.#w.purgeExpired.run(at).changes + this.#w.purgeOverCap.run(cap).changes);
  }

  async *exportTokens(batchSize = 1000): AsyncIterable<Token[]> {
    const size = checkBatchSize(batchSize);
    let after = '';
    for (;;) {
      const rows = this.#s.exportPage.all(after, size) as { serial: string }[];
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.serial;
      yield rows.map((row) => rowToToken(row, this.#seedKey));
      if (rows.length < size) return;
    }
  }

  async listChallenges(): Promise<Challenge[]> {
    return this.#s.listChallenges.all().map(rowToChallenge);
  }

  /** Collects the tokens first: a SQLite transaction cannot span awaits. */
  async importTokens(tokens: Iterable<Token> | AsyncIterable<Token>, options: ImportOptions = {}): Promise<ImportResult> {
    const check = importChecker();
    const list: Token[] = [];
    for await (const t of tokens) list.push(check(t, list.length));
    const challenges = (options.challenges ?? []).map(checkChallenge);
    const result: ImportResult = { created: 0, updated: 0, challenges: 0 };
    const rollback = new Error('dry run');
    try {
      this.#db.transaction(() => {
        for (const t of list) {
          if (this.#s.tokenExists.get(t.serial) === undefined) result.created++;
          else result.updated++;
          this.#s.upsertToken.run(tokenToRow(t, this.#seedKey));
        }
        for (const c of challenges) {
          this.#s.importChallenge.run(challengeToRow(c));
          for (const serial of c.serials) this.#s.importChallengeToken.run(c.transactionId, serial);
          result.challenges++;
        }
        if (options.dryRun) throw rollback;
      }).immediate();
    } catch (err) {
      if (err !== rollback) throw err;
    }
    return result;
  }

  async ping(): Promise<void> {
    if (this.#s.ping.get() !== 1) throw new Error(`${this.description}: ping returned an unexpected value`);
  }

  async close(): Promise<void> {
    if (this.#writer.open) this.#group.flushNow();
    // After a failed WAL fsync the connections stay open: closing the last one would checkpoint the WAL,
    // which can no longer be trusted, into the database file. The process exits with them (see onFatal).
    if (this.#walSync?.failed instanceof WalSyncError) return;
    if (this.#writer !== this.#db && this.#writer.open) this.#writer.close();
    if (this.#db.open) this.#db.close();
  }
}

function isConstraint(err: unknown, code: string): boolean {
  return errorCode(err) === code;
}

function filterSql(filter: TokenFilter): { where: string; params: Record<string, string> } {
  const { equal, unassigned } = filterConditions(filter);
  const conds = equal.map(([column], i) => `${column} = @p${i}`);
  if (unassigned) conds.push('owner_resolver IS NULL');
  const params = Object.fromEntries(equal.map(([, value], i) => [`p${i}`, value]));
  return { where: conds.length ? ` WHERE ${conds.join(' AND ')}` : '', params };
}
