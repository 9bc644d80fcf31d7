// A new token from enrollment options and the configured defaults: the row
// to store and the URI an authenticator app reads from the QR code.

import { createHash, randomBytes } from 'node:crypto';
import type { TokenDefaults } from '../model/token-defaults.ts';
import { base32Encode } from '../otp/base32.ts';
import { parseOcraSuite } from '../otp/ocra.ts';
import { buildOtpauthUri } from '../otp/otpauth.ts';
import { generateSeed } from '../otp/seed.ts';
import type { HashAlgorithm, NewToken, Token, TokenOwner, TokenType } from '../model/token.ts';
import { checkServableSuite } from './ocra.ts';
import { TokenTypeError } from './types.ts';

export interface EnrollOptions {
  type: TokenType;
  serial?: string;
  /** A seed the token already has (hardware token, migration); a random one otherwise. */
  seed?: Buffer;
  digits?: number;
  algorithm?: HashAlgorithm;
  /** TOTP time step in seconds. */
  period?: number;
  ocrasuite?: string;
  /** The PIN that goes into the OCRA computation, for suites with P. */
  ocraPin?: string;
  pinHash?: string | null;
  owner?: TokenOwner | null;
  description?: string;
  /** E-mail tokens: the address codes go to (token info `email`); the owner's from the directory otherwise. */
  email?: string;
  /** SMS tokens: the number codes go to (token info `phone`); the owner's mobile or phone otherwise. */
  phone?: string;
}

export interface Enrolled {
  token: NewToken;
}

const SERIAL = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/** LinOTP-style serial: the type in capitals and 8 random hex digits, e.g. TOTP3F9A0C21. */
export function newSerial(type: TokenType): string {
  return `${type.toUpperCase()}${randomBytes(4).toString('hex').toUpperCase()}`;
}

function checkDigits(digits: number): number {
  if (!Number.isInteger(digits) || digits < 6 || digits > 8) throw new TokenTypeError(`digits: expected 6, 7 or 8, got ${digits}`);
  return digits;
}

/** Options that only some types take, refused elsewhere with the option's name. */
function refuseOptions(options: EnrollOptions, names: (keyof EnrollOptions)[], why: string): void {
  const given = names.filter((n) => options[n] !== undefined);
  if (given.length > 0) throw new TokenTypeError(`${given.map((n) => `--${n === 'ocraPin' ? 'ocra-pin' : n}`).join(', ')}: ${why}`);
}

export function buildToken(options: EnrollOptions, defaults: TokenDefaults): Enrolled {
  const serial = options.serial ?? newSerial(options.type);
  if (!SERIAL.test(serial)) throw new TokenTypeError(`serial: expected letters, digits and _ . : - (at most 64), got "${serial}"`);
  if (options.type !== 'email') refuseOptions(options, ['email'], `applies to e-mail tokens only, not ${options.type}`);
  if (options.type !== 'sms') refuseOptions(options, ['phone'], `applies to SMS tokens only, not ${options.type}`);
  const common = {
    serial,
    maxFail: defaults.maxFail,
    pinHash: options.pinHash ?? null,
    owner: options.owner ?? null,
    description: options.description ?? '',
  };
  switch (options.type) {
    case 'hotp':
    case 'totp': {
      if (options.ocrasuite !== undefined) throw new TokenTypeError(`--ocrasuite applies to OCRA tokens only, not ${options.type}`);
      const d = options.type === 'hotp' ? defaults.hotp : defaults.totp;
      const algorithm = options.algorithm ?? d.algorithm;
      const timeStep = options.type === 'totp' ? (options.period ?? defaults.totp.timeStep) : 30;
      if (options.type === 'hotp' && options.period !== undefined) throw new TokenTypeError('--period applies to TOTP tokens only');
      if (!Number.isInteger(timeStep) || timeStep < 1 || timeStep > 3600) throw new TokenTypeError(`period: expected 1 to 3600 seconds, got ${timeStep}`);
      return {
        token: {
          ...common,
          type: options.type,
          seed: options.seed ?? generateSeed(algorithm),
          otpLength: checkDigits(options.digits ?? d.otpLength),
          algorithm,
          timeStep,
          window: d.window,
          syncWindow: d.syncWindow,
          counter: 0,
        },
      };
    }
    case 'ocra': {
      if (options.period !== undefined || options.digits !== undefined || options.algorithm !== undefined) {
        throw new TokenTypeError('OCRA tokens take their digits, hash and time step from --ocrasuite, not from --digits/--algorithm/--period');
      }
      const suite = parseOcraSuite(options.ocrasuite ?? defaults.ocra.suite);
      checkServableSuite(suite);
      const info: Record<string, string> = { ocrasuite: suite.text };
      if (suite.pinHash !== undefined) {
        if (!options.ocraPin) throw new TokenTypeError(`OCRA suite ${suite.text} takes a PIN (P): give --ocra-pin`);
        info.ocraPinHash = createHash(suite.pinHash).update(options.ocraPin, 'utf8').digest('hex');
      } else if (options.ocraPin !== undefined) {
        throw new TokenTypeError(`OCRA suite ${suite.text} takes no PIN (P); --ocra-pin does not apply`);
      }
      return {
        token: {
          ...common,
          type: 'ocra',
          seed: options.seed ?? generateSeed(suite.algorithm),
          // Only shown to admins: an OCRA response is never split from a PIN. Truncation 0 (the whole HMAC in hex) shows as 10.
          otpLength: suite.digits === 0 ? 10 : suite.digits,
          algorithm: suite.algorithm,
          timeStep: suite.timeStep ?? 30,
          window: defaults.ocra.window,
          syncWindow: defaults.ocra.syncWindow,
          counter: 0,
          info,
        },
      };
    }
    case 'email':
    case 'sms': {
      refuseOptions(options, ['seed', 'period', 'ocrasuite', 'ocraPin'], `do not apply to ${options.type} tokens (the server makes the seed and sends the codes)`);
      const algorithm = options.algorithm ?? 'sha1';
      const to = options.type === 'email' ? options.email : options.phone;
      return {
        token: {
          ...common,
          type: options.type,
          seed: generateSeed(algorithm),
          otpLength: checkDigits(options.digits ?? defaults[options.type].otpLength),
          algorithm,
          timeStep: 30,
          // A sent code is checked at the counter alone: no look-ahead, nothing to sync.
          window: 1,
          syncWindow: 0,
          counter: 0,
          ...(to !== undefined ? { info: { [options.type === 'email' ? 'email' : 'phone']: to } } : {}),
        },
      };
    }
    case 'spass': {
      refuseOptions(options, ['seed', 'digits', 'algorithm', 'period', 'ocrasuite', 'ocraPin'], 'do not apply to static password tokens (the PIN is the whole password)');
      return {
        token: {
          ...common,
          type: 'spass',
          // Never used for a code; the store wants a seed, as LinOTP gave its spass tokens one.
          seed: generateSeed('sha1'),
          otpLength: 6,
          algorithm: 'sha1',
          timeStep: 30,
          window: 0,
          syncWindow: 0,
          counter: 0,
        },
      };
    }
  }
}

/** Types an authenticator app holds the seed of; the seed of the others never leaves the server. */
export function hasProvisioningUri(type: TokenType): boolean {
  return type === 'hotp' || type === 'totp' || type === 'ocra';
}

/**
 * What an authenticator app reads from the QR code. HOTP/TOTP use the Key Uri
 * Format; OCRA has no standard, so its URI follows the same pattern with type
 * `ocra` and an `ocrasuite` parameter (documented in README).
 */
export function provisioningUri(token: Pick<Token, 'type' | 'seed' | 'algorithm' | 'otpLength' | 'timeStep' | 'counter' | 'info'>, account: string, issuer: string): string {
  if (token.type !== 'hotp' && token.type !== 'totp' && token.type !== 'ocra') throw new TokenTypeError(`${token.type} tokens have no provisioning URI: their seed stays on the server`);
  if (token.type === 'ocra') {
    const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
    const params = new URLSearchParams({ secret: base32Encode(token.seed, false), issuer, ocrasuite: token.info.ocrasuite ?? '' });
    if (token.info.ocrasuite?.includes(':C-')) params.set('counter', String(token.counter));
    return `otpauth://ocra/${label}?${params.toString().replace(/\+/g, '%20')}`;
  }
  return buildOtpauthUri({
    type: token.type,
    issuer,
    account,
    seed: token.seed,
    algorithm: token.algorithm,
    digits: token.otpLength,
    ...(token.type === 'totp' ? { period: token.timeStep } : { counter: token.counter }),
  });
}
