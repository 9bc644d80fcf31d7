// An outage (the store or a resolver not answering) fails every login while
// it lasts: it is logged once a minute per cause, with how many requests it
// failed since the last line, not once per request.

import type { AuthContext } from './context.ts';

const INTERVAL_MS = 60_000;

const seen = new WeakMap<AuthContext, Map<string, { loggedAt: number; since: number }>>();

export function logOutage(ctx: AuthContext, cause: string, fields: Record<string, unknown>, message: string): void {
  let causes = seen.get(ctx);
  if (!causes) {
    causes = new Map();
    seen.set(ctx, causes);
  }
  const now = Date.now();
  const last = causes.get(cause);
  if (last && now - last.loggedAt < INTERVAL_MS) {
    last.since++;
    return;
  }
  // Causes carry an error's text: a runaway variety of them must not grow the map forever.
  if (causes.size > 1000) causes.clear();
  causes.set(cause, { loggedAt: now, since: 0 });
  ctx.logger.error({ ...fields, ...(last ? { failedSinceLastLine: last.since } : {}) }, message);
}
