// Admin operations around e-mail, SMS and static password tokens: the
// destination an enrollment gives (checked and stored in the form sends
// use), a test message to a token's destination, and a challenge opened by
// an administrator, which for these tokens sends the code.

import type { Actor } from '../../model/actor.ts';
import type { ChallengeDecision } from '../../model/decision.ts';
import type { DeliveredType, Token } from '../../model/token.ts';
import { normalizeDestination } from '../../delivery/index.ts';
import { tokenKind } from '../../tokens/index.ts';
import type { Answering } from '../answering.ts';
import { openCodeChallenge } from '../code-challenge.ts';
import type { Subject } from '../context.ts';
import { destinationOf, rawDestination } from '../destination.ts';
import { accept } from '../outcome.ts';
import { lookUpUser } from '../subject.ts';
import { operation, type AdminContext } from './context.ts';
import { AdminError } from './errors.ts';
import { refusal } from './refusals.ts';
import { tokenFor } from './tokens.ts';

/** What a test message carries where the code would be: it logs in nowhere. */
export const TEST_CODE = 'TEST';

/**
 * The address or number an enrollment gives, in the form sends use (an
 * address lower-cased, a number in E.164); without one, the owner's
 * directory entry must have one, or codes would have nowhere to go.
 */
export function enrollDestination(ctx: AdminContext, type: DeliveredType, given: string | undefined, owner: Subject | undefined): string | undefined {
  if (given === undefined) {
    if (owner && rawDestination({}, type, owner.user) === undefined) {
      throw refusal(type === 'email' ? 'no-email' : 'no-phone', { login: owner.user.login });
    }
    return undefined;
  }
  const normal = ctx.auth.delivery?.sender.normalize(type, given) ?? normalizeDestination(type, given);
  if (!normal.ok) throw new AdminError('invalid', `--${type === 'email' ? 'email' : 'phone'}: ${normal.reason}`);
  return normal.to;
}

/** The token's owner as the directory has them now, or undefined (no owner, or not found under the same id). */
async function ownerOf(ctx: AdminContext, t: Token): Promise<Subject | undefined> {
  if (!t.owner) return undefined;
  const found = await lookUpUser(ctx.auth, t.owner.login, t.owner.realm);
  if ('missing' in found) return undefined;
  const { user } = found.found;
  return user.resolver === t.owner.resolver && user.id === t.owner.userId ? found.found : undefined;
}

function channelOf(t: Token): DeliveredType {
  const channel = tokenKind(t.type).delivery?.channel;
  if (!channel) throw new AdminError('invalid', `${t.serial} is a ${t.type} token: only e-mail and SMS tokens get messages`);
  return channel;
}

export interface TestSent {
  channel: DeliveredType;
  /** Where it went: the address, or the number in E.164. */
  to: string;
  masked: string;
  /** The mail server's or gateway's message id, when it gave one. */
  id?: string;
}

/**
 * A test message to the token's destination, through the configured mail
 * server or gateway, with TEST where the code goes. It counts toward the
 * rate limits (it reaches the same phone) but is never held back by them.
 */
export function testSend(ctx: AdminContext, actor: Actor, serial: string): Promise<TestSent> {
  return operation(ctx, actor, 'token.test-send', { serial }, async (target) => {
    const t = await tokenFor(ctx, actor, serial, target);
    const channel = channelOf(t);
    const owner = await ownerOf(ctx, t);
    const delivery = ctx.auth.delivery;
    const destination = destinationOf(t, channel, owner?.user, delivery?.sender);
    if (!destination.ok) throw new AdminError('conflict', destination.reason);
    const now = ctx.auth.now();
    await delivery!.limiter.record({ user: owner ? `${owner.user.resolver}:${owner.user.id}` : `token:${t.serial}`, destination: destination.to }, Math.round(now * 1000));
    const validUntil = new Date((now + ctx.auth.policy.codes.validity[channel]) * 1000);
    const result = await delivery!.sender.send({ channel, to: destination.to, login: owner?.user.login ?? t.serial, otp: TEST_CODE, validUntil });
    ctx.auth.onDelivery({ channel, outcome: result.ok ? 'sent' : result.failure });
    if (!result.ok) throw new AdminError('conflict', `delivery failed: ${result.reason}`);
    return { channel, to: destination.to, masked: destination.masked, ...(result.id !== undefined ? { id: result.id } : {}) };
  });
}

/** An administrator's challenge for an e-mail or SMS token: the code is sent as for a PIN (rate limits included). */
export async function openCodeTransaction(ctx: AdminContext, t: Token, now: number): Promise<ChallengeDecision> {
  const subject = await ownerOf(ctx, t);
  if (!subject) throw new AdminError('conflict', `${t.serial}: its owner ${t.owner?.login ?? '?'} is not in the directory under the same id`);
  // Nothing to fit into a RADIUS packet here.
  const anywhere: Answering = { accept: (reason, about) => accept(ctx.auth.policy, reason, about), refuse: () => undefined };
  const decision = await openCodeChallenge(ctx.auth, subject, [t], [t], now, anywhere);
  if (decision.decision !== 'challenge') throw new AdminError('conflict', decision.reason);
  return decision;
}
