// Why an admin operation did not happen, in words the front ends show as
// they are: the CLI prints the message, HTTP maps the code to a status.

import type { AdminRefusal } from './refusals.ts';

/**
 * forbidden: the role may not; not-found; conflict: the state does not allow
 * it now; invalid: the input is wrong; unauthenticated: no valid login, key
 * or session; throttled: too many failed logins from there, try later.
 */
export type AdminErrorCode = 'forbidden' | 'not-found' | 'conflict' | 'invalid' | 'unauthenticated' | 'throttled';

/** A refusal of refusals.ts: its reason and the values its sentence names. */
export interface Worded {
  reason: AdminRefusal;
  params: Record<string, string | number>;
}

export class AdminError extends Error {
  override name = 'AdminError';
  readonly code: AdminErrorCode;
  /** Every problem when there are several (an import file's lines). */
  readonly problems: readonly string[];
  /** Set for the refusals the pages translate. */
  readonly worded: Worded | undefined;

  constructor(code: AdminErrorCode, message: string, problems: readonly string[] = [], worded?: Worded) {
    super(message);
    this.code = code;
    this.problems = problems;
    this.worded = worded;
  }
}
