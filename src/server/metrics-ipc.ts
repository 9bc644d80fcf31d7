// The metrics messages between a worker and the supervisor of
// `serve --workers N`, over the cluster IPC channel, and the worker's side:
// it answers the supervisor's "collect" with its series as JSON, and its
// /metrics asks the supervisor for the whole server's exposition.

import cluster from 'node:cluster';
import type { Registry } from 'prom-client';
import type { Exposition } from '../http/metrics-routes.ts';

export type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/** How long a worker's /metrics waits for the supervisor (which itself waits less for the other workers). */
const SCRAPE_TIMEOUT_MS = 5000;

export type MetricsMessage =
  /** supervisor -> worker: send your series. */
  | { otpRadiusMetrics: 'collect'; id: number }
  /** worker -> supervisor: `app` is summed across workers, `runtime` carries the worker's label. */
  | { otpRadiusMetrics: 'snapshot'; id: number; app: MetricsJson; runtime: MetricsJson }
  /** worker -> supervisor: a scrape of /metrics reached me. */
  | { otpRadiusMetrics: 'scrape'; id: number }
  /** supervisor -> worker: the answer to that scrape. */
  | { otpRadiusMetrics: 'exposition'; id: number; contentType?: string; text?: string; error?: string };

export function isMetricsMessage(msg: unknown): msg is MetricsMessage {
  return typeof msg === 'object' && msg !== null && typeof (msg as { otpRadiusMetrics?: unknown }).otpRadiusMetrics === 'string' && typeof (msg as { id?: unknown }).id === 'number';
}

/** True in a worker of `serve --workers N`, where /metrics must come from the supervisor. */
export function underSupervisor(): boolean {
  return cluster.isWorker && typeof process.send === 'function';
}

/** Worker: answers the supervisor's collect requests until the returned function is called. */
export function answerCollects(app: Registry, runtime: Registry): () => void {
  const listener = (msg: unknown): void => {
    if (!isMetricsMessage(msg) || msg.otpRadiusMetrics !== 'collect') return;
    Promise.all([app.getMetricsAsJSON(), runtime.getMetricsAsJSON()]).then(
      ([a, r]) => process.send?.({ otpRadiusMetrics: 'snapshot', id: msg.id, app: a, runtime: r } satisfies MetricsMessage),
      () => undefined,
    );
  };
  process.on('message', listener);
  return () => process.off('message', listener);
}

/** Worker: /metrics as the supervisor aggregates it. */
export function supervisorExposition(): () => Promise<Exposition> {
  let seq = 0;
  const pending = new Map<number, (m: Extract<MetricsMessage, { otpRadiusMetrics: 'exposition' }>) => void>();
  let listening = false;
  const listener = (msg: unknown): void => {
    if (isMetricsMessage(msg) && msg.otpRadiusMetrics === 'exposition') pending.get(msg.id)?.(msg);
  };
  return () => {
    if (!listening) {
      process.on('message', listener);
      listening = true;
    }
    const id = ++seq;
    return new Promise<Exposition>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`the supervisor did not answer within ${SCRAPE_TIMEOUT_MS / 1000} s`));
      }, SCRAPE_TIMEOUT_MS);
      pending.set(id, (m) => {
        clearTimeout(timer);
        pending.delete(id);
        if (m.error !== undefined || m.text === undefined || m.contentType === undefined) reject(new Error(m.error ?? 'empty answer from the supervisor'));
        else resolve({ contentType: m.contentType, text: m.text });
      });
      process.send?.({ otpRadiusMetrics: 'scrape', id } satisfies MetricsMessage, (err: Error | null) => {
        if (!err) return;
        clearTimeout(timer);
        pending.delete(id);
        reject(err);
      });
    });
  };
}
