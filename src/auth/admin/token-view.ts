// How tokens look to an admin, the same in the CLI, the API and the console:
// every field but the seed and the PIN hash.

import type { Token } from '../../model/token.ts';

function when(unix: number | null): string | null {
  return unix === null ? null : new Date(unix * 1000).toISOString().replace('.000Z', 'Z');
}

export const TOKEN_STATES = ['active', 'disabled', 'locked', 'pending', 'revoked'] as const;
export type TokenState = (typeof TOKEN_STATES)[number];

/** One word for a token's state; the first that applies of revoked, locked, disabled, pending, active. */
export function tokenState(t: Token): TokenState {
  if (t.revoked) return 'revoked';
  if (t.locked) return 'locked';
  if (!t.active) return 'disabled';
  return t.pending ? 'pending' : 'active';
}

/** The JSON form of a token (`token show --json`, the API). */
export function tokenView(t: Token): Record<string, unknown> {
  return {
    serial: t.serial,
    type: t.type,
    state: tokenState(t),
    active: t.active,
    pending: t.pending,
    revoked: t.revoked,
    locked: t.locked,
    user: t.owner?.login ?? null,
    realm: t.owner?.realm ?? null,
    resolver: t.owner?.resolver ?? null,
    userId: t.owner?.userId ?? null,
    pin: t.pinHash === null ? 'none' : 'set',
    otpLength: t.otpLength,
    algorithm: t.algorithm,
    ...(t.type === 'totp' ? { timeStep: t.timeStep, drift: t.drift } : {}),
    ...(t.type === 'ocra' ? { ocrasuite: t.info.ocrasuite } : {}),
    counter: t.counter,
    window: t.window,
    syncWindow: t.syncWindow,
    failCount: t.failCount,
    maxFail: t.maxFail,
    authCount: t.authCount,
    maxAuth: t.maxAuth,
    successCount: t.successCount,
    maxSuccess: t.maxSuccess,
    validFrom: when(t.validFrom),
    validUntil: when(t.validUntil),
    lastAuth: when(t.lastAuth),
    lastFail: when(t.lastFail),
    created: when(t.createdAt),
    description: t.description,
    info: Object.fromEntries(Object.entries(t.info).filter(([k]) => !/pin|seed|key/i.test(k))),
  };
}
