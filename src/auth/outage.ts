// An outage is the token store or a resolver not answering: nothing was
// wrong with the request and it may be tried again, so the transports answer
// "unavailable" (HTTP 503) and audits name the outage, not "internal error".

import { StoreError } from '../store/errors.ts';
import { ResolverUnavailableError } from '../users/types.ts';

export type OutageReason = 'store unavailable' | 'resolver unavailable';

export interface Outage {
  reason: OutageReason;
  /** What did not answer, for an admin: the store, or the resolver by name; never the cause's text (addresses, SQL). */
  what: string;
}

export function outageOf(err: unknown): Outage | undefined {
  if (err instanceof ResolverUnavailableError) return { reason: 'resolver unavailable', what: `resolver "${err.resolver}"` };
  if (err instanceof StoreError && err.code === 'unavailable') return { reason: 'store unavailable', what: 'the token store' };
  return undefined;
}

/** The audit detail of an operation that failed with something other than a refusal. */
export function failureDetail(err: unknown): string {
  return outageOf(err)?.reason ?? 'internal error';
}
