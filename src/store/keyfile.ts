// The key file: the secret that turns the database from "all seeds" into
// ciphertext. It holds 64 random bytes as two labelled lines of hex:
//
//   # otp-radius key file: ...comment lines start with '#'
//   seed-key: <64 hex digits>     AES-256-GCM key for token seeds
//   pin-pepper: <64 hex digits>   HMAC key mixed into every PIN hash
//
// Blank lines and lines starting with '#' are ignored; labels may come in
// any order but each exactly once. Labels make a copy-paste mistake (a line
// lost or swapped) an error instead of a silently different key.

import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { StoreError } from './errors.ts';

export const KEY_BYTES = 32;

export interface StoreKeys {
  /** AES-256-GCM key for seeds. */
  seedKey: Buffer;
  /** HMAC-SHA256 key applied to a PIN before scrypt. */
  pepper: Buffer;
}

export interface LoadedKeyFile extends StoreKeys {
  /** True when this call wrote the file. */
  created: boolean;
}

const LABELS = { 'seed-key': 'seedKey', 'pin-pepper': 'pepper' } as const;
type Label = keyof typeof LABELS;

/**
 * Reads the key file, or creates it (and its directory) when it is absent and
 * `create` is true. Refuses a malformed file and one that group or others can
 * read, since anyone who reads it together with the database has every seed.
 */
export function loadOrCreateKeyFile(path: string, opts: { create: boolean }): LoadedKeyFile {
  let text: string;
  try {
    checkMode(path);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw asKeyError(path, err);
    if (!opts.create) throw new StoreError('key', `key file ${path} does not exist`);
    const keys = { seedKey: randomBytes(KEY_BYTES), pepper: randomBytes(KEY_BYTES) };
    if (writeNew(path, formatKeyFile(keys))) return { ...keys, created: true };
    // Another process created it first: use theirs.
    checkMode(path);
    text = readFileSync(path, 'utf8');
  }
  return { ...parseKeyFile(text, path), created: false };
}

export function formatKeyFile(keys: StoreKeys): string {
  return [
    '# otp-radius key file. Token seeds in the database are encrypted with seed-key;',
    '# without this file they cannot be recovered. Back it up apart from the database',
    '# and keep it mode 0600.',
    `seed-key: ${keys.seedKey.toString('hex')}`,
    `pin-pepper: ${keys.pepper.toString('hex')}`,
    '',
  ].join('\n');
}

/** Parses the text of a key file; `path` is only used in error messages. */
export function parseKeyFile(text: string, path: string): StoreKeys {
  const found: Partial<Record<Label, Buffer>> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-z-]+)\s*:\s*(\S*)$/.exec(line);
    const where = `key file ${path} line ${i + 1}`;
    if (!m) throw new StoreError('key', `${where}: expected 'seed-key: <hex>' or 'pin-pepper: <hex>'`);
    const label = m[1]!;
    const hex = m[2]!;
    if (!(label in LABELS)) throw new StoreError('key', `${where}: unknown label '${label}', expected seed-key or pin-pepper`);
    if (found[label as Label]) throw new StoreError('key', `${where}: ${label} given twice`);
    if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length !== KEY_BYTES * 2) {
      throw new StoreError('key', `${where}: ${label} must be ${KEY_BYTES * 2} hex digits (${KEY_BYTES} bytes), got ${hex.length} characters`);
    }
    found[label as Label] = Buffer.from(hex, 'hex');
  }
  for (const label of Object.keys(LABELS) as Label[]) {
    if (!found[label]) throw new StoreError('key', `key file ${path}: no '${label}:' line`);
  }
  return { seedKey: found['seed-key']!, pepper: found['pin-pepper']! };
}

function checkMode(path: string): void {
  const st = statSync(path);
  if (!st.isFile()) throw new StoreError('key', `key file ${path} is not a regular file`);
  // Windows has no POSIX modes; ACLs are the administrator's job there.
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
    const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
    throw new StoreError('key', `key file ${path} has mode ${mode}: group and others must have no access; fix it with: chmod 600 ${path}`);
  }
}

/**
 * Writes the file under a temporary name and links it into place, so a
 * concurrent reader never sees it half written and two workers starting at
 * once cannot both create a key. Returns false when the path already exists.
 */
function writeNew(path: string, text: string): boolean {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(tmp, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    } finally {
      unlinkSync(tmp);
    }
    return true;
  } catch (err) {
    throw asKeyError(path, err);
  }
}

function asKeyError(path: string, err: unknown): Error {
  if (err instanceof StoreError) return err;
  const e = err as NodeJS.ErrnoException;
  return new StoreError('key', `key file ${path}: ${e.message}`, { cause: err });
}
