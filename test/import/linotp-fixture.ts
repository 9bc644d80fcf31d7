// A LinOTP-shaped database built by the tests: the Token, TokenRealm and
// Realm tables with LinOTP's column names, seeds and PINs encrypted the way
// LinOTP's default security module does it (this file's own code), with a
// known encKey. The same rows go into SQLite, PostgreSQL or MariaDB.

import { createCipheriv, createHash } from 'node:crypto';

/** Three 32-byte slots, as LinOTP creates it. */
export const ENC_KEY = Buffer.from(Array.from({ length: 96 }, (_, i) => (i * 37 + 11) & 0xff));
export const SLOT0 = ENC_KEY.subarray(0, 32);

export type Padding = 'linotp2' | 'pkcs7';

export const RFC4226 = Buffer.from('12345678901234567890', 'ascii');
export const RFC6238_SHA256 = Buffer.from('12345678901234567890123456789012', 'ascii');

function iv(n: number): Buffer {
  return Buffer.alloc(16, n);
}

/** LinOTP's encrypt(): hex text of the value, padded, AES-256-CBC. */
export function linotpEncrypt(value: Buffer, key: Buffer, ivBytes: Buffer, padding: Padding): Buffer {
  let plain = Buffer.from(value.toString('hex'), 'latin1');
  if (padding === 'linotp2') {
    plain = Buffer.concat([plain, Buffer.from([1, 2])]);
    plain = Buffer.concat([plain, Buffer.alloc((16 - (plain.length % 16)) % 16)]);
  } else {
    const n = 16 - (plain.length % 16);
    plain = Buffer.concat([plain, Buffer.alloc(n, n)]);
  }
  const cipher = createCipheriv('aes-256-cbc', key, ivBytes);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]);
}

/** LinOtpKeyEnc and LinOtpKeyIV for a seed: the seed goes in as its hex text. */
export function encryptedSeed(seed: Buffer, padding: Padding, ivByte = 7): { keyEnc: string; keyIv: string } {
  const v = iv(ivByte);
  return { keyEnc: linotpEncrypt(Buffer.from(seed.toString('hex'), 'latin1'), SLOT0, v, padding).toString('hex'), keyIv: v.toString('hex') };
}

/** LinOtpPinHash and LinOtpSeed of a hashed PIN: hex sha256(PIN || salt). */
export function hashedPin(pin: string, salt = Buffer.alloc(16, 0x42)): { pinHash: string; pinSeed: string } {
  return { pinHash: createHash('sha256').update(pin, 'utf8').update(salt).digest('hex'), pinSeed: salt.toString('hex') };
}

/** An "@@" encrypted PIN: "@@iv:ct" as LinOTP 2 writes it, hex-encoded once more by later versions. */
export function encryptedPin(pin: string, style: 'linotp2' | 'linotp3'): { pinHash: string; pinSeed: string } {
  const v = iv(9);
  const inner = `${v.toString('hex')}:${linotpEncrypt(Buffer.from(pin, 'utf8'), SLOT0, v, 'linotp2').toString('hex')}`;
  return { pinHash: style === 'linotp2' ? `@@${inner}` : `@@${Buffer.from(inner, 'latin1').toString('hex')}`, pinSeed: v.toString('hex') };
}

export interface Row {
  id: number;
  serial: string;
  type?: string;
  description?: string;
  info?: Record<string, unknown> | string;
  keyEnc?: string;
  keyIv?: string;
  pinHash?: string;
  pinSeed?: string;
  pinUser?: string;
  pinUserIv?: string;
  otpLen?: number;
  count?: number;
  countWindow?: number;
  syncWindow?: number;
  maxFail?: number;
  failCount?: number;
  active?: boolean;
  userId?: string;
  resClass?: string;
  created?: string | null;
  lastAuthSuccess?: string | null;
  realms?: string[];
}

export const COLUMNS = [
  'LinOtpTokenId',
  'LinOtpTokenDesc',
  'LinOtpTokenSerialnumber',
  'LinOtpTokenType',
  'LinOtpTokenInfo',
  'LinOtpTokenPinUser',
  'LinOtpTokenPinUserIV',
  'LinOtpTokenPinSO',
  'LinOtpTokenPinSOIV',
  'LinOtpIdResolver',
  'LinOtpIdResClass',
  'LinOtpUserid',
  'LinOtpSeed',
  'LinOtpOtpLen',
  'LinOtpPinHash',
  'LinOtpKeyEnc',
  'LinOtpKeyIV',
  'LinOtpMaxFail',
  'LinOtpIsactive',
  'LinOtpFailCount',
  'LinOtpCount',
  'LinOtpCountWindow',
  'LinOtpSyncWindow',
  'LinOtpCreationDate',
  'LinOtpLastAuthSuccess',
  'LinOtpLastAuthMatch',
] as const;

/** The column values of a row, in COLUMNS order. */
export function values(r: Row): unknown[] {
  const resClass = r.resClass ?? (r.userId ? 'useridresolver.PasswdIdResolver.IdResolver.local' : '');
  return [
    r.id,
    r.description ?? '',
    r.serial,
    r.type ?? 'HMAC',
    typeof r.info === 'string' ? r.info : JSON.stringify(r.info ?? {}),
    r.pinUser ?? '',
    r.pinUserIv ?? '',
    '',
    '',
    resClass.split('.').slice(0, -1).join('.'),
    resClass,
    r.userId ?? '',
    r.pinSeed ?? '',
    r.otpLen ?? 6,
    r.pinHash ?? '',
    r.keyEnc ?? '',
    r.keyIv ?? '',
    r.maxFail ?? 10,
    r.active ?? true,
    r.failCount ?? 0,
    r.count ?? 0,
    r.countWindow ?? 10,
    r.syncWindow ?? 1000,
    r.created ?? null,
    r.lastAuthSuccess ?? null,
    null,
  ];
}

/** CREATE TABLE statements, quoting names with `q` and typing with the dialect's own words. */
export function schema(q: (n: string) => string, types: { int: string; text: string; bool: string; time: string }): string[] {
  const col = (name: string): string => {
    const type =
      /Id$|OtpLen|MaxFail|FailCount|Count$|CountWindow|SyncWindow/.test(name) && name !== 'LinOtpIdResolver'
        ? types.int
        : name === 'LinOtpIsactive'
          ? types.bool
          : /Date|LastAuth/.test(name)
            ? types.time
            : types.text;
    return `${q(name)} ${type}${name === 'LinOtpTokenId' ? ' PRIMARY KEY' : ''}`;
  };
  return [
    `CREATE TABLE ${q('Token')} (${COLUMNS.map(col).join(', ')})`,
    `CREATE TABLE ${q('Realm')} (${q('id')} ${types.int} PRIMARY KEY, ${q('name')} ${types.text}, ${q('default')} ${types.bool}, ${q('option')} ${types.text})`,
    `CREATE TABLE ${q('TokenRealm')} (${q('id')} ${types.int} PRIMARY KEY, ${q('token_id')} ${types.int}, ${q('realm_id')} ${types.int})`,
  ];
}

/** Realm and TokenRealm rows for the tokens' realms. */
export function realmRows(rows: readonly Row[]): { realms: [number, string][]; links: [number, number, number][] } {
  const names = [...new Set(rows.flatMap((r) => r.realms ?? []))];
  const realms = names.map((n, i): [number, string] => [i + 1, n]);
  const links: [number, number, number][] = [];
  for (const r of rows) for (const n of r.realms ?? []) links.push([links.length + 1, r.id, names.indexOf(n) + 1]);
  return { realms, links };
}

export async function writeSqlite(path: string, rows: readonly Row[]): Promise<void> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(path);
  for (const stmt of schema((n) => `"${n}"`, { int: 'INTEGER', text: 'VARCHAR(2000)', bool: 'BOOLEAN', time: 'DATETIME' })) db.exec(stmt);
  const insert = db.prepare(`INSERT INTO "Token" (${COLUMNS.map((c) => `"${c}"`).join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`);
  const { realms, links } = realmRows(rows);
  db.transaction(() => {
    for (const r of rows) insert.run(values(r).map((v) => (typeof v === 'boolean' ? Number(v) : v)));
    for (const [id, name] of realms) db.prepare('INSERT INTO "Realm" ("id", "name", "default", "option") VALUES (?, ?, 0, \'\')').run(id, name);
    for (const l of links) db.prepare('INSERT INTO "TokenRealm" ("id", "token_id", "realm_id") VALUES (?, ?, ?)').run(...l);
  })();
  db.close();
}

/** Tokens of every kind the import meets; TOTP0002's counter says the previous 60 s step was used at `now`. */
export function sampleRows(now: number): Row[] {
  const STEP60 = Math.floor(now / 60);
  return [
    // LinOTP 2: \x01\x02 padding, hashed PIN, next usable counter 5, in LinOTP realm "myrealm".
    {
      id: 1,
      serial: 'LSHO0001',
      type: 'HMAC',
      ...encryptedSeed(RFC4226, 'linotp2'),
      ...hashedPin('1234'),
      count: 5,
      userId: '1001',
      realms: ['myrealm'],
      description: 'key fob',
      created: '2020-01-02 03:04:05.123456',
      lastAuthSuccess: '2024-05-06 07:08:09',
      info: { hashlib: 'sha1', count_auth: 7, count_auth_success: 5 },
    },
    // LinOTP 3: PKCS #7, SHA-256, 60 s steps, 8 digits, encrypted PIN; the OTP of the previous step was used.
    {
      id: 2,
      serial: 'TOTP0002',
      type: 'totp',
      ...encryptedSeed(RFC6238_SHA256, 'pkcs7', 3),
      ...encryptedPin('0000', 'linotp3'),
      otpLen: 8,
      count: STEP60,
      userId: '1002',
      info: { hashlib: 'sha256', timeStep: '60', timeWindow: '180', timeShift: '-12' },
      countWindow: 2,
      syncWindow: 100,
    },
    // OCRA2 without a counter, unassigned, validity and auth limits, LinOTP 2 encrypted PIN.
    {
      id: 3,
      serial: 'LSO20003',
      type: 'ocra2',
      ...encryptedSeed(RFC4226, 'linotp2', 4),
      ...encryptedPin('9999', 'linotp2'),
      otpLen: 6,
      info: { ocrasuite: 'OCRA-1:HOTP-SHA1-6:QN08', validity_period_start: '01/02/25 10:00', validity_period_end: '31/12/30 23:59', count_auth_max: '100', count_auth_success_max: 0 },
    },
    // A static password of bob's without a seed (LinOTP 2 made some so), and its "onetime" limit.
    { id: 4, serial: 'LSSP0004', type: 'spass', ...hashedPin('bob-static'), userId: '1002', info: { count_auth_success_max: '1' } },
    // An owner this directory does not know, locked by its fail counter, disabled.
    { id: 5, serial: 'HOTP0005', type: 'hmac', ...encryptedSeed(RFC4226, 'pkcs7', 5), userId: '4711', failCount: 10, maxFail: 10, active: false },
    { id: 6, serial: 'PUSH0006', type: 'push', userId: '1001', realms: ['myrealm'] },
    // E-mail and SMS tokens with the address and number LinOTP keeps in token info.
    {
      id: 10,
      serial: 'LSEM0010',
      type: 'email',
      ...encryptedSeed(RFC4226, 'pkcs7', 6),
      ...hashedPin('2222'),
      count: 3,
      userId: '1001',
      realms: ['myrealm'],
      info: { email_address: 'alice.linotp@example.org', hashlib: 'sha1' },
    },
    { id: 11, serial: 'LSSM0011', type: 'sms', ...encryptedSeed(RFC4226, 'linotp2', 8), ...hashedPin('3333'), count: 11, otpLen: 8, userId: '1002', info: { phone: '+49 151 12345689' } },
  ];
}
