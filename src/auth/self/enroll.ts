// A user enrolls a token of their own: what the realm's policy allows (the
// portal on, the type, who may, how many, one pending at a time), a PIN
// where PINs are the token's (otppin: token), an enrollment code where the
// policy asks for one and no token guards the account yet, then the same
// enrollment the admins do, pending until the user types a current code.

import type { Enrolled } from '../admin/enroll.ts';
import { enrollFor } from '../admin/enroll.ts';
import { AdminError } from '../admin/errors.ts';
import { verifyPendingToken } from '../admin/verify.ts';
import { enrollmentCodeId, normalizeEnrollmentCode } from '../enrollment-code.ts';
import type { Token } from '../../model/token.ts';
import type { RealmSelfService, SelfType } from '../../model/self-service.ts';
import type { User } from '../../users/types.ts';
import { directoryUser, guards, ownToken, ownTokens, policyOf, selfOperation, type SelfContext, type SignedIn } from './context.ts';
import { SelfServiceError } from './errors.ts';
import { selfThrottleKey } from './login.ts';
import { checkNewPin } from './pin-rule.ts';
import type { Throttle } from '../throttle.ts';

export const MAX_DESCRIPTION = 80;

export interface SelfEnrollRequest {
  type: SelfType;
  description?: string;
  /** The enrollment code, where one is needed. */
  code?: string;
  /** The new PIN, twice (otppin: token). */
  pin?: string;
  pinAgain?: string;
}

/** What the enrollment form offers this user now, or why it cannot. */
export interface EnrollOptions {
  types: SelfType[];
  /** Why the user may not enroll now (the form is not shown), or undefined. */
  refusal?: SelfServiceError;
  needsCode: boolean;
  /** A PIN is set with the token (otppin: token), of at least this length. */
  pin: { minLength: number } | undefined;
}

function inGroup(user: User, group: string): boolean {
  const g = group.toLowerCase();
  return user.groups.some((x) => x.toLowerCase() === g);
}

/** Why the policy does not let this user enroll now, given their tokens. */
function refusal(policy: RealmSelfService, user: User, tokens: Token[]): SelfServiceError | undefined {
  const live = tokens.filter((t) => !t.revoked);
  if (!policy.enabled) return new SelfServiceError('forbidden', 'off', 'self-service is off for this realm');
  if (policy.enroll === 'group' && !inGroup(user, policy.group ?? ''))
    return new SelfServiceError('forbidden', 'group', `only members of ${policy.group} may enroll here`, { group: policy.group ?? '' });
  if (policy.enroll === 'withoutToken' && live.length > 0) return new SelfServiceError('forbidden', 'has-token', 'only users without a token may enroll here');
  const pending = live.find((t) => t.pending);
  if (pending) return new SelfServiceError('conflict', 'pending', `${pending.serial} waits for its first code: verify or delete it first`, { serial: pending.serial });
  if (live.length >= policy.maxTokens) return new SelfServiceError('conflict', 'max-tokens', `at most ${policy.maxTokens} tokens per user`, { count: policy.maxTokens });
  return undefined;
}

/** A first token (none guards the account) needs an admin's code where the policy says so. */
function needsCode(policy: RealmSelfService, tokens: Token[]): boolean {
  return policy.enrollmentCode && !tokens.some(guards);
}

export async function enrollOptions(ctx: SelfContext, actor: SignedIn): Promise<EnrollOptions> {
  const policy = policyOf(ctx, actor);
  const [{ user }, tokens] = await Promise.all([directoryUser(ctx, actor), ownTokens(ctx, actor)]);
  const why = refusal(policy, user, tokens);
  return {
    types: policy.types,
    ...(why ? { refusal: why } : {}),
    needsCode: needsCode(policy, tokens),
    pin: ctx.admin.auth.policy.otppin === 'token' ? { minLength: ctx.policy.pinMinLength } : undefined,
  };
}

/** The token info entry that names the enrollment code a self-enrolled token used up (its id, not the code). */
export const ENROLLMENT_CODE_INFO = 'enrollmentCode';

/** Uses up the user's enrollment code and returns its id; a wrong one counts toward the throttle of their logins. */
async function redeem(ctx: SelfContext, actor: SignedIn, typed: string | undefined, throttle: Throttle): Promise<string> {
  if (typed === undefined || typed.trim() === '') throw new SelfServiceError('invalid', 'code-needed', 'a first token needs the enrollment code from your helpdesk');
  const { auth, secrets } = ctx.admin;
  const attempt = await throttle.admit(selfThrottleKey(actor.realm, actor.user.login, actor.address), auth.now());
  try {
    if (!attempt.admitted) {
      await attempt.refused();
      throw new SelfServiceError('throttled', 'throttled', 'too many wrong codes; wait a while and try again');
    }
    const code = normalizeEnrollmentCode(typed);
    const id = code === undefined ? undefined : enrollmentCodeId(secrets.digest, code);
    const used = id !== undefined && (await auth.store.selfService.redeemEnrollmentCode(id, actor.user.resolver, actor.user.id, auth.now()));
    if (!used) {
      await attempt.failed();
      throw new SelfServiceError('invalid', 'code-wrong', 'the enrollment code is wrong, used or expired');
    }
    return id;
  } finally {
    attempt.done();
  }
}

export function enrollOwn(ctx: SelfContext, actor: SignedIn, request: SelfEnrollRequest, throttle: Throttle): Promise<Enrolled & { issuer: string }> {
  return selfOperation(ctx, actor, 'self.enroll', {}, async (target) => {
    const policy = policyOf(ctx, actor);
    const [subject, tokens] = await Promise.all([directoryUser(ctx, actor), ownTokens(ctx, actor)]);
    const why = refusal(policy, subject.user, tokens);
    if (why) throw why;
    if (!policy.types.includes(request.type)) throw new SelfServiceError('invalid', 'type', `${request.type} tokens are not offered here`);
    const description = (request.description ?? '').trim();
    if ([...description].length > MAX_DESCRIPTION) throw new SelfServiceError('invalid', 'description', `the description must have at most ${MAX_DESCRIPTION} characters`, { max: MAX_DESCRIPTION });
    const pin = ctx.admin.auth.policy.otppin === 'token' ? checkNewPin(request.pin ?? '', request.pinAgain ?? '', ctx.policy.pinMinLength) : undefined;
    const code = needsCode(policy, tokens) ? await redeem(ctx, actor, request.code, throttle) : undefined;
    const enrolled = await enrollFor(
      ctx.admin,
      subject,
      { type: request.type, pending: true, description, ...(pin ? { pin } : {}), ...(code ? { info: { [ENROLLMENT_CODE_INFO]: code } } : {}) },
      target,
    );
    return { ...enrolled, issuer: ctx.admin.tokenDefaults.issuer };
  });
}

/** The first code of a pending token of the user's: from then on it logs in. */
export function verifyOwn(ctx: SelfContext, actor: SignedIn, serial: string, otp: string): Promise<Token> {
  return selfOperation(ctx, actor, 'self.verify', { serial }, async (target) => {
    const t = await ownToken(ctx, actor, serial, target);
    if (!t.pending || t.revoked) throw new SelfServiceError('conflict', 'state', `${t.serial} is not waiting for its first code`);
    const code = otp.replace(/\s/g, '');
    try {
      await verifyPendingToken(ctx.admin, t, code);
    } catch (err) {
      if (err instanceof AdminError && err.code === 'invalid') throw new SelfServiceError('invalid', 'otp-wrong', err.message);
      throw err;
    }
    return { ...t, pending: false };
  });
}
