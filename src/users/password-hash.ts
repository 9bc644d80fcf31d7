// Verifying the password hashes found in users files, LDAP userPassword and
// SQL columns: the LDAP {SCHEME} forms, crypt(3) strings, bcrypt and argon2.
// An unknown or malformed hash never verifies; checkPasswordHash() tells a
// config loader why, so a bad hash stops start-up instead of locking a user out.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { hashJobs } from '../store/thread-pool.ts';
import { CRYPT_ALPHABET } from './crypt-base64.ts';
import { md5CryptDigest, parseMd5Crypt } from './md5-crypt.ts';
import { parseShaCrypt, shaCrypt, shaCryptDigest, SHA_CRYPT_DEFAULT_ROUNDS, SHA_CRYPT_MAX_ROUNDS, SHA_CRYPT_MIN_ROUNDS } from './sha-crypt.ts';

export type HashScheme =
  | 'sha'
  | 'ssha'
  | 'sha256'
  | 'ssha256'
  | 'sha384'
  | 'ssha384'
  | 'sha512'
  | 'ssha512'
  | 'md5'
  | 'smd5'
  | 'md5-crypt'
  | 'sha256-crypt'
  | 'sha512-crypt'
  | 'bcrypt'
  | 'argon2id'
  | 'argon2i'
  | 'argon2d';

/** bcrypt cost 2^N; above 16 one check takes seconds in bcryptjs. */
export const BCRYPT_MAX_COST = 16;
/** argon2 memory in KiB (1 GiB) and passes; above these one check is too heavy for a login. */
export const ARGON2_MAX_MEMORY_KIB = 1 << 20;
export const ARGON2_MAX_PASSES = 64;

/** A hash whose format we know but cannot check in this installation (argon2 without its module). */
export class UnsupportedHashError extends Error {
  override name = 'UnsupportedHashError';
}

const EXPECTED =
  'expected {SSHA}, {SSHA256}, {SSHA384}, {SSHA512}, {SHA}, {SHA256}, {SHA384}, {SHA512}, {SMD5}, {MD5}, ' +
  '{CRYPT} or {ARGON2} followed by a crypt string, $6$, $5$, $1$, $2a$/$2b$/$2y$, $argon2id$ or $argon2i$';

interface DigestSpec {
  algorithm: string;
  size: number;
  salted: boolean;
  scheme: HashScheme;
}
const DIGEST_SCHEMES: Record<string, DigestSpec> = {
  SHA: { algorithm: 'sha1', size: 20, salted: false, scheme: 'sha' },
  SSHA: { algorithm: 'sha1', size: 20, salted: true, scheme: 'ssha' },
  SHA256: { algorithm: 'sha256', size: 32, salted: false, scheme: 'sha256' },
  SSHA256: { algorithm: 'sha256', size: 32, salted: true, scheme: 'ssha256' },
  SHA384: { algorithm: 'sha384', size: 48, salted: false, scheme: 'sha384' },
  SSHA384: { algorithm: 'sha384', size: 48, salted: true, scheme: 'ssha384' },
  SHA512: { algorithm: 'sha512', size: 64, salted: false, scheme: 'sha512' },
  SSHA512: { algorithm: 'sha512', size: 64, salted: true, scheme: 'ssha512' },
  MD5: { algorithm: 'md5', size: 16, salted: false, scheme: 'md5' },
  SMD5: { algorithm: 'md5', size: 16, salted: true, scheme: 'smd5' },
};

type Parsed =
  | { kind: 'digest'; scheme: HashScheme; algorithm: string; digest: Buffer; salt: Buffer }
  | { kind: 'sha-crypt'; scheme: HashScheme; id: '5' | '6'; salt: string; rounds: number | undefined; digest: string }
  | { kind: 'md5-crypt'; scheme: HashScheme; salt: string; digest: string }
  | { kind: 'bcrypt'; scheme: HashScheme; hash: string }
  | { kind: 'argon2'; scheme: HashScheme; hash: string };

interface Problem {
  problem: string;
}

/** Splits `{SCHEME}rest` (scheme names are case-insensitive, as in OpenLDAP). */
function ldapScheme(hash: string): { name: string; rest: string } | undefined {
  const m = /^\{([A-Za-z0-9.-]+)\}(.*)$/s.exec(hash);
  return m ? { name: (m[1] ?? '').toUpperCase(), rest: m[2] ?? '' } : undefined;
}

function identifyCrypt(s: string): HashScheme | undefined {
  if (s.startsWith('$6$')) return 'sha512-crypt';
  if (s.startsWith('$5$')) return 'sha256-crypt';
  if (s.startsWith('$1$')) return 'md5-crypt';
  if (/^\$2[aby]\$/.test(s)) return 'bcrypt';
  const a = /^\$(argon2id|argon2i|argon2d)\$/.exec(s);
  return a ? (a[1] as HashScheme) : undefined;
}

/** The scheme a hash claims by its prefix, or undefined for a format we do not know (or a plain-text password). */
export function identifyHash(hash: string): HashScheme | undefined {
  const ldap = ldapScheme(hash);
  if (!ldap) return identifyCrypt(hash);
  if (ldap.name === 'CRYPT' || ldap.name === 'ARGON2') return identifyCrypt(ldap.rest);
  return DIGEST_SCHEMES[ldap.name]?.scheme;
}

function parseDigest(spec: DigestSpec, name: string, b64: string): Parsed | Problem {
  if (b64.length === 0 || b64.length % 4 === 1 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) {
    return { problem: `{${name}}: not valid base64` };
  }
  const raw = Buffer.from(b64, 'base64');
  if (spec.salted ? raw.length < spec.size : raw.length !== spec.size) {
    const want = spec.salted ? `at least ${spec.size} (digest + salt)` : `${spec.size}`;
    return { problem: `{${name}}: ${raw.length} bytes after base64 decoding, expected ${want}` };
  }
  return { kind: 'digest', scheme: spec.scheme, algorithm: spec.algorithm, digest: raw.subarray(0, spec.size), salt: raw.subarray(spec.size) };
}

function parseArgon2(s: string, scheme: HashScheme): Parsed | Problem {
  const m = /^\$argon2(?:id|i|d)\$(?:v=(16|19)\$)?([a-z]+=[0-9]+(?:,[a-z]+=[^,$]+)*)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(s);
  if (!m) return { problem: `${scheme}: expected $${scheme}$v=19$m=...,t=...,p=...$salt$hash` };
  const params = new Map((m[2] ?? '').split(',').map((kv) => kv.split('=') as [string, string]));
  const memory = Number(params.get('m'));
  const passes = Number(params.get('t'));
  if (!Number.isInteger(memory) || !Number.isInteger(passes) || !/^[0-9]+$/.test(params.get('p') ?? '')) {
    return { problem: `${scheme}: parameters m, t and p must be integers` };
  }
  if (memory > ARGON2_MAX_MEMORY_KIB) return { problem: `${scheme}: m=${memory} KiB is above ${ARGON2_MAX_MEMORY_KIB}, too heavy to check at every login` };
  if (passes > ARGON2_MAX_PASSES) return { problem: `${scheme}: t=${passes} is above ${ARGON2_MAX_PASSES}, too slow to check at every login` };
  return { kind: 'argon2', scheme, hash: s };
}

function parseCrypt(s: string, label: string): Parsed | Problem {
  const scheme = identifyCrypt(s);
  switch (scheme) {
    case 'sha512-crypt':
    case 'sha256-crypt': {
      const p = parseShaCrypt(s);
      return typeof p === 'string' ? { problem: `${label}${s.slice(0, 3)}: ${p}` } : { kind: 'sha-crypt', scheme, ...p };
    }
    case 'md5-crypt': {
      const p = parseMd5Crypt(s);
      return typeof p === 'string' ? { problem: `${label}$1$: ${p}` } : { kind: 'md5-crypt', scheme, ...p };
    }
    case 'bcrypt': {
      const m = /^\$2[aby]\$([0-9]{2})\$([./A-Za-z0-9]{53})$/.exec(s);
      if (!m) return { problem: `${label}bcrypt: expected $2b$, a two-digit cost, "$" and 53 characters of [./A-Za-z0-9]` };
      const cost = Number(m[1]);
      if (cost < 4 || cost > BCRYPT_MAX_COST) return { problem: `${label}bcrypt: cost ${cost} outside 4..${BCRYPT_MAX_COST}` };
      return { kind: 'bcrypt', scheme, hash: s };
    }
    case 'argon2id':
    case 'argon2i':
    case 'argon2d':
      return parseArgon2(s, scheme);
    case undefined:
      return { problem: `${label}unsupported crypt format (DES or unknown); expected $6$, $5$, $1$, $2b$ or $argon2id$` };
  }
  return { problem: `${label}unexpected scheme` };
}

function parse(hash: string): Parsed | Problem {
  const ldap = ldapScheme(hash);
  if (!ldap) {
    if (identifyCrypt(hash) === undefined) return { problem: `unknown hash format (${EXPECTED}); plain-text passwords are not accepted` };
    return parseCrypt(hash, '');
  }
  if (ldap.name === 'CRYPT' || ldap.name === 'ARGON2') return parseCrypt(ldap.rest, `{${ldap.name}}`);
  const spec = DIGEST_SCHEMES[ldap.name];
  if (!spec) return { problem: `unknown hash scheme {${ldap.name}} (${EXPECTED})` };
  return parseDigest(spec, ldap.name, ldap.rest);
}

type Argon2Module = typeof import('argon2');
let argon2Loading: Promise<Argon2Module> | undefined;

/** argon2 is a native module; it is loaded on first use so that a platform without a prebuild loses only argon2. */
async function loadArgon2(): Promise<Argon2Module> {
  argon2Loading ??= import('argon2');
  try {
    return await argon2Loading;
  } catch (e) {
    throw new UnsupportedHashError(`unsupported hash format argon2: the argon2 module cannot be loaded here (${(e as Error).message})`);
  }
}

/**
 * Undefined when `hash` is well-formed and can be checked here; otherwise
 * what is wrong, e.g. `{SSHA}: not valid base64`. For config loading.
 */
export async function checkPasswordHash(hash: string): Promise<string | undefined> {
  const p = parse(hash);
  if ('problem' in p) return p.problem;
  if (p.kind === 'argon2') {
    try {
      await loadArgon2();
    } catch (e) {
      return (e as Error).message;
    }
  }
  return undefined;
}

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * True when `password` matches `hash`. False for a wrong password and for an
 * unknown or malformed hash (use checkPasswordHash() to learn why). Throws
 * UnsupportedHashError only for argon2 when its module cannot be loaded.
 */
export async function verifyPasswordHash(password: string, hash: string): Promise<boolean> {
  const p = parse(hash);
  if ('problem' in p) return false;
  switch (p.kind) {
    case 'digest': {
      const computed = createHash(p.algorithm).update(password, 'utf8').update(p.salt).digest();
      return timingSafeEqual(computed, p.digest);
    }
    case 'sha-crypt':
      return sameString(await shaCryptDigest(password, p.id, p.salt, p.rounds ?? SHA_CRYPT_DEFAULT_ROUNDS), p.digest);
    case 'md5-crypt':
      return sameString(md5CryptDigest(password, p.salt), p.digest);
    case 'bcrypt':
      // bcryptjs compares in constant time and yields to the event loop while hashing.
      return bcrypt.compare(password, p.hash).catch(() => false);
    case 'argon2': {
      const argon2 = await loadArgon2();
      // argon2 hashes on libuv's thread pool, like PIN hashes: see thread-pool.ts.
      return hashJobs.run(() => argon2.verify(p.hash, password)).catch(() => false);
    }
  }
}

/** A fresh SHA-512-crypt hash ($6$, 16-character random salt) for users files and tooling. */
export async function hashPasswordForFile(password: string, options: { rounds?: number } = {}): Promise<string> {
  const { rounds } = options;
  if (rounds !== undefined && (!Number.isInteger(rounds) || rounds < SHA_CRYPT_MIN_ROUNDS || rounds > SHA_CRYPT_MAX_ROUNDS)) {
    throw new RangeError(`rounds: expected an integer from ${SHA_CRYPT_MIN_ROUNDS} to ${SHA_CRYPT_MAX_ROUNDS}, got ${rounds}`);
  }
  // 256 is a multiple of 64, so masking keeps the salt characters uniform.
  const salt = Array.from(randomBytes(16), (b) => CRYPT_ALPHABET[b & 63]).join('');
  return shaCrypt(password, '6', salt, rounds);
}
