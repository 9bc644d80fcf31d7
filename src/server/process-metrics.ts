// Metrics about the process rather than its work: prom-client's process and
// Node.js runtime collectors, and otp_radius_build_info.

import { createRequire } from 'node:module';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Exposition } from '../http/metrics-routes.ts';
import type { Metrics } from './metrics.ts';

const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };

let runtime: Registry | undefined;

/**
 * The process and runtime collectors of this process. They watch the whole
 * process (event loop, GC, memory), so there is one registry per process;
 * `labels` (a worker's number) apply from the first call on.
 */
export function runtimeRegistry(labels: Record<string, string> = {}): Registry {
  if (!runtime) {
    runtime = new Registry();
    runtime.setDefaultLabels(labels);
    collectDefaultMetrics({ register: runtime });
  }
  return runtime;
}

/** `otp_radius_build_info{version, node} 1`, for joining other series with the release that made them. */
export function buildInfoRegistry(): Registry {
  const registry = new Registry();
  const info = new Gauge({ name: 'otp_radius_build_info', help: 'The otp-radius release and Node.js version of this server; always 1.', labelNames: ['version', 'node'], registers: [registry] });
  info.set({ version: pkg.version, node: process.version }, 1);
  return registry;
}

/** /metrics of a server that is one process: its own series, runtime and build info. */
export function localExposition(metrics: Metrics): () => Promise<Exposition> {
  const merged = Registry.merge([metrics.registry, runtimeRegistry(), buildInfoRegistry()]);
  return async () => ({ contentType: merged.contentType, text: await merged.metrics() });
}
