// Token rows for tests, without a store.

import type { Token } from '../../src/model/token.ts';

/** RFC 4226 / RFC 6238 SHA1 test seed. */
export const RFC_SEED = Buffer.from('12345678901234567890', 'ascii');

export function token(over: Partial<Token> = {}): Token {
  return {
    serial: 'T1',
    type: 'hotp',
    seed: RFC_SEED,
    otpLength: 6,
    algorithm: 'sha1',
    timeStep: 30,
    counter: 0,
    drift: 0,
    window: 10,
    syncWindow: 1000,
    pinHash: null,
    owner: null,
    active: true,
    pending: false,
    revoked: false,
    locked: false,
    failCount: 0,
    maxFail: 10,
    authCount: 0,
    maxAuth: null,
    successCount: 0,
    maxSuccess: null,
    validFrom: null,
    validUntil: null,
    lastAuth: null,
    lastFail: null,
    syncCounter: null,
    syncAt: null,
    description: '',
    info: {},
    createdAt: 0,
    ...over,
  };
}
