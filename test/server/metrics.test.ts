// The Prometheus text exposition, read back by a small parser of the format:
// HELP/TYPE before samples, escaped label values, cumulative histograms,
// bounded label sets.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Decision } from '../../src/model/decision.ts';
import { Metrics, withMetrics } from '../../src/server/metrics.ts';
import { RadiusStats } from '../../src/radius/stats.ts';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Exposition {
  types: Map<string, string>;
  help: Map<string, string>;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = `([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"`;
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL},?)*)\\})? (-?(?:[0-9.]+(?:e[+-]?[0-9]+)?|\\+Inf|-Inf|NaN))$`);

function unescape(v: string): string {
  return v.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

/** Throws on any line that is not HELP, TYPE or a sample, and on samples of an undeclared family. */
function parse(text: string): Exposition {
  assert.ok(text.endsWith('\n'), 'the exposition ends with a newline');
  const out: Exposition = { types: new Map(), help: new Map(), samples: [] };
  for (const line of text.slice(0, -1).split('\n')) {
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
      labels[l[1]!] = unescape(l[2]!);
    }
    const name = m[1]!;
    const family = name.replace(/_(bucket|sum|count)$/, '');
    const type = out.types.get(name) ?? out.types.get(family);
    assert.ok(type, `sample of ${name} before its TYPE line`);
    const value = Number(m[m.length - 1]!.replace('+Inf', 'Infinity').replace('-Inf', '-Infinity'));
    if (type === 'counter') assert.ok(value >= 0, line);
    out.samples.push({ name, labels, value });
  }
  return out;
}

function find(e: Exposition, name: string, labels: Record<string, string>): number | undefined {
  return e.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

const accept: Decision = { decision: 'accept', reason: 'ok' };

describe('metrics', () => {
  test('an empty registry still parses and declares every family', () => {
    const e = parse(new Metrics().render());
    assert.deepEqual([...e.types.keys()].sort(), ['otp_radius_decision_seconds', 'otp_radius_decisions_total', 'otp_radius_handler_errors_total', 'otp_radius_http_refused_total', 'otp_radius_resolver_errors_total']);
    for (const name of e.types.keys()) assert.ok(e.help.get(name), `HELP for ${name}`);
    assert.equal(e.samples.length, 0);
  });

  test('decisions by front end, decision and reason; a histogram per front end with cumulative buckets', () => {
    const m = new Metrics();
    m.observeDecision('radius', accept, 0.004);
    m.observeDecision('radius', accept, 0.2);
    m.observeDecision('radius', { decision: 'reject', reason: 'wrong otp' }, 0.03);
    m.observeDecision('http', { decision: 'challenge', reason: 'challenge created', challenge: { transactionId: 'a'.repeat(32), data: '', serials: [], timeout: 120 } }, 20);
    const e = parse(m.render());
    assert.equal(e.types.get('otp_radius_decision_seconds'), 'histogram');
    assert.equal(find(e, 'otp_radius_decisions_total', { front_end: 'radius', decision: 'accept', reason: 'ok' }), 2);
    assert.equal(find(e, 'otp_radius_decisions_total', { front_end: 'radius', decision: 'reject', reason: 'wrong otp' }), 1);
    assert.equal(find(e, 'otp_radius_decisions_total', { front_end: 'http', decision: 'challenge', reason: 'challenge created' }), 1);
    const buckets = e.samples.filter((s) => s.name === 'otp_radius_decision_seconds_bucket' && s.labels.front_end === 'radius');
    const les = buckets.map((b) => (b.labels.le === '+Inf' ? Infinity : Number(b.labels.le)));
    assert.deepEqual(les, [...les].sort((a, b) => a - b), 'buckets in increasing le');
    assert.equal(les.at(-1), Infinity);
    for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i]!.value >= buckets[i - 1]!.value, 'cumulative');
    assert.equal(find(e, 'otp_radius_decision_seconds_bucket', { front_end: 'radius', le: '0.005' }), 1);
    assert.equal(find(e, 'otp_radius_decision_seconds_bucket', { front_end: 'radius', le: '0.05' }), 2);
    assert.equal(find(e, 'otp_radius_decision_seconds_bucket', { front_end: 'radius', le: '+Inf' }), 3);
    assert.equal(find(e, 'otp_radius_decision_seconds_count', { front_end: 'radius' }), 3);
    assert.ok(Math.abs(find(e, 'otp_radius_decision_seconds_sum', { front_end: 'radius' })! - 0.234) < 1e-9);
    assert.equal(find(e, 'otp_radius_decision_seconds_bucket', { front_end: 'http', le: '10' }), 0, 'slower than the largest bucket');
    assert.equal(find(e, 'otp_radius_decision_seconds_bucket', { front_end: 'http', le: '+Inf' }), 1);
  });

  test('label values are escaped: backslash, double quote, newline', () => {
    const m = new Metrics();
    const odd = 'back\\slash "quoted"\nnext line';
    m.observeDecision('radius', { decision: 'reject', reason: odd }, 0.001);
    m.resolverError('ldap "corp"');
    const text = m.render();
    assert.ok(text.includes('reason="back\\\\slash \\"quoted\\"\\nnext line"'), text);
    const e = parse(text);
    assert.equal(find(e, 'otp_radius_decisions_total', { reason: odd }), 1);
    assert.equal(find(e, 'otp_radius_resolver_errors_total', { resolver: 'ldap "corp"' }), 1);
  });

  test('reasons beyond the cap fold into "other"', () => {
    const m = new Metrics();
    for (let i = 0; i < 70; i++) m.observeDecision('radius', { decision: 'reject', reason: `reason ${i}` }, 0.001);
    m.observeDecision('radius', { decision: 'reject', reason: 'reason 3' }, 0.001);
    m.observeDecision('radius', { decision: 'reject', reason: 'reason 69' }, 0.001);
    const e = parse(m.render());
    const series = e.samples.filter((s) => s.name === 'otp_radius_decisions_total');
    assert.equal(series.length, 65);
    assert.equal(find(e, 'otp_radius_decisions_total', { reason: 'reason 3' }), 2, 'a known reason keeps its series');
    assert.equal(find(e, 'otp_radius_decisions_total', { reason: 'other' }), 7);
    assert.equal(find(e, 'otp_radius_decisions_total', { reason: 'reason 69' }), undefined);
  });

  test('RADIUS counters and drops by cause are read at scrape time; extra labels go on every series', () => {
    const m = new Metrics({ worker: '2' });
    const stats = new RadiusStats();
    m.setRadiusStats(() => stats);
    stats.received = 10;
    stats.duplicates = 1;
    stats.drop('bad-authenticator');
    stats.drop('bad-authenticator');
    stats.drop('unknown-client');
    m.observeDecision('radius', accept, 0.01);
    m.resolverError('corp');
    m.httpRefused('forbidden');
    const e = parse(m.render());
    assert.equal(find(e, 'otp_radius_radius_received_total', { worker: '2' }), 10);
    assert.equal(find(e, 'otp_radius_radius_duplicates_total', {}), 1);
    assert.equal(find(e, 'otp_radius_radius_status_server_total', {}), 0);
    assert.equal(find(e, 'otp_radius_radius_dropped_total', { cause: 'bad-authenticator' }), 2);
    assert.equal(find(e, 'otp_radius_radius_dropped_total', { cause: 'unknown-client' }), 1);
    assert.equal(find(e, 'otp_radius_resolver_errors_total', { resolver: 'corp' }), 1);
    assert.equal(find(e, 'otp_radius_http_refused_total', { cause: 'forbidden' }), 1);
    for (const s of e.samples) assert.equal(s.labels.worker, '2', `${s.name} has the worker label`);
    stats.received = 11;
    assert.equal(find(parse(m.render()), 'otp_radius_radius_received_total', {}), 11);
  });

  test('withMetrics counts what the handler decided, and errors apart', async () => {
    const m = new Metrics();
    const h = withMetrics(m, 'http', async () => ({ decision: 'reject', reason: 'unknown user' }));
    await h({ userName: 'x', nas: { client: 'http', address: '127.0.0.1' } });
    const failing = withMetrics(m, 'http', async () => {
      throw new Error('boom');
    });
    await assert.rejects(failing({ userName: 'x', nas: { client: 'http', address: '127.0.0.1' } }), /boom/);
    const e = parse(m.render());
    assert.equal(find(e, 'otp_radius_decisions_total', { front_end: 'http', decision: 'reject', reason: 'unknown user' }), 1);
    assert.equal(find(e, 'otp_radius_decision_seconds_count', { front_end: 'http' }), 1, 'an error is no decision');
    assert.equal(find(e, 'otp_radius_handler_errors_total', { front_end: 'http' }), 1);
  });

  test('the parser itself refuses malformed lines', () => {
    assert.throws(() => parse('# TYPE x counter\nx{a="unterminated} 1\n'));
    assert.throws(() => parse('x 1\n'), /before its TYPE/);
    assert.throws(() => parse('# TYPE x counter\nx -1\n'));
    assert.throws(() => parse('# TYPE x counter\nx{a="1",a="2"} 1\n'), /repeated/);
  });
});
