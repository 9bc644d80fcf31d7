// Prometheus text exposition of what this process decided and dropped.
// Label values come from a small set (decisions, reasons, drop causes,
// resolver names); unknown reasons beyond a cap fold into "other" so a
// misbehaving client cannot grow the series without bound.

import type { Decision } from '../model/decision.ts';
import type { AccessHandler } from '../model/access-request.ts';
import type { RadiusStats } from '../radius/stats.ts';

export type FrontEnd = 'radius' | 'http' | 'cli';

/** Why the HTTP front end answered without asking the authentication service. */
export type HttpRefusal = 'forbidden' | 'not-found' | 'method' | 'too-large' | 'bad-request';

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const MAX_REASONS = 64;

function escape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labels(pairs: Record<string, string>): string {
  const parts = Object.entries(pairs).map(([k, v]) => `${k}="${escape(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

export class Metrics {
  private readonly decisions = new Map<string, { labels: Record<string, string>; count: number }>();
  private readonly reasons = new Set<string>();
  private readonly buckets = new Map<FrontEnd, { counts: number[]; sum: number; count: number }>();
  private readonly resolverErrors = new Map<string, number>();
  private readonly httpRefusals = new Map<HttpRefusal, number>();
  private readonly handlerErrors = new Map<FrontEnd, number>();
  private radius: (() => RadiusStats | undefined) | undefined;
  private readonly extra: Record<string, string>;

  /** `extra` labels go on every series, e.g. the worker number. */
  constructor(extra: Record<string, string> = {}) {
    this.extra = extra;
  }

  /** Where the RADIUS listener's counters come from (read at scrape time). */
  setRadiusStats(source: () => RadiusStats | undefined): void {
    this.radius = source;
  }

  observeDecision(frontEnd: FrontEnd, decision: Decision, seconds: number): void {
    let reason = decision.reason;
    if (!this.reasons.has(reason)) {
      if (this.reasons.size >= MAX_REASONS) reason = 'other';
      else this.reasons.add(reason);
    }
    const key = `${frontEnd}\u0000${decision.decision}\u0000${reason}`;
    const entry = this.decisions.get(key) ?? { labels: { front_end: frontEnd, decision: decision.decision, reason }, count: 0 };
    entry.count++;
    this.decisions.set(key, entry);
    const h = this.buckets.get(frontEnd) ?? { counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
    BUCKETS.forEach((b, i) => {
      if (seconds <= b) h.counts[i]!++;
    });
    h.sum += seconds;
    h.count++;
    this.buckets.set(frontEnd, h);
  }

  resolverError(resolver: string): void {
    this.resolverErrors.set(resolver, (this.resolverErrors.get(resolver) ?? 0) + 1);
  }

  /** The handler threw instead of deciding (a bug or an unexpected outage). */
  handlerError(frontEnd: FrontEnd): void {
    this.handlerErrors.set(frontEnd, (this.handlerErrors.get(frontEnd) ?? 0) + 1);
  }

  httpRefused(cause: HttpRefusal): void {
    this.httpRefusals.set(cause, (this.httpRefusals.get(cause) ?? 0) + 1);
  }

  /** The text format, version 0.0.4. */
  render(): string {
    const x = this.extra;
    const out: string[] = [];
    const family = (name: string, type: string, help: string): void => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    };
    family('otp_radius_decisions_total', 'counter', 'Authentication decisions by front end, decision and reason.');
    for (const d of this.decisions.values()) out.push(`otp_radius_decisions_total${labels({ ...x, ...d.labels })} ${d.count}`);
    family('otp_radius_decision_seconds', 'histogram', 'Time from request to decision.');
    for (const [fe, h] of this.buckets) {
      BUCKETS.forEach((b, i) => out.push(`otp_radius_decision_seconds_bucket${labels({ ...x, front_end: fe, le: String(b) })} ${h.counts[i]}`));
      out.push(`otp_radius_decision_seconds_bucket${labels({ ...x, front_end: fe, le: '+Inf' })} ${h.count}`);
      out.push(`otp_radius_decision_seconds_sum${labels({ ...x, front_end: fe })} ${h.sum}`);
      out.push(`otp_radius_decision_seconds_count${labels({ ...x, front_end: fe })} ${h.count}`);
    }
    family('otp_radius_resolver_errors_total', 'counter', 'Lookups that failed because a resolver did not answer.');
    for (const [r, n] of this.resolverErrors) out.push(`otp_radius_resolver_errors_total${labels({ ...x, resolver: r })} ${n}`);
    family('otp_radius_handler_errors_total', 'counter', 'Requests where authentication failed with an error instead of a decision.');
    for (const [fe, n] of this.handlerErrors) out.push(`otp_radius_handler_errors_total${labels({ ...x, front_end: fe })} ${n}`);
    family('otp_radius_http_refused_total', 'counter', 'HTTP requests answered without authentication (403, 404, 405, 413, 400), by cause.');
    for (const [cause, n] of this.httpRefusals) out.push(`otp_radius_http_refused_total${labels({ ...x, cause })} ${n}`);
    const stats = this.radius?.();
    if (stats) {
      const counters: [string, string, number][] = [
        ['otp_radius_radius_received_total', 'RADIUS packets received.', stats.received],
        ['otp_radius_radius_duplicates_total', 'Retransmissions answered from the duplicate cache.', stats.duplicates],
        ['otp_radius_radius_status_server_total', 'Status-Server requests answered.', stats.statusServer],
        ['otp_radius_radius_accounting_total', 'Accounting-Requests answered.', stats.accounting],
      ];
      for (const [name, help, value] of counters) {
        family(name, 'counter', help);
        out.push(`${name}${labels(x)} ${value}`);
      }
      family('otp_radius_radius_dropped_total', 'counter', 'RADIUS packets dropped, by cause.');
      for (const [cause, n] of stats.dropped) out.push(`otp_radius_radius_dropped_total${labels({ ...x, cause })} ${n}`);
    }
    return `${out.join('\n')}\n`;
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
