// The authentication policy: what the config's `policy`, `tokens` and
// `challenges` sections decide. Defaults are LinOTP's/privacyIDEA's.

import type { TokenType } from './token.ts';

/** Where the PIN stands in PIN+OTP: before the OTP (LinOTP's default) or after it. */
export type PinPosition = 'prepend' | 'append';

/** LinOTP otppin 0, 1, 2: the token's own PIN, the user's directory password, or no PIN. */
export type OtpPinPolicy = 'token' | 'userstore' | 'none';

export interface AuthPolicy {
  otppin: OtpPinPolicy;
  pinPosition: PinPosition;
  splitAtSign: boolean;
  splitDomain: boolean;
  passOnNoToken: boolean;
  passOnNoUser: boolean;
  /** Token types that answer a PIN-only password with a challenge. */
  challengeResponse: TokenType[];
  autoResync: boolean;
  /** Seconds within which the second OTP of an autosync pair must come. */
  autoResyncTimeout: number;
  /** Seconds of quiet after which a fail counter at max fail is cleared; 0 = never (admin reset only). */
  failCounterClearTimeout: number;
  challengeTimeout: number;
  challengeMaxAttempts: number;
  /** Open challenges kept per token (LinOTP OcraMaxChallenges). */
  maxChallengesPerToken: number;
  replyMessages: {
    accept?: string;
    reject?: string;
    /** Prompt per token type; `{challenge}` is replaced by the challenge data (OCRA question). */
    challenge: Record<TokenType, string>;
  };
}

export const DEFAULT_POLICY: AuthPolicy = {
  otppin: 'token',
  pinPosition: 'prepend',
  splitAtSign: true,
  splitDomain: true,
  passOnNoToken: false,
  passOnNoUser: false,
  challengeResponse: ['hotp', 'totp', 'ocra'],
  autoResync: true,
  autoResyncTimeout: 240,
  failCounterClearTimeout: 0,
  challengeTimeout: 120,
  challengeMaxAttempts: 3,
  maxChallengesPerToken: 3,
  replyMessages: {
    challenge: {
      hotp: 'Please enter your OTP',
      totp: 'Please enter your OTP',
      ocra: 'Please answer the challenge: {challenge}',
    },
  },
};
