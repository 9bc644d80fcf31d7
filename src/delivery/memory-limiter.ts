// The delivery limiter for one process: send times per user and per
// destination, kept for an hour. Each call decides and records without
// yielding, so within one process take() is atomic.

import { decide, LIMIT_WINDOW_MS, type DeliveryKey, type DeliveryLimiter, type LimitDecision, type TakeOptions, type WindowStats } from './limiter.ts';
import type { DeliveryLimits } from './options.ts';

/** How often keys whose sends are all older than the window are dropped. */
const SWEEP_EVERY_MS = 60_000;

export class MemoryDeliveryLimiter implements DeliveryLimiter {
  readonly limits: DeliveryLimits;
  /** Key -> send times, oldest first, all within the window after pruning. */
  private readonly sends = new Map<string, number[]>();
  private lastSweep = 0;

  constructor(limits: DeliveryLimits) {
    this.limits = limits;
  }

  check(key: DeliveryKey, now = Date.now()): Promise<LimitDecision> {
    return Promise.resolve(this.decideNow(key, now));
  }

  record(key: DeliveryKey, now = Date.now()): Promise<void> {
    this.add(key, now);
    return Promise.resolve();
  }

  take(key: DeliveryKey, now = Date.now(), options: TakeOptions = {}): Promise<LimitDecision> {
    const decision = this.decideNow(key, now, options);
    if (decision.allowed) this.add(key, now);
    return Promise.resolve(decision);
  }

  /** Keys currently held (for tests of the sweep). */
  get size(): number {
    return this.sends.size;
  }

  private decideNow(key: DeliveryKey, now: number, options: TakeOptions = {}): LimitDecision {
    this.sweep(now);
    return decide(this.limits, { user: this.stats(userKey(key), now), destination: this.stats(destinationKey(key), now) }, now, options);
  }

  private stats(id: string, now: number): WindowStats {
    const times = this.sends.get(id);
    if (times === undefined) return { count: 0 };
    const from = now - LIMIT_WINDOW_MS;
    while (times.length > 0 && times[0]! <= from) times.shift();
    if (times.length === 0) {
      this.sends.delete(id);
      return { count: 0 };
    }
    return { count: times.length, oldest: times[0]!, newest: times[times.length - 1]! };
  }

  private add(key: DeliveryKey, now: number): void {
    for (const id of [userKey(key), destinationKey(key)]) {
      const times = this.sends.get(id);
      if (times === undefined) this.sends.set(id, [now]);
      else {
        // Calls may carry times slightly out of order; keep the list sorted.
        let i = times.length;
        while (i > 0 && times[i - 1]! > now) i--;
        times.splice(i, 0, now);
      }
    }
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    for (const id of [...this.sends.keys()]) this.stats(id, now);
  }
}

function userKey(key: DeliveryKey): string {
  return `u\u0000${key.user}`;
}

function destinationKey(key: DeliveryKey): string {
  return `d\u0000${key.destination}`;
}
