// The OATH CSV seed files of LinOTP and privacyIDEA, one token per line:
//
//   serial, key (hex), [hotp|totp|ocra2], [otp length | OCRA suite], [time step | counter], [sha1|sha256|sha512]
//
// Type defaults to hotp and otp length to 6. The fifth column is the time
// step of a TOTP token (default 30) and the counter of a HOTP or OCRA token
// (privacyIDEA's reading; default 0). Without a hash column the hash follows
// from the key length (32 bytes SHA-256, 64 bytes SHA-512, else SHA-1).
// Blank lines and lines whose serial starts with "#" are comments. A first
// line "# version: 2" announces privacyIDEA's user columns after the key:
//
//   serial, key, user, resolver, realm, type, otp length | suite, time step | counter, hash
//
// Fields may be double-quoted (a quote inside doubled). Every line is
// checked before anything is imported.

import { parseSeed } from '../otp/seed.ts';
import { HASH_ALGORITHMS, type HashAlgorithm, type Token, type TokenType } from '../model/token.ts';
import { ImportError, Problems } from './errors.ts';
import { guessAlgorithm, type FileToken } from './file-token.ts';

const TYPES: Readonly<Record<string, TokenType>> = { hotp: 'hotp', hmac: 'hotp', totp: 'totp', ocra: 'ocra', ocra2: 'ocra' };
const HASHES: readonly HashAlgorithm[] = HASH_ALGORITHMS;

/** Splits one line at commas outside double quotes; undefined for an unterminated quote. */
export function splitCsvLine(line: string): string[] | undefined {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (ch === ',') {
      fields.push(field.trim());
      field = '';
    } else {
      field += ch;
    }
  }
  if (quoted) return undefined;
  fields.push(field.trim());
  return fields;
}

function int(text: string, what: string, min: number, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new ImportError([`${what}: expected a whole number ${min}..${max}, got "${text}"`]);
  return Number(text);
}

function parseLine(fields: string[], version: number, where: string): FileToken {
  const [serial = '', key = ''] = fields;
  const user = version === 2 ? fields.slice(2, 5) : [];
  const rest = fields.slice(version === 2 ? 5 : 2);
  if (rest.length > 4) throw new ImportError([`${fields.length} columns, expected at most ${version === 2 ? 9 : 6}`]);
  const [typeText = '', lenOrSuite = '', stepOrCounter = '', hashText = ''] = rest;
  if (serial === '') throw new ImportError(['no serial (first column)']);
  if (key === '') throw new ImportError(['no key (second column)']);
  const seed = parseSeed(key, 'hex');
  const type = TYPES[typeText.toLowerCase() || 'hotp'];
  if (!type) throw new ImportError([`token type "${typeText}": expected hotp, totp or ocra2`]);
  const token: FileToken = { where, serial, type, seed };
  if (type === 'ocra') {
    if (lenOrSuite !== '') token.ocrasuite = lenOrSuite;
    if (hashText !== '') throw new ImportError(['an OCRA token takes its hash from the suite; leave the hash column empty']);
  } else {
    token.otpLength = lenOrSuite === '' ? 6 : int(lenOrSuite, 'otp length', 6, 8);
    const hash = hashText.toLowerCase();
    if (hash !== '' && !HASHES.includes(hash as HashAlgorithm)) throw new ImportError([`hash "${hashText}": expected sha1, sha256 or sha512`]);
    token.algorithm = hash === '' ? guessAlgorithm(seed) : (hash as HashAlgorithm);
  }
  if (stepOrCounter !== '') {
    if (type === 'totp') token.timeStep = int(stepOrCounter, 'time step', 1, 3600);
    else token.counter = int(stepOrCounter, 'counter', 0, Number.MAX_SAFE_INTEGER);
  }
  const [login = '', resolver = '', realm = ''] = user;
  if (login !== '') token.user = { login, ...(resolver ? { resolver } : {}), ...(realm ? { realm } : {}) };
  else if (resolver !== '' || realm !== '') throw new ImportError(['a resolver or realm without a user']);
  return token;
}

/** Every token of the file; throws ImportError listing every bad line by number. */
export function parseOathCsv(text: string, file: string): FileToken[] {
  const problems = new Problems();
  const tokens: FileToken[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const firstLine = lines.find((l) => l.trim() !== '') ?? '';
  const versionMatch = /^#\s*version:\s*(\d+)\s*$/i.exec(firstLine.trim());
  const version = versionMatch ? Number(versionMatch[1]) : 1;
  if (version !== 1 && version !== 2) throw new ImportError([`${file}:${lines.indexOf(firstLine) + 1}: OATH CSV version ${version} is not supported (1 or 2)`]);
  for (const [i, line] of lines.entries()) {
    const where = `line ${i + 1}`;
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const fields = splitCsvLine(line);
    if (!fields) {
      problems.add(`${file}:${i + 1}: a quoted field is not closed`);
      continue;
    }
    const token = problems.guard(`${file}:${i + 1}`, () => parseLine(fields, version, where));
    if (token) tokens.push(token);
  }
  problems.throwIfAny();
  if (tokens.length === 0) throw new ImportError([`${file}: no tokens (only comments or blank lines)`]);
  return tokens;
}

function csvField(text: string): string {
  return /[",\r\n]|^\s|\s$|^#/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One line of the file for a token; with `users`, the version 2 layout. */
export function oathCsvLine(t: Token, users: boolean): string {
  const owner = users ? [t.owner?.login ?? '', t.owner?.resolver ?? '', t.owner?.realm ?? ''] : [];
  const params =
    t.type === 'ocra'
      ? ['ocra2', t.info.ocrasuite ?? '', t.info.ocrasuite?.includes(':C-') ? String(t.counter) : '', '']
      : [t.type, String(t.otpLength), String(t.type === 'totp' ? t.timeStep : t.counter), t.algorithm];
  return [t.serial, t.seed.toString('hex'), ...owner, ...params].map(csvField).join(',');
}

export function oathCsvHeader(users: boolean): string {
  const cols = users ? 'serial, key, user, resolver, realm, type, otp length|ocra suite, time step|counter, hash' : 'serial, key, type, otp length|ocra suite, time step|counter, hash';
  return `${users ? '# version: 2\n' : ''}# otp-radius export, seeds in clear: ${cols}\n`;
}
