// Where log lines go: one write per event-loop turn, to stdout, stderr or an
// append-only file that SIGHUP reopens (logrotate).
//
// Under load the replies of a whole group commit are settled in the same
// turn, each with its audit line; written one by one they cost a write(2)
// each, about 4% of a worker's time at full load (and, written through the
// thread pool as sonic-boom's async mode does, a hand-off to another thread
// each). A line waits at most until the end of the turn it was logged in;
// process exit (process.exit, an uncaught exception) flushes what is left.

import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DestinationStream } from 'pino';

/** Something that takes text synchronously: sonic-boom in sync mode, or an AppendFile. */
export interface LineTarget {
  write(text: string): unknown;
  flushSync(): void;
}

/** A failing target is reported on stderr at most this often. */
const ERROR_REPORT_INTERVAL_MS = 60_000;

/** Streams with lines not yet handed on; flushed when the process exits. */
const unflushed = new Set<TurnBatchedStream>();
let exitHooked = false;

export class TurnBatchedStream implements DestinationStream {
  readonly #target: LineTarget;
  readonly #name: string;
  #lines: string[] = [];
  #lost = 0;
  #lastReport = -Infinity;

  /** `name` says which log a write failure concerns (a path, "stdout"). */
  constructor(target: LineTarget, name: string) {
    this.#target = target;
    this.#name = name;
    if (!exitHooked) {
      exitHooked = true;
      process.once('exit', () => {
        for (const stream of unflushed) stream.flushSync();
      });
    }
  }

  write(line: string): void {
    this.#lines.push(line);
    if (this.#lines.length === 1) {
      unflushed.add(this);
      setImmediate(() => this.#handOn());
    }
  }

  /** Writes out everything logged so far, now. */
  flushSync(): void {
    this.#handOn();
    try {
      this.#target.flushSync();
    } catch (err) {
      this.#failed(err, 0);
    }
  }

  /** pino's logger.flush(). */
  flush(callback?: (err?: Error) => void): void {
    this.flushSync();
    callback?.();
  }

  #handOn(): void {
    const count = this.#lines.length;
    if (count === 0) return;
    const text = count === 1 ? this.#lines[0]! : this.#lines.join('');
    this.#lines = [];
    unflushed.delete(this);
    try {
      this.#target.write(text);
    } catch (err) {
      this.#failed(err, count);
    }
  }

  // A full disk or a closed pipe must not take authentication down with it
  // (the decision is already made and sent); the loss is counted and said.
  #failed(err: unknown, lines: number): void {
    this.#lost += lines;
    const now = performance.now();
    if (now - this.#lastReport < ERROR_REPORT_INTERVAL_MS) return;
    this.#lastReport = now;
    const line = JSON.stringify({
      level: 50,
      time: new Date().toISOString(),
      service: 'otp-radius',
      log: this.#name,
      err: (err as Error).message,
      linesLost: this.#lost,
      msg: 'log write failed; lines are being lost',
    });
    try {
      writeSync(2, `${line}\n`);
    } catch {
      // stderr is gone too: nothing left to tell.
    }
  }
}

/**
 * An append-only log file. reopen() opens the path again and closes the old
 * descriptor, so that after logrotate renamed the file the lines go to a new
 * one under the configured name. Created 0640: audit lines name users and NAS.
 */
export class AppendFile implements LineTarget {
  readonly #path: string;
  #fd: number;

  constructor(path: string) {
    this.#path = path;
    this.#fd = AppendFile.#open(path);
  }

  static #open(path: string): number {
    mkdirSync(dirname(path), { recursive: true });
    return openSync(path, 'a', 0o640);
  }

  write(text: string): void {
    const bytes = Buffer.from(text, 'utf8');
    // O_APPEND writes to a regular file are not cut short except by an error (ENOSPC, EIO), which throws.
    for (let off = 0; off < bytes.length; ) off += writeSync(this.#fd, bytes, off);
  }

  flushSync(): void {}

  /** Throws (keeping the old file) when the path cannot be opened. */
  reopen(): void {
    const fd = AppendFile.#open(this.#path);
    const old = this.#fd;
    this.#fd = fd;
    closeSync(old);
  }

  close(): void {
    closeSync(this.#fd);
  }
}
