// The self-service portal: its pages under /self, behind users' own
// sessions. A user logs in with the directory password (and a token's code
// once they have one), enrolls a token and looks after their tokens.

import type { SelfService } from '../../auth/self-service.ts';
import type { WebArea } from '../area.ts';
import { enrollRoutes } from './enroll.ts';
import { selfLoginRoutes } from './login.ts';
import { describeRefusal } from './refusals.ts';
import { userSessions } from './session.ts';
import { tokenFormRoutes } from './token-forms.ts';
import { tokenRoutes } from './tokens.ts';
import { verifyRoutes } from './verify.ts';

export const SELF_PREFIX = '/self';

export function selfArea(self: SelfService): WebArea {
  return {
    service: 'self',
    prefix: SELF_PREFIX,
    home: `${SELF_PREFIX}/`,
    loginPath: `${SELF_PREFIX}/login`,
    name: 'area.self',
    sessions: userSessions(self),
    nav: [
      { path: `${SELF_PREFIX}/`, label: 'self.nav.tokens' },
      { path: `${SELF_PREFIX}/enroll`, label: 'self.nav.enroll' },
    ],
    styles: ['self.css'],
    describeRefusal,
    async pages(app) {
      for (const routes of [selfLoginRoutes(self), tokenRoutes(self), tokenFormRoutes(self), enrollRoutes(self), verifyRoutes(self)]) await routes(app);
    },
  };
}
