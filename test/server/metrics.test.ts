// The metrics of one process, read back by a strict parser of the text
// format: HELP/TYPE before samples, escaped label values, cumulative
// histograms, and label values from small fixed sets.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Decision } from '../../src/model/decision.ts';
import { Metrics, withMetrics } from '../../src/server/metrics.ts';
import { DECISION_REASONS, decisionReason } from '../../src/server/metric-reasons.ts';
import { RadiusStats } from '../../src/radius/stats.ts';
import { RadsecStats } from '../../src/radius/radsec-stats.ts';
import { find, parseExposition as parse } from '../helpers/prometheus.ts';

const accept: Decision = { decision: 'accept', reason: 'ok' };
const reject = (reason: string): Decision => ({ decision: 'reject', reason });

describe('metrics', () => {
  test('an empty registry still parses and declares every family; RADIUS counters start at 0', async () => {
    const e = parse(await new Metrics().render());
    assert.deepEqual([...e.types.keys()].sort(), [
      'otp_radius_accounting_requests_total',
      'otp_radius_decision_seconds',
      'otp_radius_decisions_total',
      'otp_radius_deliveries_total',
      'otp_radius_duplicates_total',
      'otp_radius_handler_errors_total',
      'otp_radius_http_refused_total',
      'otp_radius_packets_dropped_total',
      'otp_radius_packets_received_total',
      'otp_radius_radsec_accounting_requests_total',
      'otp_radius_radsec_connections_closed_total',
      'otp_radius_radsec_connections_open',
      'otp_radius_radsec_connections_refused_total',
      'otp_radius_radsec_connections_total',
      'otp_radius_radsec_duplicates_total',
      'otp_radius_radsec_packets_dropped_total',
      'otp_radius_radsec_packets_received_total',
      'otp_radius_radsec_status_server_total',
      'otp_radius_resolver_errors_total',
      'otp_radius_status_server_total',
    ]);
    for (const name of e.types.keys()) {
      assert.ok(e.help.get(name), `HELP for ${name}`);
      assert.doesNotMatch(name, /^otp_radius_radius_/, 'no double prefix');
    }
    assert.deepEqual(e.samples.map((s) => [s.name, s.value]).sort(), [
      ['otp_radius_accounting_requests_total', 0],
      ['otp_radius_duplicates_total', 0],
      ['otp_radius_packets_received_total', 0],
      ['otp_radius_radsec_accounting_requests_total', 0],
      ['otp_radius_radsec_connections_open', 0],
      ['otp_radius_radsec_connections_total', 0],
      ['otp_radius_radsec_duplicates_total', 0],
      ['otp_radius_radsec_packets_received_total', 0],
      ['otp_radius_radsec_status_server_total', 0],
      ['otp_radius_status_server_total', 0],
    ]);
  });

  test('decisions by front end, decision and reason; a histogram per front end with cumulative buckets', async () => {
    const m = new Metrics();
    m.observeDecision('radius', accept, 0.004);
    m.observeDecision('radius', accept, 0.2);
    m.observeDecision('radius', reject('wrong otp'), 0.03);
    m.observeDecision('http', { decision: 'challenge', reason: 'challenge created', challenge: { transactionId: 'a'.repeat(32), data: '', serials: [], timeout: 120 } }, 20);
    const e = parse(await m.render());
    assert.equal(e.types.get('otp_radius_decision_seconds'), 'histogram');
    assert.equal(find(e, 'otp_radius_decisions_total', { front_end: 'radius', decision: 'accept', reason: 'ok' }), 2);
    assert.equal(find(e, 'otp_radius_decisions_total', { front_end: 'radius', decision: 'reject', reason: 'wrong_otp' }), 1);
    assert.equal(find(e, 'otp_radius_decisions_total', { front_end: 'http', decision: 'challenge', reason: 'challenge' }), 1);
    const buckets = e.samples.filter((s) => s.name === 'otp_radius_decision_seconds_bucket' && s.labels.front_end === 'radius');
    const les = buckets.map((b) => (b.labels.le === '+Inf' ? Infinity : Number(b.labels.le)));
    assert.deepEqual(
      les,
      [...les].sort((a, b) => a - b),
      'buckets in increasing le',
    );
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

  test('label values are escaped: backslash, double quote, newline', async () => {
    const m = new Metrics();
    const odd = 'ldap "corp"\\eu\nnext';
    m.resolverError(odd);
    const text = await m.render();
    assert.ok(text.includes('resolver="ldap \\"corp\\"\\\\eu\\nnext"'), text);
    assert.equal(find(parse(text), 'otp_radius_resolver_errors_total', { resolver: odd }), 1);
  });

  test('every audit reason the docs list maps onto a fixed label, not "other"', () => {
    const doc = readFileSync(join(import.meta.dirname, '../../docs/configuration.md'), 'utf8');
    const rows = doc.split('\n').filter((l) => /^\| (accept|reject|challenge) \| `/.test(l));
    assert.ok(rows.length > 10, 'the reasons table was found');
    for (const row of rows) {
      const [, decision, reasons] = /^\| (\w+) \| (.*?) \|/.exec(row)!;
      for (const [, reason] of reasons!.matchAll(/`([^`]+)`/g)) {
        const text = reason!.replace(/^\.\.\., /, 'wrong otp, ');
        const d = (decision === 'challenge' ? { decision, reason: text, challenge: { transactionId: '', data: '', serials: [], timeout: 1 } } : { decision, reason: text }) as Decision;
        assert.notEqual(decisionReason(d), 'other', `${decision}: ${reason}`);
      }
    }
    assert.equal(decisionReason(reject('challenge closed')), 'bad_state');
    assert.equal(decisionReason(reject('wrong otp, token locked')), 'wrong_otp');
    assert.equal(decisionReason(reject('locked')), 'locked');
    assert.equal(decisionReason(reject('challenge expired')), 'bad_state');
    assert.equal(decisionReason(reject('expired')), 'expired');
    assert.equal(decisionReason({ decision: 'accept', reason: 'pass on no user' }), 'passthrough');
    assert.equal(decisionReason(reject('the peer wants MD5, we offer TTLS')), 'other');
  });

  test('free-text reasons cannot grow the series: 500 distinct texts stay within the fixed set', async () => {
    const m = new Metrics();
    for (let i = 0; i < 500; i++) m.observeDecision('radius', reject(`reason ${i} from a client`), 0.001);
    m.observeDecision('radius', reject('throttled: too many wrong PINs from 10.1.2.3'), 0.001);
    const e = parse(await m.render());
    const series = e.samples.filter((s) => s.name === 'otp_radius_decisions_total');
    assert.deepEqual(series.map((s) => [s.labels.reason, s.value]).sort(), [
      ['other', 500],
      ['throttled', 1],
    ]);
    for (const s of series) assert.ok((DECISION_REASONS as readonly string[]).includes(s.labels.reason!));
  });

  test('RADIUS counters and drops by cause are read at scrape time; no series names the worker', async () => {
    const m = new Metrics();
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
    const e = parse(await m.render());
    assert.equal(find(e, 'otp_radius_packets_received_total', {}), 10);
    assert.equal(find(e, 'otp_radius_duplicates_total', {}), 1);
    assert.equal(find(e, 'otp_radius_status_server_total', {}), 0);
    assert.equal(find(e, 'otp_radius_packets_dropped_total', { cause: 'bad-authenticator' }), 2);
    assert.equal(find(e, 'otp_radius_packets_dropped_total', { cause: 'unknown-client' }), 1);
    assert.equal(find(e, 'otp_radius_resolver_errors_total', { resolver: 'corp' }), 1);
    assert.equal(find(e, 'otp_radius_http_refused_total', { cause: 'forbidden' }), 1);
    for (const s of e.samples) assert.equal(s.labels.worker, undefined, `${s.name} is summed across workers, so it names none`);
    stats.received = 11;
    stats.drop('unknown-client');
    const later = parse(await m.render());
    assert.equal(find(later, 'otp_radius_packets_received_total', {}), 11);
    assert.equal(find(later, 'otp_radius_packets_dropped_total', { cause: 'unknown-client' }), 2);
  });

  test('RadSec: connections taken, open, refused and closed by cause, and its packets apart from UDP', async () => {
    const m = new Metrics();
    const udp = new RadiusStats();
    const source = { connections: new RadsecStats(), stats: new RadiusStats() };
    m.setRadiusStats(() => udp);
    m.setRadsecStats(() => source);
    udp.received = 5;
    source.stats.received = 7;
    source.stats.drop('bad-length');
    source.connections.accepted = 3;
    source.connections.open = 2;
    source.connections.refuse('certificate');
    source.connections.refuse('unknown-client');
    source.connections.refuse('unknown-client');
    source.connections.close('idle');
    const e = parse(await m.render());
    assert.equal(find(e, 'otp_radius_packets_received_total', {}), 5, 'the UDP series count UDP alone');
    assert.equal(find(e, 'otp_radius_radsec_packets_received_total', {}), 7);
    assert.equal(find(e, 'otp_radius_radsec_packets_dropped_total', { cause: 'bad-length' }), 1);
    assert.equal(find(e, 'otp_radius_radsec_connections_total', {}), 3);
    assert.equal(find(e, 'otp_radius_radsec_connections_open', {}), 2);
    assert.equal(e.types.get('otp_radius_radsec_connections_open'), 'gauge');
    assert.equal(find(e, 'otp_radius_radsec_connections_refused_total', { cause: 'certificate' }), 1);
    assert.equal(find(e, 'otp_radius_radsec_connections_refused_total', { cause: 'unknown-client' }), 2);
    assert.equal(find(e, 'otp_radius_radsec_connections_closed_total', { cause: 'idle' }), 1);
  });

  test('withMetrics counts what the handler decided, and errors apart', async () => {
    const m = new Metrics();
    const h = withMetrics(m, 'http', async () => ({ decision: 'reject', reason: 'unknown user' }));
    await h({ userName: 'x', nas: { client: 'http', address: '127.0.0.1' } });
    const failing = withMetrics(m, 'http', async () => {
      throw new Error('boom');
    });
    await assert.rejects(failing({ userName: 'x', nas: { client: 'http', address: '127.0.0.1' } }), /boom/);
    const e = parse(await m.render());
    assert.equal(find(e, 'otp_radius_decisions_total', { front_end: 'http', decision: 'reject', reason: 'unknown_user' }), 1);
    assert.equal(find(e, 'otp_radius_decision_seconds_count', { front_end: 'http' }), 1, 'an error is no decision');
    assert.equal(find(e, 'otp_radius_handler_errors_total', { front_end: 'http' }), 1);
  });

  test('the parser itself refuses malformed lines', () => {
    assert.throws(() => parse('# TYPE x counter\nx{a="unterminated} 1\n'));
    assert.throws(() => parse('x 1\n'), /before its TYPE/);
    assert.throws(() => parse('# TYPE x counter\nx -1\n'));
    assert.throws(() => parse('# TYPE x counter\nx{a="1",a="2"} 1\n'), /repeated/);
    assert.throws(() => parse('# TYPE x counter\nx{a="1"} 1\nx{a="1"} 2\n'), /given twice/);
  });
});
