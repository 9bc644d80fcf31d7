// What this process decided, dropped and refused, as prom-client metrics in a
// registry of its own. Every label value comes from a small fixed set
// (front ends, decisions, the reasons of metric-reasons.ts, drop and refusal
// causes) or from the config (resolver names), so the series stay bounded.
// With several workers these series are summed across processes
// (metrics-cluster.ts); nothing here names the worker.

import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Decision } from '../model/decision.ts';
import type { AccessHandler } from '../model/access-request.ts';
import type { HttpRefusal } from '../http/problem.ts';
import type { RadiusStats } from '../radius/stats.ts';
import type { RadsecStats } from '../radius/radsec-stats.ts';
import { decisionReason } from './metric-reasons.ts';

export type FrontEnd = 'radius' | 'http' | 'cli';

/** What the RadSec listener counts: its connections, and its packets as the UDP listener counts its own. */
export interface RadsecSource {
  connections: RadsecStats;
  stats: RadiusStats;
}
export type { HttpRefusal };

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Counters whose values a listener keeps itself, read from `source` at scrape time (zero while it gives none). */
function scraped<S>(registers: Registry[], source: () => S | undefined) {
  return {
    counter(name: string, help: string, read: (s: S) => number): void {
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          const s = source();
          if (s) this.inc(read(s));
        },
      });
    },
    /** One series per cause, labelled `cause`. */
    byCause(name: string, help: string, read: (s: S) => Iterable<[string, number]>): void {
      new Counter({
        name,
        help,
        labelNames: ['cause'],
        registers,
        collect() {
          this.reset();
          const s = source();
          if (s) for (const [cause, n] of read(s)) this.inc({ cause }, n);
        },
      });
    },
  };
}

export class Metrics {
  /** The series of this process, all of them summable across workers. */
  readonly registry = new Registry();
  private radius: (() => RadiusStats | undefined) | undefined;
  private radsec: (() => RadsecSource | undefined) | undefined;
  private readonly decisions: Counter<'front_end' | 'decision' | 'reason'>;
  private readonly seconds: Histogram<'front_end'>;
  private readonly resolverErrors: Counter<'resolver'>;
  private readonly handlerErrors: Counter<'front_end'>;
  private readonly httpRefusals: Counter<'cause'>;
  private readonly deliveries: Counter<'channel' | 'outcome'>;

  constructor() {
    const registers = [this.registry];
    this.decisions = new Counter({
      name: 'otp_radius_decisions_total',
      help: 'Authentication decisions by front end, decision and reason.',
      labelNames: ['front_end', 'decision', 'reason'],
      registers,
    });
    this.seconds = new Histogram({ name: 'otp_radius_decision_seconds', help: 'Time from request to decision.', labelNames: ['front_end'], buckets: BUCKETS, registers });
    this.resolverErrors = new Counter({ name: 'otp_radius_resolver_errors_total', help: 'Lookups that failed because a resolver did not answer.', labelNames: ['resolver'], registers });
    this.handlerErrors = new Counter({
      name: 'otp_radius_handler_errors_total',
      help: 'Requests where authentication failed with an error instead of a decision.',
      labelNames: ['front_end'],
      registers,
    });
    this.httpRefusals = new Counter({
      name: 'otp_radius_http_refused_total',
      help: 'HTTP requests answered without reaching a route (400, 403, 404, 405, 408, 413, 415, 431), by cause.',
      labelNames: ['cause'],
      registers,
    });
    this.deliveries = new Counter({
      name: 'otp_radius_deliveries_total',
      help: 'Codes for e-mail and SMS tokens by channel and outcome: sent, limited (a rate limit held it back), or why the send failed.',
      labelNames: ['channel', 'outcome'],
      registers,
    });
    // The RADIUS listener keeps its own counts; these read them at scrape time.
    const udp = scraped(registers, () => this.radius?.());
    udp.counter('otp_radius_packets_received_total', 'RADIUS packets received.', (s) => s.received);
    udp.counter('otp_radius_duplicates_total', 'RADIUS retransmissions answered from the duplicate cache.', (s) => s.duplicates);
    udp.counter('otp_radius_status_server_total', 'RADIUS Status-Server requests answered.', (s) => s.statusServer);
    udp.counter('otp_radius_accounting_requests_total', 'RADIUS Accounting-Requests answered.', (s) => s.accounting);
    udp.byCause('otp_radius_packets_dropped_total', 'RADIUS packets dropped, by cause.', (s) => s.dropped);
    this.radsecSeries(registers);
  }

  /** The RadSec listener's connections and packets, beside the UDP series (which count UDP alone). */
  private radsecSeries(registers: Registry[]): void {
    const source = (): RadsecSource | undefined => this.radsec?.();
    const radsec = scraped(registers, source);
    radsec.counter('otp_radius_radsec_connections_total', 'RadSec connections taken (handshake done, certificate of a client).', (s) => s.connections.accepted);
    new Gauge({
      name: 'otp_radius_radsec_connections_open',
      help: 'RadSec connections open now.',
      registers,
      collect() {
        this.set(source()?.connections.open ?? 0);
      },
    });
    radsec.byCause('otp_radius_radsec_connections_refused_total', 'RadSec connections refused, by cause (TLS handshake, certificate, no matching client, limit).', (s) => s.connections.refused);
    radsec.byCause('otp_radius_radsec_connections_closed_total', 'RadSec connections closed, by cause (peer, idle, malformed stream, error, shutdown).', (s) => s.connections.closed);
    radsec.counter('otp_radius_radsec_packets_received_total', 'RADIUS packets received over RadSec.', (s) => s.stats.received);
    radsec.counter('otp_radius_radsec_duplicates_total', "RadSec retransmissions answered from the connection's duplicate cache.", (s) => s.stats.duplicates);
    radsec.counter('otp_radius_radsec_status_server_total', 'Status-Server requests answered over RadSec.', (s) => s.stats.statusServer);
    radsec.counter('otp_radius_radsec_accounting_requests_total', 'Accounting-Requests answered over RadSec.', (s) => s.stats.accounting);
    radsec.byCause('otp_radius_radsec_packets_dropped_total', 'RADIUS packets dropped on RadSec connections, by cause.', (s) => s.stats.dropped);
  }

  /** Where the RadSec listener's counters come from (read at scrape time). */
  setRadsecStats(source: () => RadsecSource | undefined): void {
    this.radsec = source;
  }

  /** Where the RADIUS listener's counters come from (read at scrape time). */
  setRadiusStats(source: () => RadiusStats | undefined): void {
    this.radius = source;
  }

  observeDecision(frontEnd: FrontEnd, decision: Decision, seconds: number): void {
    this.decisions.inc({ front_end: frontEnd, decision: decision.decision, reason: decisionReason(decision) });
    this.seconds.observe({ front_end: frontEnd }, seconds);
  }

  resolverError(resolver: string): void {
    this.resolverErrors.inc({ resolver });
  }

  /** The handler threw instead of deciding (a bug or an unexpected outage). */
  handlerError(frontEnd: FrontEnd): void {
    this.handlerErrors.inc({ front_end: frontEnd });
  }

  /** One attempted send; `outcome` is one of a fixed set of words (sent, limited, a delivery failure kind). */
  delivery(channel: 'email' | 'sms', outcome: string): void {
    this.deliveries.inc({ channel, outcome });
  }

  httpRefused(cause: HttpRefusal): void {
    this.httpRefusals.inc({ cause });
  }

  /** This process's series alone, in the text format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}

/** Counts every decision the handler makes, from whichever front end. */
export function withMetrics(metrics: Metrics, frontEnd: FrontEnd, handler: AccessHandler): AccessHandler {
  return async (request) => {
    const started = performance.now();
    let decision: Decision;
    try {
      decision = await handler(request);
    } catch (err) {
      metrics.handlerError(frontEnd);
      throw err;
    }
    metrics.observeDecision(frontEnd, decision, (performance.now() - started) / 1000);
    return decision;
  };
}
