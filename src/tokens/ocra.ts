// OCRA tokens (RFC 6287): challenge-response only. The server picks a
// question of the suite's format; counter suites accept the next `window`
// counters, time suites `window` time steps each side of now, and suites with
// neither rely on the transaction being deleted when answered.

import { generateChallengeQuestion, ocra, ocraTimeStep, parseOcraSuite, type OcraInput, type OcraSuite } from '../otp/ocra.ts';
import type { Token } from '../model/token.ts';
import { sameOtp } from './compare.ts';
import { TokenTypeError, type OtpMatch, type TokenKind } from './types.ts';

export const DEFAULT_OCRA_SUITE = 'OCRA-1:HOTP-SHA256-8:C-QN08';

const parsed = new Map<string, OcraSuite>();

/** The token's suite (token info `ocrasuite`), parsed once per distinct text. */
export function suiteOf(token: Pick<Token, 'serial' | 'info'>): OcraSuite {
  const text = token.info.ocrasuite;
  if (!text) throw new TokenTypeError(`token ${token.serial}: OCRA token without an ocrasuite in its token info`);
  let suite = parsed.get(text);
  if (!suite) {
    suite = parseOcraSuite(text);
    parsed.set(text, suite);
  }
  return suite;
}

/**
 * Suites this server can run over RADIUS. Session information (S) has no
 * channel to the user's device here; a PIN (P) needs the suite's hash of the
 * PIN, which enrollment keeps in token info `ocraPinHash`.
 */
export function checkServableSuite(suite: OcraSuite): void {
  if (suite.sessionLength !== undefined) throw new TokenTypeError(`OCRA suite ${suite.text}: session information (S) cannot be exchanged over RADIUS`);
}

function answer(token: Token, suite: OcraSuite, question: string, at: { counter?: number; timestamp?: number }): string {
  const input: OcraInput = { question };
  if (at.counter !== undefined) input.counter = at.counter;
  if (at.timestamp !== undefined) input.timestamp = at.timestamp;
  if (suite.pinHash !== undefined) {
    const pinHash = token.info.ocraPinHash;
    if (!pinHash) throw new TokenTypeError(`token ${token.serial}: suite ${suite.text} takes a PIN (P) but the token has no ocraPinHash`);
    input.pinHash = pinHash;
  }
  return ocra(suite, token.seed, input);
}

function same(suite: OcraSuite, expected: string, given: string): boolean {
  // Hex responses (truncation 0) are case-insensitive to a human typing them.
  return sameOtp(expected, suite.digits === 0 ? given.toLowerCase() : given);
}

export function checkOcraResponse(token: Token, question: string, response: string, now: number): OtpMatch {
  const suite = suiteOf(token);
  if (suite.counter) {
    for (let c = token.counter; c < token.counter + Math.max(1, token.window); c++) {
      if (same(suite, answer(token, suite, question, { counter: c }), response)) return { kind: 'match', counter: c };
    }
    for (let c = Math.max(0, token.counter - token.window); c < token.counter; c++) {
      if (same(suite, answer(token, suite, question, { counter: c }), response)) return { kind: 'replay', counter: c };
    }
    return { kind: 'none' };
  }
  if (suite.timeStep !== undefined) {
    const center = ocraTimeStep(now, suite);
    let replay: number | undefined;
    for (let d = 0; d <= token.window; d++) {
      for (const step of d === 0 ? [center] : [center + d, center - d]) {
        if (step < 0 || !same(suite, answer(token, suite, question, { timestamp: step }), response)) continue;
        if (step >= token.counter) return { kind: 'match', counter: step };
        replay ??= step;
      }
    }
    return replay !== undefined ? { kind: 'replay', counter: replay } : { kind: 'none' };
  }
  // Question only: each transaction is answered once (deleting it is the gate); the counter just counts uses.
  return same(suite, answer(token, suite, question, {}), response) ? { kind: 'match', counter: token.counter } : { kind: 'none' };
}

export const ocraKind: TokenKind = {
  type: 'ocra',
  // An OCRA response means nothing without its question: PIN+OTP in one request cannot match.
  checkOtp: () => ({ kind: 'none' }),
  searchSyncWindow: () => undefined,
  followsSyncState: () => false,
  resync(token) {
    throw new TokenTypeError(`token ${token.serial}: OCRA tokens cannot be resynchronised from two responses; answer a challenge (token challenge) instead`);
  },
  challenge: {
    create: (token) => ({ data: generateChallengeQuestion(suiteOf(token)) }),
    checkResponse: checkOcraResponse,
  },
};
