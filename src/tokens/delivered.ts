// E-mail and SMS tokens: HOTP over a seed only the server knows. A PIN alone
// makes the server move the counter one step (retiring any code sent before
// and never used) and send the code at the new counter; that code, and no
// other, answers the challenge, once. There is no PIN+OTP in one request:
// the user never has a code before the server sends one.

import { hotp } from '../otp/hotp.ts';
import type { DeliveredType, Token } from '../model/token.ts';
import { otpAt } from './compare.ts';
import { TokenTypeError, type OtpMatch, type TokenKind } from './types.ts';

/** Only the code at the counter, the one sent last; the one before it was used or retired. */
export function checkSentCode(token: Token, response: string): OtpMatch {
  const shows = otpAt(token, response);
  if (shows(token.counter)) return { kind: 'match', counter: token.counter };
  return token.counter > 0 && shows(token.counter - 1) ? { kind: 'replay', counter: token.counter - 1 } : { kind: 'none' };
}

function deliveredKind(type: DeliveredType): TokenKind {
  const what = type === 'email' ? 'e-mail' : 'SMS';
  return {
    type,
    delivery: { channel: type, codeAt: (token, counter) => hotp(token.seed, counter, token.otpLength, token.algorithm) },
    checkOtp: () => ({ kind: 'none' }),
    searchSyncWindow: () => undefined,
    followsSyncState: () => false,
    resync() {
      throw new TokenTypeError(`${what} tokens get their codes from this server, which keeps their counter: there is nothing to resynchronise`);
    },
    challenge: {
      create: () => ({ data: '' }),
      checkResponse: (token, _data, response) => checkSentCode(token, response),
    },
  };
}

export const emailKind = deliveredKind('email');
export const smsKind = deliveredKind('sms');
