// HOTP tokens (RFC 4226): the OTP belongs to a counter; accept the next
// `window` counters, call anything already passed a replay, and remember an
// OTP within the sync window for autosync.

import type { Token } from '../model/token.ts';
import { otpAt } from './compare.ts';
import type { OtpMatch, SyncPosition, TokenKind } from './types.ts';

/** The first counter in [from, to) whose OTP is `otp`. */
function find(token: Token, otp: string, from: number, to: number): number | undefined {
  const counters: number[] = [];
  for (let c = Math.max(0, from); c < to; c++) counters.push(c);
  const shows = otpAt(token, otp, counters);
  for (const c of counters) if (shows(c)) return c;
  return undefined;
}

export function checkHotp(token: Token, otp: string): OtpMatch {
  const hit = find(token, otp, token.counter, token.counter + token.window);
  if (hit !== undefined) return { kind: 'match', counter: hit };
  // Looking back as far as the window reaches tells a replay from a typo, for the audit log.
  const used = find(token, otp, token.counter - token.window, token.counter);
  return used !== undefined ? { kind: 'replay', counter: used } : { kind: 'none' };
}

export const hotpKind: TokenKind = {
  type: 'hotp',
  checkOtp: (token, otp) => checkHotp(token, otp),
  searchSyncWindow(token, otp): SyncPosition | undefined {
    const start = token.counter + token.window;
    const hit = find(token, otp, start, token.counter + Math.max(token.syncWindow, token.window));
    return hit === undefined ? undefined : { counter: hit };
  },
  followsSyncState: (token, second) => token.syncCounter !== null && second.counter === token.syncCounter + 1,
  resync(token, otp1, otp2): SyncPosition | undefined {
    const end = token.counter + Math.max(token.syncWindow, token.window);
    const first = otpAt(token, otp1);
    const second = otpAt(token, otp2);
    for (let c = token.counter; c < end; c++) {
      if (first(c) && second(c + 1)) return { counter: c + 1 };
    }
    return undefined;
  },
  challenge: {
    create: () => ({ data: '' }),
    checkResponse: (token, _data, response) => checkHotp(token, response),
  },
};
