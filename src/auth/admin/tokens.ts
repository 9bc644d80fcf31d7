// Token operations an administrator or the helpdesk does on an existing
// token: state, fail counter, PIN, resync, owner, limits, challenge, delete.

import type { Actor } from '../../model/actor.ts';
import type { ChallengeDecision } from '../../model/decision.ts';
import type { Token, TokenPatch } from '../../model/token.ts';
import { tokenKind, TokenTypeError, type SyncPosition } from '../../tokens/index.ts';
import { openTransaction } from '../challenge.ts';
import { lookUpUser } from '../subject.ts';
import { unusable } from '../usable.ts';
import { openCodeTransaction } from './code-tokens.ts';
import { operation, type AdminContext, type Target } from './context.ts';
import { AdminError } from './errors.ts';
import { refusal } from './refusals.ts';
import { ADMIN_REALM, authorize, authorizeRealm, inScope, type Action } from './permissions.ts';
import { StoreError } from '../../store/errors.ts';
import type { TokenFilter } from '../../store/types.ts';

/** The token, or not-found; forbidden when it belongs to a realm outside the actor's. Fills the audit target. */
export async function tokenFor(ctx: AdminContext, actor: Actor, serial: string, target?: Target): Promise<Token> {
  const token = await ctx.auth.store.getToken(serial);
  if (!token) throw refusal('no-token', { serial });
  authorizeRealm(actor, token.owner?.realm ?? null);
  if (target && token.owner) {
    target.user = token.owner.login;
    target.realm = token.owner.realm;
  }
  return token;
}

/** One token operation: authorized, the token looked up, audited once. */
function onToken<T>(ctx: AdminContext, actor: Actor, action: Action, serial: string, work: (token: Token) => Promise<T>): Promise<T> {
  return operation(ctx, actor, action, { serial }, async (target) => work(await tokenFor(ctx, actor, serial, target)));
}

export interface TokenQuery {
  /** LOGIN or LOGIN@REALM: that user's tokens. */
  user?: string;
  realm?: string;
  unassigned?: boolean;
  serialPrefix?: string;
  type?: TokenFilter['type'];
  state?: TokenFilter['state'];
  /** Last successful login before / at or after (unix seconds). */
  lastUsedBefore?: number;
  lastUsedAfter?: number;
  /** The serial the previous page ended with. */
  after?: string;
  limit?: number;
}

/** Tokens in byte order of their serials, only those the actor's realms reach. */
export async function listTokens(ctx: AdminContext, actor: Actor, query: TokenQuery = {}): Promise<Token[]> {
  authorize(actor, 'token.read');
  const filter: TokenFilter = {
    ...(query.unassigned ? { unassigned: true } : {}),
    ...(query.serialPrefix !== undefined ? { serialPrefix: query.serialPrefix } : {}),
    ...(query.type !== undefined ? { type: query.type } : {}),
    ...(query.state !== undefined ? { state: query.state } : {}),
    ...(query.lastUsedBefore !== undefined ? { lastAuthBefore: query.lastUsedBefore } : {}),
    ...(query.lastUsedAfter !== undefined ? { lastAuthAfter: query.lastUsedAfter } : {}),
    ...(query.after !== undefined ? { after: query.after } : {}),
    ...(query.limit !== undefined ? { limit: query.limit } : {}),
    ...(actor.realms !== undefined ? { withinRealms: [...actor.realms] } : {}),
    ...(inScope(actor, ADMIN_REALM) ? {} : { exceptRealm: ADMIN_REALM }),
  };
  if (query.user !== undefined) {
    const found = await lookUpUser(ctx.auth, query.user, query.realm);
    if ('missing' in found) throw new AdminError('not-found', found.missing);
    authorizeRealm(actor, found.found.realm);
    filter.resolver = found.found.user.resolver;
    filter.userId = found.found.user.id;
  } else if (query.realm !== undefined) {
    filter.realm = query.realm.toLowerCase();
    authorizeRealm(actor, filter.realm);
  }
  try {
    return await ctx.auth.store.listTokens(filter);
  } catch (err) {
    if (err instanceof StoreError && err.code === 'invalid') throw new AdminError('invalid', err.message.replace(/^listTokens: /, ''));
    throw err;
  }
}

export async function showToken(ctx: AdminContext, actor: Actor, serial: string): Promise<Token> {
  authorize(actor, 'token.read');
  return tokenFor(ctx, actor, serial);
}

async function patch(ctx: AdminContext, serial: string, change: TokenPatch): Promise<void> {
  if (!(await ctx.auth.store.updateToken(serial, change))) throw refusal('token-deleted', { serial });
}

export function enableToken(ctx: AdminContext, actor: Actor, serial: string): Promise<void> {
  return onToken(ctx, actor, 'token.enable', serial, async (t) => {
    if (t.revoked) throw refusal('revoked-enable', { serial: t.serial });
    await patch(ctx, t.serial, { active: true });
  });
}

export function disableToken(ctx: AdminContext, actor: Actor, serial: string): Promise<void> {
  return onToken(ctx, actor, 'token.disable', serial, (t) => patch(ctx, t.serial, { active: false }));
}

export function revokeToken(ctx: AdminContext, actor: Actor, serial: string): Promise<void> {
  return onToken(ctx, actor, 'token.revoke', serial, (t) => patch(ctx, t.serial, { revoked: true, active: false, locked: true }));
}

export function deleteToken(ctx: AdminContext, actor: Actor, serial: string): Promise<void> {
  return onToken(ctx, actor, 'token.delete', serial, async (t) => {
    if (!(await ctx.auth.store.deleteToken(t.serial))) throw refusal('token-deleted', { serial: t.serial });
  });
}

/** Clears the fail counter and the lock, and the owner's throttles from every source; returns the token as it was. */
export function resetToken(ctx: AdminContext, actor: Actor, serial: string): Promise<Token> {
  return onToken(ctx, actor, 'token.reset', serial, async (t) => {
    await patch(ctx, t.serial, { failCount: 0, locked: false });
    if (t.owner) await ctx.auth.store.clearUserThrottles(t.owner.realm, t.owner.login.toLowerCase());
    return t;
  });
}

/** An empty PIN removes it: the OTP alone logs in. */
export function setPin(ctx: AdminContext, actor: Actor, serial: string, pin: string): Promise<void> {
  return onToken(ctx, actor, 'token.set-pin', serial, async (t) => {
    if (pin === '' && tokenKind(t.type).pinOnly && ctx.auth.policy.otppin === 'token')
      throw new AdminError('invalid', `${t.serial} is a static password token: its PIN is the whole password and cannot be removed`);
    await patch(ctx, t.serial, { pinHash: pin === '' ? null : await ctx.auth.pins.hash(pin) });
  });
}

/** Two consecutive OTPs put the counter (TOTP: the clock drift) right. */
export function resyncToken(ctx: AdminContext, actor: Actor, serial: string, otp1: string, otp2: string): Promise<{ counter: number; drift: number }> {
  return onToken(ctx, actor, 'token.resync', serial, (t) => resyncWork(ctx, t, otp1, otp2));
}

/** The resync itself, for the admin operation and a user's own on the self-service pages. */
export async function resyncWork(ctx: AdminContext, t: Token, otp1: string, otp2: string): Promise<{ counter: number; drift: number }> {
  if (t.pending) throw refusal('token-pending', { serial: t.serial });
  const now = ctx.auth.now();
  let found: SyncPosition | undefined;
  try {
    found = tokenKind(t.type).resync(t, otp1, otp2, now);
  } catch (err) {
    if (err instanceof TokenTypeError) throw new AdminError('invalid', err.message);
    throw err;
  }
  if (!found) throw refusal(t.type === 'totp' ? 'resync-totp' : 'resync-hotp', { serial: t.serial, window: t.syncWindow });
  if (!(await ctx.auth.store.commitSuccess(t.serial, found.counter, now, found.drift))) throw refusal('token-used', { serial: t.serial });
  return { counter: found.counter + 1, drift: found.drift ?? 0 };
}

export function assignToken(ctx: AdminContext, actor: Actor, serial: string, login: string, realm?: string): Promise<{ login: string; realm: string }> {
  return onToken(ctx, actor, 'token.assign', serial, async (t) => {
    const found = await lookUpUser(ctx.auth, login, realm);
    if ('missing' in found) throw new AdminError('not-found', found.missing);
    const { user, realm: userRealm } = found.found;
    authorizeRealm(actor, userRealm);
    if (t.owner && !(t.owner.resolver === user.resolver && t.owner.userId === user.id)) {
      throw refusal('token-owned', { serial: t.serial, owner: `${t.owner.login}@${t.owner.realm}` });
    }
    await patch(ctx, t.serial, { owner: { realm: userRealm, resolver: user.resolver, userId: user.id, login: user.login } });
    return { login: user.login, realm: userRealm };
  });
}

/** Removes the owner, and the PIN and fail counter, which were theirs; returns the token as it was. */
export function unassignToken(ctx: AdminContext, actor: Actor, serial: string): Promise<Token> {
  return onToken(ctx, actor, 'token.unassign', serial, async (t) => {
    await patch(ctx, t.serial, { owner: null, pinHash: null, failCount: 0, locked: false });
    return t;
  });
}

/** Limits and validity an administrator sets: max fail, auth and success limits, validity period, windows, description. */
export type TokenLimits = Pick<TokenPatch, 'maxFail' | 'maxAuth' | 'maxSuccess' | 'validFrom' | 'validUntil' | 'window' | 'syncWindow' | 'otpLength' | 'description'>;

export function setTokenLimits(ctx: AdminContext, actor: Actor, serial: string, limits: TokenLimits): Promise<void> {
  return onToken(ctx, actor, 'token.set-limits', serial, async (t) => {
    if (limits.validFrom != null && limits.validUntil != null && limits.validFrom > limits.validUntil) throw new AdminError('invalid', 'the validity period ends before it starts');
    await patch(ctx, t.serial, limits);
  });
}

/** Opens a challenge for the token's owner, as a PIN alone would (for testing a token, or a user without a PIN). */
export function openChallenge(ctx: AdminContext, actor: Actor, serial: string): Promise<ChallengeDecision> {
  return onToken(ctx, actor, 'token.challenge', serial, async (t) => {
    if (!t.owner) throw refusal('no-owner', { serial: t.serial });
    if (!tokenKind(t.type).challenge) throw new AdminError('invalid', `${t.type} tokens do not take challenges`);
    const now = ctx.auth.now();
    const why = await unusable(ctx.auth, t, now);
    if (why) throw new AdminError('conflict', `${t.serial} cannot be used: ${why}`);
    if (tokenKind(t.type).delivery) return openCodeTransaction(ctx, t, now);
    const subject = { user: { resolver: t.owner.resolver, id: t.owner.userId, login: t.owner.login, groups: [], attributes: {} }, realm: t.owner.realm };
    return openTransaction(ctx.auth, subject, [t], now);
  });
}
