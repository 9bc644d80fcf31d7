import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mergeSorted, percentile, Samples, summarize } from '../../bench/stats.ts';

const sorted = (xs: number[]): Float64Array => Float64Array.from(xs).sort();

describe('percentile (nearest rank)', () => {
  test('picks the smallest value with at least p% at or below it', () => {
    const xs = sorted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal(percentile(xs, 50), 5);
    assert.equal(percentile(xs, 51), 6);
    assert.equal(percentile(xs, 95), 10);
    assert.equal(percentile(xs, 100), 10);
    assert.equal(percentile(xs, 0.1), 1);
  });

  test('p99 of 1000 values is the 990th, so one slow request in a hundred shows', () => {
    const xs = sorted(Array.from({ length: 1000 }, (_, i) => i + 1));
    assert.equal(percentile(xs, 99), 990);
  });

  test('a single sample is every percentile; no samples give null', () => {
    assert.equal(percentile(sorted([7]), 1), 7);
    assert.equal(percentile(sorted([7]), 99), 7);
    assert.equal(percentile(new Float64Array(0), 50), null);
  });

  test('p outside (0, 100] is an error, not a guess', () => {
    assert.throws(() => percentile(sorted([1]), 0), /p must be in \(0, 100\], got 0/);
    assert.throws(() => percentile(sorted([1]), 101), /got 101/);
    assert.throws(() => percentile(sorted([1]), Number.NaN), /got NaN/);
  });
});

describe('samples and summaries', () => {
  test('Samples grows past its initial size and copies out exactly what was pushed', () => {
    const s = new Samples(16);
    for (let i = 0; i < 1000; i++) s.push(i);
    assert.equal(s.length, 1000);
    const out = s.toArray();
    assert.equal(out.length, 1000);
    assert.equal(out[999], 999);
  });

  test('mergeSorted sorts numerically across threads (not as strings)', () => {
    assert.deepEqual([...mergeSorted([Float64Array.from([10, 2]), Float64Array.from([1, 100])])], [1, 2, 10, 100]);
  });

  test('summarize over threads: count, mean, percentiles, max', () => {
    const s = summarize([Float64Array.from([4, 1]), Float64Array.from([3, 2])]);
    assert.deepEqual(s, { count: 4, mean: 2.5, p50: 2, p95: 4, p99: 4, max: 4 });
  });

  test('summarize of nothing is all null with count 0', () => {
    assert.deepEqual(summarize([new Float64Array(0)]), { count: 0, mean: null, p50: null, p95: null, p99: null, max: null });
  });
});
