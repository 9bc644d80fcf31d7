// GET /healthz: 200 when the store and every resolver answer, 503 naming the
// check that failed.

import type { RoutePlugin } from './app.ts';

export interface HealthReport {
  ok: boolean;
  checks: Record<string, { ok: boolean; error?: string }>;
}

export function healthRoutes(health: () => Promise<HealthReport>): RoutePlugin {
  return async (app) => {
    app.get('/healthz', async (_request, reply) => {
      let report: HealthReport;
      try {
        report = await health();
      } catch (err) {
        report = { ok: false, checks: { health: { ok: false, error: (err as Error).message } } };
      }
      return reply
        .code(report.ok ? 200 : 503)
        .type('application/json')
        .send(Buffer.from(JSON.stringify(report)));
    });
  };
}
