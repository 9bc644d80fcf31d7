// Static password tokens (LinOTP's spass): the PIN is the whole credential,
// with no OTP. Every login "matches" the token's current counter, so an
// accept still goes through the store's one conditional commit and so
// honours the lock, the validity period and the auth and success limits;
// the counter only counts the logins.

import { TokenTypeError, type TokenKind } from './types.ts';

export const spassKind: TokenKind = {
  type: 'spass',
  pinOnly: true,
  checkOtp: (token, otp) => (otp === '' ? { kind: 'match', counter: token.counter } : { kind: 'none' }),
  searchSyncWindow: () => undefined,
  followsSyncState: () => false,
  resync() {
    throw new TokenTypeError('static password tokens have no OTP: there is nothing to resynchronise');
  },
};
