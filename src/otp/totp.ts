import type { KeyObject } from 'node:crypto';
import type { OtpAlgorithm } from './algorithm.ts';
import { OtpInputError } from './errors.ts';
import { hotp } from './hotp.ts';

export interface TotpOptions {
  /** OTP length, 6 by default. */
  digits?: number;
  algorithm?: OtpAlgorithm;
  /** Time step in seconds, 30 by default. */
  period?: number;
  /** Unix time at which step 0 starts (RFC 6238's T0), 0 by default. */
  t0?: number;
}

function checkPeriod(period: number): void {
  if (!Number.isInteger(period) || period < 1) {
    throw new OtpInputError(`period: expected a positive whole number of seconds, got ${period}`);
  }
}

/**
 * RFC 6238 §4.2: the time step containing `unixSeconds`. Plain numbers are exact
 * far beyond 2038 (up to 2^53 seconds), so no bigint is needed here.
 */
export function timeStepAt(unixSeconds: number, period = 30, t0 = 0): number {
  checkPeriod(period);
  if (!Number.isFinite(unixSeconds) || !Number.isFinite(t0)) {
    throw new OtpInputError(`time: expected a finite number of seconds, got ${unixSeconds}`);
  }
  if (unixSeconds < t0) {
    throw new OtpInputError(`time: ${unixSeconds} is before the start time ${t0}`);
  }
  return Math.floor((unixSeconds - t0) / period);
}

/** RFC 6238 TOTP: the one-time password of `seed` at `unixSeconds`. */
export function totp(seed: Buffer | KeyObject, unixSeconds: number, options: TotpOptions = {}): string {
  const period = options.period ?? 30;
  return hotp(seed, timeStepAt(unixSeconds, period, options.t0 ?? 0), options.digits ?? 6, options.algorithm ?? 'sha1');
}
