// The portal's sessions: a user's own, in the store's user_sessions table
// (auth/self/sessions.ts), named by the HttpOnly cookie otp_radius_self and
// apart from the admins' cookie, so a browser may hold both.

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SelfService, SignedIn } from '../../auth/self-service.ts';
import { clientAddress } from '../../http/admin/caller.ts';
import { isUserActor } from '../../model/actor.ts';
import { webOf } from '../context.ts';
import { cookieOptions } from '../cookies.ts';
import type { SessionKind } from '../session.ts';

export const SELF_COOKIE = 'otp_radius_self';

/** How the header names the user: the login in the default realm, login@realm elsewhere. */
function shownName(self: SelfService, actor: SignedIn): string {
  return actor.realm === self.ctx.admin.auth.users.defaultRealm ? actor.user.login : actor.name;
}

export function userSessions(self: SelfService): SessionKind {
  return {
    async find(request) {
      const token = request.cookies[SELF_COOKIE];
      if (token === undefined) return undefined;
      const found = await self.sessions.find(token, clientAddress(request));
      if (typeof found === 'string') return found;
      const { session, actor } = found;
      return { name: shownName(self, actor), csrf: session.csrf, actor, close: () => self.sessions.close(session, actor) };
    },
    clear(request, reply) {
      reply.clearCookie(SELF_COOKIE, cookieOptions(request));
    },
  };
}

/** The cookie of a new session: it lives no longer than the session may. */
export function startUserSession(request: FastifyRequest, reply: FastifyReply, self: SelfService, token: string): void {
  reply.setCookie(SELF_COOKIE, token, cookieOptions(request, { maxAge: self.ctx.policy.sessionMaxSeconds }));
}

/** The signed-in user of a portal page that requires a session. */
export function userOf(request: FastifyRequest): SignedIn {
  const actor = webOf(request).session?.actor;
  if (!actor || !isUserActor(actor) || !actor.user) throw new Error('userOf: not a self-service session (a public route, or another area)');
  return actor as SignedIn;
}
