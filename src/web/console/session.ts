// The console's sessions are the admin API's: the same login, table,
// timeouts, cookie and CSRF token, so a console login is an API session
// too and either logout ends both.

import type { FastifyReply, FastifyRequest } from 'fastify';
import { closeSession, liveSession, sessionActor, type AdminContext } from '../../auth/admin.ts';
import { clearSessionCookies, clientAddress, CSRF_COOKIE, SESSION_COOKIE, setSessionCookies } from '../../http/admin/caller.ts';
import type { SessionKind } from '../session.ts';

const NAMES = { session: SESSION_COOKIE, csrf: CSRF_COOKIE };

export function adminSessions(admin: AdminContext): SessionKind {
  return {
    async find(request) {
      const token = request.cookies[SESSION_COOKIE];
      if (token === undefined) return undefined;
      const session = await liveSession(admin, token);
      if (typeof session === 'string') return session;
      const actor = sessionActor(session, 'web', clientAddress(request));
      return { name: session.account, role: session.role, csrf: session.csrf, actor, close: () => closeSession(admin, session, actor) };
    },
    clear(request, reply) {
      clearSessionCookies(reply, request, NAMES);
    },
  };
}

/** The cookies of a new session, as POST /api/v1/session sets them. */
export function startSession(request: FastifyRequest, reply: FastifyReply, admin: AdminContext, token: string, csrf: string): void {
  setSessionCookies(reply, request, NAMES, token, csrf, admin.policy.sessionMaxSeconds);
}
