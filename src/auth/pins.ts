// The first factor: the token PIN, the directory password (otppin:
// userstore) or nothing (otppin: none), and the KDF spent where no PIN is
// checked so the answer time does not tell who exists.

import type { Token } from '../model/token.ts';
import type { AuthContext, Subject } from './context.ts';
import { trace } from './trace.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Is `pin` (the bytes the NAS sent) right for this token under the PIN policy? */
export async function pinMatches(ctx: AuthContext, subject: Subject, token: Token, pin: Buffer): Promise<boolean> {
  switch (ctx.policy.otppin) {
    case 'token': {
      const right = await ctx.pins.verify(pin, token.pinHash);
      if (right && token.pinHash !== null) await rehashPin(ctx, token, token.pinHash, pin);
      return right;
    }
    case 'userstore': {
      // An empty directory password is never a match (an LDAP bind with it is anonymous and succeeds);
      // nor are bytes that are not UTF-8 text, which no directory password is.
      if (pin.length === 0) return false;
      let text: string;
      try {
        text = utf8.decode(pin);
      } catch {
        return false;
      }
      return ctx.users.checkPassword(subject.user, text);
    }
    case 'none':
      return pin.length === 0;
  }
}

/** A right PIN under an old hash format is stored again in the current one (LinOTP imports). */
async function rehashPin(ctx: AuthContext, token: Token, stored: string, pin: Buffer): Promise<void> {
  const { pins, store, logger } = ctx;
  if (!pins.needsRehash?.(stored)) return;
  const fresh = await pins.hash(pin.toString('utf8'));
  await store.updateToken(token.serial, { pinHash: fresh });
  token.pinHash = fresh;
  logger.info({ serial: token.serial }, 'PIN hash upgraded to the current format');
}

/**
 * What judging a wrong password costs a user with a token, spent where no
 * password is judged (unknown user, no token, a locked or disabled token, a
 * throttled source), so the answer time does not tell which it was: the PIN
 * part checked, and the whole password tried as a PIN when challenges are on.
 */
export async function spendFirstFactorCost(ctx: AuthContext, tokensRead = true): Promise<void> {
  // Where no user's tokens were read, one lookup that finds none reads the same index pages.
  if (!tokensRead) await ctx.store.tokensOfUser('', '');
  if (ctx.policy.otppin !== 'token') return;
  const checks = ctx.policy.challengeResponse.length > 0 ? 2 : 1;
  // At once, as a wrong password's two checks run.
  await Promise.all(Array.from({ length: checks }, () => ctx.pins.verify('\u0000', null)));
}

/** One KDF per token and request at most, whichever step asks first. */
export function pinCache(ctx: AuthContext, subject: Subject): (token: Token, pin: Buffer) => Promise<boolean> {
  const results = new Map<Token, Promise<boolean>>();
  return (token, pin) => {
    let result = results.get(token);
    if (!result) {
      result = pinMatches(ctx, subject, token, pin);
      result.then(
        (right) => trace('first factor checked', { serial: token.serial, policy: ctx.policy.otppin, right }),
        () => undefined,
      );
      results.set(token, result);
    }
    return result;
  };
}
