// Group commit for the SQLite store: the writes of one event-loop turn share
// one transaction and so one fsync. Each caller's promise settles only after
// that commit is on disk (synchronous = FULL, or a WalSync's fsync after a
// commit under synchronous = NORMAL, see wal-sync.ts), so an accept is still
// durable before it is sent; a burst of logins pays one disk flush per batch
// instead of one per login.
//
// The write lock is taken without blocking. SQLite's own busy handler sleeps
// inside the call while another worker process holds the lock, and
// better-sqlite3 is synchronous, so each such sleep would freeze the whole
// event loop. Here the connection has busy_timeout 0, a busy lock puts the batch back and tries
// again a millisecond later, and the event loop keeps answering meanwhile
// (the batch only grows). After `busyTimeoutMs` of failed tries the batch
// fails, like a busy timeout would.

import type Database from 'better-sqlite3';
import { errorCode } from '../errors.ts';
import type { WalSync } from './wal-sync.ts';

interface PendingWrite {
  run: () => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

const RETRY_MS = 1;

export interface GroupCommitOptions {
  /** How long a batch keeps trying for the write lock before it fails. */
  busyTimeoutMs: number;
  /** The connection runs synchronous = NORMAL and a commit counts once this has synced it (wal-sync.ts). */
  walSync?: WalSync | undefined;
  /** Least time between the starts of two transactions; 0 = every turn. See COMMIT_INTERVAL_MS in store.ts. */
  minIntervalMs?: number;
}

function isBusy(err: unknown): boolean {
  return errorCode(err)?.startsWith('SQLITE_BUSY') ?? false;
}

export class GroupCommit {
  readonly #db: Database.Database;
  readonly #busyTimeoutMs: number;
  readonly #begin: Database.Statement;
  readonly #commit: Database.Statement;
  readonly #rollback: Database.Statement;
  readonly #walSync: WalSync | undefined;
  readonly #minIntervalMs: number;
  #lastBegin = -Infinity;
  #queue: PendingWrite[] = [];
  #scheduled = false;
  /** When the oldest waiting batch first found the lock busy; undefined while nothing waits. */
  #busySince: number | undefined;
  /** The next try at the lock, or the end of the interval between transactions. */
  #timer: NodeJS.Timeout | undefined;

  /** `db` must have busy_timeout 0 (see above); it should be a connection of its own. */
  constructor(db: Database.Database, options: GroupCommitOptions) {
    this.#db = db;
    this.#walSync = options.walSync;
    this.#busyTimeoutMs = options.busyTimeoutMs;
    this.#minIntervalMs = options.minIntervalMs ?? 0;
    this.#begin = db.prepare('BEGIN IMMEDIATE');
    this.#commit = db.prepare('COMMIT');
    this.#rollback = db.prepare('ROLLBACK');
  }

  /** Runs `run` inside the next batch's transaction; settles after that transaction is committed. */
  write<T>(run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ run, resolve: resolve as (v: unknown) => void, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  /** Commits and syncs what is queued now, waiting for the lock if need be: for close(), when no later turn comes. */
  flushNow(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#queue.length > 0) {
      const previous = this.#db.pragma('busy_timeout', { simple: true }) as number;
      this.#db.pragma(`busy_timeout = ${this.#busyTimeoutMs}`);
      try {
        this.#flush(true);
      } finally {
        this.#db.pragma(`busy_timeout = ${previous}`);
      }
    }
    this.#walSync?.close();
  }

  /** Writes not yet committed, or committed and waiting for their fsync. */
  get pending(): number {
    return this.#queue.length + (this.#walSync?.waiting ?? 0);
  }

  #flush(force = false): void {
    // No transaction while our last fsync runs: these writes join the batch committed right after it.
    if (!force && this.#walSync?.busy) {
      this.#walSync.whenIdle(() => this.#flush());
      return;
    }
    this.#timer = undefined;
    const now = performance.now();
    if (!force && now - this.#lastBegin < this.#minIntervalMs) {
      this.#timer = setTimeout(() => this.#flush(), this.#minIntervalMs - (now - this.#lastBegin));
      return;
    }
    this.#lastBegin = now;
    this.#scheduled = false;
    const ops = this.#queue;
    this.#queue = [];
    if (ops.length === 0) return;
    // After a failed fsync nothing more goes into a WAL that is no longer trusted (see wal-sync.ts).
    const failed = this.#walSync?.failed;
    if (failed) {
      for (const op of ops) op.reject(failed);
      return;
    }
    try {
      this.#begin.run();
    } catch (err) {
      this.#lockFailed(ops, err);
      return;
    }
    this.#busySince = undefined;
    const results: { ok: boolean; value: unknown }[] = [];
    try {
      for (const op of ops) {
        // A failing statement rolls back only itself; the others in the batch still commit.
        try {
          results.push({ ok: true, value: op.run() });
        } catch (err) {
          results.push({ ok: false, value: err });
        }
      }
      this.#commit.run();
    } catch (err) {
      if (this.#db.inTransaction) this.#rollback.run();
      for (const op of ops) op.reject(err);
      return;
    }
    const settle = (): void => {
      for (const [i, op] of ops.entries()) {
        const result = results[i]!;
        if (result.ok) op.resolve(result.value);
        else op.reject(result.value);
      }
    };
    if (!this.#walSync) {
      settle();
      return;
    }
    this.#walSync.afterCommit((err) => {
      if (err) for (const op of ops) op.reject(err);
      else settle();
    });
  }

  #lockFailed(ops: PendingWrite[], err: unknown): void {
    const now = performance.now();
    this.#busySince ??= now;
    if (!isBusy(err) || now - this.#busySince >= this.#busyTimeoutMs) {
      this.#busySince = undefined;
      for (const op of ops) op.reject(err);
      // What arrived while this batch waited gets a turn (and a wait) of its own.
      if (this.#queue.length > 0) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
      return;
    }
    // Put the batch back in front of what arrived meanwhile, and try again soon without blocking.
    this.#queue = ops.concat(this.#queue);
    this.#scheduled = true;
    this.#timer = setTimeout(() => this.#flush(), RETRY_MS);
  }
}
