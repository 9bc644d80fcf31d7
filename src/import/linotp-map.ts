// A LinOTP Token row in our terms. What LinOTP stores and what it means here:
//
// - LinOtpTokenType: hmac -> hotp, totp -> totp, ocra2 -> ocra, email,
//   sms and spass as they are; other types (pw, push, qr, yubikey, remote,
//   radius, ...) are listed as not imported.
// - E-mail and SMS tokens keep the address or number LinOTP stored in
//   token info (email_address, phone) as our token info email / phone;
//   without one, codes go to the owner's address or number in the directory
//   (LinOTP's dynamic_email_address / sms_dynamic_mobile_number). A spass
//   token's PIN is its whole password; LinOTP gave it a seed it never used.
// - LinOtpCount is the next usable counter: LinOTP stores matched + 1 after
//   every accepted OTP, for TOTP too (the time step of the OTP, plus one).
//   That is exactly Token.counter, so an OTP LinOTP accepted stays used.
// - LinOtpCountWindow: the HOTP look-ahead. For TOTP, LinOTP 2 checks the
//   token info timeWindow (seconds each side) and LinOTP 3 count window time
//   steps each side; the wider of the two is kept so no token that worked
//   stops working.
// - Token info (JSON): hashlib, timeStep, timeShift (seconds, our drift),
//   validity_period_start/end ("%d/%m/%y %H:%M" in UTC: LinOTP's
//   admin/setValidity writes utcfromtimestamp(), and LinOTP 3.1 and later
//   compare it with utcnow()),
//   count_auth(_max), count_auth_success(_max) (0 = unlimited), ocrasuite.
// - LinOtpFailCount >= LinOtpMaxFail is LinOTP's lock; here it sets `locked`.

import { createHash } from 'node:crypto';
import { parseOcraSuite, type OcraSuite } from '../otp/ocra.ts';
import { linotpPinHash } from '../store/pin-hash.ts';
import { checkSerial } from '../store/validate.ts';
import { HASH_ALGORITHMS, type HashAlgorithm, type Token, type TokenType } from '../model/token.ts';
import { checkServableSuite } from '../tokens/ocra.ts';
import { TokenTypeError } from '../tokens/types.ts';
import { ImportError, Problems } from './errors.ts';
import { decryptPin, decryptSeed, decryptUserPin, pinFingerprint } from './linotp-crypto.ts';
import type { LinotpData, LinotpRow } from './linotp-db.ts';

export type LinotpPin =
  | { kind: 'none' }
  /** A LinOTP hash, kept as is (store format) until the first login re-hashes it. */
  | { kind: 'hash'; hash: string; fingerprint: string }
  /** An encrypted PIN, decrypted: to be hashed in our format. */
  | { kind: 'plain'; pin: string; fingerprint: string };

export interface LinotpOwner {
  /** The resolver's name in LinOTP (the last part of LinOtpIdResClass). */
  resolver: string;
  userId: string;
  /** The token's LinOTP realms (TokenRealm), lower case. */
  realms: string[];
}

/** The fields of our Token that a LinOTP row gives directly. */
type DecodedFields =
  | 'serial'
  | 'type'
  | 'seed'
  | 'otpLength'
  | 'algorithm'
  | 'timeStep'
  | 'counter'
  | 'drift'
  | 'window'
  | 'syncWindow'
  | 'maxFail'
  | 'failCount'
  | 'locked'
  | 'active'
  | 'description'
  | 'info'
  | 'authCount'
  | 'maxAuth'
  | 'successCount'
  | 'maxSuccess'
  | 'validFrom'
  | 'validUntil'
  | 'lastAuth';

/** A LinOTP token decoded: everything but the owner lookup and PIN hashing. */
export interface LinotpToken extends Pick<Token, DecodedFields> {
  linotpType: string;
  pin: LinotpPin;
  owner: LinotpOwner | null;
  createdAt: number | null;
}

export interface NotImported {
  serial: string;
  type: string;
  reason: string;
  /** LinOTP user id and resolver, when the token had an owner. */
  owner?: string;
}

export interface Decoded {
  tokens: LinotpToken[];
  notImported: NotImported[];
  warnings: string[];
}

const TYPES: Readonly<Record<string, TokenType>> = { hmac: 'hotp', totp: 'totp', ocra2: 'ocra', email: 'email', sms: 'sms', spass: 'spass' };

/** Where LinOTP keeps the destination in token info, and where we keep it. */
const DESTINATION_INFO: Partial<Record<TokenType, [linotp: string, ours: string]>> = { email: ['email_address', 'email'], sms: ['phone', 'phone'] };
const HASHES: readonly HashAlgorithm[] = HASH_ALGORITHMS;

/** Text of a column; MS SQL and some drivers pad empty columns with a space. */
function text(row: LinotpRow, col: string): string {
  const v = row[col];
  if (v === null || v === undefined) return '';
  return (Buffer.isBuffer(v) ? v.toString('utf8') : String(v)).trim();
}

function int(value: unknown, what: string, fallback: number): number {
  if (value === null || value === undefined || value === '') return fallback;
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isSafeInteger(n)) throw new ImportError([`${what}: expected a whole number, got ${JSON.stringify(value)}`]);
  return n;
}

function bool(value: unknown, what: string): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'boolean') return value;
  const t = String(value).trim().toLowerCase();
  if (['1', 't', 'true', 'y', 'yes'].includes(t)) return true;
  if (['0', 'f', 'false', 'n', 'no', ''].includes(t)) return false;
  throw new ImportError([`${what}: expected a boolean, got ${JSON.stringify(value)}`]);
}

/** LinOTP's "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC (it stores utcnow()). */
function utcTimestamp(value: unknown, what: string): number | null {
  if (value === null || value === undefined || value === '') return null;
  if (value instanceof Date) return Math.floor(value.getTime() / 1000);
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(String(value).trim());
  if (!m) throw new ImportError([`${what}: expected "YYYY-MM-DD HH:MM:SS", got ${JSON.stringify(value)}`]);
  return Math.floor(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) / 1000);
}

/** LinOTP's validity period, "%d/%m/%y %H:%M" in UTC whatever this machine's time zone. */
export function validityTime(value: unknown, what: string): number | null {
  if (value === null || value === undefined || value === '') return null;
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{2}) (\d{1,2}):(\d{2})$/.exec(String(value).trim());
  if (!m) throw new ImportError([`${what}: expected "DD/MM/YY HH:MM", got ${JSON.stringify(value)}`]);
  const yy = Number(m[3]);
  const date = new Date(Date.UTC(yy < 69 ? 2000 + yy : 1900 + yy, Number(m[2]) - 1, Number(m[1]), Number(m[4]), Number(m[5])));
  if (date.getUTCDate() !== Number(m[1]) || date.getUTCMonth() !== Number(m[2]) - 1 || Number(m[4]) > 23) throw new ImportError([`${what}: no such date ${JSON.stringify(value)}`]);
  return Math.floor(date.getTime() / 1000);
}

function tokenInfo(raw: string): Record<string, unknown> {
  if (raw === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new ImportError([`LinOtpTokenInfo: not JSON (${(err as Error).message})`]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ImportError(['LinOtpTokenInfo: expected a JSON object']);
  return parsed as Record<string, unknown>;
}

/** Unlimited is 0 in LinOTP and null here. */
function limit(v: number): number | null {
  return v > 0 ? v : null;
}

/** The resolver's configured name: LinOTP writes `useridresolver.LDAPIdResolver.IdResolver.NAME`. */
export function resolverName(spec: string): string {
  const parts = spec.split('.');
  return parts[parts.length - 1]!.trim();
}

function decodePin(row: LinotpRow, keys: readonly Buffer[]): LinotpPin {
  const stored = text(row, 'linotppinhash');
  const salt = text(row, 'linotpseed');
  if (stored === '') return { kind: 'none' };
  const fingerprint = pinFingerprint(keys, stored, salt);
  if (stored.startsWith('@@')) return { kind: 'plain', pin: decryptPin(keys, stored), fingerprint };
  const hash = linotpPinHash(salt, stored);
  if (!hash) throw new ImportError([`LinOtpPinHash/LinOtpSeed: expected a 64-digit hex SHA-256 and a hex salt (LinOTP's PIN hash), got ${stored.length} and ${salt.length} characters`]);
  return { kind: 'hash', hash, fingerprint };
}

interface Common {
  row: LinotpRow;
  info: Record<string, unknown>;
  keys: readonly Buffer[];
}

function ocraParams(c: Common): { suite: OcraSuite; info: Record<string, string> } | string {
  const suiteText = typeof c.info.ocrasuite === 'string' ? c.info.ocrasuite.trim() : '';
  if ('rollout' in c.info) return 'OCRA2 enrollment not completed (rollout in token info)';
  if (suiteText === '') throw new ImportError(['token info has no ocrasuite']);
  const suite = parseOcraSuite(suiteText);
  try {
    checkServableSuite(suite);
  } catch (err) {
    if (err instanceof TokenTypeError) return err.message;
    throw err;
  }
  const info: Record<string, string> = { ocrasuite: suite.text };
  if (suite.pinHash !== undefined) {
    const pinUser = text(c.row, 'linotptokenpinuser');
    if (pinUser === '') throw new ImportError([`OCRA suite ${suite.text} takes a PIN (P), but LinOtpTokenPinUser is empty`]);
    const ocraPin = decryptUserPin(c.keys, pinUser, text(c.row, 'linotptokenpinuseriv'));
    info.ocraPinHash = createHash(suite.pinHash).update(ocraPin, 'utf8').digest('hex');
  }
  return { suite, info };
}

function decodeRow(row: LinotpRow, realms: string[], keys: readonly Buffer[], notImported: NotImported[], warnings: string[], now: number): LinotpToken | undefined {
  const serial = text(row, 'linotptokenserialnumber');
  const linotpType = text(row, 'linotptokentype') || 'hmac';
  const userId = text(row, 'linotpuserid');
  const resolverSpec = text(row, 'linotpidresclass') || text(row, 'linotpidresolver');
  const ownerText = userId ? `${userId} (resolver ${resolverName(resolverSpec) || '?'})` : undefined;
  const skip = (reason: string): undefined => {
    notImported.push({ serial, type: linotpType, reason, ...(ownerText ? { owner: ownerText } : {}) });
    return undefined;
  };
  const type = TYPES[linotpType.toLowerCase()];
  if (!type) return skip(`token type "${linotpType}" has no equivalent here`);

  const info = tokenInfo(text(row, 'linotptokeninfo'));
  const c: Common = { row, info, keys };
  const hashlib =
    String(info.hashlib ?? 'sha1')
      .trim()
      .toLowerCase() || 'sha1';
  if (type !== 'ocra' && !HASHES.includes(hashlib as HashAlgorithm)) return skip(`hash algorithm "${hashlib}" is not supported (sha1, sha256, sha512)`);

  let ocra: { suite: OcraSuite; info: Record<string, string> } | undefined;
  if (type === 'ocra') {
    const params = ocraParams(c);
    if (typeof params === 'string') return skip(params);
    ocra = params;
  }
  let seed: Buffer;
  if (text(row, 'linotpkeyenc') !== '') seed = decryptSeed(keys, text(row, 'linotpkeyenc'), text(row, 'linotpkeyiv'));
  // A static password never computes a code: one without a seed gets a fixed stand-in, the same on every run.
  else if (type === 'spass') seed = createHash('sha256').update(`spass ${serial}`).digest().subarray(0, 20);
  else throw new ImportError(['LinOtpKeyEnc is empty: the token has no seed']);

  const timeStep = type === 'ocra' ? (ocra!.suite.timeStep ?? 30) : int(info.timeStep, 'token info timeStep', 30) || 30;
  if (timeStep < 1 || timeStep > 86_400) throw new ImportError([`token info timeStep: expected 1..86400 seconds, got ${timeStep}`]);
  const countWindow = int(row.linotpcountwindow, 'LinOtpCountWindow', 10);
  const maxFailRaw = int(row.linotpmaxfail, 'LinOtpMaxFail', 10);
  const failCount = Math.max(0, int(row.linotpfailcount, 'LinOtpFailCount', 0));
  const counter = int(row.linotpcount, 'LinOtpCount', 0);
  if (counter < 0) throw new ImportError([`LinOtpCount: negative (${counter})`]);

  let window = countWindow;
  let drift = 0;
  if (type === 'totp') {
    const timeWindow = int(info.timeWindow, 'token info timeWindow', 0);
    window = Math.max(timeWindow, countWindow * timeStep);
    const shift = info.timeShift === undefined || info.timeShift === '' ? 0 : Number(info.timeShift);
    if (!Number.isFinite(shift)) throw new ImportError([`token info timeShift: expected seconds, got ${JSON.stringify(info.timeShift)}`]);
    drift = Math.round(shift);
    const nowStep = Math.floor(now / timeStep);
    if (counter > nowStep + Math.max(1, Math.ceil(window / timeStep)) + 1) {
      warnings.push(`${serial}: its counter is time step ${counter}, ${counter - nowStep} steps ahead of this machine's clock; it accepts no OTP until then (check the clock)`);
    }
  }
  const otpLength = type === 'ocra' ? (ocra!.suite.digits === 0 ? 10 : ocra!.suite.digits) : int(row.linotpotplen, 'LinOtpOtpLen', 6);
  if (otpLength < 4 || otpLength > 10) throw new ImportError([`LinOtpOtpLen: expected 4..10 digits, got ${otpLength}`]);
  if (maxFailRaw < 1) warnings.push(`${serial}: LinOtpMaxFail is ${maxFailRaw}, imported as 1 (the token is locked, as it was in LinOTP)`);

  const pin = decodePin(row, keys);
  const extraInfo: Record<string, string> = {};
  const where = DESTINATION_INFO[type];
  if (where) {
    const value = info[where[0]];
    if (typeof value === 'string' && value.trim() !== '') extraInfo[where[1]] = value.trim();
    else if (value !== undefined && typeof value !== 'string') throw new ImportError([`token info ${where[0]}: expected text, got ${JSON.stringify(value)}`]);
  }
  if (type === 'spass' && pin.kind === 'none') warnings.push(`${serial}: static password token without a PIN: it cannot log in here until it gets one (token set-pin)`);
  const owner = userId === '' ? null : { resolver: resolverName(resolverSpec), userId, realms: realms.map((r) => r.toLowerCase()) };
  if (owner && owner.resolver === '') throw new ImportError([`LinOtpUserid is set (${userId}) but LinOtpIdResClass/LinOtpIdResolver name no resolver`]);

  return {
    serial,
    linotpType,
    type,
    seed,
    otpLength,
    algorithm: ocra ? ocra.suite.algorithm : (hashlib as HashAlgorithm),
    timeStep,
    counter: type === 'ocra' && !ocra!.suite.counter ? 0 : counter,
    drift,
    window,
    syncWindow: int(row.linotpsyncwindow, 'LinOtpSyncWindow', 1000),
    maxFail: Math.max(1, maxFailRaw),
    failCount,
    locked: failCount >= maxFailRaw,
    active: bool(row.linotpisactive, 'LinOtpIsactive'),
    description: text(row, 'linotptokendesc'),
    info: ocra ? ocra.info : extraInfo,
    pin,
    owner,
    authCount: Math.max(0, int(info.count_auth, 'token info count_auth', 0)),
    maxAuth: limit(int(info.count_auth_max, 'token info count_auth_max', 0)),
    successCount: Math.max(0, int(info.count_auth_success, 'token info count_auth_success', 0)),
    maxSuccess: limit(int(info.count_auth_success_max, 'token info count_auth_success_max', 0)),
    validFrom: validityTime(info.validity_period_start, 'token info validity_period_start'),
    validUntil: validityTime(info.validity_period_end, 'token info validity_period_end'),
    lastAuth: utcTimestamp(row.linotplastauthsuccess, 'LinOtpLastAuthSuccess'),
    createdAt: utcTimestamp(row.linotpcreationdate, 'LinOtpCreationDate'),
  };
}

/** Every row decoded; throws ImportError naming every row that cannot be (nothing is half-imported). */
export function decodeLinotp(data: LinotpData, keys: readonly Buffer[], now: number): Decoded {
  const problems = new Problems();
  const tokens: LinotpToken[] = [];
  const notImported: NotImported[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  for (const [i, row] of data.tokens.entries()) {
    const serial = text(row, 'linotptokenserialnumber');
    const where = serial ? `token ${serial}` : `Token row ${i + 1} (LinOtpTokenId ${text(row, 'linotptokenid') || '?'})`;
    if (!serial) {
      problems.add(`${where}: no serial number`);
      continue;
    }
    if (seen.has(serial)) {
      problems.add(`${where}: serial number given twice`);
      continue;
    }
    seen.add(serial);
    if (problems.guard(where, () => checkSerial(serial)) === undefined) continue;
    const realms = data.realms.get(Number(row.linotptokenid)) ?? [];
    const token = problems.guard(where, () => decodeRow(row, realms, keys, notImported, warnings, now));
    if (token) tokens.push(token);
  }
  problems.throwIfAny();
  return { tokens, notImported, warnings };
}
