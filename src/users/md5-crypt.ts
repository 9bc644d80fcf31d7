// MD5-crypt ($1$), Poul-Henning Kamp's FreeBSD scheme. Weak by today's
// standards; supported only so users migrated from old LDAP directories or
// /etc/shadow files can still log in.

import { hash as digestOf } from 'node:crypto';
import { cryptBase64 } from './crypt-base64.ts';

const MAGIC = Buffer.from('$1$');
const MAX_SALT = 8;
const ORDER: [number, number, number, number][] = [
  [0, 6, 12, 4],
  [1, 7, 13, 4],
  [2, 8, 14, 4],
  [3, 9, 15, 4],
  [4, 10, 5, 4],
  [-1, -1, 11, 2],
];

export interface Md5CryptHash {
  salt: string;
  digest: string;
}

export function parseMd5Crypt(hash: string): Md5CryptHash | string {
  const m = /^\$1\$([^$]*)\$([^$]*)$/.exec(hash);
  if (!m) return 'expected $1$, a salt, "$" and the digest';
  const salt = m[1] ?? '';
  const digest = m[2] ?? '';
  if (salt.length > MAX_SALT) return `salt: ${salt.length} characters, at most ${MAX_SALT}`;
  if (digest.length !== 22 || !/^[./0-9A-Za-z]*$/.test(digest)) {
    return `digest: expected 22 characters of [./0-9A-Za-z], got ${digest.length}`;
  }
  return { salt, digest };
}

/** The encoded digest for a password and salt (1000 fixed rounds, a few milliseconds; no need to yield). */
export function md5CryptDigest(password: string, salt: string): string {
  const md5 = (...parts: Buffer[]): Buffer => digestOf('md5', Buffer.concat(parts), 'buffer');
  const pw = Buffer.from(password, 'utf8');
  const s = Buffer.from(salt, 'utf8').subarray(0, MAX_SALT);

  const alt = md5(pw, s, pw);
  const parts: Buffer[] = [pw, MAGIC, s];
  for (let left = pw.length; left > 0; left -= 16) parts.push(alt.subarray(0, Math.min(left, 16)));
  // The original C code adds the first password byte on a 0 bit and a NUL on a 1 bit.
  for (let bits = pw.length; bits > 0; bits >>>= 1) parts.push(bits & 1 ? Buffer.alloc(1) : pw.subarray(0, 1));
  let fin = md5(...parts);

  for (let i = 0; i < 1000; i++) {
    const round: Buffer[] = [i & 1 ? pw : fin];
    if (i % 3 !== 0) round.push(s);
    if (i % 7 !== 0) round.push(pw);
    round.push(i & 1 ? fin : pw);
    fin = md5(...round);
  }
  return cryptBase64(fin, ORDER);
}
