// A failed attempt counts against the tokens it was made with: fail and auth
// counters, and the lock once max fail is reached.

import type { Token } from '../model/token.ts';
import type { FailedToken } from '../store/types.ts';
import type { AuthContext } from './context.ts';

/** One failed attempt on each token; logs the ones this attempt locked. */
export async function failAttempt(ctx: AuthContext, tokens: Token[], now: number): Promise<FailedToken[]> {
  const after = await ctx.store.recordFailure(
    tokens.map((t) => t.serial),
    now,
  );
  for (const t of after) {
    if (t.locked && t.failCount === t.maxFail) ctx.logger.warn({ serial: t.serial, failCount: t.failCount }, 'token locked: max fail reached');
  }
  return after;
}
