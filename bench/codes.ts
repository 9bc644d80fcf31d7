// Which TOTP code a bench user sends next. The server accepts a time step at
// most once per token (the counter is the next usable step), so the accept
// workloads hand out steps per user in increasing order: first the current
// step, then the following ones. Each accept teaches the server the token's
// drift, so the next step stays inside the window however many steps a long
// run uses up. FreeRADIUS's rlm_totp keeps no such state and has no
// look-back, so its requests always carry the current step's code.

import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

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

/** Six-digit HOTP (RFC 4226) of `counter` with SHA-1, for a seed already made a KeyObject. */
export function hotp6(key: KeyObject, counter: number): string {
  const msg = Buffer.alloc(8);
  msg.writeUInt32BE(Math.floor(counter / 2 ** 32), 0);
  msg.writeUInt32BE(counter >>> 0, 4);
  const mac = createHmac('sha1', key).update(msg).digest();
  const off = mac[19]! & 0x0f;
  return String(mac.readUInt32BE(off) & 0x7fffffff)
    .slice(-6)
    .padStart(6, '0');
}

/**
 * Caches one code per user: a user asked twice in the same step costs one
 * HMAC. Seeds are held as KeyObjects, because Node turns a Buffer key into one
 * on every createHmac, which costs several times the HMAC itself.
 */
export class CodeBook {
  private readonly keys: readonly KeyObject[];
  private readonly steps: Float64Array;
  private readonly codes: string[];

  constructor(seeds: readonly Buffer[]) {
    this.keys = seeds.map((s) => createSecretKey(s));
    this.steps = new Float64Array(seeds.length).fill(-1);
    this.codes = new Array<string>(seeds.length).fill('');
  }

  code(user: number, step: number): string {
    if (this.steps[user] !== step) {
      const key = this.keys[user];
      if (!key) throw new RangeError(`user ${user}: no seed (have ${this.keys.length})`);
      this.codes[user] = hotp6(key, step);
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
