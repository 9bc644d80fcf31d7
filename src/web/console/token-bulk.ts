// Bulk actions on the tokens ticked in the list: a confirmation page that
// names every serial (a plain form, so it works without JavaScript), then
// the action on each and a summary of what was done and why not.

import type { FastifyInstance } from 'fastify';
import { AdminError, BATCH_ACTIONS, mayDo, refusal, tokenBatch, type AdminContext, type BatchAction } from '../../auth/admin.ts';
import { sessionOf, webOf } from '../context.ts';
import { safeReturnPath } from '../login-redirect.ts';
import { consolePage } from './labels.ts';
import { wordRefusal } from './refusals.ts';
import { choice, field, form, SERIALS } from './forms.ts';

export interface TokenBulkDeps {
  admin: AdminContext;
}

interface BulkBody {
  action: string;
  serial?: string[];
  confirmed?: string;
  back?: string;
}

export function tokenBulkRoutes(deps: TokenBulkDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.post(
      '/tokens/bulk',
      {
        config: { may: 'token.read' },
        schema: { body: form({ action: choice(BATCH_ACTIONS), serial: SERIALS, confirmed: field(8), back: field(1000) }, ['action']) },
      },
      async (request, reply) => {
        const { t, area } = webOf(request);
        const { actor } = sessionOf(request);
        const b = request.body as BulkBody;
        const action = b.action as BatchAction;
        if (!(BATCH_ACTIONS as readonly string[]).includes(action)) throw new AdminError('invalid', 'choose an action');
        if (!mayDo(actor, `token.${action}`)) throw refusal('role', { action: `token.${action}`, role: actor.role });
        const serials = [...new Set(b.serial ?? [])];
        const back = safeReturnPath(area.prefix, b.back) ?? `${area.prefix}/tokens`;
        const verb = t(`bulk.action.${action}`);
        if (serials.length === 0) {
          return consolePage(request, reply, 'console/bulk', { step: 'none', action, serials, back, outcomes: [] }, { title: t('bulk.title', { action: verb }), status: 422 });
        }
        if (b.confirmed !== '1') {
          return consolePage(request, reply, 'console/bulk', { step: 'confirm', action, serials, back, outcomes: [] }, { title: t('bulk.title', { action: verb }) });
        }
        const outcomes = (await tokenBatch(deps.admin, actor, action, serials)).map((o) => (!o.done && o.worded ? { ...o, why: wordRefusal(o.worded, t) } : o));
        const done = outcomes.filter((o) => o.done).length;
        return consolePage(request, reply, 'console/bulk', { step: 'done', action, serials, back, outcomes, done, refused: outcomes.length - done }, { title: t('bulk.title', { action: verb }) });
      },
    );
  };
}
