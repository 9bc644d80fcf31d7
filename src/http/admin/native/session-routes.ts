// /api/v1/session: log in (password + OTP) for a session cookie, see the
// session, log out.

import type { FastifyInstance } from 'fastify';
import { closeSession } from '../../../auth/admin.ts';
import { callerOf, clearSessionCookies, clientAddress, CSRF_COOKIE, SESSION_COOKIE, setSessionCookies } from '../caller.ts';
import { body, errors, LOGIN, OTP, ROLE } from '../schemas.ts';
import { isoSeconds, type AdminRouteDeps } from './deps.ts';

const NAMES = { session: SESSION_COOKIE, csrf: CSRF_COOKIE };

const SESSION = {
  type: 'object',
  properties: {
    account: { type: 'string' },
    role: ROLE,
    realms: { type: ['array', 'null'], items: { type: 'string' } },
    source: { type: 'string', enum: ['local', 'directory', 'api-key'] },
    csrfToken: { type: 'string', description: 'repeat it in X-CSRF-Token on every POST, PUT, PATCH and DELETE' },
    expires: { type: ['string', 'null'], format: 'date-time', description: 'the latest end of the session (it ends sooner when unused)' },
    idleTimeoutSeconds: { type: 'integer' },
  },
  required: ['account', 'role', 'source'],
};

export function sessionRoutes(deps: AdminRouteDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    const { admin } = deps;
    const view = (s: { account: string; role: string; realms: string[] | null; source: string; csrf: string; createdAt: number }) => ({
      account: s.account,
      role: s.role,
      realms: s.realms,
      source: s.source,
      csrfToken: s.csrf,
      expires: isoSeconds(s.createdAt + admin.policy.sessionMaxSeconds),
      idleTimeoutSeconds: admin.policy.sessionIdleSeconds,
    });

    app.post(
      '/api/v1/session',
      {
        config: { public: true },
        schema: {
          tags: ['session'],
          summary: 'Log in: password and an OTP of your own token (or the OTP appended to the password)',
          security: [],
          body: body({ username: LOGIN, password: { type: 'string', minLength: 1, maxLength: 1024 }, otp: OTP }, ['username', 'password']),
          response: { 200: SESSION, ...errors(429) },
        },
      },
      async (request, reply) => {
        const b = request.body as { username: string; password: string; otp?: string };
        const done = await deps.login.login({ username: b.username, password: b.password, ...(b.otp !== undefined ? { otp: b.otp } : {}), address: clientAddress(request), via: 'api' });
        setSessionCookies(reply, request, NAMES, done.token, done.session.csrf, admin.policy.sessionMaxSeconds);
        return view(done.session);
      },
    );

    app.get(
      '/api/v1/session',
      {
        schema: { tags: ['session'], summary: 'Who is logged in, and the CSRF token', response: { 200: SESSION, ...errors() } },
      },
      async (request) => {
        const { actor, session } = callerOf(request);
        if (session) return view(session);
        return { account: actor.name, role: actor.role, realms: actor.realms ?? null, source: 'api-key', expires: null };
      },
    );

    app.delete(
      '/api/v1/session',
      {
        schema: { tags: ['session'], summary: 'Log out', response: { 204: { type: 'null', description: 'logged out' }, ...errors() } },
      },
      async (request, reply) => {
        const { actor, session } = callerOf(request);
        if (session) await closeSession(admin, session, actor);
        clearSessionCookies(reply, request, NAMES);
        return reply.code(204).send();
      },
    );
  };
}
