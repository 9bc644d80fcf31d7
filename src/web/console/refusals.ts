// An admin operation's refusal in the reader's language: the refusals of
// auth/admin/refusals.ts have a sentence in the catalogs; any other is shown
// in the operation's own (English) words.

import { AdminError, type AdminRefusal, type Worded } from '../../auth/admin.ts';
import type { MessageKey, Translate } from '../i18n/index.ts';

const KEYS: Record<AdminRefusal, MessageKey> = {
  'realm-scope': 'refusal.realmScope',
  role: 'refusal.role',
  'admin-tokens': 'refusal.adminTokens',
  'no-token': 'refusal.noToken',
  'token-deleted': 'refusal.tokenDeleted',
  'token-revoked': 'refusal.tokenRevoked',
  'revoked-enable': 'refusal.revokedEnable',
  'token-pending': 'refusal.tokenPending',
  'token-owned': 'refusal.tokenOwned',
  'no-owner': 'refusal.noOwner',
  'resync-totp': 'refusal.resyncTotp',
  'resync-hotp': 'refusal.resyncHotp',
  'token-used': 'refusal.tokenUsed',
  'own-account-disable': 'refusal.ownAccountDisable',
  'own-account-delete': 'refusal.ownAccountDelete',
  'account-exists': 'refusal.accountExists',
  'password-short': 'refusal.passwordShort',
  'no-email': 'refusal.noEmail',
  'no-phone': 'refusal.noPhone',
  'spass-pin': 'refusal.spassPin',
};

export function wordRefusal(worded: Worded, t: Translate): string {
  return t(KEYS[worded.reason], worded.params);
}

/** What a refusal says on a page: translated where it can be. */
export function whyRefused(err: AdminError, t: Translate): string {
  return err.worded ? wordRefusal(err.worded, t) : err.message;
}

/** For the console's error pages: a translated refusal's sentence (after what 403 means), else undefined (the page shows the message). */
export function describeRefusal(err: AdminError, t: Translate): string | undefined {
  if (!err.worded) return undefined;
  const sentence = wordRefusal(err.worded, t);
  return err.code === 'forbidden' ? `${t('error.403.text')} (${sentence})` : sentence;
}

/** A refusal a form answers with a notice, in words (at most 300 characters: a notice travels in a cookie); a forbidden or unauthenticated one, or any other error, is thrown on to become an error page. */
export function formRefusal(err: unknown, t: Translate): string {
  if (!(err instanceof AdminError) || err.code === 'forbidden' || err.code === 'unauthenticated') throw err;
  return whyRefused(err, t).slice(0, 300);
}
