// What a user does with their own tokens on the self-service pages: name
// one, disable a lost phone's, delete one (not the last working one unless
// the realm allows it), set a new PIN with a current OTP of that token, and
// resync a token with two consecutive codes. Each is one audited action on
// a token bound to the user.

import { AdminError } from '../admin/errors.ts';
import { resyncWork } from '../admin/tokens.ts';
import { otpOnly } from '../admin/login.ts';
import { answering } from '../answering.ts';
import type { Throttle } from '../throttle.ts';
import { checkTokens } from '../token-check.ts';
import type { AccessRequest } from '../../model/access-request.ts';
import type { Token } from '../../model/token.ts';
import { directoryUser, guards, ownToken, ownTokens, policyOf, selfOperation, type SelfContext, type SignedIn } from './context.ts';
import { ENROLLMENT_CODE_INFO, MAX_DESCRIPTION } from './enroll.ts';
import { SelfServiceError } from './errors.ts';
import { selfThrottleKey } from './login.ts';
import { checkNewPin } from './pin-rule.ts';

const PIN_REQUEST: AccessRequest = { userName: '', nas: { client: 'self-service', address: '' } };

export { ownTokens as listOwnTokens };

async function patch(ctx: SelfContext, t: Token, change: Parameters<SelfContext['admin']['auth']['store']['updateToken']>[1]): Promise<void> {
  if (!(await ctx.admin.auth.store.updateToken(t.serial, change))) throw new SelfServiceError('not-found', 'not-found', `token ${t.serial} was deleted meanwhile`);
}

export function renameOwn(ctx: SelfContext, actor: SignedIn, serial: string, description: string): Promise<void> {
  return selfOperation(ctx, actor, 'self.rename', { serial }, async (target) => {
    const t = await ownToken(ctx, actor, serial, target);
    const text = description.trim();
    if ([...text].length > MAX_DESCRIPTION || /[\p{Cc}]/u.test(text))
      throw new SelfServiceError('invalid', 'description', `the description must have at most ${MAX_DESCRIPTION} characters`, { max: MAX_DESCRIPTION });
    await patch(ctx, t, { description: text });
  });
}

/** A lost or stolen phone's token stops working at once; only an administrator enables it again. */
export function disableOwn(ctx: SelfContext, actor: SignedIn, serial: string): Promise<void> {
  return selfOperation(ctx, actor, 'self.disable', { serial }, async (target) => {
    const t = await ownToken(ctx, actor, serial, target);
    if (t.revoked || !t.active) throw new SelfServiceError('conflict', 'state', `${t.serial} is not active`);
    await patch(ctx, t, { active: false });
  });
}

/**
 * Deletes the user's token. A pending token that used up an enrollment code
 * gives the code back (while it is valid and no newer one was issued), so a
 * user whose first try went wrong starts again without the helpdesk:
 * `codeReleased` says so.
 */
export function deleteOwn(ctx: SelfContext, actor: SignedIn, serial: string): Promise<{ codeReleased: boolean }> {
  return selfOperation(ctx, actor, 'self.delete', { serial }, async (target) => {
    const t = await ownToken(ctx, actor, serial, target);
    // A token that is not verified yet never worked: it can always go.
    if (!t.pending && !policyOf(ctx, actor).deleteLast) {
      const others = (await ownTokens(ctx, actor)).filter((o) => o.serial !== t.serial && guards(o));
      if (others.length === 0 && guards(t)) throw new SelfServiceError('conflict', 'last-token', `${t.serial} is your last working token; enroll another one first`);
    }
    const { store } = ctx.admin.auth;
    if (!(await store.deleteToken(t.serial))) throw new SelfServiceError('not-found', 'not-found', `token ${t.serial} was deleted meanwhile`);
    const code = t.pending ? t.info[ENROLLMENT_CODE_INFO] : undefined;
    return { codeReleased: code !== undefined && (await store.selfService.releaseEnrollmentCode(code, actor.user.resolver, actor.user.id, ctx.admin.auth.now())) };
  });
}

/** A new token PIN (otppin: token), after a current OTP of that token, which is used up by it. */
export function setOwnPin(ctx: SelfContext, actor: SignedIn, serial: string, otp: string, pin: string, pinAgain: string, throttle: Throttle): Promise<void> {
  return selfOperation(ctx, actor, 'self.set-pin', { serial }, async (target) => {
    const t = await ownToken(ctx, actor, serial, target);
    const { auth } = ctx.admin;
    if (auth.policy.otppin !== 'token') throw new SelfServiceError('invalid', 'pin-policy', 'tokens here have no PIN of their own: the first factor is the directory password, or nothing');
    if (t.type !== 'hotp' && t.type !== 'totp') throw new SelfServiceError('invalid', 'state', `${t.type} tokens get their PIN from an administrator`);
    checkNewPin(pin, pinAgain, ctx.policy.pinMinLength);
    const subject = await directoryUser(ctx, actor);
    const attempt = await throttle.admit(selfThrottleKey(actor.realm, actor.user.login, actor.address), auth.now());
    try {
      if (!attempt.admitted) {
        await attempt.refused();
        throw new SelfServiceError('throttled', 'throttled', 'too many failed attempts; wait a while and try again');
      }
      const check = otpOnly(auth);
      const decision = await checkTokens(check, subject, Buffer.from(otp.replace(/\s/g, ''), 'utf8'), attempt, answering(check, PIN_REQUEST, subject), t.serial);
      if (decision.decision !== 'accept') throw new SelfServiceError('invalid', 'otp-wrong', `the OTP is not a current code of ${t.serial} (${decision.reason}); the PIN is unchanged`);
    } finally {
      attempt.done();
    }
    await patch(ctx, t, { pinHash: await auth.pins.hash(pin) });
  });
}

/** Two consecutive codes put a token whose counter (or clock) ran away right again. */
export function resyncOwn(ctx: SelfContext, actor: SignedIn, serial: string, otp1: string, otp2: string): Promise<void> {
  return selfOperation(ctx, actor, 'self.resync', { serial }, async (target) => {
    const t = await ownToken(ctx, actor, serial, target);
    if (t.type !== 'hotp' && t.type !== 'totp') throw new SelfServiceError('invalid', 'state', `${t.type} tokens cannot be resynchronised`);
    if (t.revoked || !t.active || t.pending) throw new SelfServiceError('conflict', 'state', `${t.serial} is not active`);
    try {
      await resyncWork(ctx.admin, t, otp1.replace(/\s/g, ''), otp2.replace(/\s/g, ''));
    } catch (err) {
      if (err instanceof AdminError && err.code === 'invalid') throw new SelfServiceError('invalid', 'resync', err.message);
      throw err;
    }
  });
}
