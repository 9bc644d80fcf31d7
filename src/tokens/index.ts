// The registry of token types: auth/ asks it what a token of a given type
// does, and never branches on the type itself.

import type { TokenType } from '../model/token.ts';
import { emailKind, smsKind } from './delivered.ts';
import { hotpKind } from './hotp.ts';
import { ocraKind } from './ocra.ts';
import { spassKind } from './spass.ts';
import { totpKind } from './totp.ts';
import type { TokenKind } from './types.ts';

export type { ChallengeSupport, CodeDelivery, OtpMatch, SyncPosition, TokenKind } from './types.ts';
export { TokenTypeError } from './types.ts';
export { DEFAULT_OCRA_SUITE, checkServableSuite, suiteOf } from './ocra.ts';
export { buildToken, hasProvisioningUri, newSerial, provisioningUri, type EnrollOptions, type Enrolled } from './enroll.ts';

const KINDS: Readonly<Record<TokenType, TokenKind>> = { hotp: hotpKind, totp: totpKind, ocra: ocraKind, email: emailKind, sms: smsKind, spass: spassKind };

export function tokenKind(type: TokenType): TokenKind {
  const kind = KINDS[type];
  if (!kind) throw new Error(`unknown token type "${String(type)}"`);
  return kind;
}
