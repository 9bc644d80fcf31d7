// A user's token as the portal's pages show it: what it is, its state in a
// word, when it was made and last used, and which actions it offers now.

import { tokenState, type TokenState } from '../../auth/admin.ts';
import type { Token } from '../../model/token.ts';
import type { MessageKey } from '../i18n/index.ts';

export interface TokenCard {
  serial: string;
  type: string;
  typeLabel: MessageKey;
  description: string;
  state: TokenState;
  stateLabel: MessageKey;
  /** Unix milliseconds. */
  created: number;
  lastUsed: number | null;
  /** What the card offers. */
  can: { verify: boolean; pin: boolean; resync: boolean; disable: boolean; delete: boolean; rename: boolean };
}

const TYPE_LABELS: Record<string, MessageKey> = { totp: 'self.type.totp', hotp: 'self.type.hotp' };
const STATE_LABELS: Record<TokenState, MessageKey> = {
  active: 'self.state.active',
  disabled: 'self.state.disabled',
  locked: 'self.state.locked',
  pending: 'self.state.pending',
  revoked: 'self.state.revoked',
};

/** `tokenPins`: whether tokens have PINs of their own here (otppin: token). */
export function tokenCard(t: Token, tokenPins: boolean): TokenCard {
  const state = tokenState(t);
  const app = t.type === 'hotp' || t.type === 'totp';
  const usable = state === 'active' || state === 'locked';
  return {
    serial: t.serial,
    type: t.type,
    typeLabel: TYPE_LABELS[t.type] ?? 'self.type.other',
    description: t.description,
    state,
    stateLabel: STATE_LABELS[state],
    created: t.createdAt * 1000,
    lastUsed: t.lastAuth === null ? null : t.lastAuth * 1000,
    can: {
      verify: state === 'pending',
      pin: tokenPins && app && usable,
      resync: app && state === 'active',
      disable: usable,
      delete: state !== 'revoked',
      rename: state !== 'revoked',
    },
  };
}
