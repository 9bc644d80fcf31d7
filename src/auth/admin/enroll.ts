// A new token for a user (or a spare one): its row in the store, and the
// otpauth URI an authenticator app reads from the QR code. The seed leaves
// here once, in that URI; afterwards it stays encrypted in the store.

import type { Actor } from '../../model/actor.ts';
import type { NewToken, Token } from '../../model/token.ts';
import { buildToken, hasProvisioningUri, provisioningUri, TokenTypeError, type EnrollOptions } from '../../tokens/index.ts';
import type { Subject } from '../context.ts';
import { lookUpUser } from '../subject.ts';
import { operation, type AdminContext, type Target } from './context.ts';
import { AdminError } from './errors.ts';
import { refusal } from './refusals.ts';
import { enrollDestination } from './code-tokens.ts';
import { authorizeRealm } from './permissions.ts';

export interface EnrollRequest extends Omit<EnrollOptions, 'pinHash' | 'owner'> {
  /** LOGIN or LOGIN@REALM; none = a spare token, assigned later. */
  user?: string;
  realm?: string;
  /** The token PIN typed before the OTP; none or empty = the OTP alone. */
  pin?: string;
  /** The token is unusable until one valid OTP is entered (verifyToken). */
  pending?: boolean;
  /** Token info entries kept beside those of the type (the enrollment code a self-enrolled token used). */
  info?: Record<string, string>;
}

export interface Enrolled {
  token: Token;
  /** otpauth:// URI with the seed: show it once. Empty for e-mail, SMS and static password tokens, whose seed stays here. */
  uri: string;
  /** The label authenticator apps show. */
  account: string;
  owner?: Subject;
}

export function enrollToken(ctx: AdminContext, actor: Actor, request: EnrollRequest): Promise<Enrolled> {
  return operation(ctx, actor, 'token.enroll', {}, async (target) => {
    let owner: Subject | undefined;
    if (request.user !== undefined) {
      // The user as asked for, so that a refusal before the lookup ends still names them.
      target.user = request.user;
      if (request.realm !== undefined) target.realm = request.realm;
      const found = await lookUpUser(ctx.auth, request.user, request.realm);
      if ('missing' in found) throw new AdminError('not-found', found.missing);
      owner = found.found;
      target.user = owner.user.login;
      target.realm = owner.realm;
    }
    authorizeRealm(actor, owner?.realm ?? null);
    const { user: _user, realm: _realm, ...rest } = request;
    return enrollFor(ctx, owner, rest, target);
  });
}

/**
 * The work of an enrollment once the owner is known and allowed (the admin
 * operation above, and a user's own enrollment on the self-service pages):
 * the token's row, and its URI for an authenticator app.
 */
export async function enrollFor(ctx: AdminContext, owner: Subject | undefined, request: Omit<EnrollRequest, 'user' | 'realm'>, target: Target): Promise<Enrolled> {
  const { pin, pending, info, ...options } = request;
  if (pending && options.type !== 'hotp' && options.type !== 'totp') {
    const why = options.type === 'ocra' ? 'OCRA tokens answer challenges' : options.type === 'spass' ? 'a static password has no OTP' : 'the server sends its codes';
    throw new AdminError('invalid', `only HOTP and TOTP tokens can wait for verification with one OTP, not ${options.type} (${why}): enroll it with verification off`);
  }
  if (options.type === 'spass' && !pin && ctx.auth.policy.otppin === 'token') throw refusal('spass-pin');
  if (options.type === 'email') options.email = enrollDestination(ctx, 'email', options.email, owner);
  if (options.type === 'sms') options.phone = enrollDestination(ctx, 'sms', options.phone, owner);
  let row: NewToken;
  try {
    row = buildToken(
      {
        ...options,
        ...(pin ? { pinHash: await ctx.auth.pins.hash(pin) } : {}),
        ...(owner ? { owner: { realm: owner.realm, resolver: owner.user.resolver, userId: owner.user.id, login: owner.user.login } } : {}),
      },
      ctx.tokenDefaults,
    ).token;
  } catch (err) {
    if (err instanceof TokenTypeError) throw new AdminError('invalid', err.message);
    throw err;
  }
  target.serial = row.serial;
  if (await ctx.auth.store.getToken(row.serial)) throw new AdminError('conflict', `serial ${row.serial} already exists`);
  const token = await ctx.auth.store.createToken({ ...row, ...(info ? { info: { ...row.info, ...info } } : {}), ...(pending ? { pending: true } : {}) }, ctx.auth.now());
  // The login alone in the default realm, login@realm elsewhere.
  const account = !owner ? token.serial : owner.realm === ctx.auth.users.defaultRealm?.toLowerCase() ? owner.user.login : `${owner.user.login}@${owner.realm}`;
  const uri = hasProvisioningUri(token.type) ? provisioningUri(token, account, ctx.tokenDefaults.issuer) : '';
  return { token, uri, account, ...(owner ? { owner } : {}) };
}
