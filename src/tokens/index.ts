// The registry of token types: auth/ asks it what a token of a given type
// does, and never branches on the type itself.

import type { TokenType } from '../model/token.ts';
import { hotpKind } from './hotp.ts';
import { ocraKind } from './ocra.ts';
import { totpKind } from './totp.ts';
import type { TokenKind } from './types.ts';

export type { ChallengeSupport, OtpMatch, SyncPosition, TokenKind } from './types.ts';
export { TokenTypeError } from './types.ts';
export { DEFAULT_OCRA_SUITE, checkServableSuite, suiteOf } from './ocra.ts';
export { buildToken, newSerial, provisioningUri, type EnrollOptions, type Enrolled } from './enroll.ts';

const KINDS: Readonly<Record<TokenType, TokenKind>> = { hotp: hotpKind, totp: totpKind, ocra: ocraKind };

export function tokenKind(type: TokenType): TokenKind {
  const kind = KINDS[type];
  if (!kind) throw new Error(`unknown token type "${String(type)}"`);
  return kind;
}
