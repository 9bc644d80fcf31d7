// LinOTP 3's /admin/* token endpoints over the admin operations: LinOTP's
// parameter names in, LinOTP's result values out. Each token touched is one
// admin operation with its own audit event.

import QRCode from 'qrcode';
import {
  AdminError,
  assignToken,
  deleteToken,
  disableToken,
  enableToken,
  enrollToken,
  listTokens,
  resetToken,
  resyncToken,
  setPin,
  setTokenLimits,
  showToken,
  unassignToken,
  type AdminContext,
  type TokenLimits,
} from '../../../auth/admin.ts';
import type { Actor } from '../../../model/actor.ts';
import { HASH_ALGORITHMS, type HashAlgorithm, type Token } from '../../../model/token.ts';
import { OtpInputError } from '../../../otp/errors.ts';
import { parseSeed } from '../../../otp/seed.ts';
import { ERR_USAGE, LinotpParameterError } from './envelope.ts';
import type { Params } from './params.ts';
import { linotpToken, TYPE_OF_LINOTP } from './token-fields.ts';

export interface Answer {
  value: unknown;
  detail?: Record<string, unknown>;
}

export type Handler = (admin: AdminContext, actor: Actor, p: Params) => Promise<Answer>;

const TRUE = /^(1|true|yes)$/i;

/** The tokens a request names: its serial(s), else every token of its user. */
async function selected(admin: AdminContext, actor: Actor, p: Params): Promise<string[]> {
  const serials = p.all('serial').filter((s) => s !== '');
  if (serials.length > 0) return [...new Set(serials)];
  const user = p.get('user');
  if (!user) throw new LinotpParameterError('missing parameter user or serial!');
  const realm = p.get('realm');
  try {
    return (await listTokens(admin, actor, { user, ...(realm ? { realm } : {}) })).map((t) => t.serial);
  } catch (err) {
    if (err instanceof AdminError && err.code === 'not-found') return [];
    throw err;
  }
}

/** Runs `op` on each token, counting those it changed; a serial that does not exist counts 0 (LinOTP's answer), a refusal of the role is an error. */
async function eachToken(serials: string[], op: (serial: string) => Promise<unknown>): Promise<number> {
  let done = 0;
  for (const serial of serials) {
    try {
      await op(serial);
      done++;
    } catch (err) {
      if (!(err instanceof AdminError) || err.code !== 'not-found') throw err;
    }
  }
  return done;
}

function counted(p: Params, n: number): Answer {
  const serial = p.get('serial');
  const message = n === 0 ? (serial ? `No token with serial ${serial}` : 'No tokens for this user') : undefined;
  return { value: n, ...(message ? { detail: { message } } : {}) };
}

function img(dataUrl: string, width: number): string {
  return `<img width=${width} src="${dataUrl}"/>`;
}

export const init: Handler = async (admin, actor, p) => {
  const alias = (p.get('type') ?? 'hmac').toLowerCase();
  const type = TYPE_OF_LINOTP[alias];
  if (!type) throw new LinotpParameterError(`admin/init failed: unknown token type ${JSON.stringify(alias)}`, 1610);
  // E-mail, SMS and static password tokens: the server makes the seed and never shows it.
  const serverMade = type === 'email' || type === 'sms' || type === 'spass';
  const genkey = !serverMade && TRUE.test(p.get('genkey') ?? '');
  let seed: Buffer | undefined;
  const otpkey = p.get('otpkey');
  if (!serverMade && otpkey && !genkey) {
    try {
      seed = parseSeed(otpkey, 'hex');
    } catch (err) {
      if (err instanceof OtpInputError) throw new LinotpParameterError(`otpkey: ${err.message}`);
      throw err;
    }
  } else if (!serverMade && !genkey) {
    throw new LinotpParameterError("Missing parameter: 'otpkey' (or genkey=1)");
  }
  const hashlib = p.get('hashlib')?.toLowerCase();
  if (hashlib !== undefined && !(HASH_ALGORITHMS as readonly string[]).includes(hashlib)) throw new LinotpParameterError(`hashlib: expected sha1, sha256 or sha512, got ${JSON.stringify(hashlib)}`);
  const digits = type === 'ocra' || type === 'spass' ? undefined : p.int('otplen', 6, 8);
  const period = type === 'totp' ? p.int('timeStep', 1, 3600) : undefined;
  const user = p.get('user') || undefined;
  const realm = p.get('realm') || undefined;
  const enrolled = await enrollToken(admin, actor, {
    type,
    ...(seed ? { seed } : {}),
    ...(p.get('serial') ? { serial: p.get('serial')! } : {}),
    ...(digits !== undefined ? { digits } : {}),
    ...(hashlib !== undefined && type !== 'ocra' ? { algorithm: hashlib as HashAlgorithm } : {}),
    ...(period !== undefined ? { period } : {}),
    ...(type === 'ocra' && p.get('ocrasuite') ? { ocrasuite: p.get('ocrasuite')! } : {}),
    ...(p.get('description') !== undefined ? { description: p.get('description')! } : {}),
    ...(p.get('pin') ? { pin: p.get('pin')! } : {}),
    ...(type === 'email' && p.get('email_address') ? { email: p.get('email_address')! } : {}),
    ...(type === 'sms' && p.get('phone') ? { phone: p.get('phone')! } : {}),
    ...(user ? { user } : {}),
    ...(user && realm ? { realm } : {}),
  });
  const detail: Record<string, unknown> = { serial: enrolled.token.serial };
  if (genkey) {
    // Only a generated key goes back, as LinOTP does: a key the caller sent, it has.
    const hex = enrolled.token.seed.toString('hex');
    const [seedImg, uriImg] = await Promise.all([QRCode.toDataURL(hex), QRCode.toDataURL(enrolled.uri)]);
    const url = { order: '0', description: 'OTPAuth Url', value: enrolled.uri, img: img(uriImg, 250) };
    Object.assign(detail, { otpkey: { order: '1', description: 'OTP seed', value: `seed://${hex}`, img: img(seedImg, 200) }, enrollment_url: url, googleurl: url });
  }
  return { value: true, detail };
};

export const show: Handler = async (admin, actor, p) => {
  const serial = p.get('serial');
  const user = p.get('user');
  const realm = p.get('viewrealm') ?? p.get('realm');
  let tokens: Token[];
  try {
    if (serial && !serial.includes('*')) tokens = [await showToken(admin, actor, serial)];
    else {
      tokens = await listTokens(admin, actor, {
        ...(serial ? { serialPrefix: serial.replace(/\*+$/, '') } : {}),
        ...(user ? { user } : {}),
        ...(realm && (user || !serial) ? { realm } : {}),
      });
      if (serial && /\*./.test(serial)) throw new LinotpParameterError('serial: only a trailing * is supported');
    }
  } catch (err) {
    if (!(err instanceof AdminError) || err.code !== 'not-found') throw err;
    tokens = [];
  }
  const pagesize = p.int('pagesize', 1, 10_000) ?? 50;
  const pages = Math.max(1, Math.ceil(tokens.length / pagesize));
  const page = Math.min(p.int('page', 1, 1_000_000) ?? 1, pages);
  const json = p.get('tokeninfo_format') === 'json';
  const data = tokens.slice((page - 1) * pagesize, page * pagesize).map((t, i) => linotpToken(t, (page - 1) * pagesize + i + 1, json));
  return { value: { data, resultset: { pages, pagesize, tokens: tokens.length, page } } };
};

export const enable: Handler = async (admin, actor, p) => counted(p, await eachToken(await selected(admin, actor, p), (s) => enableToken(admin, actor, s)));
export const disable: Handler = async (admin, actor, p) => counted(p, await eachToken(await selected(admin, actor, p), (s) => disableToken(admin, actor, s)));
export const remove: Handler = async (admin, actor, p) => counted(p, await eachToken(await selected(admin, actor, p), (s) => deleteToken(admin, actor, s)));
export const reset: Handler = async (admin, actor, p) => counted(p, await eachToken(await selected(admin, actor, p), (s) => resetToken(admin, actor, s)));

export const resync: Handler = async (admin, actor, p) => {
  const otp1 = p.required('otp1');
  const otp2 = p.required('otp2');
  const serials = await selected(admin, actor, p);
  for (const serial of serials) {
    try {
      await resyncToken(admin, actor, serial, otp1, otp2);
      return { value: true };
    } catch (err) {
      if (!(err instanceof AdminError) || err.code === 'forbidden') throw err;
    }
  }
  return { value: false };
};

export const assign: Handler = async (admin, actor, p) => {
  const serials = p.all('serial').filter((s) => s !== '');
  if (serials.length === 0) throw new LinotpParameterError("Missing parameter: 'serial'");
  const user = p.required('user');
  const realm = p.get('realm') || undefined;
  const pin = p.get('pin');
  for (const serial of serials) {
    await assignToken(admin, actor, serial, user, realm);
    if (pin !== undefined) await setPin(admin, actor, serial, pin);
  }
  return { value: true };
};

export const unassign: Handler = async (admin, actor, p) => {
  await unassignToken(admin, actor, p.required('serial'));
  return { value: true };
};

/** LinOTP's /admin/set validity format, "31/01/24 14:05" (UTC), as unix seconds. */
function setTime(name: string, text: string): number {
  const m = /^(\d{2})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2})$/.exec(text.trim());
  if (!m) throw new LinotpParameterError(`${name}: expected DD/MM/YY HH:MM, got ${JSON.stringify(text.slice(0, 40))}`);
  return Date.UTC(2000 + Number(m[3]), Number(m[2]) - 1, Number(m[1]), Number(m[4]), Number(m[5])) / 1000;
}

/** /admin/set parameters otp-radius has no place for. */
const NOT_SETTABLE = ['hashlib', 'timeWindow', 'timeStep', 'timeShift', 'countAuth', 'countAuthSuccess', 'phone'];

export const set: Handler = async (admin, actor, p) => {
  const unsupported = NOT_SETTABLE.filter((n) => p.has(n));
  if (unsupported.length > 0) throw new LinotpParameterError(`set: ${unsupported.join(', ')} cannot be changed on an otp-radius token (enroll a new one instead)`);
  const limits: TokenLimits = {};
  const res: Record<string, number> = {};
  const fields: [string, keyof TokenLimits, number, number][] = [
    ['MaxFailCount', 'maxFail', 1, 1000],
    ['SyncWindow', 'syncWindow', 1, 100_000],
    ['OtpLen', 'otpLength', 6, 8],
    ['CounterWindow', 'window', 0, 100_000],
    ['countAuthMax', 'maxAuth', 0, Number.MAX_SAFE_INTEGER],
    ['countAuthSuccessMax', 'maxSuccess', 0, Number.MAX_SAFE_INTEGER],
  ];
  for (const [name, key, min, max] of fields) {
    const v = p.int(name, min, max);
    if (v !== undefined) (limits as Record<string, number>)[key] = v;
  }
  if (p.has('description')) limits.description = p.get('description')!;
  if (p.has('validityPeriodStart')) limits.validFrom = setTime('validityPeriodStart', p.get('validityPeriodStart')!);
  if (p.has('validityPeriodEnd')) limits.validUntil = setTime('validityPeriodEnd', p.get('validityPeriodEnd')!);
  const names = [...fields.map(([n]) => n), 'description', 'validityPeriodStart', 'validityPeriodEnd'].filter((n) => p.has(n));
  if (!p.has('pin') && names.length === 0)
    throw new LinotpParameterError(`Usage: set: parameters are pin, ${[...fields.map(([n]) => n), 'description', 'validityPeriodStart', 'validityPeriodEnd'].join(', ')}`, ERR_USAGE);
  const serials = await selected(admin, actor, p);
  if (p.has('pin')) res['set pin'] = await eachToken(serials, (s) => setPin(admin, actor, s, p.get('pin')!));
  if (names.length > 0) {
    const n = await eachToken(serials, (s) => setTokenLimits(admin, actor, s, limits));
    for (const name of names) res[`set ${name}`] = n;
  }
  return { value: res };
};

export const setPinHandler: Handler = async (admin, actor, p) => {
  if (p.has('sopin')) throw new LinotpParameterError('setPin: sopin is for smartcard tokens, which otp-radius does not have');
  if (!p.has('userpin')) throw new LinotpParameterError('Usage: setPin: parameters are serial, userpin', ERR_USAGE);
  const serial = p.required('serial');
  await setPin(admin, actor, serial, p.get('userpin')!);
  return { value: { 'set userpin': 1 } };
};

/** A setValidity value: a whole number, or 'unlimited' to remove the limit. */
function limitOrUnlimited(p: Params, name: string): number | null | undefined {
  const v = p.get(name);
  if (v === undefined) return undefined;
  if (v.toLowerCase() === 'unlimited') return null;
  return p.int(name, 0, Number.MAX_SAFE_INTEGER);
}

export const setValidity: Handler = async (admin, actor, p) => {
  const serials = p.all('tokens').filter((s) => s !== '');
  if (serials.length === 0) throw new LinotpParameterError('missing parameter: tokens[]');
  const limits: TokenLimits = {};
  const maxAuth = limitOrUnlimited(p, 'countAuthMax');
  const maxSuccess = limitOrUnlimited(p, 'countAuthSuccessMax');
  const from = limitOrUnlimited(p, 'validityPeriodStart');
  const until = limitOrUnlimited(p, 'validityPeriodEnd');
  if (maxAuth !== undefined) limits.maxAuth = maxAuth;
  if (maxSuccess !== undefined) limits.maxSuccess = maxSuccess;
  if (from !== undefined) limits.validFrom = from;
  if (until !== undefined) limits.validUntil = until;
  for (const serial of serials) await setTokenLimits(admin, actor, serial, limits);
  return { value: serials };
};
