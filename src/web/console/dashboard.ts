// The console's first page: authentications per minute over the last hour
// with the commonest reject reasons, locked tokens, the store's and the
// resolvers' health, and the version. Each part shows only when the role
// may read it (the admin operation leaves the others out). The refresh
// link swaps in new figures through htmx; it does not poll, since every
// request keeps the session from idling out.

import type { FastifyInstance } from 'fastify';
import { dashboardFigures, type AdminContext } from '../../auth/admin.ts';
import type { HealthReport } from '../../http/health-routes.ts';
import { sessionOf, webOf } from '../context.ts';
import { fragment, page } from '../page.ts';
import { minuteChart } from './chart.ts';

export interface DashboardDeps {
  admin: AdminContext;
  /** Store and resolvers answer (what /healthz reports). */
  health: () => Promise<HealthReport>;
  /** Whether decisions go to the audit table (config audit.table); without it there is nothing to count. */
  auditTable: boolean;
}

export function dashboardRoutes(deps: DashboardDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/', async (request, reply) => {
      const { t } = webOf(request);
      const [figures, health] = await Promise.all([
        dashboardFigures(deps.admin, sessionOf(request).actor),
        deps.health().catch((err: Error) => ({ ok: false, checks: { health: { ok: false, error: err.message } } })),
      ]);
      const checks = Object.entries(health.checks).map(([name, c]) => ({
        label: name === 'store' ? t('dashboard.store') : name.startsWith('resolver:') ? t('dashboard.resolver', { name: name.slice('resolver:'.length) }) : name,
        ok: c.ok,
        error: c.error ?? '',
      }));
      const decisions = figures.decisions;
      const data = {
        figures,
        chart: decisions ? minuteChart(decisions.perMinute) : undefined,
        total: decisions ? decisions.totals.accept + decisions.totals.reject + decisions.totals.challenge : 0,
        auditTable: deps.auditTable,
        checks,
        now: Date.now(),
      };
      // The refresh link swaps the figures in place with htmx; without script it loads the page again.
      reply.header('Vary', 'HX-Request');
      if (request.headers['hx-request'] === 'true') return fragment(request, reply, 'console/dashboard', data);
      return page(request, reply, 'console/dashboard', data, { title: t('dashboard.title') });
    });
  };
}
