// Why a self-service action did not happen: an AdminError (so the pages
// show it like any refusal) that also names a fixed reason, which the pages
// turn into a sentence in the user's language.

import { AdminError, type AdminErrorCode } from '../admin/errors.ts';

export const SELF_REFUSALS = [
  'off',
  'type',
  'group',
  'has-token',
  'pending',
  'max-tokens',
  'code-needed',
  'code-wrong',
  'throttled',
  'pin-short',
  'pin-long',
  'pin-one-digit',
  'pin-mismatch',
  'pin-policy',
  'otp-wrong',
  'last-token',
  'not-found',
  'description',
  'resync',
  'state',
] as const;
export type SelfRefusal = (typeof SELF_REFUSALS)[number];

export class SelfServiceError extends AdminError {
  override name = 'SelfServiceError';
  readonly reason: SelfRefusal;
  /** Values the sentence names (a maximum, a length). */
  readonly params: Record<string, string | number>;

  constructor(code: AdminErrorCode, reason: SelfRefusal, message: string, params: Record<string, string | number> = {}) {
    super(code, message);
    this.reason = reason;
    this.params = params;
  }
}
