// What an answer will be, decided before anything is committed: the accept
// with its reply attributes, checked against what the front end can send
// (a RADIUS packet holds 4096 bytes, Proxy-State included), so an OTP is
// never used up for an answer that cannot go out, and the audit says what
// was sent.

import type { AccessRequest } from '../model/access-request.ts';
import type { AcceptDecision, Decision, RejectDecision } from '../model/decision.ts';
import type { AuthContext, Subject } from './context.ts';
import { accept, reject, type Who } from './outcome.ts';
import { replyAttributes } from './reply-rules.ts';

export interface Answering {
  /** The accept this request would get, reply attributes included. */
  accept(reason: string, about: Who): AcceptDecision;
  /** Undefined when the decision can be sent; else the reject to send instead (logged once a minute). */
  refuse(decision: Decision): RejectDecision | undefined;
}

const loggedAt = new WeakMap<AuthContext, number>();

export function answering(ctx: AuthContext, request: AccessRequest, subject: Subject | undefined): Answering {
  return {
    accept(reason, about) {
      const attributes = subject && ctx.replyRules.length > 0 ? replyAttributes(ctx.replyRules, subject.user, subject.realm) : undefined;
      return accept(ctx.policy, reason, about, attributes);
    },
    refuse(decision) {
      const problem = request.unsendable?.(decision);
      if (problem === undefined) return undefined;
      const now = Date.now();
      if (now - (loggedAt.get(ctx) ?? 0) > 60_000) {
        loggedAt.set(ctx, now);
        ctx.logger.error(
          { user: decision.user, decision: decision.decision, problem },
          'the answer would not fit into a RADIUS packet; rejecting without using the OTP (check the reply rules and Reply-Message texts)',
        );
      }
      return reject(ctx.policy, 'reply too large', {
        ...(decision.user !== undefined ? { user: decision.user } : {}),
        ...(decision.realm !== undefined ? { realm: decision.realm } : {}),
        ...(decision.serial !== undefined ? { serial: decision.serial } : {}),
      });
    },
  };
}
