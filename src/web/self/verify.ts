// The first code of a new token, and the page after it. The code form sits
// on the enrollment page under the QR code; with JavaScript it is sent by
// htmx and only the form is swapped, so a wrong code leaves the QR code in
// place; without, the answer is a page with the form alone (the seed is not
// shown again). A right code leads to the page that says how to log in at
// the VPN with the new token.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SelfServiceError, type SelfService } from '../../auth/self-service.ts';
import { webOf } from '../context.ts';
import type { Notice } from '../flash.ts';
import { fragment, page, seeOther } from '../page.ts';
import { howToLogIn } from './how-to.ts';
import { refusalNotice } from './refusals.ts';
import { userOf } from './session.ts';
import { SERIAL_PARAMS } from './tokens.ts';
import { tokenCard } from './token-view.ts';

async function ownCard(request: FastifyRequest, self: SelfService, serial: string) {
  const actor = userOf(request);
  const token = (await self.tokens(actor)).find((t) => t.serial === serial);
  if (!token) throw new SelfServiceError('not-found', 'not-found', `no token ${serial} of ${actor.name}`);
  return tokenCard(token, false);
}

/** The code form of a pending token, as a page of its own. */
export async function verifyPage(request: FastifyRequest, reply: FastifyReply, self: SelfService, serial: string, status = 200, notices: Notice[] = []): Promise<FastifyReply> {
  const { t } = webOf(request);
  const token = await ownCard(request, self, serial);
  if (token.state !== 'pending') return seeOther(request, reply, webOf(request).area.home);
  return page(request, reply, 'self/verify', { token, serial, code: { value: '', notices: [] } }, { title: t('self.verify.title', { serial }), status, notices });
}

export function verifyRoutes(self: SelfService) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/tokens/:serial/verify', { schema: { params: SERIAL_PARAMS } }, async (request, reply) => verifyPage(request, reply, self, (request.params as { serial: string }).serial));

    app.post(
      '/tokens/:serial/verify',
      {
        schema: { params: SERIAL_PARAMS, body: { type: 'object', properties: { otp: { type: 'string', maxLength: 64 } }, required: ['otp'] } },
      },
      async (request, reply) => {
        const { serial } = request.params as { serial: string };
        const { otp } = request.body as { otp: string };
        try {
          await self.verify(userOf(request), serial, otp);
        } catch (err) {
          if (!(err instanceof SelfServiceError) || err.reason === 'not-found') throw err;
          const notices = [refusalNotice(err)];
          reply.header('Vary', 'HX-Request');
          if (request.headers['hx-request'] === 'true')
            return fragment(
              request,
              reply,
              'self/verify-form',
              { serial, code: { value: '', notices: notices.map((n) => ({ kind: n.kind, text: webOf(request).t(n.key, n.params) })) } },
              { status: 422 },
            );
          return verifyPage(request, reply, self, serial, 422, notices);
        }
        return seeOther(request, reply, `${webOf(request).area.prefix}/tokens/${encodeURIComponent(serial)}/ready`);
      },
    );

    app.get('/tokens/:serial/ready', { schema: { params: SERIAL_PARAMS } }, async (request, reply) => {
      const { t } = webOf(request);
      const { serial } = request.params as { serial: string };
      const token = await ownCard(request, self, serial);
      if (token.state === 'pending') return seeOther(request, reply, `${webOf(request).area.prefix}/tokens/${encodeURIComponent(serial)}/verify`);
      const actor = userOf(request);
      const userName = actor.realm === self.ctx.admin.auth.users.defaultRealm ? actor.user.login : actor.name;
      return page(request, reply, 'self/ready', { token, howTo: howToLogIn(self, token.type), userName }, { title: t('self.ready.title') });
    });
  };
}
