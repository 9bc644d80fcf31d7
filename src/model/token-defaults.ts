// What a new token gets unless the enrollment says otherwise; the config's
// `tokens:` section overrides each value.

import type { HashAlgorithm } from './token.ts';

/** What `token enroll` gives a new token unless told otherwise. */
export interface TokenDefaults {
  hotp: { window: number; syncWindow: number; otpLength: number; algorithm: HashAlgorithm };
  totp: { window: number; syncWindow: number; otpLength: number; algorithm: HashAlgorithm; timeStep: number };
  ocra: { window: number; syncWindow: number; suite: string };
  /** Codes the server sends: their length. */
  email: { otpLength: number };
  sms: { otpLength: number };
  maxFail: number;
  /** Issuer shown in authenticator apps (otpauth URI). */
  issuer: string;
}

export const DEFAULT_TOKENS: TokenDefaults = {
  hotp: { window: 10, syncWindow: 1000, otpLength: 6, algorithm: 'sha1' },
  totp: { window: 180, syncWindow: 40, otpLength: 6, algorithm: 'sha1', timeStep: 30 },
  ocra: { window: 10, syncWindow: 100, suite: 'OCRA-1:HOTP-SHA256-8:C-QN08' },
  email: { otpLength: 6 },
  sms: { otpLength: 6 },
  maxFail: 10,
  issuer: 'otp-radius',
};
