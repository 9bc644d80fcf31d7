// The admin console: its pages under /console, behind the admin sessions.
// Each page names the admin action a role needs to open it, and the header
// lists only the pages the session's role may read.

import type { AdminLogin } from '../../auth/admin.ts';
import type { WebArea } from '../area.ts';
import { accountRoutes } from './accounts.ts';
import { apiKeyRoutes } from './api-keys.ts';
import { auditRoutes } from './audit.ts';
import { dashboardRoutes, type DashboardDeps } from './dashboard.ts';
import { enrollRoutes } from './enroll.ts';
import { loginRoutes } from './login.ts';
import { describeRefusal } from './refusals.ts';
import { adminSessions } from './session.ts';
import { tokenActionRoutes } from './token-actions.ts';
import { tokenBulkRoutes } from './token-bulk.ts';
import { tokenImportRoutes } from './token-import.ts';
import { tokenListRoutes } from './tokens.ts';
import { userRoutes } from './users.ts';

export const CONSOLE_PREFIX = '/console';

export interface ConsoleDeps extends DashboardDeps {
  login: AdminLogin;
}

export function consoleArea(deps: ConsoleDeps): WebArea {
  const p = CONSOLE_PREFIX;
  return {
    service: 'console',
    prefix: p,
    home: `${p}/`,
    loginPath: `${p}/login`,
    name: 'area.console',
    sessions: adminSessions(deps.admin),
    nav: [
      { path: `${p}/`, label: 'nav.dashboard' },
      { path: `${p}/users`, label: 'nav.users', may: 'user.read' },
      { path: `${p}/tokens`, label: 'nav.tokens', may: 'token.read' },
      { path: `${p}/audit`, label: 'nav.audit', may: 'audit.read' },
      { path: `${p}/admins`, label: 'nav.admins', may: 'admin.read' },
      { path: `${p}/api-keys`, label: 'nav.apiKeys', may: 'apikey.read' },
    ],
    styles: ['console.css'],
    describeRefusal,
    async pages(app) {
      const routes = [
        loginRoutes(deps),
        dashboardRoutes(deps),
        userRoutes(deps),
        enrollRoutes(deps),
        tokenListRoutes(deps),
        tokenActionRoutes(deps),
        tokenBulkRoutes(deps),
        tokenImportRoutes(deps),
        auditRoutes(deps),
        accountRoutes(deps),
        apiKeyRoutes(deps),
      ];
      for (const register of routes) await register(app);
    },
  };
}
