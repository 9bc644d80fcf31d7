// The refusals an admin meets most, each with a fixed reason and the values
// its sentence names, so the pages can say it in the reader's language; the
// English sentence built here is what the CLI prints and the API's problem
// detail carries.

import { AdminError, type AdminErrorCode } from './errors.ts';

type Params = Record<string, string | number>;

const REFUSALS = {
  'realm-scope': { code: 'forbidden', text: (p) => `${p.name} may act on realm${p.count === 1 ? '' : 's'} ${p.realms} only` },
  role: { code: 'forbidden', text: (p) => `${p.action} is not allowed for the ${p.role} role` },
  'admin-tokens': { code: 'forbidden', text: () => 'the tokens of admin accounts are for the admin role only' },
  'no-token': { code: 'not-found', text: (p) => `no token with serial "${p.serial}"` },
  'token-deleted': { code: 'not-found', text: (p) => `token ${p.serial} was deleted meanwhile` },
  'token-revoked': { code: 'conflict', text: (p) => `${p.serial} is revoked` },
  'revoked-enable': { code: 'conflict', text: (p) => `${p.serial} is revoked and cannot be enabled again` },
  'token-pending': { code: 'conflict', text: (p) => `${p.serial} is pending verification: verify it with one OTP first` },
  'token-owned': { code: 'conflict', text: (p) => `${p.serial} belongs to ${p.owner}; unassign it first` },
  'no-owner': { code: 'conflict', text: (p) => `${p.serial} has no owner; assign it first` },
  'resync-totp': { code: 'invalid', text: (p) => `the two OTPs are not consecutive codes of ${p.serial} within its sync window (${p.window} time steps); nothing changed` },
  'resync-hotp': { code: 'invalid', text: (p) => `the two OTPs are not consecutive codes of ${p.serial} within its sync window (${p.window} counters); nothing changed` },
  'token-used': { code: 'conflict', text: (p) => `${p.serial} was used meanwhile; try again with fresh codes` },
  'own-account-disable': { code: 'conflict', text: () => 'an admin cannot disable their own account' },
  'own-account-delete': { code: 'conflict', text: () => 'an admin cannot delete their own account' },
  'account-exists': { code: 'conflict', text: (p) => `admin account "${p.name}" exists already` },
  'password-short': { code: 'invalid', text: (p) => `the password must have at least ${p.min} characters` },
  'no-email': { code: 'invalid', text: (p) => `${p.login} has no e-mail address in the directory: give --email` },
  'no-phone': { code: 'invalid', text: (p) => `${p.login} has no phone number in the directory: give --phone` },
  'spass-pin': { code: 'invalid', text: () => 'a static password token needs a PIN: it is the whole password (give --pin)' },
} satisfies Record<string, { code: AdminErrorCode; text: (p: Params) => string }>;

export type AdminRefusal = keyof typeof REFUSALS;
export const ADMIN_REFUSALS = Object.keys(REFUSALS) as AdminRefusal[];

/** The refusal as an AdminError: its code and English message, and the reason and values for a translation. */
export function refusal(reason: AdminRefusal, params: Params = {}): AdminError {
  const { code, text } = REFUSALS[reason];
  return new AdminError(code, text(params), [], { reason, params });
}
