// The supervisor's view of the metrics of `serve --workers N`: on each scrape
// (which any worker forwards here) it collects every worker's series over
// IPC and merges them with prom-client's aggregator. Decision and packet
// counters are summed into one series for the server; process and runtime
// series keep the worker's label. Counters never go backwards: a worker that
// does not answer in time counts with its last answer, and the counts of a
// worker that died stay in the sum.

import type { Worker } from 'node:cluster';
import { AggregatorRegistry, Gauge, Registry } from 'prom-client';
import type { Exposition } from '../http/metrics-routes.ts';
import { isMetricsMessage, type MetricsJson, type MetricsMessage } from './metrics-ipc.ts';

/** How long a scrape waits for the workers; a busy worker's last answer stands in after that. */
const COLLECT_TIMEOUT_MS = 2000;

interface Collection {
  waiting: Set<number>;
  answers: Map<number, { app: MetricsJson; runtime: MetricsJson }>;
  done: () => void;
}

/** Series of a process that has its own label: nothing to sum, so each label set is shown as it is. */
function asIs(metrics: MetricsJson): MetricsJson {
  return metrics.map((m) => ({ ...m, aggregator: 'first' }));
}

/** JSON over IPC turns NaN (an event loop gauge with no samples yet) into null. */
function revive(metrics: MetricsJson): MetricsJson {
  return metrics.map((m) => ({ ...m, values: m.values.map((v) => (v.value === null ? { ...v, value: NaN } : v)) }));
}

/** What a dead worker leaves behind: its counts, not its gauges. */
function countsOnly(metrics: MetricsJson): MetricsJson {
  // prom-client's typings call `type` an enum; at run time it is the text of the TYPE line.
  return metrics.filter((m) => ['counter', 'histogram'].includes(m.type as unknown as string));
}

export class ClusterMetrics {
  private readonly own: Registry[];
  private readonly status = new Registry();
  private readonly missing: Gauge;
  private readonly timeoutMs: number;
  /** Workers that said they are ready, by slot (their number in logs and labels). */
  private readonly workers = new Map<number, Worker>();
  private readonly slots = new Map<number, number>();
  private readonly last = new Map<number, MetricsJson>();
  private retired: MetricsJson[] = [];
  private readonly collections = new Map<number, Collection>();
  private seq = 0;

  /** `own`: the supervisor's own registries (its runtime series, build info). */
  constructor(own: Registry[], options: { timeoutMs?: number } = {}) {
    this.own = own;
    this.timeoutMs = options.timeoutMs ?? COLLECT_TIMEOUT_MS;
    this.missing = new Gauge({
      name: 'otp_radius_metrics_workers_missing',
      help: 'Workers that did not answer this scrape in time; their counters are those of their last answer.',
      registers: [this.status],
    });
  }

  /** A worker is ready: ask it from the next scrape on. */
  add(slot: number, worker: Worker): void {
    this.workers.set(slot, worker);
    this.slots.set(worker.id, slot);
  }

  /** A worker exited: keep what it had counted, stop asking it. */
  retire(slot: number): void {
    const worker = this.workers.get(slot);
    if (worker) this.slots.delete(worker.id);
    this.workers.delete(slot);
    const last = this.last.get(slot);
    this.last.delete(slot);
    if (last) this.retired.push(countsOnly(last));
    for (const c of this.collections.values()) {
      if (c.waiting.delete(slot) && c.waiting.size === 0) c.done();
    }
  }

  /** Handles a metrics message from a worker; false for any other message. */
  onMessage(worker: Worker, msg: unknown): boolean {
    if (!isMetricsMessage(msg)) return false;
    const slot = this.slots.get(worker.id);
    if (msg.otpRadiusMetrics === 'snapshot' && slot !== undefined) {
      const c = this.collections.get(msg.id);
      if (c?.waiting.delete(slot)) {
        c.answers.set(slot, { app: revive(msg.app), runtime: revive(msg.runtime) });
        if (c.waiting.size === 0) c.done();
      }
    } else if (msg.otpRadiusMetrics === 'scrape') {
      const reply = (m: MetricsMessage): void => {
        // A worker that died meanwhile cannot be told; nobody waits for it.
        if (worker.isConnected()) worker.send(m, () => undefined);
      };
      this.exposition().then(
        (out) => reply({ otpRadiusMetrics: 'exposition', id: msg.id, contentType: out.contentType, text: out.text }),
        (err: unknown) => reply({ otpRadiusMetrics: 'exposition', id: msg.id, error: (err as Error).message }),
      );
    }
    return true;
  }

  /** The whole server's series, in the text format. */
  async exposition(): Promise<Exposition> {
    const live = [...this.workers];
    const answers = await this.collect(live);
    const app: MetricsJson[] = [];
    const runtime: MetricsJson[] = [];
    let missing = 0;
    for (const [slot] of live) {
      const answer = answers.get(slot);
      if (answer) {
        this.last.set(slot, answer.app);
        app.push(answer.app);
        runtime.push(asIs(answer.runtime));
      } else {
        missing++;
        const last = this.last.get(slot);
        if (last) app.push(last);
      }
    }
    if (this.retired.length > 1) {
      const folding = this.retired;
      this.retired = [];
      this.retired.unshift(await AggregatorRegistry.aggregate(folding).getMetricsAsJSON());
    }
    this.missing.set(missing);
    for (const r of [...this.own, this.status]) runtime.push(asIs(await r.getMetricsAsJSON()));
    const merged = AggregatorRegistry.aggregate([...app, ...this.retired, ...runtime]);
    return { contentType: merged.contentType, text: await merged.metrics() };
  }

  private collect(live: [number, Worker][]): Promise<Map<number, { app: MetricsJson; runtime: MetricsJson }>> {
    const id = ++this.seq;
    const answers = new Map<number, { app: MetricsJson; runtime: MetricsJson }>();
    if (live.length === 0) return Promise.resolve(answers);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.collections.delete(id);
        resolve(answers);
      };
      const timer = setTimeout(done, this.timeoutMs);
      const collection: Collection = { waiting: new Set(live.map(([slot]) => slot)), answers, done };
      this.collections.set(id, collection);
      const ask: MetricsMessage = { otpRadiusMetrics: 'collect', id };
      for (const [slot, worker] of live) {
        worker.send(ask, (err: Error | null) => {
          if (err && collection.waiting.delete(slot) && collection.waiting.size === 0) done();
        });
      }
    });
  }
}
