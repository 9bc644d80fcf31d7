// E-mail and SMS codes after the first factor. A PIN that matches such
// tokens opens one transaction for them (and any other challenge tokens it
// matched): per token, the rate limits shared by every worker are taken,
// the counter moves one step (so the code is new and any earlier unused one
// is retired) and the code goes out within the sender's timeout; the tokens
// whose code went out join the transaction, whose lifetime is the codes'
// validity. Within the resend interval a PIN alone gets the open
// transaction again instead of another message; once that transaction is
// answered, closed or expired, the next PIN sends a new code at once (the
// hourly caps still hold), so a user who logs in again is not kept waiting.
//
// The answer is built and checked against what the front end can send
// before anything is spent: no code leaves for an answer that cannot go out.

import { challengeFor, type Challenge, type ChallengeFor } from '../model/challenge.ts';
import type { ChallengeDecision, CodeSend, RejectDecision, SentCode } from '../model/decision.ts';
import type { DeliveredType, Token } from '../model/token.ts';
import { tokenKind } from '../tokens/index.ts';
import type { Answering } from './answering.ts';
import { challengePrompt } from './challenge-prompt.ts';
import { prepareTransaction, storeTransaction } from './challenge.ts';
import type { AuthContext, Subject } from './context.ts';
import { destinationOf, type Destination } from './destination.ts';
import { reject, who } from './outcome.ts';

interface Planned {
  token: Token;
  channel: DeliveredType;
  destination: Destination;
}

function channelOf(token: Token): DeliveredType | undefined {
  return tokenKind(token.type).delivery?.channel;
}

function sentCode(p: Planned): SentCode {
  return { serial: p.token.serial, channel: p.channel, to: p.destination.masked };
}

/** The order codes are tried in: as matched for `send: all`; by the preferred channels for `send: preferred`. */
function plan(ctx: AuthContext, subject: Subject, tokens: Token[]): Planned[] {
  const planned = tokens.flatMap((token) => {
    const channel = channelOf(token);
    return channel ? [{ token, channel, destination: destinationOf(token, channel, subject.user, ctx.delivery?.sender) }] : [];
  });
  if (ctx.policy.codes.send === 'all') return planned;
  const rank = (p: Planned): number => ctx.policy.codes.preferred.indexOf(p.channel);
  return planned.sort((a, b) => rank(a) - rank(b));
}

/** One code: limits taken, counter stepped, message sent; never throws for the send itself. */
async function sendOne(ctx: AuthContext, subject: Subject, p: Planned, now: number): Promise<CodeSend> {
  const { token, channel, destination } = p;
  const done = (result: CodeSend['result'], outcome: string, reason?: string): CodeSend => {
    ctx.onDelivery({ channel, outcome });
    return { ...sentCode(p), result, ...(reason !== undefined ? { reason } : {}) };
  };
  if (!destination.ok) return done('failed', destination.failure, destination.reason);
  const delivery = ctx.delivery!;
  // The resend interval is kept by giving the open challenge again (recentlyOpened); here there is none, so its code was answered, closed or expired.
  const limit = await delivery.limiter.take({ user: `${subject.user.resolver}:${subject.user.id}`, destination: destination.to }, Math.round(now * 1000), { resendInterval: false });
  if (!limit.allowed) return done('limited', 'limited', `${limit.limit}, next in ${Math.ceil(limit.retryAfterMs / 1000)} s`);
  if (!(await ctx.store.advanceCounter(token.serial, token.counter))) return done('failed', 'raced', 'another request sent a code for this token at the same time');
  token.counter += 1;
  const validUntil = new Date((now + ctx.policy.codes.validity[channel]) * 1000);
  const result = await delivery.sender.send({ channel, to: destination.to, login: subject.user.login, otp: tokenKind(token.type).delivery!.codeAt(token, token.counter), validUntil });
  return result.ok ? done('sent', 'sent') : done('failed', result.failure, result.reason);
}

/** Every planned code (`send: all`, at once), or the first that goes out (`send: preferred`). */
async function sendCodes(ctx: AuthContext, subject: Subject, planned: Planned[], now: number): Promise<{ p: Planned; send: CodeSend }[]> {
  if (ctx.policy.codes.send === 'all') return Promise.all(planned.map(async (p) => ({ p, send: await sendOne(ctx, subject, p, now) })));
  const out: { p: Planned; send: CodeSend }[] = [];
  for (const p of planned) {
    const send = await sendOne(ctx, subject, p, now);
    out.push({ p, send });
    if (send.result === 'sent') break;
  }
  return out;
}

/** A transaction of this user with one of these code tokens, for the same front end, opened within the resend interval and still open. */
async function recentlyOpened(ctx: AuthContext, subject: Subject, codeTokens: Token[], now: number, by: ChallengeFor): Promise<Challenge | undefined> {
  const interval = ctx.delivery?.resendIntervalSeconds ?? 0;
  if (interval <= 0) return undefined;
  const serials = new Set(codeTokens.map((t) => t.serial));
  const all = await ctx.store.challengesOfUser(subject.user.resolver, subject.user.id);
  return all.find(
    (c) => challengeFor(c) === by && c.realm === subject.realm && now <= c.expiresAt && c.attempts < c.maxAttempts && now - c.createdAt < interval && c.serials.some((s) => serials.has(s)),
  );
}

/** The open transaction's answer again: same State, same prompt. */
function reuse(ctx: AuthContext, subject: Subject, open: Challenge, tokens: Token[], now: number): ChallengeDecision {
  const inIt = open.serials.flatMap((s) => tokens.filter((t) => t.serial === s));
  const codes = plan(ctx, subject, inIt).map(sentCode);
  return {
    decision: 'challenge',
    reason: 'challenge re-used: a code was sent within the resend interval',
    replyMessage: challengePrompt(ctx.policy, inIt, open.data, codes),
    ...who(subject, open.serials.length === 1 ? open.serials[0] : undefined),
    challenge: { transactionId: open.transactionId, data: open.data, serials: open.serials, timeout: Math.max(1, Math.floor(open.expiresAt - now)), ...(codes.length > 0 ? { codes } : {}) },
  };
}

/**
 * `matched`: the tokens whose PIN matched, some of them e-mail or SMS tokens;
 * `tokens`: all usable tokens of the user; `by`: who will answer (the
 * portal's login sends codes after the directory password).
 */
export async function openCodeChallenge(
  ctx: AuthContext,
  subject: Subject,
  matched: Token[],
  tokens: Token[],
  now: number,
  answer: Answering,
  by: ChallengeFor = 'radius',
): Promise<ChallengeDecision | RejectDecision> {
  const { policy } = ctx;
  const codeTokens = matched.filter((t) => channelOf(t) !== undefined);
  const others = matched.filter((t) => channelOf(t) === undefined);
  const open = await recentlyOpened(ctx, subject, codeTokens, now, by);
  if (open) {
    const again = reuse(ctx, subject, open, tokens, now);
    return answer.refuse(again) ?? again;
  }

  const planned = plan(ctx, subject, codeTokens);
  const transactionId = ctx.newTransactionId();
  // The answer with every code that may go out: a subset of them only makes the prompt shorter.
  const candidates = planned.filter((p) => p.destination.ok);
  if (others.length + candidates.length > 0) {
    const refused = answer.refuse(prepareTransaction(ctx, subject, [...others, ...candidates.map((p) => p.token)], now, candidates.map(sentCode), transactionId, by).decision);
    if (refused) return refused;
  }

  const results = await sendCodes(ctx, subject, planned, now);
  const deliveries = results.map((r) => r.send);
  const sent = results.filter((r) => r.send.result === 'sent').map((r) => r.p);
  if (sent.length === 0 && others.length === 0) {
    const limited = deliveries.every((d) => d.result === 'limited');
    const first = limited ? deliveries[0]! : deliveries.find((d) => d.result === 'failed')!;
    const about = who(subject, codeTokens.length === 1 ? codeTokens[0]!.serial : undefined);
    return { ...reject(policy, `${limited ? 'delivery limited' : 'delivery failed'}: ${first.reason ?? ''}`, about), deliveries };
  }
  const { challenge, decision } = prepareTransaction(ctx, subject, [...others, ...sent.map((p) => p.token)], now, sent.map(sentCode), transactionId, by);
  await storeTransaction(ctx, challenge, now);
  return { ...decision, deliveries };
}
