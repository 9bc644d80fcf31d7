// SHA-256-crypt ($5$) and SHA-512-crypt ($6$), after Ulrich Drepper's
// "Unix crypt using SHA-256 and SHA-512". Written here rather than taken from
// npm because the package we tried hashed passwords of exactly 32/64 bytes
// wrongly and ran all rounds synchronously; this one yields to the event loop
// between batches of rounds so a RADIUS server keeps answering meanwhile.

import { hash as digestOf } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { cryptBase64 } from './crypt-base64.ts';

export const SHA_CRYPT_DEFAULT_ROUNDS = 5000;
export const SHA_CRYPT_MIN_ROUNDS = 1000;
/** The spec allows 999,999,999; past this a single login would take many seconds, so we refuse the hash. */
export const SHA_CRYPT_MAX_ROUNDS = 10_000_000;
const MAX_SALT = 16;
const ROUNDS_PER_TURN = 1000;

export type ShaCryptId = '5' | '6';

export interface ShaCryptHash {
  id: ShaCryptId;
  /** Undefined when the hash has no `rounds=` part (the default 5000 applies). */
  rounds: number | undefined;
  salt: string;
  /** The encoded digest after the last '$'. */
  digest: string;
}

const ALGO = { '5': { name: 'sha256', size: 32, encodedLength: 43 }, '6': { name: 'sha512', size: 64, encodedLength: 86 } } as const;

// Byte order of the final encoding, [b2, b1, b0, chars]; -1 is a zero byte.
const ORDER_256: [number, number, number, number][] = [
  [0, 10, 20, 4],
  [21, 1, 11, 4],
  [12, 22, 2, 4],
  [3, 13, 23, 4],
  [24, 4, 14, 4],
  [15, 25, 5, 4],
  [6, 16, 26, 4],
  [27, 7, 17, 4],
  [18, 28, 8, 4],
  [9, 19, 29, 4],
  [-1, 31, 30, 3],
];
const ORDER_512: [number, number, number, number][] = [
  [0, 21, 42, 4],
  [22, 43, 1, 4],
  [44, 2, 23, 4],
  [3, 24, 45, 4],
  [25, 46, 4, 4],
  [47, 5, 26, 4],
  [6, 27, 48, 4],
  [28, 49, 7, 4],
  [50, 8, 29, 4],
  [9, 30, 51, 4],
  [31, 52, 10, 4],
  [53, 11, 32, 4],
  [12, 33, 54, 4],
  [34, 55, 13, 4],
  [56, 14, 35, 4],
  [15, 36, 57, 4],
  [37, 58, 16, 4],
  [59, 17, 38, 4],
  [18, 39, 60, 4],
  [40, 61, 19, 4],
  [62, 20, 41, 4],
  [-1, -1, 63, 2],
];

/** Parses `$5$[rounds=N$]salt$digest` / `$6$...`; returns a problem description instead when malformed. */
export function parseShaCrypt(hash: string): ShaCryptHash | string {
  const m = /^\$([56])\$(?:rounds=([0-9]+)\$)?([^$]*)\$([^$]*)$/.exec(hash);
  if (!m) return 'expected $5$ or $6$, an optional rounds=N$, a salt, "$" and the digest';
  const id = m[1] as ShaCryptId;
  const salt = m[3] ?? '';
  const digest = m[4] ?? '';
  let rounds: number | undefined;
  if (m[2] !== undefined) {
    rounds = Number(m[2]);
    if (rounds < SHA_CRYPT_MIN_ROUNDS) return `rounds=${m[2]}: below the minimum ${SHA_CRYPT_MIN_ROUNDS}`;
    if (rounds > SHA_CRYPT_MAX_ROUNDS) {
      return `rounds=${m[2]}: above ${SHA_CRYPT_MAX_ROUNDS}, too slow to check at every login`;
    }
  }
  if (salt.length > MAX_SALT) return `salt: ${salt.length} characters, at most ${MAX_SALT}`;
  if (/[\s:]/.test(salt)) return 'salt: contains white space or ":"';
  const want = ALGO[id].encodedLength;
  if (digest.length !== want || !/^[./0-9A-Za-z]*$/.test(digest)) {
    return `digest: expected ${want} characters of [./0-9A-Za-z], got ${digest.length}`;
  }
  return { id, rounds, salt, digest };
}

/** `n` bytes of `source` repeated (the spec's P and S sequences). */
function repeatTo(source: Buffer, n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let off = 0; off < n; off += source.length) source.copy(out, off, 0, Math.min(source.length, n - off));
  return out;
}

/**
 * Computes the encoded digest (the part after the last '$') for a password
 * under the given id, salt and rounds. The salt is used as at most 16 bytes.
 */
export async function shaCryptDigest(password: string, id: ShaCryptId, salt: string, rounds = SHA_CRYPT_DEFAULT_ROUNDS): Promise<string> {
  const { name, size } = ALGO[id];
  const h = (...parts: Buffer[]): Buffer => digestOf(name, Buffer.concat(parts), 'buffer');
  const key = Buffer.from(password, 'utf8');
  const s = Buffer.from(salt, 'utf8').subarray(0, MAX_SALT);
  const r = Math.min(Math.max(rounds, SHA_CRYPT_MIN_ROUNDS), 999_999_999);

  const b = h(key, s, key);
  const aParts: Buffer[] = [key, s];
  let left = key.length;
  for (; left > size; left -= size) aParts.push(b);
  aParts.push(b.subarray(0, left));
  for (let bits = key.length; bits > 0; bits >>>= 1) aParts.push(bits & 1 ? b : key);
  let c = h(...aParts);

  const p = repeatTo(h(...Array<Buffer>(key.length).fill(key)), key.length);
  const sSeq = repeatTo(h(...Array<Buffer>(16 + (c[0] ?? 0)).fill(s)), s.length);

  for (let i = 0; i < r; i++) {
    if (i > 0 && i % ROUNDS_PER_TURN === 0) await nextTurn();
    const parts: Buffer[] = [i & 1 ? p : c];
    if (i % 3 !== 0) parts.push(sSeq);
    if (i % 7 !== 0) parts.push(p);
    parts.push(i & 1 ? c : p);
    c = h(...parts);
  }
  return cryptBase64(c, id === '5' ? ORDER_256 : ORDER_512);
}

/** The full `$id$[rounds=N$]salt$digest` string; rounds appear only when given. */
export async function shaCrypt(password: string, id: ShaCryptId, salt: string, rounds?: number): Promise<string> {
  const digest = await shaCryptDigest(password, id, salt, rounds);
  const roundsPart = rounds === undefined ? '' : `rounds=${Math.min(Math.max(rounds, SHA_CRYPT_MIN_ROUNDS), 999_999_999)}$`;
  return `$${id}$${roundsPart}${salt.slice(0, MAX_SALT)}$${digest}`;
}
