// The authentication policy: what the config's `policy`, `tokens` and
// `challenges` sections decide. Defaults are LinOTP's/privacyIDEA's.

import type { ChallengeType, DeliveredType, TokenType } from './token.ts';

/** Where the PIN stands in PIN+OTP: before the OTP (LinOTP's default) or after it. */
export type PinPosition = 'prepend' | 'append';

/** LinOTP otppin 0, 1, 2: the token's own PIN, the user's directory password, or no PIN. */
export type OtpPinPolicy = 'token' | 'userstore' | 'none';

/**
 * What counts toward a token's max fail. `otp`: only a wrong OTP that came
 * with the right first factor (with otppin none, every wrong OTP); wrong
 * PINs are throttled instead and replays are not counted, so knowing a user
 * name is not enough to lock the user out. `linotp`: every failed attempt
 * on the token counts, wrong PIN and replay included, as in LinOTP and
 * privacyIDEA.
 */
export type LockoutPolicy = 'otp' | 'linotp';

/**
 * The self-clearing backoff for wrong first factors of one user from one
 * source: `freeAttempts` in a row cost nothing, then each further one is
 * possible only after a delay that starts at `firstDelaySeconds` and doubles
 * up to `maxDelaySeconds`; after `resetAfterSeconds` without a failure the
 * count starts over, and a successful login clears it.
 */
export interface ThrottlePolicy {
  freeAttempts: number;
  firstDelaySeconds: number;
  maxDelaySeconds: number;
  resetAfterSeconds: number;
}

/**
 * Codes the server sends for e-mail and SMS tokens: how long a sent code is
 * accepted, and whether a PIN that matches several such tokens sends to all
 * of them (LinOTP's way) or to one, the first channel of `preferred` that
 * the user has a token for (the next one when that send fails).
 */
export interface CodePolicy {
  /** Seconds a sent code is accepted (the challenge's lifetime), per channel. */
  validity: Record<DeliveredType, number>;
  send: 'all' | 'preferred';
  preferred: DeliveredType[];
}

export const DEFAULT_CODES: CodePolicy = { validity: { email: 300, sms: 300 }, send: 'all', preferred: ['sms', 'email'] };

export const DEFAULT_THROTTLE: ThrottlePolicy = { freeAttempts: 5, firstDelaySeconds: 2, maxDelaySeconds: 900, resetAfterSeconds: 3600 };

export interface AuthPolicy {
  otppin: OtpPinPolicy;
  lockout: LockoutPolicy;
  /** False: no throttle. */
  throttle: ThrottlePolicy | false;
  pinPosition: PinPosition;
  splitAtSign: boolean;
  splitDomain: boolean;
  passOnNoToken: boolean;
  passOnNoUser: boolean;
  /** Token types that answer a PIN-only password with a challenge; e-mail and SMS tokens always do (it is their only way). */
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
  codes: CodePolicy;
  replyMessages: {
    accept?: string;
    reject?: string;
    /**
     * Prompt per token type; `{challenge}` is replaced by the challenge data
     * (OCRA question), `{destination}` by where e-mail and SMS codes went (masked).
     */
    challenge: Record<ChallengeType, string>;
  };
}

export const DEFAULT_POLICY: AuthPolicy = {
  otppin: 'token',
  lockout: 'otp',
  throttle: DEFAULT_THROTTLE,
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
  codes: DEFAULT_CODES,
  replyMessages: {
    challenge: {
      hotp: 'Please enter your OTP',
      totp: 'Please enter your OTP',
      ocra: 'Please answer the challenge: {challenge}',
      email: 'A code was sent to {destination}',
      sms: 'A code was sent to {destination}',
    },
  },
};
