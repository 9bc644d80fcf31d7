// PIN+OTP against the user's tokens: HMACs first (which tokens does the OTP
// part match?), the first factor where it decides, then the atomic counter
// advance; or a challenge, autosync, or a failure counted once: toward the
// token lock when the first factor was right (or by lockout: linotp, always),
// toward the throttle otherwise.

import type { Decision, RejectDecision } from '../model/decision.ts';
import type { Token } from '../model/token.ts';
import { tokenKind } from '../tokens/index.ts';
import type { OtpMatch } from '../tokens/types.ts';
import { autosync, type SplitCandidate } from './autosync.ts';
import { triggerChallenge } from './challenge.ts';
import type { AuthContext, Subject } from './context.ts';
import { failAttempt } from './failures.ts';
import type { Answering } from './answering.ts';
import { reject, who } from './outcome.ts';
import { splitPinOtp } from './pin-otp.ts';
import { pinCache, spendFirstFactorCost } from './pins.ts';
import type { Attempt } from './throttle.ts';
import { trace } from './trace.ts';
import { unusable } from './usable.ts';

export async function checkTokens(ctx: AuthContext, subject: Subject, password: Buffer, attempt: Attempt, answer: Answering, serial?: string): Promise<Decision> {
  const { policy } = ctx;
  const owned = await ctx.store.tokensOfUser(subject.user.resolver, subject.user.id);
  if (owned.length === 0 && policy.passOnNoToken) {
    const passed = answer.accept('pass on no token', who(subject));
    return answer.refuse(passed) ?? passed;
  }
  // LinOTP's `serial=`: only that token of the user is tried (a serial the user does not own leaves none).
  const tokens = serial === undefined ? owned : owned.filter((t) => t.serial === serial);
  const now = ctx.now();
  const usable: Token[] = [];
  const refusals: string[] = [];
  for (const t of tokens) {
    const why = await unusable(ctx, t, now);
    trace('token', { serial: t.serial, type: t.type, usable: why === undefined, ...(why ? { why } : {}), failCount: t.failCount, maxFail: t.maxFail });
    if (why) refusals.push(why);
    else usable.push(t);
  }
  if (usable.length === 0) {
    // Nothing is judged; the answer costs what judging would, and counts toward the throttle.
    await spendFirstFactorCost(ctx);
    await attempt.failed();
    const reason = tokens.length === 0 ? 'no token' : refusals.includes('locked') ? 'locked' : refusals[0]!;
    return reject(policy, reason, who(subject, tokens.length === 1 ? tokens[0]!.serial : undefined));
  }
  return checkPinOtp(ctx, subject, usable, password, now, attempt, answer);
}

/** How an OTP check came out, for the trace: where it matched, never the code. */
function otpOutcome(token: Token, result: OtpMatch, now: number): Record<string, unknown> {
  if (result.kind === 'none') return { result: 'no match in the window' };
  const at = token.type === 'totp' ? { step: result.counter, stepsFromNow: result.counter - Math.floor(now / token.timeStep) } : { counter: result.counter, ahead: result.counter - token.counter };
  return { result: result.kind === 'replay' ? 'used before (replay)' : 'matches', ...at, ...(result.kind === 'match' && result.drift !== undefined ? { drift: result.drift } : {}) };
}

/** Why a commit found the token changed: unusable now (locked, disabled, ...), else the OTP was used meanwhile. */
async function refusedCommit(ctx: AuthContext, subject: Subject, serial: string, now: number): Promise<RejectDecision> {
  const fresh = await ctx.store.getToken(serial);
  const why = fresh ? await unusable(ctx, fresh, now) : 'no usable token';
  return reject(ctx.policy, why ?? 'replay', who(subject, serial));
}

/** How often a static password's accept tries again when another worker's login moved its counter first. */
const STATIC_RETRIES = 3;

/**
 * The accept. A static password has no code that could be replayed, so two
 * logins at once on two workers are both right: the one whose commit found
 * the counter moved tries again at the new counter, as long as the token is
 * still usable (the store's commit checks that each time).
 */
async function commit(ctx: AuthContext, token: Token, counter: number, now: number, drift?: number): Promise<boolean> {
  if (await ctx.store.commitSuccess(token.serial, counter, now, drift)) return true;
  if (!tokenKind(token.type).pinOnly) return false;
  for (let i = 0; i < STATIC_RETRIES; i++) {
    const fresh = await ctx.store.getToken(token.serial);
    if (!fresh || (await unusable(ctx, fresh, now))) return false;
    if (await ctx.store.commitSuccess(token.serial, fresh.counter, now)) return true;
  }
  return false;
}

async function checkPinOtp(ctx: AuthContext, subject: Subject, tokens: Token[], password: Buffer, now: number, attempt: Attempt, answer: Answering): Promise<Decision> {
  const { policy } = ctx;

  // 1. HMACs only: which tokens does the OTP part match?
  const checked = tokens.map((token) => {
    const kind = tokenKind(token.type);
    // A static password's whole password is its PIN.
    const split = kind.pinOnly ? { pin: password, otp: '' } : splitPinOtp(password, token.otpLength, policy.pinPosition);
    const result = split ? kind.checkOtp(token, split.otp, now) : ({ kind: 'none' } as const);
    trace('otp checked', { serial: token.serial, ...(split ? {} : { why: `password shorter than the ${token.otpLength}-digit OTP` }), ...otpOutcome(token, result, now) });
    return { token, split, result };
  });
  const pinRight = pinCache(ctx, subject);

  // 2. The first factor of the tokens whose OTP matched (or was a replay, for an exact reason).
  const replays: Token[] = [];
  for (const c of checked) {
    if (c.result.kind === 'none' || !c.split) continue;
    if (!(await pinRight(c.token, c.split.pin))) continue;
    if (c.result.kind === 'replay') {
      replays.push(c.token);
      continue;
    }
    const accepted = answer.accept('ok', who(subject, c.token.serial));
    const refused = answer.refuse(accepted);
    if (refused) return refused;
    if (await commit(ctx, c.token, c.result.counter, now, c.result.drift)) {
      attempt.succeeded();
      return accepted;
    }
    return refusedCommit(ctx, subject, c.token.serial, now);
  }
  if (replays.length > 0) {
    // A code already accepted: with the right PIN it is a retry or a replay, not a guess at the OTP.
    if (policy.lockout === 'linotp') await failAttempt(ctx, replays, now);
    else await attempt.failed();
    return reject(policy, 'replay', who(subject, replays[0]!.serial));
  }

  // 3. Challenge-response: the whole password is a PIN of challenge-capable tokens. With token PINs
  //    the PIN parts are checked at the same time, for the steps below: in a burst, a request's
  //    two hashes then queue together instead of the second waiting behind everyone's first.
  const early = policy.otppin === 'token' ? checked.map((c) => (c.split ? pinRight(c.token, c.split.pin) : undefined)) : [];
  const [challenge] = await Promise.all([triggerChallenge(ctx, subject, tokens, password, now, answer), Promise.all(early)]);
  if (challenge) return challenge;

  // 4. Autosync: an OTP beyond the window but within the sync window.
  if (policy.autoResync) {
    const candidates = checked.filter((c): c is typeof c & SplitCandidate => c.split !== undefined);
    const synced = await autosync(ctx, subject, candidates, pinRight, now, attempt, answer);
    if (synced) return synced;
  }

  // 5. A failure. The tokens whose first factor was right take it (a wrong OTP); when none was, it was a wrong first factor.
  const pinMatched: Token[] = [];
  for (const c of checked) if (c.split && (await pinRight(c.token, c.split.pin))) pinMatched.push(c.token);
  if (pinMatched.length === 0 && policy.lockout !== 'linotp') {
    await attempt.failed();
    return reject(policy, 'wrong pin', who(subject, tokens.length === 1 ? tokens[0]!.serial : undefined));
  }
  const blamed = pinMatched.length > 0 ? pinMatched : tokens;
  const counted = await failAttempt(ctx, blamed, now);
  const about = who(subject, blamed.length === 1 ? blamed[0]!.serial : undefined);
  // Locked by another request meanwhile: this attempt was not judged.
  if (counted.length === 0) return reject(policy, 'locked', about);
  const reason = pinMatched.length > 0 ? 'wrong otp' : 'wrong pin';
  return reject(policy, counted.every((t) => t.locked) ? `${reason}, token locked` : reason, about);
}
