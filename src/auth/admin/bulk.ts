// One token operation over many serials (the console's bulk actions): each
// serial runs as its own operation, checked and audited on its own, so one
// refusal stops nothing else and the outcome names every serial.

import type { Actor } from '../../model/actor.ts';
import type { AdminContext } from './context.ts';
import { AdminError, type Worded } from './errors.ts';
import { authorize } from './permissions.ts';
import { disableToken, enableToken, resetToken } from './tokens.ts';

export const BATCH_ACTIONS = ['disable', 'enable', 'reset'] as const;
export type BatchAction = (typeof BATCH_ACTIONS)[number];

/** More serials at once than a page of tokens shows are refused: a batch is something an admin has looked at. */
export const MAX_BATCH = 200;

export type BatchOutcome = { serial: string; done: true } | { serial: string; done: false; why: string; worded?: Worded };

const RUN: Record<BatchAction, (ctx: AdminContext, actor: Actor, serial: string) => Promise<unknown>> = {
  disable: disableToken,
  enable: enableToken,
  reset: resetToken,
};

/** Runs the action on each serial in turn (duplicates once), in the order given. */
export async function tokenBatch(ctx: AdminContext, actor: Actor, action: BatchAction, serials: readonly string[]): Promise<BatchOutcome[]> {
  authorize(actor, `token.${action}`);
  const unique = [...new Set(serials)];
  if (unique.length === 0) throw new AdminError('invalid', 'no token selected');
  if (unique.length > MAX_BATCH) throw new AdminError('invalid', `at most ${MAX_BATCH} tokens at once, not ${unique.length}`);
  const outcomes: BatchOutcome[] = [];
  for (const serial of unique) {
    try {
      await RUN[action](ctx, actor, serial);
      outcomes.push({ serial, done: true });
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      outcomes.push({ serial, done: false, why: err.message, ...(err.worded ? { worded: err.worded } : {}) });
    }
  }
  return outcomes;
}
