// Latency samples from the generator threads, merged and summarised. Exact
// percentiles (nearest rank over all samples), not a histogram: a run holds at
// most a few million samples, and an exact p99 leaves nothing to argue about.

export interface LatencySummary {
  count: number;
  /** Milliseconds; null when there were no samples. */
  mean: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

/** A growable list of doubles that can be handed to another thread as one buffer. */
export class Samples {
  private data: Float64Array;
  private n = 0;

  constructor(initial = 4096) {
    this.data = new Float64Array(Math.max(16, initial));
  }

  get length(): number {
    return this.n;
  }

  push(value: number): void {
    if (this.n === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.n++] = value;
  }

  /** The samples so far, as an exact-length copy (safe to transfer). */
  toArray(): Float64Array {
    return this.data.slice(0, this.n);
  }
}

/**
 * The nearest-rank percentile of ascending-sorted values: the smallest value
 * with at least p% of the values at or below it. p in (0, 100].
 */
export function percentile(sorted: Float64Array, p: number): number | null {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile: p must be in (0, 100], got ${p}`);
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Concatenates the threads' samples and sorts them ascending. */
export function mergeSorted(parts: readonly Float64Array[]): Float64Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const all = new Float64Array(total);
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.length;
  }
  return all.sort();
}

export function summarize(parts: readonly Float64Array[]): LatencySummary {
  const sorted = mergeSorted(parts);
  if (sorted.length === 0) return { count: 0, mean: null, p50: null, p95: null, p99: null, max: null };
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    mean: sum / sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1]!,
  };
}
