// Challenge-response: a PIN alone opens a transaction (State) shared by the
// user's challenge-capable tokens whose PIN matched; the next request with
// that State answers it with an OTP (or OCRA response). Transactions live in
// the store so another worker or server can take the answer.

import type { Challenge } from '../model/challenge.ts';
import type { Token } from '../model/token.ts';
import { tokenKind } from '../tokens/index.ts';
import type { Decision } from '../model/decision.ts';
import type { AuthService, Subject } from './service.ts';

const TRANSACTION_ID = /^[0-9a-f]{32}$/;

export async function triggerChallenge(service: AuthService, subject: Subject, tokens: Token[], password: string, now: number): Promise<Decision | undefined> {
  const { policy } = service.deps;
  if (policy.otppin === 'none') return undefined;
  const capable = tokens.filter((t) => policy.challengeResponse.includes(t.type) && tokenKind(t.type).challenge !== undefined);
  if (capable.length === 0) return undefined;

  let matched: Token[];
  if (policy.otppin === 'userstore') {
    // One directory password for all tokens: ask the directory once.
    matched = password.length > 0 && (await service.pinMatches(subject, capable[0]!, password)) ? capable : [];
  } else {
    matched = [];
    for (const t of capable) if (await service.pinMatches(subject, t, password)) matched.push(t);
  }
  if (matched.length === 0) return undefined;
  return openTransaction(service, subject, matched, now);
}

/**
 * One transaction for these tokens (their PIN matched, or an administrator
 * asked for it): the State to send, the prompt, and the OCRA question.
 */
export async function openTransaction(service: AuthService, subject: Subject, matched: Token[], now: number): Promise<Decision> {
  const { policy, store } = service.deps;
  // One question for the whole transaction: the OCRA tokens all answer the same one.
  let data = '';
  const prompts = new Set<string>();
  for (const t of matched) {
    const created = tokenKind(t.type).challenge!.create(t, now);
    if (created.data && !data) data = created.data;
    prompts.add(policy.replyMessages.challenge[t.type]);
  }
  const message = [...prompts].map((p) => p.replace('{challenge}', data)).join(' / ');
  const transactionId = service.newTransactionId();
  const challenge: Challenge = {
    transactionId,
    serials: matched.map((t) => t.serial),
    realm: subject.realm,
    resolver: subject.user.resolver,
    userId: subject.user.id,
    login: subject.user.login,
    data,
    createdAt: now,
    expiresAt: now + policy.challengeTimeout,
    attempts: 0,
    maxAttempts: policy.challengeMaxAttempts,
  };
  await store.createChallenge(challenge);
  await store.purgeChallenges(now, policy.maxChallengesPerToken);
  return {
    decision: 'challenge',
    reason: 'challenge created',
    replyMessage: message,
    state: Buffer.from(transactionId, 'ascii'),
    sessionTimeout: policy.challengeTimeout,
    user: subject.user.login,
    realm: subject.realm,
    ...(matched.length === 1 ? { serial: matched[0]!.serial } : {}),
    transactionId,
    challengeData: data,
    challengeSerials: challenge.serials,
  };
}

export async function answerChallenge(service: AuthService, subject: Subject, state: Buffer, response: string): Promise<Decision> {
  const { store } = service.deps;
  const who = { user: subject.user.login, realm: subject.realm };
  const transactionId = state.toString('latin1');
  if (!TRANSACTION_ID.test(transactionId)) return service.reject('unknown state', who);
  const challenge = await store.getChallenge(transactionId);
  if (!challenge) return service.reject('unknown state', who);
  const now = service.now();
  if (challenge.resolver !== subject.user.resolver || challenge.userId !== subject.user.id || challenge.realm !== subject.realm) {
    return service.reject('state of another user', who);
  }
  if (now > challenge.expiresAt) {
    await store.deleteChallenge(transactionId);
    return service.reject('challenge expired', who);
  }

  const tokens: Token[] = [];
  for (const serial of challenge.serials) {
    const t = await store.getToken(serial);
    if (t && !(await service.unusable(t, now))) tokens.push(t);
  }
  if (tokens.length === 0) return service.reject('no usable token', who);

  for (const t of tokens) {
    const challengeKind = tokenKind(t.type).challenge;
    if (!challengeKind) continue;
    const result = challengeKind.checkResponse(t, challenge.data, response, now);
    if (result.kind === 'none') continue;
    if (result.kind === 'replay') return service.reject('replay', { ...who, serial: t.serial });
    // Deleting the transaction is the gate: of two answers raced, one gets it.
    if (!(await store.deleteChallenge(transactionId))) return service.reject('unknown state', { ...who, serial: t.serial });
    if (await store.commitSuccess(t.serial, result.counter, now, result.drift)) return service.accept('ok (challenge)', { ...who, serial: t.serial });
    return service.reject('replay', { ...who, serial: t.serial });
  }

  const after = await store.recordChallengeAttempt(transactionId);
  if (after && after.attempts >= after.maxAttempts) await store.deleteChallenge(transactionId);
  await service.fail(tokens, now);
  const closed = !after || after.attempts >= after.maxAttempts;
  return service.reject(closed ? 'wrong otp, challenge closed' : 'wrong otp', { ...who, ...(tokens.length === 1 ? { serial: tokens[0]!.serial } : {}) });
}
