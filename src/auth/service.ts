// authenticate(request) -> Decision: realm -> user -> tokens -> PIN/OTP
// split -> OTP check (HMACs) -> PIN check (KDF) only where it can change the
// outcome -> atomic counter advance -> accept; or challenge create/answer; or
// reject with a reason for the audit log. It never throws: a failure below
// is a reject whose reason says what did not answer.

import type { AccessRequest } from '../model/access-request.ts';
import type { Decision } from '../model/decision.ts';
import { StoreError } from '../store/errors.ts';
import { answerChallenge } from './challenge.ts';
import type { AuthContext } from './context.ts';
import { reject } from './outcome.ts';
import { replyAttributes } from './reply-rules.ts';
import { findSubject } from './subject.ts';
import { checkTokens } from './token-check.ts';

/** Log lines about an outage come once a minute per cause, with the count since the last one. */
const OUTAGE_LOG_INTERVAL_MS = 60_000;

export class AuthService {
  readonly #ctx: AuthContext;
  readonly #outages = new Map<string, { loggedAt: number; since: number }>();

  constructor(ctx: AuthContext) {
    this.#ctx = ctx;
  }

  async authenticate(request: AccessRequest): Promise<Decision> {
    try {
      return await this.#decide(request);
    } catch (err) {
      // Fail closed with a reason an admin can act on.
      if (err instanceof StoreError && err.code === 'unavailable') {
        this.#logOutage('store', err, 'token store unavailable: rejecting logins until it answers');
        return reject(this.#ctx.policy, 'store unavailable', { user: request.userName });
      }
      this.#logOutage(`internal:${(err as Error).message}`, err, 'authentication failed with an internal error');
      return reject(this.#ctx.policy, 'internal error', { user: request.userName });
    }
  }

  async #decide(request: AccessRequest): Promise<Decision> {
    const { policy } = this.#ctx;
    if (request.eap) return reject(policy, 'eap not supported');
    if (request.chap) return reject(policy, 'chap not supported: the NAS must send PAP (User-Password)');
    if (!request.userName) return reject(policy, 'no user name');
    if (request.password === undefined) return reject(policy, 'no password');

    const found = await findSubject(this.#ctx, request);
    if ('decision' in found) return found;
    const decision = request.state ? await answerChallenge(this.#ctx, found, request.state, request.password) : await checkTokens(this.#ctx, found, request.password);
    if (decision.decision === 'accept' && this.#ctx.replyRules.length > 0) {
      const attributes = replyAttributes(this.#ctx.replyRules, found.user, found.realm);
      if (attributes.length > 0) decision.replyAttributes = attributes;
    }
    return decision;
  }

  #logOutage(cause: string, err: unknown, message: string): void {
    const now = Date.now();
    const seen = this.#outages.get(cause);
    if (seen && now - seen.loggedAt < OUTAGE_LOG_INTERVAL_MS) {
      seen.since++;
      return;
    }
    if (this.#outages.size > 1000) this.#outages.clear();
    this.#outages.set(cause, { loggedAt: now, since: 0 });
    this.#ctx.logger.error({ err, ...(seen ? { sinceLastLog: seen.since } : {}) }, message);
  }
}
