// The forms of the header, the same in every area: the language switch,
// the theme toggle (app.js does it in place; this is the way without
// JavaScript) and logout. Each answers by going back to the page it came
// from.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebArea } from './area.ts';
import { isTheme, webOf } from './context.ts';
import { LANGUAGE_COOKIE, preferenceCookie, THEME_COOKIE } from './cookies.ts';
import { flash } from './flash.ts';
import { isLanguage } from './i18n/index.ts';
import { safeReturnPath } from './login-redirect.ts';
import { seeOther } from './page.ts';

const FIELD = { type: 'string', maxLength: 1000 } as const;

function back(request: FastifyRequest, reply: FastifyReply, area: WebArea): FastifyReply {
  return seeOther(request, reply, safeReturnPath(area.prefix, (request.body as { back?: unknown }).back) ?? area.home);
}

export async function preferenceRoutes(app: FastifyInstance, area: WebArea): Promise<void> {
  app.post(
    '/language',
    {
      config: { public: true },
      schema: { body: { type: 'object', properties: { lang: FIELD, back: FIELD }, required: ['lang'] } },
    },
    async (request, reply) => {
      const { lang } = request.body as { lang: string };
      if (isLanguage(lang)) reply.setCookie(LANGUAGE_COOKIE, lang, preferenceCookie(request, true));
      return back(request, reply, area);
    },
  );

  app.post(
    '/theme',
    {
      config: { public: true },
      schema: { body: { type: 'object', properties: { theme: FIELD, back: FIELD }, required: ['theme'] } },
    },
    async (request, reply) => {
      const { theme } = request.body as { theme: string };
      if (isTheme(theme)) reply.setCookie(THEME_COOKIE, theme, preferenceCookie(request, false));
      return back(request, reply, area);
    },
  );

  app.post('/logout', async (request, reply) => {
    await webOf(request).session?.close();
    area.sessions.clear(request, reply);
    flash(request, reply, { kind: 'ok', key: 'logout.done' });
    return seeOther(request, reply, area.loginPath);
  });
}
