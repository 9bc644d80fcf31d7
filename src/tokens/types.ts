// What a token type knows how to do with a token row: check an OTP in its
// window, search the sync window, resynchronise, and (for challenge-response)
// create and check challenges. Pure functions of the row and the clock: the
// store's compare-and-set decides which of two equal answers wins.

import type { DeliveredType, Token, TokenType } from '../model/token.ts';

/**
 * The outcome of checking one OTP against one token. `counter` is the counter
 * (HOTP/OCRA) or time step (TOTP) the OTP belongs to; accepting it moves the
 * token's counter past it. `drift` is the TOTP clock offset it implies, in seconds.
 */
export type OtpMatch = { kind: 'match'; counter: number; drift?: number } | { kind: 'replay'; counter: number } | { kind: 'none' };

/** A position found beyond the window: the first half of an autosync pair, or a resync. */
export interface SyncPosition {
  counter: number;
  drift?: number;
}

export interface ChallengeSupport {
  /** A fresh challenge: `data` is what the user must see and answer (the OCRA question), empty for HOTP/TOTP. */
  create(token: Token, now: number): { data: string };
  checkResponse(token: Token, data: string, response: string, now: number): OtpMatch;
}

/** Tokens whose codes the server makes and sends: the channel, and the code at a counter. */
export interface CodeDelivery {
  readonly channel: DeliveredType;
  codeAt(token: Token, counter: number): string;
}

export interface TokenKind {
  readonly type: TokenType;
  /** The whole password is the PIN and there is no OTP (a static password). */
  readonly pinOnly?: boolean;
  /** The server sends the codes (e-mail, SMS): a PIN alone always opens a challenge, whatever challengeResponse says. */
  readonly delivery?: CodeDelivery;
  /** PIN+OTP in one request; `none` when this type only answers challenges. */
  checkOtp(token: Token, otp: string, now: number): OtpMatch;
  /** An OTP beyond the window but within the sync window, not yet used. */
  searchSyncWindow(token: Token, otp: string, now: number): SyncPosition | undefined;
  /** Is `second` the OTP that directly follows the remembered first one (seen at syncAt)? */
  followsSyncState(token: Token, second: SyncPosition, now: number): boolean;
  /** Two consecutive OTPs anywhere in the sync window: the position of the second, or undefined. */
  resync(token: Token, otp1: string, otp2: string, now: number): SyncPosition | undefined;
  readonly challenge?: ChallengeSupport;
}

export class TokenTypeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenTypeError';
  }
}
