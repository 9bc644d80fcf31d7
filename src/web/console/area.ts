// The admin console: its pages under /console, behind the admin sessions.
// Further pages (users, tokens, audit, accounts) add their routes to
// `pages` and their links to `nav`.

import type { AdminLogin } from '../../auth/admin.ts';
import type { WebArea } from '../area.ts';
import { dashboardRoutes, type DashboardDeps } from './dashboard.ts';
import { loginRoutes } from './login.ts';
import { adminSessions } from './session.ts';

export const CONSOLE_PREFIX = '/console';

export interface ConsoleDeps extends DashboardDeps {
  login: AdminLogin;
}

export function consoleArea(deps: ConsoleDeps): WebArea {
  return {
    service: 'console',
    prefix: CONSOLE_PREFIX,
    home: `${CONSOLE_PREFIX}/`,
    loginPath: `${CONSOLE_PREFIX}/login`,
    name: 'area.console',
    sessions: adminSessions(deps.admin),
    nav: [{ path: `${CONSOLE_PREFIX}/`, label: 'nav.dashboard' }],
    async pages(app) {
      for (const routes of [loginRoutes(deps), dashboardRoutes(deps)]) await routes(app);
    },
  };
}
