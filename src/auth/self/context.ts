// What the self-service actions work with, and the one way each runs: the
// user acts only on tokens bound to them, and every action writes exactly
// one audit event with the user as actor (ok, or refused with why).

import type { UserActor } from '../../model/actor.ts';
import { realmPolicy, type RealmSelfService, type SelfServicePolicy } from '../../model/self-service.ts';
import type { Token } from '../../model/token.ts';
import type { User } from '../../users/types.ts';
import type { AdminContext, Target } from '../admin/context.ts';
import { AdminError } from '../admin/errors.ts';
import type { Subject } from '../context.ts';
import { failureDetail } from '../outage.ts';
import { SelfServiceError } from './errors.ts';

export interface SelfContext {
  admin: AdminContext;
  policy: SelfServicePolicy;
}

/** The self-service actions, as the audit log names them. */
export type SelfAction = 'self.login' | 'self.send-code' | 'self.logout' | 'self.enroll' | 'self.verify' | 'self.rename' | 'self.disable' | 'self.delete' | 'self.set-pin' | 'self.resync';

/** The user an actor of a live session stands for. */
export type SignedIn = UserActor & { user: NonNullable<UserActor['user']> };

export function auditSelf(ctx: SelfContext, actor: UserActor, action: SelfAction, result: 'ok' | 'refused', target: Target, detail?: string): void {
  ctx.admin.audit.write({
    event: 'admin',
    at: Date.now(),
    actor,
    action,
    result,
    ...(detail !== undefined ? { detail } : {}),
    ...(actor.user ? { user: actor.user.login } : {}),
    realm: actor.realm,
    ...target,
  });
}

/** Runs an action: audited once, ok or refused; an error that is not a refusal is audited as its outage or 'internal error' and thrown on. */
export async function selfOperation<T>(ctx: SelfContext, actor: SignedIn, action: SelfAction, target: Target, work: (target: Target) => Promise<T>): Promise<T> {
  try {
    const out = await work(target);
    auditSelf(ctx, actor, action, 'ok', target);
    return out;
  } catch (err) {
    auditSelf(ctx, actor, action, 'refused', target, err instanceof AdminError ? err.message : failureDetail(err));
    throw err;
  }
}

export function policyOf(ctx: SelfContext, actor: UserActor): RealmSelfService {
  return realmPolicy(ctx.policy, actor.realm);
}

/** The token, if it is bound to this user; anyone else's, or none, is the same 'not found'. */
export async function ownToken(ctx: SelfContext, actor: SignedIn, serial: string, target: Target): Promise<Token> {
  const t = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]{1,128}$/u.test(serial) ? await ctx.admin.auth.store.getToken(serial) : undefined;
  if (!t?.owner || t.owner.resolver !== actor.user.resolver || t.owner.userId !== actor.user.id) {
    throw new SelfServiceError('not-found', 'not-found', `no token ${serial.slice(0, 128)} of ${actor.name}`);
  }
  target.serial = t.serial;
  return t;
}

/** The user's tokens, by serial. */
export function ownTokens(ctx: SelfContext, actor: SignedIn): Promise<Token[]> {
  return ctx.admin.auth.store.tokensOfUser(actor.user.resolver, actor.user.id);
}

/** The user as the directory has them now (groups, mail); gone from it is 'unauthenticated'. */
export async function directoryUser(ctx: SelfContext, actor: SignedIn): Promise<Subject> {
  const user: User | undefined = await ctx.admin.auth.users.findUser(actor.realm, actor.user.login);
  if (!user || user.resolver !== actor.user.resolver || user.id !== actor.user.id) throw new AdminError('unauthenticated', `${actor.name} is no longer in the directory`);
  return { user, realm: actor.realm };
}

/** A token that proves who the user is: usable or locked, not disabled, revoked or pending. */
export function guards(t: Token): boolean {
  return t.active && !t.revoked && !t.pending;
}
