// A strict reader of the Prometheus text format (version 0.0.4) for tests:
// HELP/TYPE before samples, each given once, each series once, escaped label values, no
// repeated labels, non-negative counters. Anything else throws.

import assert from 'node:assert/strict';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  types: Map<string, string>;
  help: Map<string, string>;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = `([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"`;
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL},?)*)\\})? (-?(?:[0-9.]+(?:e[+-]?[0-9]+)?|\\+Inf|-Inf|NaN|Nan))$`);

function unescapeLabel(v: string): string {
  return v.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

/** Throws on any line that is not HELP, TYPE or a sample, and on samples of an undeclared family. */
export function parseExposition(text: string): Exposition {
  assert.ok(text.endsWith('\n'), 'the exposition ends with a newline');
  const out: Exposition = { types: new Map(), help: new Map(), samples: [] };
  const series = new Set<string>();
  for (const line of text.slice(0, -1).split('\n')) {
    // The format ignores empty lines (prom-client puts one between families).
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      assert.match(name, new RegExp(`^${NAME}$`));
      const map = kind === 'HELP' ? out.help : out.types;
      assert.ok(!map.has(name), `${kind} ${name} given twice`);
      if (kind === 'TYPE') assert.ok(['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest), line);
      map.set(name, rest);
      continue;
    }
    const m = SAMPLE.exec(line);
    assert.ok(m, `not a sample line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(new RegExp(LABEL, 'g'))) {
      assert.ok(!(l[1]! in labels), `label ${l[1]} repeated in ${line}`);
      labels[l[1]!] = unescapeLabel(l[2]!);
    }
    const name = m[1]!;
    const family = name.replace(/_(bucket|sum|count)$/, '');
    const type = out.types.get(name) ?? out.types.get(family);
    assert.ok(type, `sample of ${name} before its TYPE line`);
    // prom-client writes NaN as "Nan"; Prometheus reads floats case-insensitively (Go's ParseFloat).
    const value = Number(m[m.length - 1]!.replace('+Inf', 'Infinity').replace('-Inf', '-Infinity').replace(/^Nan$/, 'NaN'));
    if (type === 'counter') assert.ok(value >= 0, line);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    assert.ok(!series.has(key), `series given twice: ${line}`);
    series.add(key);
    out.samples.push({ name, labels, value });
  }
  return out;
}

export function find(e: Exposition, name: string, labels: Record<string, string>): number | undefined {
  return e.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

/** The sum of every sample of `name` whose labels include `labels`. */
export function sum(e: Exposition, name: string, labels: Record<string, string> = {}): number {
  return e.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);
}
