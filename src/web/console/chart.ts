// The dashboard's chart as geometry for an SVG drawn by the template: a
// stacked bar per minute (accepts at the bottom, then challenges, then
// rejects), scaled to the busiest minute, and the time at the end of every
// ten minutes for the labels under it. Drawn on the server, so the page
// needs no script for it.

import type { MinuteCounts } from '../../auth/admin.ts';

export const CHART = { width: 600, height: 100 } as const;
const TICK_EVERY = 10;
const KINDS = ['accept', 'challenge', 'reject'] as const;

export interface Segment {
  kind: (typeof KINDS)[number];
  y: number;
  height: number;
}

export interface Bar {
  x: number;
  width: number;
  segments: Segment[];
  minute: number;
  counts: MinuteCounts;
}

export interface Chart {
  width: number;
  height: number;
  /** The busiest minute's total: the top of the scale. */
  max: number;
  bars: Bar[];
  /** The last minute of each ten, oldest first: labels spaced evenly under the bars. */
  ticks: number[];
}

export function minuteChart(perMinute: readonly MinuteCounts[]): Chart {
  const plot = CHART.height;
  const max = Math.max(1, ...perMinute.map((m) => m.accept + m.challenge + m.reject));
  const step = CHART.width / Math.max(1, perMinute.length);
  const bars = perMinute.map((m, i) => {
    let top = plot;
    const segments = KINDS.filter((k) => m[k] > 0).map((kind) => {
      const height = (m[kind] / max) * plot;
      top -= height;
      return { kind, y: round(top), height: round(height) };
    });
    return { x: round(i * step + step * 0.1), width: round(step * 0.8), segments, minute: m.minute, counts: m };
  });
  const ticks = perMinute.filter((_, i) => (perMinute.length - 1 - i) % TICK_EVERY === 0).map((m) => m.minute);
  return { width: CHART.width, height: CHART.height, max, bars, ticks };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
