// A token as LinOTP's /admin/show lists it: the LinOtp.* fields of its
// token table and the User.* fields of the owner. Where otp-radius keeps a
// thing differently the nearest value is given: TokenId is the position in
// the answer, IdResolver and IdResClass name the resolver of the config.

import type { Token } from '../../../model/token.ts';

/** LinOTP's token type names. */
export const LINOTP_TYPE: Record<Token['type'], string> = { hotp: 'HMAC', totp: 'TOTP', ocra: 'OCRA2', email: 'email', sms: 'sms', spass: 'spass' };

/** LinOTP's type parameter of /admin/init to ours. */
export const TYPE_OF_LINOTP: Record<string, Token['type']> = { hmac: 'hotp', hotp: 'hotp', totp: 'totp', ocra2: 'ocra', ocra: 'ocra', email: 'email', sms: 'sms', spass: 'spass' };

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** "2024-01-31 14:05:00", the way LinOTP's token table shows times (UTC). */
export function linotpTime(unix: number | null): string {
  if (unix === null) return '';
  const d = new Date(unix * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** "31/01/24 14:05", the format of LinOTP's validity_period_start/end token info. */
export function validityTime(unix: number): string {
  const d = new Date(unix * 1000);
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCFullYear() % 100)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** LinOTP's TokenInfo: what it keeps in that JSON column for these fields. */
export function tokenInfo(t: Token): Record<string, string> {
  const info: Record<string, string> = { hashlib: t.algorithm };
  if (t.type === 'totp') {
    info.timeStep = String(t.timeStep);
    info.timeShift = String(t.drift);
    info.timeWindow = String(t.window);
  }
  if (t.type === 'ocra' && t.info.ocrasuite) info.ocrasuite = t.info.ocrasuite;
  if (t.maxAuth !== null) info.count_auth_max = String(t.maxAuth);
  if (t.maxSuccess !== null) info.count_auth_success_max = String(t.maxSuccess);
  info.count_auth = String(t.authCount);
  info.count_auth_success = String(t.successCount);
  if (t.validFrom !== null) info.validity_period_start = validityTime(t.validFrom);
  if (t.validUntil !== null) info.validity_period_end = validityTime(t.validUntil);
  return info;
}

export function linotpToken(t: Token, position: number, infoAsJson: boolean): Record<string, unknown> {
  const info = tokenInfo(t);
  return {
    'LinOtp.TokenId': position,
    'LinOtp.TokenDesc': t.description,
    'LinOtp.TokenSerialnumber': t.serial,
    'LinOtp.TokenType': LINOTP_TYPE[t.type],
    'LinOtp.TokenInfo': infoAsJson ? info : JSON.stringify(info),
    'LinOtp.IdResolver': t.owner?.resolver ?? '',
    'LinOtp.IdResClass': t.owner ? `otp-radius.${t.owner.resolver}` : '',
    'LinOtp.Userid': t.owner?.userId ?? '',
    'LinOtp.OtpLen': t.otpLength,
    'LinOtp.MaxFail': t.maxFail,
    'LinOtp.Isactive': t.active && !t.revoked && !t.pending,
    'LinOtp.FailCount': t.failCount,
    'LinOtp.Count': t.counter,
    'LinOtp.CountWindow': t.window,
    'LinOtp.SyncWindow': t.syncWindow,
    'LinOtp.CreationDate': linotpTime(t.createdAt),
    'LinOtp.LastAuthSuccess': linotpTime(t.lastAuth),
    'LinOtp.LastAuthMatch': linotpTime(t.lastAuth),
    'LinOtp.RealmNames': t.owner ? [t.owner.realm] : [],
    'User.description': '',
    'User.userid': t.owner?.userId ?? '',
    'User.username': t.owner?.login ?? '',
  };
}
