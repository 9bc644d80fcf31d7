// Throttle, don't lock out: failed attempts that do not count toward a
// token's lock (wrong first factors, unknown users, replays, unusable
// tokens) slow down that user from that source with a backoff that clears
// by itself. The state lives in the store, so every worker and server sees
// it; a per-process count of attempts in flight keeps a burst from being
// judged past what the state allows.

import type { AccessRequest } from '../model/access-request.ts';
import type { ThrottlePolicy } from '../model/policy.ts';
import type { ThrottleKey, ThrottleState } from '../store/types.ts';
import type { AuthContext } from './context.ts';
import { trace } from './trace.ts';

/** The user as named (lower-cased) in a realm, from the NAS's Calling-Station-Id when it sends one, else from the NAS itself. */
export function throttleKeyOf(realm: string, login: string, request: AccessRequest): ThrottleKey {
  const station = request.callingStationId?.trim();
  return { realm, login: login.toLowerCase(), source: station ? `station:${station.toLowerCase()}` : `nas:${request.nas.address}` };
}

/** Seconds a user must wait after `failures` failed attempts in a row before the next is judged: none while free ones are left. */
export function delayAfter(failures: number, policy: ThrottlePolicy): number {
  const over = failures - policy.freeAttempts;
  if (over < 0) return 0;
  // 2 ** 30 seconds is beyond any maximum the config allows; the exponent is capped so it stays a number.
  return Math.min(policy.maxDelaySeconds, policy.firstDelaySeconds * 2 ** Math.min(over, 30));
}

/** Whether a state is still in force at `now`: after resetAfterSeconds without a failure it counts as none. */
function current(state: ThrottleState | undefined, policy: ThrottlePolicy, now: number): ThrottleState | undefined {
  return state && now - state.lastFailure < policy.resetAfterSeconds ? state : undefined;
}

/** Unix seconds until which attempts are refused, or undefined when one may be judged now. */
export function throttledUntil(state: ThrottleState | undefined, policy: ThrottlePolicy, now: number): number | undefined {
  const s = current(state, policy, now);
  if (!s) return undefined;
  const until = s.lastFailure + delayAfter(s.failures, policy);
  return now < until ? until : undefined;
}

/** How many attempts may be judged at once now: the free ones left, else one once the delay has passed. */
export function attemptsAllowed(state: ThrottleState | undefined, policy: ThrottlePolicy, now: number): number {
  const s = current(state, policy, now);
  if (!s) return policy.freeAttempts;
  if (s.failures < policy.freeAttempts) return policy.freeAttempts - s.failures;
  return throttledUntil(s, policy, now) === undefined ? 1 : 0;
}

/** One request's place in the throttle of its user and source. */
export interface Attempt {
  /** False: refused without judging the password. */
  readonly admitted: boolean;
  /** The attempt failed in a way the token lock does not count: count it here. */
  failed(): Promise<void>;
  /** The attempt succeeded: this user and source start over. */
  succeeded(): void;
  /** A refused attempt, counted for admins without lengthening the delay. */
  refused(): Promise<void>;
  /** The attempt is answered: no longer in flight. */
  done(): void;
}

/** Where the throttle is off: every attempt judged, nothing counted. */
const UNTHROTTLED: Attempt = { admitted: true, failed: async () => undefined, succeeded: () => undefined, refused: async () => undefined, done: () => undefined };

export class Throttle {
  readonly #ctx: AuthContext;
  readonly #inFlight = new Map<string, number>();

  constructor(ctx: AuthContext) {
    this.#ctx = ctx;
  }

  /** Reads the state and takes a place among the attempts allowed now, if one is left. Call done() when answered. */
  async admit(key: ThrottleKey, now: number): Promise<Attempt> {
    const policy = this.#ctx.policy.throttle;
    if (!policy) return UNTHROTTLED;
    const { store, logger } = this.#ctx;
    const state = await store.getThrottle(key);
    const id = `${key.realm}\u0000${key.login}\u0000${key.source}`;
    const busy = this.#inFlight.get(id) ?? 0;
    const allowed = attemptsAllowed(state, policy, now);
    const admitted = busy < allowed;
    trace(admitted ? 'throttle: judged' : 'throttle: refused', {
      source: key.source,
      failures: state?.failures ?? 0,
      inFlight: busy,
      allowed,
      ...(admitted ? {} : { until: throttledUntil(state, policy, now) ?? null }),
    });
    if (admitted) this.#inFlight.set(id, busy + 1);
    let finished = false;
    return {
      admitted,
      failed: async () => {
        await store.recordThrottleFailure(key, now, policy.resetAfterSeconds);
      },
      succeeded: () => {
        // Only a row that exists needs clearing; a failed clear leaves a count that expires by itself.
        if (state) store.clearThrottle(key).catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'could not clear a throttle after a successful login'));
      },
      refused: async () => {
        await store.recordThrottleRefusal(key);
      },
      done: () => {
        if (!admitted || finished) return;
        finished = true;
        const n = (this.#inFlight.get(id) ?? 1) - 1;
        if (n <= 0) this.#inFlight.delete(id);
        else this.#inFlight.set(id, n);
      },
    };
  }
}
