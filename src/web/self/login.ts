// The portal's login page: user name (LOGIN or LOGIN@REALM), a realm picker
// when the portal is on for several realms, the directory password, and the
// current code of a token once the user has one. A failure shows the form
// again with one sentence that does not say which part was wrong. With no
// code typed and an e-mail or SMS token, the next page takes the code that
// was sent.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AdminError } from '../../auth/admin.ts';
import { SELF_CODE_NOT_SENT, type SelfCodeSent, type SelfService } from '../../auth/self-service.ts';
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

interface CodeForm {
  username: string;
  realm: string;
  state: string;
  next: string;
}

/** The code step: where the code went (the first time), and the form that answers it. */
function codePage(request: FastifyRequest, reply: FastifyReply, form: CodeForm, sent?: SelfCodeSent['codeSent'], status = 200, notices: Notice[] = []): FastifyReply {
  const { t } = webOf(request);
  const to = sent ? sent.to.map((c) => c.to).join(', ') : '';
  const minutes = sent ? Math.max(1, Math.floor(sent.validSeconds / 60)) : 0;
  return page(request, reply, 'self/login-code', { form, to, minutes }, { title: t('self.code.title'), status, notices, noStore: true });
}

/** A refusal of a login step, as the form's notice; anything else is thrown on to the error page. */
function loginNotice(err: unknown, failed: 'self.login.failed' | 'self.code.failed'): { status: number; notice: Notice } {
  if (!(err instanceof AdminError)) throw err;
  if (err.code === 'throttled') return { status: 429, notice: { kind: 'error', key: 'login.throttled' } };
  if (err.code === 'unauthenticated') return { status: 422, notice: { kind: 'error', key: failed } };
  if (err.code === 'conflict' && err.message === SELF_CODE_NOT_SENT) return { status: 503, notice: { kind: 'error', key: 'self.login.codeNotSent' } };
  throw err;
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
          if ('codeSent' in done) return codePage(request, reply, { username: b.username, realm: b.realm ?? '', state: done.codeSent.state, next: next ?? '' }, done.codeSent);
          startUserSession(request, reply, self, done.token);
          return seeOther(request, reply, next ?? area.home);
        } catch (err) {
          const { status, notice } = loginNotice(err, 'self.login.failed');
          return loginPage(request, reply, self, { username: b.username, realm: b.realm ?? '', next: next ?? '' }, status, [notice]);
        }
      },
    );

    app.post(
      '/login/code',
      {
        config: { public: true },
        schema: {
          body: {
            type: 'object',
            properties: { username: TEXT(256), realm: TEXT(256), state: { type: 'string', pattern: '^[0-9a-f]{32}$' }, code: TEXT(64), next: TEXT(1000) },
            required: ['username', 'state', 'code'],
          },
        },
      },
      async (request, reply) => {
        const { area } = webOf(request);
        const b = request.body as { username: string; realm?: string; state: string; code: string; next?: string };
        const next = safeReturnPath(area.prefix, b.next);
        try {
          const done = await self.login.answerCode({ username: b.username, state: b.state, code: b.code, address: clientAddress(request), ...(b.realm ? { realm: b.realm } : {}) });
          startUserSession(request, reply, self, done.token);
          return seeOther(request, reply, next ?? area.home);
        } catch (err) {
          const { status, notice } = loginNotice(err, 'self.code.failed');
          return codePage(request, reply, { username: b.username, realm: b.realm ?? '', state: b.state, next: next ?? '' }, undefined, status, [notice]);
        }
      },
    );
  };
}
