// libuv's thread pool (four threads unless UV_THREADPOOL_SIZE says otherwise)
// runs the PIN hashes (scrypt), argon2 password checks and every file
// operation, the SQLite store's WAL fsync among them, and takes its jobs in
// the order they came. Were the hashes of a burst of logins queued ahead of a
// commit's fsync, no answer of the burst could leave before its last hash was
// done, since every later commit waits for that fsync. So hashes take at most
// all of the pool's threads but one and wait here for their turn, and an
// fsync or a log write finds a thread free.

/** libuv's pool size when UV_THREADPOOL_SIZE is not set. */
export const DEFAULT_THREAD_POOL_SIZE = 4;

/** libuv's own reading of UV_THREADPOOL_SIZE (src/threadpool.c): 4 when unset, at least 1, at most 1024. */
export function threadPoolSize(env: NodeJS.ProcessEnv): number {
  const value = env.UV_THREADPOOL_SIZE;
  if (value === undefined) return DEFAULT_THREAD_POOL_SIZE;
  // atoi into an unsigned count: no digits is 0, which means 1; a negative number wraps to a huge one, which means the maximum.
  const n = Number.parseInt(value.trim(), 10);
  if (!Number.isFinite(n) || n === 0) return 1;
  if (n < 0) return 1024;
  return Math.min(n, 1024);
}

/** How many hashes may run at once: all threads but one, and at least one. */
export function hashConcurrency(env: NodeJS.ProcessEnv): number {
  return Math.max(1, threadPoolSize(env) - 1);
}

/** Runs at most `limit` jobs at a time; the others start in the order they came, as running ones finish. */
export class JobQueue {
  readonly #limit: number;
  #running = 0;
  /** Wake-ups of waiting jobs; those before #head have been woken. */
  #waiting: ((() => void) | undefined)[] = [];
  #head = 0;

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`JobQueue: limit must be a positive integer, got ${limit}`);
    this.#limit = limit;
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.#running < this.#limit) this.#running++;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await job();
    } finally {
      this.#release();
    }
  }

  get running(): number {
    return this.#running;
  }

  get waiting(): number {
    return this.#waiting.length - this.#head;
  }

  /** Hands the finished job's slot to the oldest waiting one, if any. */
  #release(): void {
    if (this.#head === this.#waiting.length) {
      this.#running--;
      return;
    }
    const wake = this.#waiting[this.#head]!;
    this.#waiting[this.#head++] = undefined;
    // A burst can queue thousands: drop the woken part now and then instead of shifting the array every time.
    if (this.#head >= 1024 && this.#head * 2 >= this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#head);
      this.#head = 0;
    }
    wake();
  }
}

/** The queue every CPU-heavy hash on the thread pool goes through, sized from this process's environment. */
export const hashJobs = new JobQueue(hashConcurrency(process.env));
