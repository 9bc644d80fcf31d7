// PIN hashes: scrypt over HMAC-SHA256(pepper, PIN), with a 16-byte random
// salt, written as
//
//   $scrypt$ln=10,r=8,p=1$<salt, base64 without padding>$<hash, base64 without padding>
//
// The pepper lives in the key file, not the database, so a stolen database
// alone does not allow guessing 4-digit PINs offline. Parameters travel with
// each hash, so they can be raised later and old hashes still verify
// (needsRehash says when to rewrite one). scrypt runs on libuv's thread pool,
// keeping the event loop free while RADIUS packets keep arriving, through
// hashJobs, which leaves a thread free for the store's fsyncs.
//
// Hashes are dispatched on their prefix. Besides scrypt there is one legacy
// format, only ever written by `otp-radius import linotp`: LinOTP's salted
// SHA-256, hex sha256(PIN || salt), kept as
//
//   linotp-sha256$<salt, hex>$<hash, hex>
//
// It verifies until the first successful login, when needsRehash (always true
// for it) makes the authentication service store the PIN as scrypt. An
// unknown or malformed hash never matches; isKnownPinHash lets the caller tell
// that case apart and log it.

import { createHash, createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { hashJobs } from './thread-pool.ts';
import { StoreError } from './errors.ts';

export interface ScryptParams {
  /** log2 of the CPU/memory cost N. */
  ln: number;
  r: number;
  p: number;
}

/** 1 MiB of memory (128 * N * r bytes) per hash, cheap enough for every login: a PIN is the weaker factor, the OTP carries the rest. */
export const DEFAULT_PIN_PARAMS: Readonly<ScryptParams> = Object.freeze({ ln: 10, r: 8, p: 1 });

/** Admin passwords: 32 MiB per hash. A login is rare, and a password is the whole first factor of an admin. */
export const PASSWORD_PARAMS: Readonly<ScryptParams> = Object.freeze({ ln: 15, r: 8, p: 1 });

const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** scrypt's memory is 128 * N * r bytes; a hash asking for more than this is refused, not run. */
const MAX_MEMORY = 256 * 1024 * 1024;
const PREFIX = '$scrypt$';
const LINOTP_PREFIX = 'linotp-sha256$';

interface ParsedScrypt {
  params: ScryptParams;
  salt: Buffer;
  hash: Buffer;
}

/** Hashes a PIN; the empty PIN is a PIN like any other and gets a real hash too. */
export async function hashPin(pin: string, pepper: Buffer, params: ScryptParams = DEFAULT_PIN_PARAMS): Promise<string> {
  checkParams(params);
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(pin, pepper, salt, params, HASH_BYTES);
  return `${PREFIX}ln=${params.ln},r=${params.r},p=${params.p}$${b64(salt)}$${b64(hash)}`;
}

/**
 * True only when the PIN matches a hash in a known format. Unknown and
 * malformed hashes are false; they still cost one default scrypt so the
 * answer takes as long as a real check.
 */
export async function verifyPin(pin: string | Buffer, stored: string, pepper: Buffer): Promise<boolean> {
  switch (pinHashScheme(stored)) {
    case 'scrypt': {
      const parsed = parseScrypt(stored);
      if (!parsed) break;
      const actual = await derive(pin, pepper, parsed.salt, parsed.params, parsed.hash.length);
      return timingSafeEqual(actual, parsed.hash);
    }
    case 'linotp-sha256': {
      const parsed = parseLinotp(stored);
      if (!parsed) break;
      return verifyLinotp(pin, parsed);
    }
    case undefined:
      break;
  }
  await dummyVerify(pepper);
  return false;
}

export type PinHashScheme = 'scrypt' | 'linotp-sha256';

/** The format a stored hash claims by its prefix, or undefined for a prefix this code does not know. */
export function pinHashScheme(stored: string): PinHashScheme | undefined {
  if (stored.startsWith(PREFIX)) return 'scrypt';
  if (stored.startsWith(LINOTP_PREFIX)) return 'linotp-sha256';
  return undefined;
}

/**
 * A LinOTP PIN hash (LinOtpPinHash, with its salt from LinOtpSeed, both hex)
 * in the form verifyPin reads; undefined when either is not what LinOTP writes.
 */
export function linotpPinHash(saltHex: string, hashHex: string): string | undefined {
  const stored = `${LINOTP_PREFIX}${saltHex.toLowerCase()}$${hashHex.toLowerCase()}`;
  return parseLinotp(stored) ? stored : undefined;
}

/** Whether `stored` is a PIN hash this code can verify: a known prefix and a well-formed body. */
export function isKnownPinHash(stored: string): boolean {
  switch (pinHashScheme(stored)) {
    case 'scrypt':
      return parseScrypt(stored) !== undefined;
    case 'linotp-sha256':
      return parseLinotp(stored) !== undefined;
    case undefined:
      return false;
  }
}

/** Whether a hash should be rewritten with `params` after the next successful verify; always for a legacy (LinOTP) hash. */
export function needsRehash(stored: string, params: ScryptParams = DEFAULT_PIN_PARAMS): boolean {
  const parsed = parseScrypt(stored);
  if (!parsed) return true;
  const p = parsed.params;
  return p.ln !== params.ln || p.r !== params.r || p.p !== params.p || parsed.salt.length < SALT_BYTES || parsed.hash.length !== HASH_BYTES;
}

const DUMMY_SALT = Buffer.alloc(SALT_BYTES, 0x5a);
const DUMMY_HASH = Buffer.alloc(HASH_BYTES);

/**
 * Costs what verifying against a default-parameter hash costs, and is never a
 * match: for the paths that have no hash to check (no PIN set, unknown
 * format, no such user) so their timing does not give them away.
 */
export async function dummyVerify(pepper: Buffer, params: ScryptParams = DEFAULT_PIN_PARAMS): Promise<false> {
  const actual = await derive('', pepper, DUMMY_SALT, params, HASH_BYTES);
  timingSafeEqual(actual, DUMMY_HASH);
  return false;
}

/** The PIN operations with the pepper bound, as the authentication layer and the CLI use them. */
export interface PinHasher {
  hash(pin: string): Promise<string>;
  /** A null hash means "no PIN set", which the empty PIN matches; costs the same as a real verify. */
  /** The PIN as typed: text, or the bytes a NAS sent (text is compared as its UTF-8 bytes). */
  verify(pin: string | Buffer, stored: string | null): Promise<boolean>;
  needsRehash(stored: string): boolean;
  isKnown(stored: string): boolean;
}

export function pinHasher(pepper: Buffer, params: ScryptParams = DEFAULT_PIN_PARAMS): PinHasher {
  checkParams(params);
  if (pepper.length === 0) throw new StoreError('key', 'PIN pepper must not be empty');
  return {
    hash: (pin) => hashPin(pin, pepper, params),
    verify: async (pin, stored) => {
      if (stored === null) {
        await dummyVerify(pepper, params);
        return pin.length === 0;
      }
      return verifyPin(pin, stored, pepper);
    },
    needsRehash: (stored) => needsRehash(stored, params),
    isKnown: isKnownPinHash,
  };
}

function derive(pin: string | Buffer, pepper: Buffer, salt: Buffer, params: ScryptParams, length: number): Promise<Buffer> {
  const input = createHmac('sha256', pepper)
    .update(typeof pin === 'string' ? Buffer.from(pin, 'utf8') : pin)
    .digest();
  const N = 2 ** params.ln;
  const maxmem = 128 * N * params.r * 2 + 1024 * 1024;
  return hashJobs.run(
    () =>
      new Promise((resolve, reject) => {
        scrypt(input, salt, length, { N, r: params.r, p: params.p, maxmem }, (err, key) => (err ? reject(err) : resolve(key)));
      }),
  );
}

function paramsProblem(params: ScryptParams): string | undefined {
  const { ln, r, p } = params;
  if (!Number.isInteger(ln) || ln < 1 || ln > 24) return `ln must be an integer 1..24, got ${ln}`;
  if (!Number.isInteger(r) || r < 1 || r > 64) return `r must be an integer 1..64, got ${r}`;
  if (!Number.isInteger(p) || p < 1 || p > 16) return `p must be an integer 1..16, got ${p}`;
  if (128 * 2 ** ln * r > MAX_MEMORY) return `ln=${ln},r=${r} needs more than ${MAX_MEMORY / 2 ** 20} MiB`;
  return undefined;
}

function checkParams(params: ScryptParams): void {
  const problem = paramsProblem(params);
  if (problem) throw new StoreError('invalid', `scrypt parameters: ${problem}`);
}

const SCRYPT_RE = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function parseScrypt(stored: string): ParsedScrypt | undefined {
  if (!stored.startsWith(PREFIX)) return undefined;
  const m = SCRYPT_RE.exec(stored);
  if (!m) return undefined;
  const params = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (paramsProblem(params)) return undefined;
  const salt = Buffer.from(m[4]!, 'base64');
  const hash = Buffer.from(m[5]!, 'base64');
  // Round-trip check: Buffer's base64 decoder skips junk instead of failing.
  if (b64(salt) !== m[4] || b64(hash) !== m[5]) return undefined;
  if (salt.length < 8 || hash.length < 16 || hash.length > 64) return undefined;
  return { params, salt, hash };
}

function b64(buf: Buffer): string {
  return buf.toString('base64').replace(/=+$/, '');
}

interface ParsedLinotp {
  salt: Buffer;
  hash: Buffer;
}

const LINOTP_RE = /^linotp-sha256\$((?:[0-9a-f]{2}){1,64})\$([0-9a-f]{64})$/;

function parseLinotp(stored: string): ParsedLinotp | undefined {
  const m = LINOTP_RE.exec(stored);
  if (!m) return undefined;
  return { salt: Buffer.from(m[1]!, 'hex'), hash: Buffer.from(m[2]!, 'hex') };
}

function verifyLinotp(pin: string | Buffer, parsed: ParsedLinotp): boolean {
  const actual = createHash('sha256')
    .update(typeof pin === 'string' ? Buffer.from(pin, 'utf8') : pin)
    .update(parsed.salt)
    .digest();
  return timingSafeEqual(actual, parsed.hash);
}
