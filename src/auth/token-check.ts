// PIN+OTP against the user's tokens: HMACs first (which tokens does the OTP
// part match?), the KDF only where it can change the outcome, then the
// atomic counter advance; or a challenge, autosync, or a counted failure.

import type { Decision } from '../model/decision.ts';
import type { Token } from '../model/token.ts';
import { tokenKind } from '../tokens/index.ts';
import { autosync, type SplitCandidate } from './autosync.ts';
import { triggerChallenge } from './challenge.ts';
import type { AuthContext, Subject } from './context.ts';
import { failAttempt } from './failures.ts';
import { accept, reject, who } from './outcome.ts';
import { splitPinOtp } from './pin-otp.ts';
import { pinCache, spendPinCheck } from './pins.ts';
import { unusable } from './usable.ts';

export async function checkTokens(ctx: AuthContext, subject: Subject, password: string): Promise<Decision> {
  const { policy } = ctx;
  const tokens = await ctx.store.tokensOfUser(subject.user.resolver, subject.user.id);
  if (tokens.length === 0) {
    await spendPinCheck(ctx);
    return policy.passOnNoToken ? accept(policy, 'pass on no token', who(subject)) : reject(policy, 'no token', who(subject));
  }
  const now = ctx.now();
  const usable: Token[] = [];
  const refusals: string[] = [];
  for (const t of tokens) {
    const why = await unusable(ctx, t, now);
    if (why) refusals.push(why);
    else usable.push(t);
  }
  if (usable.length === 0) {
    const reason = refusals.includes('locked') ? 'locked' : (refusals[0] ?? 'no usable token');
    return reject(policy, reason, who(subject, tokens.length === 1 ? tokens[0]!.serial : undefined));
  }
  return checkPinOtp(ctx, subject, usable, password, now);
}

async function checkPinOtp(ctx: AuthContext, subject: Subject, tokens: Token[], password: string, now: number): Promise<Decision> {
  const { policy, store } = ctx;

  // 1. HMACs only: which tokens does the OTP part match?
  const checked = tokens.map((token) => {
    const split = splitPinOtp(password, token.otpLength, policy.pinPosition);
    return { token, split, result: split ? tokenKind(token.type).checkOtp(token, split.otp, now) : ({ kind: 'none' } as const) };
  });
  const pinRight = pinCache(ctx, subject);

  // 2. The KDF only for tokens whose OTP matched (or was a replay, for an exact reason).
  const replays: Token[] = [];
  for (const c of checked) {
    if (c.result.kind === 'none' || !c.split) continue;
    if (!(await pinRight(c.token, c.split.pin))) continue;
    if (c.result.kind === 'replay') {
      replays.push(c.token);
      continue;
    }
    if (await store.commitSuccess(c.token.serial, c.result.counter, now, c.result.drift)) return accept(policy, 'ok', who(subject, c.token.serial));
    // Another request committed this OTP between our check and our commit.
    replays.push(c.token);
  }
  if (replays.length > 0) {
    await failAttempt(ctx, replays, now);
    return reject(policy, 'replay', who(subject, replays[0]!.serial));
  }

  // 3. Challenge-response: the whole password is a PIN of challenge-capable tokens.
  const challenge = await triggerChallenge(ctx, subject, tokens, password, now);
  if (challenge) return challenge;

  // 4. Autosync: an OTP beyond the window but within the sync window.
  if (policy.autoResync) {
    const candidates = checked.filter((c): c is typeof c & SplitCandidate => c.split !== undefined);
    const synced = await autosync(ctx, subject, candidates, pinRight, now);
    if (synced) return synced;
  }

  // 5. A failure: raise the fail counter of the tokens whose PIN matched, or of all when none did.
  //    With one token the answer is the same either way, so its KDF is skipped (a flood of wrong OTPs costs HMACs).
  const pinMatched: Token[] = [];
  if (tokens.length > 1) {
    for (const c of checked) if (c.split && (await pinRight(c.token, c.split.pin))) pinMatched.push(c.token);
  }
  const blamed = pinMatched.length > 0 ? pinMatched : tokens;
  const after = await failAttempt(ctx, blamed, now);
  const nowLocked = after.filter((t) => t.locked);
  const reason = pinMatched.length > 0 ? 'wrong otp' : tokens.length > 1 ? 'wrong pin' : 'wrong pin or otp';
  return reject(policy, nowLocked.length === blamed.length ? `${reason}, token locked` : reason, who(subject, blamed.length === 1 ? blamed[0]!.serial : undefined));
}
