// Challenge-response: a PIN alone opens a transaction (State) shared by the
// user's challenge-capable tokens whose PIN matched (and sends e-mail and
// SMS codes, code-challenge.ts); the next request with that State answers
// it with an OTP (or OCRA response). Transactions live in the store so
// another worker or server can take the answer.

import { challengeFor, SELF_SERVICE_CHALLENGE, type Challenge, type ChallengeFor } from '../model/challenge.ts';
import type { ChallengeDecision, Decision, RejectDecision, SentCode } from '../model/decision.ts';
import type { Token } from '../model/token.ts';
import { tokenKind } from '../tokens/index.ts';
import { challengePrompt } from './challenge-prompt.ts';
import { openCodeChallenge } from './code-challenge.ts';
import type { AuthContext, Subject } from './context.ts';
import { failAttempt } from './failures.ts';
import type { Answering } from './answering.ts';
import { reject, who } from './outcome.ts';
import { pinMatches } from './pins.ts';
import type { Attempt } from './throttle.ts';
import { trace } from './trace.ts';
import { unusable } from './usable.ts';

const TRANSACTION_ID = /^[0-9a-f]{32}$/;

export async function triggerChallenge(ctx: AuthContext, subject: Subject, tokens: Token[], password: Buffer, now: number, answer: Answering): Promise<ChallengeDecision | RejectDecision | undefined> {
  const { policy } = ctx;
  if (policy.otppin === 'none') return undefined;
  const capable = tokens.filter((t) => {
    const kind = tokenKind(t.type);
    return kind.challenge !== undefined && (kind.delivery !== undefined || policy.challengeResponse.includes(t.type));
  });
  if (capable.length === 0) {
    // What asking whether the password is a PIN would have cost, as for a user whose tokens can be asked.
    if (policy.otppin === 'token' && policy.challengeResponse.length > 0) await ctx.pins.verify('\u0000', null);
    return undefined;
  }

  let matched: Token[];
  if (policy.otppin === 'userstore') {
    // One directory password for all tokens: ask the directory once.
    matched = password.length > 0 && (await pinMatches(ctx, subject, capable[0]!, password)) ? capable : [];
  } else {
    matched = [];
    for (const t of capable) if (await pinMatches(ctx, subject, t, password)) matched.push(t);
  }
  trace('whole password as a challenge PIN', { tokens: capable.map((t) => t.serial), right: matched.length > 0 });
  if (matched.length === 0) return undefined;
  if (matched.some((t) => tokenKind(t.type).delivery)) return openCodeChallenge(ctx, subject, matched, tokens, now, answer);
  const prepared = prepareTransaction(ctx, subject, matched, now);
  const refused = answer.refuse(prepared.decision);
  if (refused) return refused;
  await storeTransaction(ctx, prepared.challenge, now);
  return prepared.decision;
}

/** One transaction for these tokens (their PIN matched, or an administrator asked for it), opened and stored. */
export async function openTransaction(ctx: AuthContext, subject: Subject, matched: Token[], now: number): Promise<ChallengeDecision> {
  const { challenge, decision } = prepareTransaction(ctx, subject, matched, now);
  await storeTransaction(ctx, challenge, now);
  return decision;
}

export async function storeTransaction(ctx: AuthContext, challenge: Challenge, now: number): Promise<void> {
  await ctx.store.createChallenge(challenge);
  await ctx.store.purgeChallenges(now, ctx.policy.maxChallengesPerToken);
}

/** Seconds a transaction over these tokens stays open: the longest their types allow (a sent code's validity, else the challenge timeout). */
function lifetimeOf(policy: AuthContext['policy'], tokens: readonly Token[]): number {
  return Math.max(
    ...tokens.map((t) => {
      const delivery = tokenKind(t.type).delivery;
      return delivery ? policy.codes.validity[delivery.channel] : policy.challengeTimeout;
    }),
  );
}

/**
 * The transaction's row and answer: the State to send, the prompt, and the
 * OCRA question. `codes`: where the e-mail and SMS codes among `matched`
 * went, or would go (a prospective answer, to see that it fits).
 */
export function prepareTransaction(
  ctx: AuthContext,
  subject: Subject,
  matched: Token[],
  now: number,
  codes: SentCode[] = [],
  transactionId = ctx.newTransactionId(),
  answeredBy: ChallengeFor = 'radius',
): { challenge: Challenge; decision: ChallengeDecision } {
  const { policy } = ctx;
  // One question for the whole transaction: the OCRA tokens all answer the same one.
  let data = '';
  for (const t of matched) {
    const created = tokenKind(t.type).challenge!.create(t, now);
    if (created.data && !data) data = created.data;
  }
  const timeout = lifetimeOf(policy, matched);
  const challenge: Challenge = {
    transactionId,
    serials: matched.map((t) => t.serial),
    realm: subject.realm,
    resolver: subject.user.resolver,
    userId: subject.user.id,
    login: subject.user.login,
    // The portal's code step has no question to ask: the data marks who may answer instead.
    data: answeredBy === 'self-service' ? SELF_SERVICE_CHALLENGE : data,
    createdAt: now,
    expiresAt: now + timeout,
    attempts: 0,
    maxAttempts: policy.challengeMaxAttempts,
  };
  const decision: ChallengeDecision = {
    decision: 'challenge',
    reason: 'challenge created',
    replyMessage: challengePrompt(policy, matched, data, codes),
    ...who(subject, matched.length === 1 ? matched[0]!.serial : undefined),
    challenge: { transactionId: challenge.transactionId, data, serials: challenge.serials, timeout, ...(codes.length > 0 ? { codes } : {}) },
  };
  return { challenge, decision };
}

/** `by`: who answers; a transaction opened for the other is an unknown state to it. */
export async function answerChallenge(ctx: AuthContext, subject: Subject, state: Buffer, password: Buffer, attempt: Attempt, answer: Answering, by: ChallengeFor = 'radius'): Promise<Decision> {
  // A response is digits (or an OCRA hex string): one character per byte, and any other byte never matches.
  const response = password.toString('latin1');
  const { store, policy } = ctx;
  const about = who(subject);
  const transactionId = state.toString('latin1');
  const found = TRANSACTION_ID.test(transactionId) ? await store.getChallenge(transactionId) : undefined;
  const challenge = found && challengeFor(found) === by ? found : undefined;
  if (!challenge) {
    await attempt.failed();
    return reject(policy, 'unknown state', about);
  }
  const now = ctx.now();
  if (challenge.resolver !== subject.user.resolver || challenge.userId !== subject.user.id || challenge.realm !== subject.realm) {
    await attempt.failed();
    return reject(policy, 'state of another user', about);
  }
  if (now > challenge.expiresAt) {
    await store.deleteChallenge(transactionId);
    return reject(policy, 'challenge expired', about);
  }
  if (challenge.attempts >= challenge.maxAttempts) return reject(policy, 'challenge closed', about);

  const tokens: Token[] = [];
  for (const serial of challenge.serials) {
    const t = await store.getToken(serial);
    if (t && !(await unusable(ctx, t, now))) tokens.push(t);
  }
  if (tokens.length === 0) {
    await attempt.failed();
    return reject(policy, 'no usable token', about);
  }

  for (const t of tokens) {
    const challengeKind = tokenKind(t.type).challenge;
    if (!challengeKind) continue;
    const result = challengeKind.checkResponse(t, challenge.data, response, now);
    if (result.kind === 'none') continue;
    if (result.kind === 'replay') {
      await attempt.failed();
      return reject(policy, 'replay', who(subject, t.serial));
    }
    // Taking the transaction is the gate: of two answers raced, one gets it, and none once the wrong ones used up its attempts.
    const accepted = answer.accept('ok (challenge)', who(subject, t.serial));
    const refused = answer.refuse(accepted);
    if (refused) return refused;
    if (!(await store.takeChallenge(transactionId))) return reject(policy, 'challenge closed', who(subject, t.serial));
    if (await store.commitSuccess(t.serial, result.counter, now, result.drift)) {
      attempt.succeeded();
      return accepted;
    }
    const fresh = await store.getToken(t.serial);
    return reject(policy, (fresh && (await unusable(ctx, fresh, now))) ?? 'replay', who(subject, t.serial));
  }

  // A wrong answer counts only while the challenge has attempts left (the store caps them), then on the tokens' fail counters.
  const serial = tokens.length === 1 ? tokens[0]!.serial : undefined;
  const after = await store.recordChallengeAttempt(transactionId);
  if (!after) return reject(policy, 'challenge closed', who(subject, serial));
  const closed = after.attempts >= after.maxAttempts;
  const [counted] = await Promise.all([failAttempt(ctx, tokens, now), closed ? store.deleteChallenge(transactionId) : undefined]);
  if (counted.length === 0) return reject(policy, 'locked', who(subject, serial));
  return reject(policy, closed ? 'wrong otp, challenge closed' : 'wrong otp', who(subject, serial));
}
