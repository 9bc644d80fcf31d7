// The generator threads, seen from the main thread: each owns a share of the
// users (user i goes to thread i mod N, so one user's steps are handed out by
// one thread, in order), and a run splits concurrency and rate across them.

import { Worker } from 'node:worker_threads';
import type { Counts, Job, ThreadInit, ThreadResult } from './types.ts';
import { emptyCounts } from './types.ts';

export type LoadSpec = Omit<Job, 'concurrency' | 'rate'> & {
  /** Requests outstanding over all threads (closed loop). */
  concurrency: number;
  /** Requests per second over all threads; 0 = closed loop. */
  rate: number;
};

export interface LoadOutcome extends Counts {
  /** One array per thread, unsorted. */
  latencies: Float64Array[];
  windowMs: number;
  /** CPU of all generator threads during the window. */
  cpuMs: number;
  stepLead: number;
}

/** Splits `total` into `parts` whole numbers that differ by at most one. */
export function split(total: number, parts: number): number[] {
  if (!Number.isInteger(parts) || parts < 1) throw new RangeError(`split: parts must be a positive integer, got ${parts}`);
  const base = Math.floor(total / parts);
  const extra = total - base * parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0));
}

export function mergeOutcomes(results: readonly ThreadResult[]): LoadOutcome {
  const counts = emptyCounts();
  for (const r of results) for (const k of Object.keys(counts) as (keyof Counts)[]) counts[k] += r[k];
  return {
    ...counts,
    latencies: results.map((r) => r.latencies),
    windowMs: Math.max(0, ...results.map((r) => r.windowMs)),
    cpuMs: results.reduce((n, r) => n + r.cpuMs, 0),
    stepLead: Math.max(0, ...results.map((r) => r.stepLead)),
  };
}

export class LoadGenerator {
  private readonly workers: Worker[];

  private constructor(workers: Worker[]) {
    this.workers = workers;
  }

  static start(threads: number, seeds: readonly Buffer[]): LoadGenerator {
    const workers: Worker[] = [];
    for (let t = 0; t < threads; t++) {
      const init: ThreadInit = { users: [], seeds: [] };
      for (let u = t; u < seeds.length; u += threads) {
        init.users.push(u);
        init.seeds.push(new Uint8Array(seeds[u]!));
      }
      workers.push(new Worker(new URL('./generator.ts', import.meta.url), { workerData: init }));
    }
    return new LoadGenerator(workers);
  }

  get threads(): number {
    return this.workers.length;
  }

  async run(spec: LoadSpec): Promise<LoadOutcome> {
    const n = this.workers.length;
    const conc = split(spec.concurrency, n);
    const results = await Promise.all(
      this.workers.map(
        (w, i) =>
          new Promise<ThreadResult>((resolve, reject) => {
            const onMessage = (msg: { result?: ThreadResult; error?: string }): void => {
              w.off('error', onError);
              if (msg.result) resolve(msg.result);
              else reject(new Error(`generator thread ${i}: ${msg.error ?? 'no result'}`));
            };
            const onError = (err: Error): void => {
              w.off('message', onMessage);
              reject(err);
            };
            w.once('message', onMessage);
            w.once('error', onError);
            const job: Job = { ...spec, concurrency: conc[i]!, rate: spec.rate / n };
            w.postMessage(job);
          }),
      ),
    );
    return mergeOutcomes(results);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
