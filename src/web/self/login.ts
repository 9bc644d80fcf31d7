// The portal's login page: user name (LOGIN or LOGIN@REALM), a realm picker
// when the portal is on for several realms, the directory password, and the
// current code of a token once the user has one. A failure shows the form
// again with one sentence that does not say which part was wrong.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AdminError } from '../../auth/admin.ts';
import type { SelfService } from '../../auth/self-service.ts';
import { clientAddress } from '../../http/admin/caller.ts';
import { webOf } from '../context.ts';
import type { Notice } from '../flash.ts';
import { safeReturnPath } from '../login-redirect.ts';
import { page, seeOther } from '../page.ts';
import { startUserSession } from './session.ts';

const TEXT = (max: number) => ({ type: 'string', maxLength: max }) as const;

interface LoginForm {
  username: string;
  realm: string;
  next: string;
}

function loginPage(request: FastifyRequest, reply: FastifyReply, self: SelfService, form: LoginForm, status = 200, notices: Notice[] = []): FastifyReply {
  const { t } = webOf(request);
  const realms = self.login.realms();
  return page(request, reply, 'self/login', { form, realms: realms.length > 1 ? realms : [] }, { title: t('self.login.title'), status, notices });
}

export function selfLoginRoutes(self: SelfService) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get(
      '/login',
      {
        config: { public: true },
        schema: { querystring: { type: 'object', properties: { next: TEXT(1000) } } },
      },
      async (request, reply) => {
        const { session, area } = webOf(request);
        const next = safeReturnPath(area.prefix, (request.query as { next?: string }).next);
        if (session) return seeOther(request, reply, next ?? area.home);
        return loginPage(request, reply, self, { username: '', realm: '', next: next ?? '' });
      },
    );

    app.post(
      '/login',
      {
        config: { public: true },
        schema: { body: { type: 'object', properties: { username: TEXT(256), realm: TEXT(256), password: TEXT(1024), otp: TEXT(64), next: TEXT(1000) }, required: ['username', 'password'] } },
      },
      async (request, reply) => {
        const { area } = webOf(request);
        const b = request.body as { username: string; realm?: string; password: string; otp?: string; next?: string };
        const next = safeReturnPath(area.prefix, b.next);
        try {
          const done = await self.login.login({
            username: b.username,
            password: b.password,
            address: clientAddress(request),
            ...(b.realm ? { realm: b.realm } : {}),
            ...(b.otp ? { otp: b.otp } : {}),
          });
          startUserSession(request, reply, self, done.token);
          return seeOther(request, reply, next ?? area.home);
        } catch (err) {
          if (!(err instanceof AdminError) || (err.code !== 'unauthenticated' && err.code !== 'throttled')) throw err;
          const throttled = err.code === 'throttled';
          return loginPage(request, reply, self, { username: b.username, realm: b.realm ?? '', next: next ?? '' }, throttled ? 429 : 422, [
            { kind: 'error', key: throttled ? 'login.throttled' : 'self.login.failed' },
          ]);
        }
      },
    );
  };
}
