// TOTP tokens (RFC 6238): the OTP belongs to a time step. Accept steps within
// `window` seconds around now corrected by the learned drift, never a step at
// or before the last accepted one (token.counter is the next usable step).

import { timeStepAt } from '../otp/totp.ts';
import type { Token } from '../model/token.ts';
import { otpAt } from './compare.ts';
import type { OtpMatch, SyncPosition, TokenKind } from './types.ts';

/** The steps from `center` outward to `reach` on each side, the likeliest first; `skipInner` leaves out those up to that distance. */
function around(center: number, reach: number, skipInner = -1): number[] {
  const steps: number[] = [];
  if (skipInner < 0) steps.push(center);
  for (let d = Math.max(1, skipInner + 1); d <= reach; d++) {
    steps.push(center + d);
    if (center - d >= 0) steps.push(center - d);
  }
  return steps;
}

function stepsOf(token: Token, seconds: number): number {
  return Math.floor(seconds / token.timeStep);
}

/** The step the token's clock shows now, by the drift learned so far. */
function centerStep(token: Token, now: number): number {
  return timeStepAt(Math.max(0, now + token.drift), token.timeStep);
}

function driftOf(token: Token, step: number, now: number): number {
  return (step - timeStepAt(now, token.timeStep)) * token.timeStep;
}

export function checkTotp(token: Token, otp: string, now: number): OtpMatch {
  let replay: number | undefined;
  const steps = around(centerStep(token, now), stepsOf(token, token.window));
  const shows = otpAt(token, otp, steps);
  for (const step of steps) {
    if (!shows(step)) continue;
    if (step >= token.counter) return { kind: 'match', counter: step, drift: driftOf(token, step, now) };
    replay ??= step;
  }
  return replay !== undefined ? { kind: 'replay', counter: replay } : { kind: 'none' };
}

export const totpKind: TokenKind = {
  type: 'totp',
  checkOtp: checkTotp,
  searchSyncWindow(token, otp, now): SyncPosition | undefined {
    const inner = stepsOf(token, token.window);
    // Steps before the next usable one cannot sync; they are left out before any code is made.
    const steps = around(centerStep(token, now), Math.max(token.syncWindow, inner), inner).filter((step) => step >= token.counter);
    const shows = otpAt(token, otp, steps);
    for (const step of steps) {
      if (shows(step)) return { counter: step, drift: driftOf(token, step, now) };
    }
    return undefined;
  },
  // The second OTP of a pair must come later and show the same clock offset
  // as the first (within a step), however long the user waited between them.
  followsSyncState(token, second, now) {
    if (token.syncCounter === null || token.syncAt === null || second.counter <= token.syncCounter) return false;
    const offsetThen = token.syncCounter - timeStepAt(token.syncAt, token.timeStep);
    const offsetNow = second.counter - timeStepAt(now, token.timeStep);
    return Math.abs(offsetNow - offsetThen) <= 1;
  },
  resync(token, otp1, otp2, now): SyncPosition | undefined {
    const reach = Math.max(token.syncWindow, stepsOf(token, token.window));
    const first = otpAt(token, otp1);
    const second = otpAt(token, otp2);
    for (const step of around(timeStepAt(now, token.timeStep), reach)) {
      if (step + 1 < token.counter) continue;
      if (first(step) && second(step + 1)) return { counter: step + 1, drift: driftOf(token, step + 1, now) };
    }
    return undefined;
  },
  challenge: {
    create: () => ({ data: '' }),
    checkResponse: (token, _data, response, now) => checkTotp(token, response, now),
  },
};
