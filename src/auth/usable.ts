// Whether a token may be used now: revoked, disabled, pending (enrolled and
// not yet verified), outside its validity period, over its auth or success
// limit, locked by its fail counter, or a static password with nothing to
// check (no PIN, or otppin: none).

import type { Token } from '../model/token.ts';
import { tokenKind } from '../tokens/index.ts';
import type { AuthContext } from './context.ts';

/** Why a token cannot be used now, or undefined. Clears a fail-counter lock after the quiet period. */
export async function unusable(ctx: AuthContext, t: Token, now: number): Promise<string | undefined> {
  if (t.revoked) return 'revoked';
  if (!t.active) return 'disabled';
  if (t.pending) return 'pending';
  if (t.validFrom !== null && now < t.validFrom) return 'not yet valid';
  if (t.validUntil !== null && now > t.validUntil) return 'expired';
  if (t.maxAuth !== null && t.authCount >= t.maxAuth) return 'auth limit reached';
  if (t.maxSuccess !== null && t.successCount >= t.maxSuccess) return 'success limit reached';
  if (tokenKind(t.type).pinOnly) {
    // The PIN is the whole credential: without one, any password (or none) would do.
    if (ctx.policy.otppin === 'none') return 'static password unusable under otppin none';
    if (ctx.policy.otppin === 'token' && t.pinHash === null) return 'static password without a PIN';
  }
  if (t.locked) {
    const timeout = ctx.policy.failCounterClearTimeout;
    if (timeout > 0 && t.lastFail !== null && now - t.lastFail >= timeout) {
      await ctx.store.updateToken(t.serial, { locked: false, failCount: 0 });
      t.locked = false;
      t.failCount = 0;
      ctx.logger.info({ serial: t.serial }, 'fail counter cleared after the quiet period');
      return undefined;
    }
    return 'locked';
  }
  return undefined;
}
