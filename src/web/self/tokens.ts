// "My tokens", the portal's first page: each token of the user with its
// type, serial, name, dates and state, and what can be done with it here:
// rename, disable (a lost phone), delete. Each action is a plain form that
// comes back to this page with a notice; a refusal comes back as a notice
// in the user's language.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_DESCRIPTION, SelfServiceError, type SelfService } from '../../auth/self-service.ts';
import { webOf } from '../context.ts';
import { flash, type Notice } from '../flash.ts';
import { page, seeOther } from '../page.ts';
import { refusalNotice } from './refusals.ts';
import { userOf } from './session.ts';
import { tokenCard } from './token-view.ts';

export const SERIAL_PARAMS = { type: 'object', properties: { serial: { type: 'string', minLength: 1, maxLength: 128 } }, required: ['serial'] } as const;
const TEXT = (max: number) => ({ type: 'string', maxLength: max }) as const;

export async function tokensPage(request: FastifyRequest, reply: FastifyReply, self: SelfService, status = 200, notices: Notice[] = []): Promise<FastifyReply> {
  const { t } = webOf(request);
  const actor = userOf(request);
  const pins = self.loginShape().otppin === 'token';
  const [tokens, options] = await Promise.all([self.tokens(actor), self.enrollOptions(actor)]);
  const cards = tokens.map((token) => tokenCard(token, pins));
  return page(request, reply, 'self/tokens', { tokens: cards, canEnroll: options.refusal === undefined, maxDescription: MAX_DESCRIPTION }, { title: t('self.tokens.title'), status, notices });
}

/** Runs a token action; done: back to the list with `done` as the notice (read after the work); refused: the list again with why (422). */
async function act(request: FastifyRequest, reply: FastifyReply, self: SelfService, work: () => Promise<void>, done: Notice | (() => Notice)): Promise<FastifyReply> {
  try {
    await work();
  } catch (err) {
    if (err instanceof SelfServiceError) return tokensPage(request, reply, self, 422, [refusalNotice(err)]);
    throw err;
  }
  flash(request, reply, typeof done === 'function' ? done() : done);
  return seeOther(request, reply, webOf(request).area.home);
}

export function tokenRoutes(self: SelfService) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/', async (request, reply) => tokensPage(request, reply, self));

    app.post('/tokens/:serial/rename', { schema: { params: SERIAL_PARAMS, body: { type: 'object', properties: { description: TEXT(1000) }, required: ['description'] } } }, async (request, reply) => {
      const { serial } = request.params as { serial: string };
      const { description } = request.body as { description: string };
      return act(request, reply, self, () => self.rename(userOf(request), serial, description), { kind: 'ok', key: 'self.tokens.renamed', params: { serial } });
    });

    app.post('/tokens/:serial/disable', { schema: { params: SERIAL_PARAMS } }, async (request, reply) => {
      const { serial } = request.params as { serial: string };
      return act(request, reply, self, () => self.disable(userOf(request), serial), { kind: 'ok', key: 'self.tokens.disabled', params: { serial } });
    });

    app.post('/tokens/:serial/delete', { schema: { params: SERIAL_PARAMS } }, async (request, reply) => {
      const { serial } = request.params as { serial: string };
      let codeBack = false;
      const work = async (): Promise<void> => {
        codeBack = (await self.delete(userOf(request), serial)).codeReleased;
      };
      return act(request, reply, self, work, () => ({ kind: 'ok', key: codeBack ? 'self.tokens.deletedCodeBack' : 'self.tokens.deleted', params: { serial } }));
    });
  };
}
