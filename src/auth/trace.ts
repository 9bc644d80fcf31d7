// What `serve --debug` prints per request: each step of a decision (realm,
// user, tokens, how each OTP and PIN check went, never their values), on
// the request's own log lines. The steps reach the logger through the
// request's async context, so nothing is passed down when nobody traces.

import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';

interface Tracer {
  logger: Logger;
  request: string;
}

const current = new AsyncLocalStorage<Tracer>();

/** Runs `work` with its steps logged at debug level under the request's id. */
export function traced<T>(logger: Logger, request: string, work: () => Promise<T>): Promise<T> {
  return current.run({ logger, request }, work);
}

/** One step of the decision being traced; nothing when no request is. */
export function trace(step: string, fields: Record<string, unknown> = {}): void {
  const t = current.getStore();
  if (t) t.logger.debug({ request: t.request, ...fields }, step);
}
