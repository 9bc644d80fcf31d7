// Rate limits on sends, so repeated PIN-only requests cannot turn the server
// into an SMS or mail bomb: one message per destination per resend interval,
// and a cap per user and per destination in any hour. The decision is a pure
// function of three numbers per key (count, oldest and newest send in the
// last hour), which one SQL aggregate gives, so a store-backed limiter for
// several workers decides exactly as the in-memory one does.

import type { DeliveryLimits } from './options.ts';

export const LIMIT_WINDOW_MS = 3_600_000;

export interface DeliveryKey {
  /** A stable user identity, e.g. resolver and user id. */
  user: string;
  /** The normalised destination (see normalizeDestination): a lower-case address or an E.164 number. */
  destination: string;
}

/** Sends recorded in the last LIMIT_WINDOW_MS for one key; times in ms since the epoch. */
export interface WindowStats {
  count: number;
  oldest?: number;
  newest?: number;
}

export interface SendHistory {
  user: WindowStats;
  destination: WindowStats;
}

export type LimitName = 'resend-interval' | 'user-per-hour' | 'destination-per-hour';

export type LimitDecision = { allowed: true } | { allowed: false; limit: LimitName /** When a send to this key would be allowed again. */; retryAfterMs: number };

/**
 * How a caller takes a send. `resendInterval: false` leaves the resend
 * interval out (the hourly caps stay): auth/ keeps it by giving the open
 * challenge of the last code again, and asks for a new code only once that
 * challenge is gone (answered, closed or expired).
 */
export interface TakeOptions {
  resendInterval?: boolean;
}

export function decide(limits: DeliveryLimits, history: SendHistory, now: number, options: TakeOptions = {}): LimitDecision {
  const { user, destination } = history;
  const until = (at: number | undefined, span: number): number => Math.max(1, (at ?? now) + span - now);
  if (options.resendInterval !== false && destination.newest !== undefined && now - destination.newest < limits.resendIntervalMs) {
    return { allowed: false, limit: 'resend-interval', retryAfterMs: until(destination.newest, limits.resendIntervalMs) };
  }
  if (user.count >= limits.maxPerHourPerUser) {
    return { allowed: false, limit: 'user-per-hour', retryAfterMs: until(user.oldest, LIMIT_WINDOW_MS) };
  }
  if (destination.count >= limits.maxPerHourPerDestination) {
    return { allowed: false, limit: 'destination-per-hour', retryAfterMs: until(destination.oldest, LIMIT_WINDOW_MS) };
  }
  return { allowed: true };
}

export interface DeliveryLimiter {
  /** Whether a send to `key` would be allowed at `now`; records nothing. */
  check(key: DeliveryKey, now?: number): Promise<LimitDecision>;
  /** Counts a send to `key` at `now`, allowed or not (an admin's test send). */
  record(key: DeliveryKey, now?: number): Promise<void>;
  /**
   * check and, when allowed, record, as one step: concurrent requests cannot
   * all pass the check before any of them is recorded. Call it before sending;
   * a send that then fails still counts, since it may have reached the phone.
   */
  take(key: DeliveryKey, now?: number, options?: TakeOptions): Promise<LimitDecision>;
}
