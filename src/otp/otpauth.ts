// The Key Uri Format of Google Authenticator, which most authenticator apps
// read from a QR code:
//   otpauth://TYPE/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&algorithm=SHA1&digits=6&period=30
// Error messages never quote the URI or its secret, only the part at fault.
import type { OtpAlgorithm } from './algorithm.ts';
import { isOtpAlgorithm } from './algorithm.ts';
import { base32Decode, base32Encode } from './base32.ts';
import { OtpInputError } from './errors.ts';

export type OtpauthType = 'hotp' | 'totp';

export interface OtpauthKey {
  type: OtpauthType;
  issuer?: string;
  account: string;
  seed: Buffer;
  algorithm: OtpAlgorithm;
  /** 6, 7 or 8: what authenticator apps display. */
  digits: number;
  /** TOTP time step in seconds; 30 when absent. Not written for HOTP. */
  period?: number;
  /** HOTP counter: required for hotp, ignored for totp. */
  counter?: number;
}

const MIN_DIGITS = 6;
const MAX_DIGITS = 8;

function fail(message: string): never {
  throw new OtpInputError(`otpauth URI: ${message}`);
}

function checkKey(key: OtpauthKey): void {
  if (key.type !== 'hotp' && key.type !== 'totp') fail(`unknown type '${String(key.type)}', expected hotp or totp`);
  if (!key.account) fail('the account name is empty');
  if (key.issuer?.includes(':')) fail(`the issuer must not contain ':' (got '${key.issuer}')`);
  if (key.issuer === undefined && key.account.includes(':')) {
    fail(`the account must not contain ':' when there is no issuer (got '${key.account}')`);
  }
  if (key.seed.length === 0) fail('the secret is empty');
  if (!isOtpAlgorithm(key.algorithm)) fail(`algorithm must be SHA1, SHA256 or SHA512, got '${String(key.algorithm)}'`);
  if (!Number.isInteger(key.digits) || key.digits < MIN_DIGITS || key.digits > MAX_DIGITS) {
    fail(`digits must be 6, 7 or 8, got ${key.digits}`);
  }
  if (key.type === 'totp' && key.period !== undefined && !(Number.isInteger(key.period) && key.period > 0)) {
    fail(`period must be a positive whole number of seconds, got ${key.period}`);
  }
  if (key.type === 'hotp') {
    if (key.counter === undefined) fail('hotp needs a counter');
    if (!Number.isSafeInteger(key.counter) || key.counter < 0) fail(`counter must be a non-negative integer, got ${key.counter}`);
  }
}

export function buildOtpauthUri(key: OtpauthKey): string {
  checkKey(key);
  const label = key.issuer === undefined ? encodeURIComponent(key.account) : `${encodeURIComponent(key.issuer)}:${encodeURIComponent(key.account)}`;
  const params = [`secret=${base32Encode(key.seed, false)}`];
  // The issuer is repeated as a parameter: the label prefix alone is ambiguous to some apps.
  if (key.issuer !== undefined) params.push(`issuer=${encodeURIComponent(key.issuer)}`);
  params.push(`algorithm=${key.algorithm.toUpperCase()}`, `digits=${key.digits}`);
  if (key.type === 'totp') params.push(`period=${key.period ?? 30}`);
  else params.push(`counter=${key.counter}`);
  return `otpauth://${key.type}/${label}?${params.join('&')}`;
}

function decode(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return fail(`${what} has a malformed %-escape`);
  }
}

function wholeNumber(text: string, what: string): number {
  const value = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value)) fail(`${what} must be a non-negative integer, got '${text}'`);
  return value;
}

export function parseOtpauthUri(uri: string): OtpauthKey {
  const text = uri.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (!scheme || scheme[1]!.toLowerCase() !== 'otpauth') {
    // Without a scheme the text may be a bare secret, so none of it is echoed.
    fail(`expected a URI starting with 'otpauth://', got ${scheme ? `'${scheme[0]}...'` : 'text without a scheme'}`);
  }
  const rest = text.slice(scheme[0].length);
  const slash = rest.indexOf('/');
  const typeText = (slash < 0 ? rest.split('?')[0]! : rest.slice(0, slash)).toLowerCase();
  if (typeText !== 'hotp' && typeText !== 'totp') {
    const shown = typeText.length <= 8 ? `'${typeText}'` : `of ${typeText.length} characters`;
    fail(`unknown type ${shown}, expected hotp or totp`);
  }
  const type: OtpauthType = typeText;
  if (slash < 0) fail('missing the label (issuer:account) after the type');

  const question = rest.indexOf('?', slash);
  const rawLabel = question < 0 ? rest.slice(slash + 1) : rest.slice(slash + 1, question);
  const params = new URLSearchParams(question < 0 ? '' : rest.slice(question + 1));

  // The issuer/account separator may be a literal ':' or '%3A'.
  const separator = /:|%3a/i.exec(rawLabel);
  let labelIssuer: string | undefined;
  let account: string;
  if (separator) {
    labelIssuer = decode(rawLabel.slice(0, separator.index), 'the label').trim();
    account = decode(rawLabel.slice(separator.index + separator[0].length), 'the label').trim();
  } else {
    account = decode(rawLabel, 'the label').trim();
  }
  if (!account) fail('missing the account name in the label');

  const secret = params.get('secret');
  if (secret === null || secret.trim() === '') fail('missing the secret parameter');
  let seed: Buffer;
  try {
    seed = base32Decode(secret);
  } catch (err) {
    return fail(`secret is ${(err as Error).message}`);
  }
  if (seed.length === 0) fail('the secret is empty');

  const algorithmText = params.get('algorithm') ?? 'SHA1';
  const algorithm = algorithmText.toLowerCase();
  if (!isOtpAlgorithm(algorithm)) fail(`algorithm must be SHA1, SHA256 or SHA512, got '${algorithmText}'`);

  const digitsText = params.get('digits') ?? '6';
  const digits = /^\d$/.test(digitsText) ? Number(digitsText) : Number.NaN;
  if (!(digits >= MIN_DIGITS && digits <= MAX_DIGITS)) fail(`digits must be 6, 7 or 8, got '${digitsText}'`);

  // The issuer parameter wins over the label prefix (the Key Uri Format says they should match).
  const issuerParam = params.get('issuer');
  const issuer = issuerParam !== null && issuerParam.trim() !== '' ? issuerParam.trim() : labelIssuer || undefined;

  const key: OtpauthKey = { type, account, seed, algorithm, digits };
  if (issuer !== undefined) key.issuer = issuer;
  if (type === 'totp') {
    const periodText = params.get('period') ?? '30';
    const period = wholeNumber(periodText, 'period');
    if (period < 1) fail(`period must be a positive whole number of seconds, got '${periodText}'`);
    key.period = period;
  } else {
    const counterText = params.get('counter');
    if (counterText === null) fail('hotp needs a counter parameter');
    key.counter = wholeNumber(counterText, 'counter');
  }
  return key;
}
