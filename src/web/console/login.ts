// The console's login page: user name, password and the OTP of the
// admin's own token, checked by the same AdminLogin as POST /api/v1/session
// (its throttles and audit events, via "web"); the form comes back with a
// notice when the login fails, and a success goes on to the page asked for.

import type { FastifyInstance } from 'fastify';
import { AdminError, type AdminContext, type AdminLogin } from '../../auth/admin.ts';
import { clientAddress } from '../../http/admin/caller.ts';
import { webOf } from '../context.ts';
import { safeReturnPath } from '../login-redirect.ts';
import { page, seeOther } from '../page.ts';
import { startSession } from './session.ts';

export interface LoginDeps {
  admin: AdminContext;
  login: AdminLogin;
}

const TEXT = (max: number) => ({ type: 'string', maxLength: max }) as const;

export function loginRoutes(deps: LoginDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get(
      '/login',
      {
        config: { public: true },
        schema: { querystring: { type: 'object', properties: { next: TEXT(1000) } } },
      },
      async (request, reply) => {
        const { t, session, area } = webOf(request);
        const next = safeReturnPath(area.prefix, (request.query as { next?: string }).next);
        if (session) return seeOther(request, reply, next ?? area.home);
        return page(request, reply, 'console/login', { username: '', next: next ?? '' }, { title: t('login.title') });
      },
    );

    app.post(
      '/login',
      {
        config: { public: true },
        schema: { body: { type: 'object', properties: { username: TEXT(256), password: TEXT(1024), otp: TEXT(64), next: TEXT(1000) }, required: ['username', 'password'] } },
      },
      async (request, reply) => {
        const { t, area } = webOf(request);
        const b = request.body as { username: string; password: string; otp?: string; next?: string };
        const next = safeReturnPath(area.prefix, b.next);
        const otp = b.otp?.trim();
        try {
          const done = await deps.login.login({ username: b.username, password: b.password, ...(otp ? { otp } : {}), address: clientAddress(request), via: 'web' });
          startSession(request, reply, deps.admin, done.token, done.session.csrf);
          return seeOther(request, reply, next ?? area.home);
        } catch (err) {
          if (!(err instanceof AdminError) || (err.code !== 'unauthenticated' && err.code !== 'throttled')) throw err;
          const throttled = err.code === 'throttled';
          return page(
            request,
            reply,
            'console/login',
            { username: b.username, next: next ?? '' },
            {
              title: t('login.title'),
              status: throttled ? 429 : 422,
              notices: [{ kind: 'error', key: throttled ? 'login.throttled' : 'login.failed' }],
            },
          );
        }
      },
    );
  };
}
