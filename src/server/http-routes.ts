// The route plugins of each HTTP service, over this process's services:
// validate over the audited handler, health over the store and resolvers,
// metrics from this process or, in a worker, from the supervisor; admin: the
// native admin API (/api/v1) and LinOTP's /admin/*, over the admin operations;
// console and self: the pages (one plugin for both, registered once per
// listener).

import type { Logger } from 'pino';
import type { HttpRoutes } from '../http/app.ts';
import { healthRoutes } from '../http/health-routes.ts';
import { metricsRoutes, type Exposition } from '../http/metrics-routes.ts';
import type { HttpOptions, HttpService } from '../http/options.ts';
import { validateRoutes } from '../http/validate-routes.ts';
import { AdminLogin } from '../auth/admin.ts';
import { adminApiRoutes } from '../http/admin/native/plugin.ts';
import { linotpAdminRoutes } from '../http/admin/linotp/plugin.ts';
import type { AccessHandler } from '../model/access-request.ts';
import type { ClientTable } from '../radius/clients.ts';
import type { Metrics } from './metrics.ts';
import { answerCollects, supervisorExposition, underSupervisor } from './metrics-ipc.ts';
import { localExposition, runtimeRegistry } from './process-metrics.ts';
import type { Services } from './services.ts';
import { consoleArea } from '../web/console/area.ts';
import { selfArea } from '../web/self/area.ts';
import { SelfService } from '../auth/self-service.ts';
import type { WebArea } from '../web/area.ts';
import { webRoutes } from '../web/plugin.ts';

export interface HttpWiring {
  config: HttpOptions;
  /** The audited, counted authentication handler. */
  handler: AccessHandler;
  clients: () => ClientTable;
  services: Services;
  metrics: Metrics;
  logger: Logger;
  /** Set in a worker of `serve --workers N`. */
  workerId?: number;
}

export function httpRoutes(w: HttpWiring): { routes: HttpRoutes; close: () => void } {
  const onRefused = w.metrics.httpRefused.bind(w.metrics);
  let close = (): void => undefined;
  const routes: HttpRoutes = {
    validate: [validateRoutes({ handler: w.handler, clients: w.clients, limits: w.config, logger: w.logger, onRefused })],
    health: [healthRoutes(() => w.services.health())],
  };
  const serves = (service: HttpService): boolean => w.config.listeners.some((l) => l.serve.includes(service));
  // One login (and its throttles) for every admin surface of this process.
  const login = serves('admin') || serves('console') ? new AdminLogin(w.services.admin) : undefined;
  if (login && serves('admin')) {
    routes.admin = [
      adminApiRoutes({ admin: w.services.admin, login, limits: w.config, logger: w.logger, onRefused }),
      linotpAdminRoutes({ admin: w.services.admin, login, logger: w.logger, onRefused }),
    ];
  }
  if (serves('console') || serves('self')) {
    const areas: WebArea[] = login ? [consoleArea({ admin: w.services.admin, login, health: () => w.services.health(), auditTable: w.services.config.audit.table })] : [];
    if (serves('self')) areas.push(selfArea(new SelfService(w.services.admin, w.services.config.selfService)));
    // Derived from the key file: every worker and every server sharing the store signs the pages' cookies alike.
    const cookieSecret = w.services.admin.secrets.digest('otp-radius web cookies');
    const web = webRoutes({ areas, cookieSecret, logger: w.logger.child({ web: true }), onRefused });
    routes.console = [web];
    routes.self = [web];
  }
  if (w.config.listeners.some((l) => l.serve.includes('metrics'))) {
    let exposition: () => Promise<Exposition>;
    if (w.workerId !== undefined && underSupervisor()) {
      exposition = supervisorExposition();
      close = answerCollects(w.metrics.registry, runtimeRegistry({ worker: String(w.workerId) }));
    } else {
      exposition = localExposition(w.metrics);
    }
    routes.metrics = [metricsRoutes(exposition, (err) => w.logger.warn({ err: err.message }, 'GET /metrics: no exposition to answer with'))];
  }
  return { routes, close };
}
