// OATH CSV importer: a file is tokens or an ImportError naming its bad lines,
// never another exception; every token it gives is well-formed, and the
// export line of a token reads back as the same token.

import { ImportError } from '../../../src/import/errors.ts';
import type { FileToken } from '../../../src/import/file-token.ts';
import { oathCsvHeader, oathCsvLine, parseOathCsv } from '../../../src/import/oath-csv.ts';
import type { Token } from '../../../src/model/token.ts';
import { token } from '../../tokens/fixtures.ts';
import { check, refusedWithSync } from '../engine/target.ts';

export const maxLength = 2048;
export const tokens = [
  ',',
  '"',
  '""',
  '\n',
  '\r\n',
  '# version: 2\n',
  '#',
  'hotp',
  'totp',
  'ocra2',
  'sha1',
  'sha256',
  'sha512',
  'OCRA-1:HOTP-SHA1-6:QN08',
  ':C-',
  '3132333435363738393031323334353637383930',
  ' ',
  '\uFEFF',
];

/** The token as the store would hold it after import, with the defaults the file left out. */
function asToken(t: FileToken, users: boolean): Token {
  return token({
    serial: t.serial,
    type: t.type,
    seed: t.seed,
    otpLength: t.otpLength ?? 6,
    algorithm: t.algorithm ?? 'sha1',
    timeStep: t.timeStep ?? 30,
    counter: t.counter ?? 0,
    owner: users && t.user ? { login: t.user.login, resolver: t.user.resolver ?? '', realm: t.user.realm ?? '', userId: t.user.login } : null,
    info: t.ocrasuite !== undefined ? { ocrasuite: t.ocrasuite } : {},
  });
}

function sameToken(a: FileToken, b: FileToken, users: boolean): boolean {
  const counted = a.type !== 'ocra' || (a.ocrasuite ?? '').includes(':C-');
  return (
    a.serial === b.serial &&
    a.type === b.type &&
    a.seed.equals(b.seed) &&
    a.otpLength === b.otpLength &&
    a.algorithm === b.algorithm &&
    a.ocrasuite === b.ocrasuite &&
    (a.type === 'totp' ? (a.timeStep ?? 30) === b.timeStep : !counted || (a.counter ?? 0) === (b.counter ?? 0)) &&
    (!users || JSON.stringify(a.user) === JSON.stringify(b.user))
  );
}

export function fuzz(data: Buffer): void {
  const parsed = refusedWithSync([ImportError], () => parseOathCsv(data.toString('utf8'), 'fuzz.csv'));
  if (!parsed) return;
  check(parsed.length > 0, 'a file without tokens must be refused');
  for (const t of parsed) {
    check(t.serial !== '' && t.serial.trim() === t.serial, `serial ${JSON.stringify(t.serial)} is empty or not trimmed`);
    check(t.seed.length > 0, `${t.serial}: empty seed`);
    check(t.otpLength === undefined || (t.otpLength >= 6 && t.otpLength <= 8), `${t.serial}: otp length ${t.otpLength}`);
    check(t.counter === undefined || (Number.isSafeInteger(t.counter) && t.counter >= 0), `${t.serial}: counter ${t.counter}`);
    check(t.timeStep === undefined || (Number.isInteger(t.timeStep) && t.timeStep >= 1 && t.timeStep <= 3600), `${t.serial}: time step ${t.timeStep}`);
    // The version 2 layout carries an owner only with its resolver and realm.
    const users = t.user !== undefined && t.user.resolver !== undefined && t.user.realm !== undefined;
    const text = `${oathCsvHeader(users) + oathCsvLine(asToken(t, users), users)}\n`;
    const again = refusedWithSync([ImportError], () => parseOathCsv(text, 'export.csv'));
    check(again !== undefined && again.length === 1, `${t.serial}: its export line does not read back: ${JSON.stringify(text)}`);
    check(sameToken(t, again[0]!, users), `${t.serial}: export round trip changed the token: ${JSON.stringify(text)}`);
  }
}
