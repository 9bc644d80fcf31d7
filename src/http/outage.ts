// A request that failed because the token store or a resolver did not
// answer: the listeners answer it 503 in their own format, each after the
// same two steps here.

import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { outageOf, type Outage } from '../auth/outage.ts';

/** Seconds an answer to a request that failed on an outage asks the client to wait; long enough for a directory or database failover. */
export const OUTAGE_RETRY_SECONDS = 30;

/**
 * The outage behind `err`, if it is one: logged as a warning (`failed`, then
 * the reason; the cause stays in the log, never in the answer) and
 * Retry-After set on the reply. Undefined for any other error.
 */
export function outageAnswer(err: Error, reply: FastifyReply, logger: Logger, path: string, failed: string): Outage | undefined {
  const outage = outageOf(err);
  if (!outage) return undefined;
  logger.warn({ err: err.message, path }, `${failed}: ${outage.reason}`);
  reply.header('Retry-After', String(OUTAGE_RETRY_SECONDS));
  return outage;
}
