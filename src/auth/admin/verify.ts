// A pending token becomes usable once its owner proves they have it: one
// valid OTP, which is used up by it (the counter moves past it).

import type { Actor } from '../../model/actor.ts';
import type { Token } from '../../model/token.ts';
import { tokenKind } from '../../tokens/index.ts';
import { operation, type AdminContext } from './context.ts';
import { AdminError } from './errors.ts';
import { refusal } from './refusals.ts';
import { tokenFor } from './tokens.ts';

export function verifyToken(ctx: AdminContext, actor: Actor, serial: string, otp: string): Promise<{ serial: string }> {
  return operation(ctx, actor, 'token.verify', { serial }, async (target) => {
    const t = await tokenFor(ctx, actor, serial, target);
    await verifyPendingToken(ctx, t, otp);
    return { serial: t.serial };
  });
}

/** The check itself, for the admin operation and a user's own verification on the self-service pages. */
export async function verifyPendingToken(ctx: AdminContext, t: Token, otp: string): Promise<void> {
  if (!t.pending) throw new AdminError('conflict', `${t.serial} is not pending verification`);
  if (t.revoked) throw refusal('token-revoked', { serial: t.serial });
  if (!/^[0-9]{4,10}$/.test(otp)) throw new AdminError('invalid', 'the OTP must be 4 to 10 digits');
  const kind = tokenKind(t.type);
  if (t.type === 'ocra') throw new AdminError('invalid', `${t.serial} is an OCRA token, which answers challenges: enroll it with verification off`);
  if (kind.delivery || kind.pinOnly) throw new AdminError('invalid', `${t.serial} is a ${t.type} token, which has no OTP of its own to verify: enroll it with verification off`);
  const now = ctx.auth.now();
  const result = kind.checkOtp(t, otp, now);
  if (result.kind !== 'match')
    throw new AdminError('invalid', result.kind === 'replay' ? 'that OTP was used already; wait for the next one' : `the OTP is not a current code of ${t.serial}; the token stays pending`);
  if (!(await ctx.auth.store.verifyPending(t.serial, result.counter, result.drift))) throw new AdminError('conflict', `${t.serial} changed meanwhile; try again with the next code`);
}
