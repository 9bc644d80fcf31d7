// WAL checkpoints for the SQLite store, run by `serve`'s supervisor instead
// of by the workers.
//
// SQLite copies the WAL back into the database file (a checkpoint) from
// within the COMMIT that takes the WAL past wal_autocheckpoint pages: the WAL
// is synced, the pages written to the database file and that file synced.
// better-sqlite3 is synchronous, so that COMMIT would hold a worker's event
// loop, and every request queued behind it, for the whole checkpoint. The
// supervisor answers no requests: it checkpoints every
// CHECKPOINT_INTERVAL_MS in PASSIVE mode (never waits for a reader or writer,
// copies what it can), and the workers' own threshold is raised to
// WORKER_AUTOCHECKPOINT_PAGES, so that they checkpoint only if this stops
// keeping up (a stuck supervisor must not let the WAL grow without bound).
//
// A checkpoint that fails with an I/O error (SQLITE_IOERR_*: an fsync or a
// write of the WAL or the database file failed) is fatal, as a worker's failed
// WAL fsync is (wal-sync.ts): Linux reports a lost write once, so the next
// checkpoint's sync would pass and copy pages that may never have reached the
// disk, or mark the WAL done while the database file lacks them. The
// checkpointer stops and leaves its connection open (closing the last
// connection checkpoints); its `fatal` settles and the server stops. A busy or
// full disk (SQLITE_BUSY, SQLITE_FULL) only skips a checkpoint.

import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { errorCode } from '../errors.ts';

const CHECKPOINT_INTERVAL_MS = 250;
/** The workers' wal_autocheckpoint when the supervisor checkpoints (SQLite's default is 1000 pages). */
export const WORKER_AUTOCHECKPOINT_PAGES = 20_000;
/** A failing checkpoint is logged at most this often. */
const ERROR_LOG_INTERVAL_MS = 60_000;

export interface Checkpointer {
  /** Checkpoints once now (the timer does this every intervalMs); undefined when it failed. */
  checkpoint(): CheckpointResult | undefined;
  /** Stops checkpointing and closes the connection. */
  stop(): void;
  /** Stops checkpointing and leaves the connection open: after a store failure, the process then ends with process.exit. */
  abandon(): void;
  /** Settles once, with the error, when a checkpoint failed with an I/O error; checkpointing has stopped then. Never rejects. */
  readonly fatal: Promise<Error & { code: string }>;
}

export interface CheckpointerOptions {
  /** Every intervalMs (default CHECKPOINT_INTERVAL_MS). */
  intervalMs?: number;
}

export interface CheckpointResult {
  /** WAL frames at the time of the checkpoint. */
  walFrames: number;
  /** Frames now copied into the database file. */
  checkpointed: number;
}

/** An SQLite I/O error (SQLITE_IOERR_*): the disk failed a read, write or sync. */
export function isStoreFailure(err: unknown): boolean {
  return errorCode(err)?.startsWith('SQLITE_IOERR') ?? false;
}

/** Opens its own connection to the store at `path` (which must exist) and checkpoints it every `intervalMs`. */
export function startCheckpointer(path: string, logger: Logger, options: CheckpointerOptions = {}): Checkpointer {
  const { intervalMs = CHECKPOINT_INTERVAL_MS } = options;
  let reportFatal: (err: Error & { code: string }) => void = () => undefined;
  const fatal = new Promise<Error & { code: string }>((resolve) => (reportFatal = resolve));
  const db = new Database(path, { fileMustExist: true, timeout: 0 });
  db.pragma('busy_timeout = 0');
  // The checkpoint's own syncs (WAL before copying, database file after) follow this connection's setting.
  db.pragma('synchronous = FULL');
  let lastErrorLog = -Infinity;
  let failed = false;
  const halt = (): void => {
    failed = true;
    clearInterval(timer);
  };
  const checkpoint = (): CheckpointResult | undefined => {
    if (failed) return undefined;
    try {
      const row = db.pragma('wal_checkpoint(PASSIVE)', { simple: false }) as { busy: number; log: number; checkpointed: number }[];
      const r = row[0];
      return r ? { walFrames: r.log, checkpointed: r.checkpointed } : undefined;
    } catch (err) {
      if (isStoreFailure(err)) {
        halt();
        reportFatal(err as Error & { code: string });
        return undefined;
      }
      const now = performance.now();
      if (now - lastErrorLog >= ERROR_LOG_INTERVAL_MS) {
        lastErrorLog = now;
        logger.warn({ store: path, err: (err as Error).message }, 'WAL checkpoint failed; workers checkpoint themselves once the WAL reaches its limit');
      }
      return undefined;
    }
  };
  const timer = setInterval(checkpoint, intervalMs);
  timer.unref();
  return {
    checkpoint,
    stop() {
      clearInterval(timer);
      if (db.open) db.close();
    },
    abandon: halt,
    fatal,
  };
}
