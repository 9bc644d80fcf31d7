// /admin/getSerialByOtp (which token makes this OTP) and /admin/checkstatus
// (the open challenges of a transaction, a token or a user).

import { AdminError, listTokens, showToken } from '../../../auth/admin.ts';
import type { Challenge } from '../../../model/challenge.ts';
import type { Token } from '../../../model/token.ts';
import { tokenKind } from '../../../tokens/index.ts';
import { ERR_USAGE, LinotpParameterError } from './envelope.ts';
import type { Handler } from './token-handlers.ts';
import { linotpTime, linotpToken, TYPE_OF_LINOTP } from './token-fields.ts';

/** Tokens read from the store at a time while searching for an OTP. */
const PAGE = 1000;

export const getSerialByOtp: Handler = async (admin, actor, p) => {
  const otp = p.required('otp');
  const typeName = p.get('type')?.toLowerCase();
  const type = typeName ? TYPE_OF_LINOTP[typeName] : undefined;
  if (typeName && !type) throw new LinotpParameterError(`type: unknown token type ${JSON.stringify(typeName)}`);
  const assigned = p.get('assigned');
  const realm = p.get('realm') || undefined;
  const now = admin.auth.now();
  // Looked at without moving any counter: finding a token is not a login.
  const matches = (t: Token): boolean => (assigned !== '1' || t.owner !== null) && t.type !== 'ocra' && tokenKind(t.type).checkOtp(t, otp, now).kind === 'match';
  let found: Token | undefined;
  let after: string | undefined;
  for (;;) {
    const page = await listTokens(admin, actor, {
      ...(type ? { type } : {}),
      ...(realm ? { realm } : {}),
      ...(assigned === '0' ? { unassigned: true } : {}),
      ...(after ? { after } : {}),
      limit: PAGE,
    });
    found = page.find(matches);
    if (found || page.length < PAGE) break;
    after = page[page.length - 1]!.serial;
  }
  return { value: { success: true, serial: found?.serial ?? '', user_login: found?.owner?.login ?? '', user_resolver: found?.owner?.resolver ?? '' } };
};

function challengeVars(c: Challenge, serial: string): Record<string, unknown> {
  return {
    transid: c.transactionId,
    tokenserial: serial,
    challenge: c.data,
    timestamp: linotpTime(c.createdAt),
    expires: linotpTime(c.expiresAt),
    received_count: c.attempts,
    open: c.attempts < c.maxAttempts,
  };
}

export const checkstatus: Handler = async (admin, actor, p) => {
  const transid = p.get('transactionid') ?? p.get('state');
  const serial = p.get('serial');
  const user = p.get('user');
  if (!transid && !serial && !user) throw new LinotpParameterError('Usage: checkstatus: give transactionid (or state), serial or user', ERR_USAGE);
  const tokens = new Map<string, Token>();
  const tokenOf = async (s: string): Promise<Token | undefined> => {
    if (!tokens.has(s)) {
      try {
        tokens.set(s, await showToken(admin, actor, s));
      } catch (err) {
        if (!(err instanceof AdminError) || (err.code !== 'not-found' && err.code !== 'forbidden')) throw err;
      }
    }
    return tokens.get(s);
  };
  const wanted = new Set<string>();
  if (serial) wanted.add(serial);
  if (user) for (const t of await listTokens(admin, actor, { user, ...(p.get('realm') ? { realm: p.get('realm')! } : {}) })) wanted.add(t.serial);
  const now = admin.auth.now();
  const all = (await admin.auth.store.listChallenges()).filter((c) => c.expiresAt >= now && (transid ? c.transactionId === transid : true));
  const values: Record<string, { challenges: Record<string, unknown>; tokeninfo: Record<string, unknown> }> = {};
  for (const c of all) {
    for (const s of c.serials) {
      if (!transid && !wanted.has(s)) continue;
      if (transid && wanted.size > 0 && !wanted.has(s)) continue;
      // Only the tokens the actor may see: showToken refuses the others.
      const t = await tokenOf(s);
      if (!t) continue;
      values[s] ??= { challenges: {}, tokeninfo: linotpToken(t, 0, true) };
      values[s].challenges[c.transactionId] = challengeVars(c, s);
    }
  }
  return { value: { values } };
};
