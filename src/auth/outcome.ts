// Decisions with the configured Reply-Messages. Every accept and reject is
// made here, so no path forgets `policy.replyMessages`.

import type { AcceptDecision, ReplyAttribute, RejectDecision } from '../model/decision.ts';
import type { AuthPolicy } from '../model/policy.ts';
import type { Subject } from './context.ts';

/** Who a decision is about, for the audit event. */
export interface Who {
  user?: string;
  realm?: string;
  serial?: string;
}

export function who(subject: Subject, serial?: string): Who {
  return { user: subject.user.login, realm: subject.realm, ...(serial !== undefined ? { serial } : {}) };
}

/** Rejects carry the configured Reply-Message and nothing that tells an attacker why. */
export function reject(policy: AuthPolicy, reason: string, about: Who = {}): RejectDecision {
  const msg = policy.replyMessages.reject;
  return { ...about, decision: 'reject', reason, ...(msg ? { replyMessage: msg } : {}) };
}

export function accept(policy: AuthPolicy, reason: string, about: Who = {}, replyAttributes?: ReplyAttribute[]): AcceptDecision {
  const msg = policy.replyMessages.accept;
  return { ...about, decision: 'accept', reason, ...(msg ? { replyMessage: msg } : {}), ...(replyAttributes && replyAttributes.length > 0 ? { replyAttributes } : {}) };
}
