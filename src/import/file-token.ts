// A token as an import file describes it, before it meets the store.

import type { HashAlgorithm, TokenType } from '../model/token.ts';

export interface FileToken {
  /** Where in the file: "line 4", "KeyPackage 2 (Key 12345678)". */
  where: string;
  serial: string;
  type: TokenType;
  seed: Buffer;
  otpLength?: number;
  algorithm?: HashAlgorithm;
  timeStep?: number;
  ocrasuite?: string;
  counter?: number;
  /** Seconds. */
  drift?: number;
  description?: string;
  validFrom?: number;
  validUntil?: number;
  /** An owner the file names (OATH CSV version 2). */
  user?: { login: string; resolver?: string; realm?: string };
}

/** The hash a bare key implies: 32 bytes for SHA-256, 64 for SHA-512, SHA-1 otherwise. */
export function guessAlgorithm(seed: Buffer): HashAlgorithm {
  return seed.length === 64 ? 'sha512' : seed.length === 32 ? 'sha256' : 'sha1';
}
