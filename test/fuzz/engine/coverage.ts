// Coverage feedback for the fuzz loop from V8's own block coverage, read
// through the inspector of this process: an input that reaches a block (or
// a block a new number of times, counted in libFuzzer's buckets) the run has
// not seen is kept and mutated further. It stands in for the native
// libFuzzer counters that Jazzer.js would give (see docs/fuzzing.md).

import { Session } from 'node:inspector';

interface Range {
  startOffset: number;
  endOffset: number;
  count: number;
}

interface ScriptCoverage {
  scriptId: string;
  url: string;
  functions: { ranges: Range[] }[];
}

/** libFuzzer's hit-count buckets: 1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+. */
function bucket(count: number): number {
  if (count <= 3) return count;
  if (count < 8) return 4;
  if (count < 16) return 5;
  if (count < 32) return 6;
  if (count < 128) return 7;
  return 8;
}

export class CoverageFeedback {
  readonly #session = new Session();
  readonly #include: (url: string) => boolean;
  readonly #seen = new Set<string>();
  /** Per function (script and start offset), every block range V8 has reported for it. */
  readonly #blocks = new Map<string, Map<string, [number, number]>>();

  /** Start before the code under test is imported: functions compiled earlier get no block counters. */
  constructor(include: (url: string) => boolean) {
    this.#include = include;
    this.#session.connect();
    this.#post('Profiler.enable');
    this.#post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
  }

  /**
   * Features (block, hit bucket) reached since the last call that the run has
   * not seen yet; the counters start again from zero. They count as seen once
   * given to `keep`.
   */
  unseen(): string[] {
    const { result } = this.#post('Profiler.takePreciseCoverage') as { result: ScriptCoverage[] };
    const found: string[] = [];
    for (const script of result) {
      if (!this.#include(script.url)) continue;
      for (const fn of script.functions) {
        for (const [start, end, count] of this.#blockCounts(script.scriptId, fn.ranges)) {
          if (count === 0) continue;
          const key = `${script.scriptId}:${start}:${end}:${bucket(count)}`;
          if (!this.#seen.has(key)) found.push(key);
        }
      }
    }
    return found;
  }

  /**
   * The count of every block of a function known so far. V8 leaves out a
   * nested range whose count equals its parent's, so a block that ran as
   * often as its function shows only as the zero range it no longer is:
   * each block learned from any earlier report gets the count of the
   * innermost range reported now that holds it.
   */
  #blockCounts(scriptId: string, ranges: Range[]): [number, number, number][] {
    const fnKey = `${scriptId}:${ranges[0]!.startOffset}`;
    let blocks = this.#blocks.get(fnKey);
    if (!blocks) {
      blocks = new Map();
      this.#blocks.set(fnKey, blocks);
    }
    for (const r of ranges) blocks.set(`${r.startOffset}:${r.endOffset}`, [r.startOffset, r.endOffset]);
    const out: [number, number, number][] = [];
    for (const [start, end] of blocks.values()) {
      let count = 0;
      // Reported ranges come outermost first, so the last one holding the block is the innermost.
      for (const r of ranges) if (r.startOffset <= start && end <= r.endOffset) count = r.count;
      out.push([start, end, count]);
    }
    return out;
  }

  keep(features: readonly string[]): void {
    for (const f of features) this.#seen.add(f);
  }

  /** unseen() and keep() at once: how many features were new. */
  newFeatures(): number {
    const found = this.unseen();
    this.keep(found);
    return new Set(found).size;
  }

  get features(): number {
    return this.#seen.size;
  }

  stop(): void {
    this.#post('Profiler.stopPreciseCoverage');
    this.#session.disconnect();
  }

  /** The in-process inspector answers synchronously, so the result is there when post returns. */
  #post(method: string, params: object = {}): unknown {
    let out: unknown;
    let failure: Error | null = null;
    this.#session.post(method, params, (err, result) => {
      failure = err;
      out = result;
    });
    if (failure) throw failure;
    return out;
  }
}
