// The delivery limiter every worker and server shares: the sends live in
// the token store (one row per send, per user and per destination), and
// take() reads and records in one atomic store step, so a burst of PIN-only
// requests spread over processes or machines gets one code through per
// resend interval, as the in-memory limiter does within one process.

import { decide, LIMIT_WINDOW_MS, type DeliveryKey, type DeliveryLimiter, type LimitDecision, type TakeOptions, type WindowStats } from './limiter.ts';
import type { DeliveryLimits } from './options.ts';

/** What the limiter needs of the store (TokenStore has it). */
export interface SendLog {
  sendWindows(subjects: readonly string[], since: number): Promise<WindowStats[]>;
  takeSend(subjects: readonly string[], since: number, at: number, allow: (windows: WindowStats[]) => boolean): Promise<boolean>;
  recordSend(subjects: readonly string[], at: number): Promise<void>;
}

function subjects(key: DeliveryKey): [string, string] {
  return [`user:${key.user}`, `to:${key.destination}`];
}

export class StoreDeliveryLimiter implements DeliveryLimiter {
  readonly limits: DeliveryLimits;
  readonly #log: SendLog;

  constructor(log: SendLog, limits: DeliveryLimits) {
    this.#log = log;
    this.limits = limits;
  }

  async check(key: DeliveryKey, now = Date.now()): Promise<LimitDecision> {
    const [user, destination] = await this.#log.sendWindows(subjects(key), now - LIMIT_WINDOW_MS);
    return decide(this.limits, { user: user!, destination: destination! }, now);
  }

  async record(key: DeliveryKey, now = Date.now()): Promise<void> {
    await this.#log.recordSend(subjects(key), now);
  }

  async take(key: DeliveryKey, now = Date.now(), options: TakeOptions = {}): Promise<LimitDecision> {
    let decision: LimitDecision = { allowed: false, limit: 'resend-interval', retryAfterMs: 1 };
    await this.#log.takeSend(subjects(key), now - LIMIT_WINDOW_MS, now, ([user, destination]) => {
      decision = decide(this.limits, { user: user!, destination: destination! }, now, options);
      return decision.allowed;
    });
    return decision;
  }
}
