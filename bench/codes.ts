// Which TOTP code a bench user sends next. The server accepts a time step at
// most once per token (the counter is the next usable step), so the accept
// workloads hand out steps per user in increasing order: first the current
// step, then the following ones. Each accept teaches the server the token's
// drift, so the next step stays inside the window however many steps a long
// run uses up. FreeRADIUS's rlm_totp keeps no such state and has no
// look-back, so its requests always carry the current step's code.

import { hotp } from '../src/otp/hotp.ts';

export const TIME_STEP = 30;

export function currentStep(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TIME_STEP);
}

/** Per user: the next step not yet sent. */
export class StepPlan {
  private readonly next: Float64Array;

  constructor(users: number) {
    this.next = new Float64Array(users);
  }

  /** The step to send for `user` now: its next unused step, but never one before the current step. */
  take(user: number, nowStep: number): number {
    const step = Math.max(this.next[user]!, nowStep);
    this.next[user] = step + 1;
    return step;
  }

  /** How far ahead of now the furthest user has been taken (0 = only current codes used). */
  lead(nowStep: number): number {
    let max = 0;
    for (const n of this.next) max = Math.max(max, n - 1 - nowStep);
    return max;
  }
}

/** Caches one code per user: a user asked twice in the same step costs one HMAC. */
export class CodeBook {
  private readonly seeds: readonly Buffer[];
  private readonly steps: Float64Array;
  private readonly codes: string[];

  constructor(seeds: readonly Buffer[]) {
    this.seeds = seeds;
    this.steps = new Float64Array(seeds.length).fill(-1);
    this.codes = new Array<string>(seeds.length).fill('');
  }

  code(user: number, step: number): string {
    if (this.steps[user] !== step) {
      const seed = this.seeds[user];
      if (!seed) throw new RangeError(`user ${user}: no seed (have ${this.seeds.length})`);
      this.codes[user] = hotp(seed, step, 6, 'sha1');
      this.steps[user] = step;
    }
    return this.codes[user]!;
  }
}

/** A six-digit code that is not `right`: what a user with a mistyped digit sends. */
export function wrongCode(right: string): string {
  if (!/^\d{6}$/.test(right)) throw new RangeError(`wrongCode: expected six digits, got "${right}"`);
  return String((Number(right) + 500_001) % 1_000_000).padStart(6, '0');
}
