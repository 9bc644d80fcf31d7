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
import { answering } from './answering.ts';
import { logOutage } from './outage-log.ts';
import { trace } from './trace.ts';
import { reject } from './outcome.ts';
import { spendFirstFactorCost } from './pins.ts';
import { lookUp, nameOf } from './subject.ts';
import { Throttle, throttleKeyOf } from './throttle.ts';
import { checkTokens } from './token-check.ts';

export class AuthService {
  readonly #ctx: AuthContext;
  readonly #throttle: Throttle;
  /** The last request of each user in flight; the next waits for it. */
  readonly #turns = new Map<string, Promise<void>>();

  constructor(ctx: AuthContext) {
    this.#ctx = ctx;
    this.#throttle = new Throttle(ctx);
  }

  async authenticate(request: AccessRequest): Promise<Decision> {
    try {
      const decision = await this.#decide(request);
      trace('decision', { decision: decision.decision, reason: decision.reason, ...(decision.serial !== undefined ? { serial: decision.serial } : {}) });
      return decision;
    } catch (err) {
      // Fail closed with a reason an admin can act on.
      if (err instanceof StoreError && err.code === 'unavailable') {
        logOutage(this.#ctx, 'store', { cause: (err as Error).message }, 'token store unavailable: rejecting logins until it answers');
        return reject(this.#ctx.policy, 'store unavailable', { user: request.userName });
      }
      logOutage(this.#ctx, `internal:${(err as Error).message}`, { err }, 'authentication failed with an internal error');
      return reject(this.#ctx.policy, 'internal error', { user: request.userName });
    }
  }

  async #decide(request: AccessRequest): Promise<Decision> {
    const ctx = this.#ctx;
    const { policy } = ctx;
    if (request.eap) return reject(policy, 'eap not supported');
    if (request.chap) return reject(policy, 'chap not supported: the NAS must send PAP (User-Password)');
    if (!request.userName) return reject(policy, 'no user name');
    if (request.password === undefined) return reject(policy, 'no password');

    const name = nameOf(ctx, request);
    if ('decision' in name) return name;
    const about = { user: name.login, realm: name.realm };
    const attempt = await this.#throttle.admit(throttleKeyOf(name.realm, name.login, request), ctx.now());
    try {
      if (!attempt.admitted) {
        await spendFirstFactorCost(ctx, false);
        await attempt.refused();
        return reject(policy, 'throttled', about);
      }
      const user = await lookUp(ctx, name);
      if (user && 'decision' in user) return user;
      if (!user) {
        if (policy.passOnNoUser) {
          const passed = answering(ctx, request, undefined).accept('pass on no user', about);
          return answering(ctx, request, undefined).refuse(passed) ?? passed;
        }
        await spendFirstFactorCost(ctx, false);
        await attempt.failed();
        return reject(policy, 'unknown user', about);
      }
      const subject = { user, realm: name.realm };
      const password = request.password;
      const answer = answering(ctx, request, subject);
      return await this.#inTurn(`${user.resolver}\u0000${user.id}`, () =>
        request.state ? answerChallenge(ctx, subject, request.state, password, attempt, answer) : checkTokens(ctx, subject, password, attempt, answer, request.serial),
      );
    } finally {
      attempt.done();
    }
  }

  /**
   * Runs one user's requests one after another, in the order they got here:
   * in a burst, the failures that arrived first are counted before a later
   * request is judged, so one that comes after max fail finds the lock.
   */
  async #inTurn<T>(user: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#turns.get(user);
    let finished!: () => void;
    const mine = new Promise<void>((resolve) => (finished = resolve));
    const tail = previous ? previous.then(() => mine) : mine;
    this.#turns.set(user, tail);
    try {
      if (previous) await previous;
      return await work();
    } finally {
      finished();
      if (this.#turns.get(user) === tail) this.#turns.delete(user);
    }
  }
}
