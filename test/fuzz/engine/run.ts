// The fuzz loop of one target: replay its corpus, then let fast-check draw
// batches of mutated inputs for the time given, keeping those that reach new
// coverage. Coverage is read once per batch (reading it costs more than most
// inputs do); only a batch that found something is run again input by input
// to learn which inputs to keep. A failing batch is shrunk by fast-check to
// the failing input, which is saved for the regression corpus; an input that
// runs longer than the timeout counts as failing.

import fc from 'fast-check';
import { join } from 'node:path';
import { CRASH_DIR, saveInput, type CorpusEntry } from './corpus.ts';
import type { CoverageFeedback } from './coverage.ts';
import { mutatedInputs } from './mutations.ts';
import type { FuzzTarget } from './target.ts';

export interface RunOptions {
  seconds: number;
  /** fast-check's seed: with the same seed and corpus, a run draws the same inputs. */
  seed: number;
  /** One input taking longer than this is a finding. */
  timeoutMs: number;
  log: (line: string) => void;
  /** Where a failing input is written; test/fuzz/crashes/<target> when not given. */
  crashDir?: string;
}

export interface Crash {
  input: Buffer;
  error: unknown;
  /** Where the input was written; undefined for a corpus file that fails as it is. */
  saved?: string;
  corpusFile?: string;
}

export interface RunResult {
  runs: number;
  features: number;
  corpusSize: number;
  crash?: Crash;
}

export const DEFAULT_MAX_LENGTH = 4096;
const BATCH = 32;
const REPORT_EVERY_MS = 5000;

class SlowInput extends Error {
  override name = 'SlowInput';
}

async function runOnce(target: FuzzTarget, input: Buffer, timeoutMs: number): Promise<void> {
  const started = performance.now();
  await target.fuzz(input);
  const ms = performance.now() - started;
  if (ms > timeoutMs) throw new SlowInput(`one input took ${Math.round(ms)} ms (timeout ${timeoutMs} ms)`);
}

/** The first of `inputs` that fails on its own, with its error. */
async function firstFailing(target: FuzzTarget, inputs: Buffer[], timeoutMs: number): Promise<{ input: Buffer; error: unknown } | undefined> {
  for (const input of inputs) {
    try {
      await runOnce(target, input, timeoutMs);
    } catch (error) {
      return { input, error };
    }
  }
  return undefined;
}

export async function fuzz(name: string, target: FuzzTarget, corpus: CorpusEntry[], coverage: CoverageFeedback, options: RunOptions): Promise<RunResult> {
  const maxLength = target.maxLength ?? DEFAULT_MAX_LENGTH;
  const pool: Buffer[] = [];
  for (const entry of corpus) {
    try {
      await runOnce(target, entry.data, options.timeoutMs);
    } catch (error) {
      return { runs: pool.length, features: coverage.features, corpusSize: corpus.length, crash: { input: entry.data, error, corpusFile: entry.file } };
    }
    coverage.newFeatures();
    pool.push(entry.data);
  }
  // An empty corpus starts from one empty input.
  if (pool.length === 0) pool.push(Buffer.alloc(0));
  options.log(`${name}: corpus of ${corpus.length} replayed, ${coverage.features} features; fuzzing ${options.seconds} s with seed ${options.seed}`);

  const tokens = (target.tokens ?? []).map((t) => Buffer.from(t, 'utf8'));
  let runs = 0;
  let lastReport = performance.now();
  const batches = fc.array(mutatedInputs(pool, tokens, maxLength), { minLength: 1, maxLength: BATCH });
  const property = fc.asyncProperty(batches, async (inputs) => {
    for (const input of inputs) {
      runs++;
      await runOnce(target, input, options.timeoutMs);
    }
    const batchFound = coverage.unseen();
    if (batchFound.length === 0) return;
    for (const input of inputs) {
      await target.fuzz(input);
      const found = coverage.unseen();
      if (found.length === 0) continue;
      coverage.keep(found);
      pool.push(input);
    }
    // Hit counts summed over a batch can reach a bucket no input reaches alone: seen, so they do not trigger this again.
    coverage.keep(batchFound);
    const now = performance.now();
    if (now - lastReport > REPORT_EVERY_MS) {
      lastReport = now;
      options.log(`${name}: ${runs} runs, ${coverage.features} features, corpus ${pool.length}`);
    }
  });
  const details = await fc.check(property, {
    seed: options.seed,
    numRuns: Number.MAX_SAFE_INTEGER,
    interruptAfterTimeLimit: options.seconds * 1000,
    markInterruptAsFailure: false,
  });
  const result: RunResult = { runs, features: coverage.features, corpusSize: pool.length };
  if (details.failed && details.counterexample) {
    const failing = (await firstFailing(target, details.counterexample[0], options.timeoutMs)) ?? { input: details.counterexample[0][0]!, error: details.errorInstance };
    result.crash = { ...failing, saved: saveInput(options.crashDir ?? join(CRASH_DIR, name), 'crash', failing.input) };
  }
  return result;
}
