// The buttons and small forms on a token (on a user's page, or from the
// token list): reset, enable, disable, resync, set or remove the PIN,
// verify a pending token, send a test message, unassign, delete. Each calls
// its admin operation (which checks the role again and audits), then goes
// back to the page it came from with a notice: done, or why not.

import type { FastifyInstance } from 'fastify';
import { AdminError, deleteToken, disableToken, enableToken, resetToken, resyncToken, setPin, testSend, unassignToken, verifyToken, type Action, type AdminContext } from '../../auth/admin.ts';
import type { Actor } from '../../model/actor.ts';
import { sessionOf, webOf } from '../context.ts';
import { flash } from '../flash.ts';
import type { MessageKey, Params } from '../i18n/index.ts';
import { safeReturnPath } from '../login-redirect.ts';
import { seeOther } from '../page.ts';
import { field, form } from './forms.ts';
import { formRefusal } from './refusals.ts';

export interface TokenActionDeps {
  admin: AdminContext;
}

interface ActionBody {
  back?: string;
  otp?: string;
  otp1?: string;
  otp2?: string;
  pin?: string;
}

interface TokenAction {
  may: Action;
  done: MessageKey;
  /** Runs the operation; what it returns goes into the notice's parameters. */
  run(admin: AdminContext, actor: Actor, serial: string, body: ActionBody): Promise<Params | undefined>;
}

const none = async (work: Promise<unknown>): Promise<undefined> => {
  await work;
  return undefined;
};

const ACTIONS: Record<string, TokenAction> = {
  reset: { may: 'token.reset', done: 'token.done.reset', run: (a, actor, serial) => none(resetToken(a, actor, serial)) },
  enable: { may: 'token.enable', done: 'token.done.enable', run: (a, actor, serial) => none(enableToken(a, actor, serial)) },
  disable: { may: 'token.disable', done: 'token.done.disable', run: (a, actor, serial) => none(disableToken(a, actor, serial)) },
  resync: { may: 'token.resync', done: 'token.done.resync', run: (a, actor, serial, b) => none(resyncToken(a, actor, serial, (b.otp1 ?? '').trim(), (b.otp2 ?? '').trim())) },
  pin: {
    may: 'token.set-pin',
    done: 'token.done.pin',
    run: async (a, actor, serial, b) => {
      if (!b.pin) throw new AdminError('invalid', 'type the new PIN (or remove the PIN with its own button)');
      return none(setPin(a, actor, serial, b.pin));
    },
  },
  'pin-remove': { may: 'token.set-pin', done: 'token.done.pinRemoved', run: (a, actor, serial) => none(setPin(a, actor, serial, '')) },
  verify: { may: 'token.verify', done: 'token.done.verify', run: (a, actor, serial, b) => none(verifyToken(a, actor, serial, (b.otp ?? '').trim())) },
  'test-send': {
    may: 'token.test-send',
    done: 'token.done.testSend',
    run: async (a, actor, serial) => ({ to: (await testSend(a, actor, serial)).masked }),
  },
  unassign: { may: 'token.unassign', done: 'token.done.unassign', run: (a, actor, serial) => none(unassignToken(a, actor, serial)) },
  delete: { may: 'token.delete', done: 'token.done.delete', run: (a, actor, serial) => none(deleteToken(a, actor, serial)) },
};

export function tokenActionRoutes(deps: TokenActionDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    for (const [name, action] of Object.entries(ACTIONS)) {
      app.post(
        `/tokens/:serial/${name}`,
        {
          config: { may: action.may },
          schema: {
            params: { type: 'object', properties: { serial: { type: 'string', minLength: 1, maxLength: 128 } }, required: ['serial'] },
            body: form({ back: field(500), otp: field(16), otp1: field(16), otp2: field(16), pin: field(256) }),
          },
        },
        async (request, reply) => {
          const { area } = webOf(request);
          const { serial } = request.params as { serial: string };
          const body = request.body as ActionBody;
          const back = safeReturnPath(area.prefix, body.back) ?? `${area.prefix}/tokens`;
          try {
            const params = await action.run(deps.admin, sessionOf(request).actor, serial, body);
            flash(request, reply, { kind: 'ok', key: action.done, params: { serial, ...params } });
          } catch (err) {
            flash(request, reply, { kind: 'error', key: 'token.refused', params: { serial, why: formRefusal(err, webOf(request).t) } });
          }
          return seeOther(request, reply, back);
        },
      );
    }
  };
}
