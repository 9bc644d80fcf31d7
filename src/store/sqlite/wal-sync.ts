// Makes committed WAL frames durable without holding the event loop.
//
// better-sqlite3 is synchronous, so an fsync inside COMMIT (synchronous =
// FULL) would stop every request of the process while holding the write lock
// the other workers wait for. The group-commit connection runs with
// synchronous = NORMAL instead (no sync in COMMIT; SQLite still syncs around
// checkpoints) and this class fsyncs the -wal file on libuv's thread pool
// afterwards. Callers learn of their commit only when an fsync that
// started after it has finished, so an Access-Accept still leaves only once
// its counter advance is on disk.
//
// fdatasync(2), as SQLite itself syncs on Linux: the file's data and the
// size needed to read it back, without the timestamps. It flushes the file,
// not the descriptor: the frames another connection or process appended
// before the sync started are covered too, and so is everything this
// process's commit depended on (WAL frames are appended in commit order). The
// -wal file is not replaced while a connection is open, and ours stays open
// for the life of the store.
//
// One fsync runs at a time; commits that finish while it runs wait for the
// next one, which covers all of them. The group commit holds its next
// transaction until the running fsync is done (whenIdle), so that one batch
// gathers what arrives meanwhile: every commit costs WAL pages and CPU, and a
// commit made during an fsync would wait for the next one anyway.
//
// A failed fsync may have dropped dirty pages (Linux reports the loss once and
// then marks them clean), so a failure is kept: every later commit is reported
// as failed too, and the group commit starts no more transactions. The store
// cannot repair this in place, so the first failure is also reported once
// through `fatal`, and the process that assembled the server stops and exits
// without closing the database (server/start.ts, cli/serve.ts); the store
// itself never exits. The first process to open the database after every
// connection to it has gone recovers the WAL from what is on disk: frames the
// failed fsync lost break the WAL's checksum chain, so SQLite stops reading
// there, at or after the last good fsync, and nothing past that was
// acknowledged. That is why `serve --workers N` stops every worker, and its
// supervisor, rather than replace the one that saw the failure
// (server/workers.ts): processes still holding the database share their view
// of the WAL.

import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';
import { StoreError } from '../errors.ts';

export type SyncDone = (err: Error | null) => void;
/** fs.fdatasync's shape; tests pass one that finishes when they say. */
export type SyncFile = (fd: number, callback: (err: NodeJS.ErrnoException | null) => void) => void;

export interface WalSyncOptions {
  /** Default fs.fdatasync. */
  syncFile?: SyncFile | undefined;
}

/**
 * Every commit after a failed WAL sync fails with this; `cause` is the
 * failure itself. A StoreError 'unavailable': the commit's outcome is unknown,
 * so authentication fails closed with reason "store unavailable".
 */
export class WalSyncError extends StoreError {
  override name = 'WalSyncError';
  /** The -wal file. */
  readonly path: string;
  /** The failure's errno name (EIO, ENOSPC, ...), or its message when it has none. */
  readonly errno: string;

  constructor(path: string, cause: Error) {
    const errno = (cause as NodeJS.ErrnoException).code ?? cause.message;
    super('unavailable', `${path}: fsync failed (${errno}); commits since the last good fsync may be lost, so the store refuses writes until the server is restarted`, { cause });
    this.path = path;
    this.errno = errno;
  }
}

export class WalSync {
  readonly #path: string;
  readonly #syncFile: SyncFile;
  #fd: number | undefined;
  #inFlight = false;
  #waiting: SyncDone[] = [];
  /** Commits the running fsync will settle. */
  #syncing: SyncDone[] = [];
  #idle: (() => void)[] = [];
  #failed: Error | undefined;
  #closed = false;
  /**
   * Settles with the kept error once the first sync (or open of the -wal
   * file) has failed, after the commits it covered were told; never for the
   * "store is closed" error of close(). The store hands it on as its own
   * `fatal` (KeyedTokenStore in ../index.ts).
   */
  readonly fatal: Promise<WalSyncError>;
  readonly #reportFatal: (err: WalSyncError) => void;

  /** `walPath`: the database's -wal file. */
  constructor(walPath: string, options: WalSyncOptions = {}) {
    this.#path = walPath;
    this.#syncFile = options.syncFile ?? fdatasync;
    let report: (err: WalSyncError) => void = () => undefined;
    this.fatal = new Promise((resolve) => (report = resolve));
    this.#reportFatal = report;
  }

  /** The kept error once a sync has failed or the store was closed: every later commit fails with it. */
  get failed(): Error | undefined {
    return this.#failed;
  }

  /** Calls `done` once everything written to the WAL before this call is on disk, or with the error that prevented it. */
  afterCommit(done: SyncDone): void {
    if (this.#failed) {
      done(this.#failed);
      return;
    }
    this.#waiting.push(done);
    if (!this.#inFlight) this.#start();
  }

  /** How many commits wait for an fsync (the one running, or the next). */
  get waiting(): number {
    return this.#syncing.length + this.#waiting.length;
  }

  /** An fsync is running (and the store is open). */
  get busy(): boolean {
    return this.#inFlight && !this.#closed;
  }

  /** Runs `fn` now when no fsync is running, else right after the running one has settled its commits. */
  whenIdle(fn: () => void): void {
    if (this.#inFlight) this.#idle.push(fn);
    else fn();
  }

  /** Synchronously syncs and settles every commit not yet settled: for close(), when no later turn comes. Later calls fail. */
  close(): void {
    if (this.#closed) return;
    const batch = [...this.#syncing, ...this.#waiting];
    this.#syncing = [];
    this.#waiting = [];
    if (batch.length > 0) {
      const failedBefore = this.#failed;
      const err = this.#syncNow();
      for (const done of batch) done(err);
      if (err instanceof WalSyncError && err !== failedBefore) this.#reportFatal(err);
    }
    this.#closed = true;
    this.#failed ??= new Error(`${this.#path}: the store is closed`);
    this.#idle = [];
    // An fsync still running uses the descriptor; its callback closes it.
    if (!this.#inFlight) this.#closeFd();
  }

  #start(): void {
    const batch = this.#waiting;
    this.#waiting = [];
    let fd: number;
    try {
      fd = this.#open();
    } catch (err) {
      this.#fail(err as Error, batch);
      return;
    }
    this.#inFlight = true;
    this.#syncing = batch;
    this.#syncFile(fd, (err) => {
      this.#inFlight = false;
      // close() may have settled this batch already, with a sync of its own.
      const unsettled = this.#syncing;
      this.#syncing = [];
      if (err) {
        this.#fail(err, unsettled);
      } else {
        for (const done of unsettled) done(null);
      }
      if (this.#closed) this.#closeFd();
      else if (this.#waiting.length > 0) this.#start();
      if (this.#inFlight) return;
      const idle = this.#idle;
      this.#idle = [];
      for (const fn of idle) fn();
    });
  }

  #syncNow(): Error | null {
    if (this.#failed) return this.#failed;
    try {
      fdatasyncSync(this.#open());
      return null;
    } catch (err) {
      this.#failed = new WalSyncError(this.#path, err as Error);
      return this.#failed;
    }
  }

  #open(): number {
    // Read-only is enough for fsync; opened on first use, when a commit has certainly created the file.
    this.#fd ??= openSync(this.#path, 'r');
    return this.#fd;
  }

  #fail(err: Error, batch: SyncDone[]): void {
    const first = this.#failed === undefined;
    this.#failed ??= new WalSyncError(this.#path, err);
    const failed = this.#failed;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const done of [...batch, ...waiting]) done(failed);
    // After the commits have their error: whoever stops the process finds them answered (or answering).
    if (first) this.#reportFatal(failed as WalSyncError);
  }

  /** Only when no sync runs: close() and the sync callback see to that. */
  #closeFd(): void {
    const fd = this.#fd;
    this.#fd = undefined;
    if (fd === undefined) return;
    try {
      closeSync(fd);
    } catch {
      // A descriptor that was only synced has nothing to lose on close.
    }
  }
}
