// The pages of one token that ask for codes: a new PIN (with a current code
// of that token) and a resync (two consecutive codes). A refusal shows the
// form again with why; success goes back to the list with a notice.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SelfServiceError, type SelfService } from '../../auth/self-service.ts';
import { webOf } from '../context.ts';
import { flash, type Notice } from '../flash.ts';
import type { MessageKey } from '../i18n/index.ts';
import { page, seeOther } from '../page.ts';
import { refusalNotice } from './refusals.ts';
import { userOf } from './session.ts';
import { SERIAL_PARAMS } from './tokens.ts';
import { tokenCard } from './token-view.ts';

const CODE = { type: 'string', maxLength: 64 } as const;
const PIN = { type: 'string', maxLength: 256 } as const;

type Form = 'pin' | 'resync';
const TITLES: Record<Form, MessageKey> = { pin: 'self.pin.title', resync: 'self.resync.title' };

async function formPage(request: FastifyRequest, reply: FastifyReply, self: SelfService, form: Form, serial: string, status = 200, notices: Notice[] = []): Promise<FastifyReply> {
  const { t } = webOf(request);
  const actor = userOf(request);
  const token = (await self.tokens(actor)).find((x) => x.serial === serial);
  if (!token) throw new SelfServiceError('not-found', 'not-found', `no token ${serial} of ${actor.name}`);
  const card = tokenCard(token, self.loginShape().otppin === 'token');
  if (!card.can[form]) throw new SelfServiceError('conflict', form === 'pin' && self.loginShape().otppin !== 'token' ? 'pin-policy' : 'state', `${serial} offers no ${form} now`);
  return page(request, reply, `self/${form}`, { token: card, pinMinLength: self.ctx.policy.pinMinLength }, { title: t(TITLES[form], { serial }), status, notices });
}

async function submit(request: FastifyRequest, reply: FastifyReply, self: SelfService, form: Form, serial: string, work: () => Promise<void>, done: Notice): Promise<FastifyReply> {
  try {
    await work();
  } catch (err) {
    if (err instanceof SelfServiceError && err.reason !== 'not-found') return formPage(request, reply, self, form, serial, err.code === 'throttled' ? 429 : 422, [refusalNotice(err)]);
    throw err;
  }
  flash(request, reply, done);
  return seeOther(request, reply, webOf(request).area.home);
}

export function tokenFormRoutes(self: SelfService) {
  return async (app: FastifyInstance): Promise<void> => {
    for (const form of ['pin', 'resync'] as const) {
      app.get(`/tokens/:serial/${form}`, { schema: { params: SERIAL_PARAMS } }, async (request, reply) => formPage(request, reply, self, form, (request.params as { serial: string }).serial));
    }

    app.post(
      '/tokens/:serial/pin',
      {
        schema: { params: SERIAL_PARAMS, body: { type: 'object', properties: { otp: CODE, pin: PIN, pinAgain: PIN }, required: ['otp', 'pin', 'pinAgain'] } },
      },
      async (request, reply) => {
        const { serial } = request.params as { serial: string };
        const b = request.body as { otp: string; pin: string; pinAgain: string };
        return submit(request, reply, self, 'pin', serial, () => self.setPin(userOf(request), serial, b.otp, b.pin, b.pinAgain), { kind: 'ok', key: 'self.pin.done', params: { serial } });
      },
    );

    app.post(
      '/tokens/:serial/resync',
      {
        schema: { params: SERIAL_PARAMS, body: { type: 'object', properties: { otp1: CODE, otp2: CODE }, required: ['otp1', 'otp2'] } },
      },
      async (request, reply) => {
        const { serial } = request.params as { serial: string };
        const b = request.body as { otp1: string; otp2: string };
        return submit(request, reply, self, 'resync', serial, () => self.resync(userOf(request), serial, b.otp1, b.otp2), { kind: 'ok', key: 'self.resync.done', params: { serial } });
      },
    );
  };
}
