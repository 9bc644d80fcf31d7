// How a token shows in the console's tables: the fields an admin reads
// (never the seed or PIN hash), its state in one word, and which of the
// actions make sense for it now; the template asks the role separately.

import { tokenState, type TokenState } from '../../auth/admin.ts';
import type { Token } from '../../model/token.ts';

export interface TokenRow {
  serial: string;
  type: Token['type'];
  state: TokenState;
  description: string;
  owner: { login: string; realm: string } | null;
  /** Where an e-mail or SMS token's codes go, when the token names it (else the directory's). */
  destination: string | null;
  pinSet: boolean;
  failCount: number;
  maxFail: number;
  /** Unix milliseconds, or null. */
  lastAuth: number | null;
  created: number;
  can: { enable: boolean; disable: boolean; verify: boolean; resync: boolean; testSend: boolean; pin: boolean };
}

export function tokenRow(t: Token): TokenRow {
  const state = tokenState(t);
  const otp = t.type === 'hotp' || t.type === 'totp' || t.type === 'ocra';
  return {
    serial: t.serial,
    type: t.type,
    state,
    description: t.description,
    owner: t.owner ? { login: t.owner.login, realm: t.owner.realm } : null,
    destination: t.type === 'email' ? (t.info.email ?? null) : t.type === 'sms' ? (t.info.phone ?? null) : null,
    pinSet: t.pinHash !== null,
    failCount: t.failCount,
    maxFail: t.maxFail,
    lastAuth: t.lastAuth === null ? null : t.lastAuth * 1000,
    created: t.createdAt * 1000,
    can: {
      enable: !t.revoked && !t.active,
      disable: !t.revoked && t.active,
      verify: t.pending && !t.revoked && (t.type === 'hotp' || t.type === 'totp'),
      resync: otp && !t.pending && !t.revoked,
      testSend: t.type === 'email' || t.type === 'sms',
      pin: !t.revoked,
    },
  };
}

/** The path of a user's page in the console. */
export function userPath(prefix: string, realm: string, login: string): string {
  return `${prefix}/users/${encodeURIComponent(realm)}/${encodeURIComponent(login)}`;
}
