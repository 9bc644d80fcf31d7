// `serve --workers N`: a supervisor process forks N workers that each bind
// the RADIUS port with SO_REUSEPORT. The kernel spreads packets by source
// address and port, so a NAS's retransmission reaches the worker whose
// duplicate cache holds the answer. The supervisor restarts a worker that
// dies, and passes SIGHUP and SIGTERM on to all of them.
//
// A worker whose fsync of the shared SQLite WAL failed exits with
// EXIT_STORE_FAILED and is not replaced: every process sharing the store
// reads the same WAL, which may now hold pages that never reached the disk,
// and a new worker would read them too. The whole server stops instead (each
// worker answers its requests in flight and none closes the store: the last
// connection's close would checkpoint the suspect WAL), so that the next
// start recovers the store from what is on disk. systemd restarts the
// service; meanwhile the NAS asks its other RADIUS server.

import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { DEFAULT_THREAD_POOL_SIZE } from '../store/thread-pool.ts';
import type { ClusterMetrics } from './metrics-cluster.ts';
import { isLearnedMessage } from './learned-clients.ts';

/** Deaths within this many seconds of each other that count as a crash loop. */
const CRASH_WINDOW_SECONDS = 60;
const MAX_CRASHES_IN_WINDOW = 5;
/** sysexits.h EX_IOERR: a process whose store failed (a WAL fsync) exits with it, leaving the store to the next start's recovery. */
export const EXIT_STORE_FAILED = 74;
/** How long workers told to stop after a store failure have before they are killed (never SIGTERM: its orderly stop closes the store). */
const FAIL_STOP_KILL_MS = 15_000;

export interface SupervisorOptions {
  workers: number;
  logger: Logger;
  /**
   * Receives the function that stops the whole server after a store failure
   * the supervisor saw itself (its WAL checkpoint, in serve.ts); supervise()
   * then resolves to EXIT_STORE_FAILED.
   */
  onStart?: (failStop: (fields: Record<string, unknown>, message: string) => void) => void;
  /** Collects the workers' metrics for a scrape that reaches any of them (metrics-cluster.ts). */
  metrics?: ClusterMetrics;
  /** Called once, when every worker of the first start listens. */
  onReady?: () => void;
}

/** The message that tells a worker to stop as if its own WAL fsync had failed. */
export interface FailStopMessage {
  failStop: true;
}

export function isFailStopMessage(msg: unknown): msg is FailStopMessage {
  return typeof msg === 'object' && msg !== null && (msg as { failStop?: unknown }).failStop === true;
}

/**
 * V8 flags for workers, each unless the operator gave that flag already.
 * A worker allocates fast but keeps little per request: small semi-spaces
 * keep scavenge pauses (which land in the answer time) short, and a smaller
 * old-generation growth keeps the heap pages V8 holds on to, and so the RSS,
 * down at the same throughput (docs/performance.md has the figures).
 */
export const WORKER_V8_FLAGS: readonly { name: string; value: number }[] = [
  { name: 'max-semi-space-size', value: 4 },
  { name: 'heap-growing-percent', value: 50 },
];

/** The node flags for workers: the supervisor's, plus each of WORKER_V8_FLAGS not given on its command line or in NODE_OPTIONS. */
export function workerExecArgv(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const given = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)];
  const named = (name: string) => new RegExp(`^--${name.replaceAll('-', '[-_]')}(=|$)`);
  const added = WORKER_V8_FLAGS.filter((f) => !given.some((a) => named(f.name).test(a))).map((f) => `--${f.name}=${f.value}`);
  return [...execArgv, ...added];
}

/**
 * glibc gives each thread that allocates its own malloc arena, which keeps
 * memory each; two arenas are plenty for a process whose work runs on one
 * thread. An operator's own MALLOC_ARENA_MAX wins.
 *
 * libuv's thread pool gets a fifth thread: PIN hashes use all of it but one
 * (thread-pool.ts), so four still hash at once. An operator's own
 * UV_THREADPOOL_SIZE wins.
 */
export function workerEnv(slot: number, env: NodeJS.ProcessEnv): Record<string, string> {
  return {
    OTP_RADIUS_WORKER: String(slot),
    MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? '2',
    UV_THREADPOOL_SIZE: env.UV_THREADPOOL_SIZE ?? String(DEFAULT_THREAD_POOL_SIZE + 1),
  };
}

/** Runs in the supervisor until SIGTERM/SIGINT has stopped every worker; resolves to the exit code. */
export function supervise(options: SupervisorOptions): Promise<number> {
  const { logger } = options;
  const alive = new Map<number, Worker>();
  const crashes: number[] = [];
  let stopping = false;
  let failed = false;
  let storeFailed = false;
  let ready = 0;
  let slot = 0;

  return new Promise<number>((resolve) => {
    const finish = (): void => resolve(storeFailed ? EXIT_STORE_FAILED : failed ? 1 : 0);

    const failStop = (fields: Record<string, unknown>, message: string): void => {
      if (storeFailed) return;
      logger.fatal(fields, message);
      storeFailed = true;
      stopping = true;
      const tell: FailStopMessage = { failStop: true };
      for (const w of alive.values()) {
        // A worker that cannot be told is killed: that too leaves the store as it is.
        w.send(tell, (err: Error | null) => {
          if (err) w.process.kill('SIGKILL');
        });
      }
      setTimeout(() => {
        for (const w of alive.values()) {
          logger.error({ worker: w.id }, 'worker did not stop after the store failure; killing it');
          w.process.kill('SIGKILL');
        }
      }, FAIL_STOP_KILL_MS).unref();
      if (alive.size === 0) finish();
    };

    const fork = (): void => {
      const mySlot = ++slot;
      const worker = cluster.fork(workerEnv(mySlot, process.env));
      alive.set(worker.id, worker);
      let up = false;
      worker.on('message', (msg: unknown) => {
        if (options.metrics?.onMessage(worker, msg)) return;
        // A client one worker learned is required by all of them from now on.
        if (isLearnedMessage(msg)) {
          for (const w of alive.values()) if (w !== worker && w.isConnected()) w.send(msg);
          return;
        }
        if ((msg as { ready?: boolean }).ready !== true) return;
        options.metrics?.add(mySlot, worker);
        up = true;
        ready++;
        if (ready === options.workers) {
          logger.info({ workers: options.workers }, 'otp-radius started');
          options.onReady?.();
        }
      });
      worker.on('exit', (code, signal) => {
        alive.delete(worker.id);
        options.metrics?.retire(mySlot);
        if (code === EXIT_STORE_FAILED && !storeFailed) {
          failStop({ worker: worker.id, code }, "a worker's WAL fsync failed: stopping every worker without closing the store, so that the next start recovers it from disk");
          return;
        }
        if (stopping) {
          if (code !== 0) failed = true;
          if (alive.size === 0) finish();
          return;
        }
        if (!up && ready < options.workers) {
          // A worker that cannot start (port in use, store locked) will not start on a retry either;
          // it has said why on stderr.
          logger.fatal({ worker: worker.id, code, signal }, 'a worker failed to start; stopping');
          stopping = true;
          failed = true;
          for (const w of alive.values()) w.process.kill('SIGTERM');
          if (alive.size === 0) resolve(1);
          return;
        }
        const now = Date.now() / 1000;
        crashes.push(now);
        while (crashes.length > 0 && now - crashes[0]! > CRASH_WINDOW_SECONDS) crashes.shift();
        if (crashes.length >= MAX_CRASHES_IN_WINDOW) {
          logger.fatal({ code, signal, crashes: crashes.length, windowSeconds: CRASH_WINDOW_SECONDS }, 'workers keep dying; giving up');
          stopping = true;
          failed = true;
          for (const w of alive.values()) w.process.kill('SIGTERM');
          if (alive.size === 0) resolve(1);
          return;
        }
        logger.error({ worker: worker.id, code, signal }, 'worker died; starting a new one');
        fork();
      });
    };

    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal, workers: alive.size }, 'stopping: finishing requests in flight');
      if (alive.size === 0) resolve(0);
      for (const w of alive.values()) w.process.kill('SIGTERM');
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => {
      logger.info({ workers: alive.size }, 'reloading: passing SIGHUP to the workers');
      for (const w of alive.values()) w.process.kill('SIGHUP');
    });

    options.onStart?.(failStop);
    for (let i = 0; i < options.workers; i++) fork();
  });
}

/** The worker's number (1..N) when this process is a worker, else undefined. */
export function workerSlot(): number | undefined {
  return cluster.isWorker ? Number(process.env.OTP_RADIUS_WORKER ?? cluster.worker?.id) : undefined;
}

/** Tells the supervisor this worker listens. */
export function reportReady(): void {
  if (cluster.isWorker) process.send?.({ ready: true });
}
