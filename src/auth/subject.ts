// From a user name to the user: realm (explicit, user@realm or DOMAIN\user,
// the NAS's, the default), then the resolvers of that realm.

import type { AccessRequest } from '../model/access-request.ts';
import type { RejectDecision } from '../model/decision.ts';
import { AmbiguousUserError, ResolverUnavailableError, type User } from '../users/types.ts';
import type { AuthContext, Subject } from './context.ts';
import { logOutage } from './outage-log.ts';
import { reject } from './outcome.ts';
import { trace } from './trace.ts';
import { splitUserName } from './username.ts';

/** Ambiguous logins already logged, so a NAS retrying one does not flood the log. */
const ambiguousLogged = new WeakMap<AuthContext, Set<string>>();

/** A login in a realm that exists, as a request names it. */
export interface Named {
  login: string;
  realm: string;
}

/** The login and realm a request names, or the reject when the realm is missing or unknown. */
export function nameOf(ctx: AuthContext, request: AccessRequest): Named | RejectDecision {
  const { policy } = ctx;
  // A realm given apart (LinOTP's `realm` parameter) takes the user name as written.
  const split = request.realm !== undefined ? { login: request.userName } : splitUserName(request.userName, policy);
  const realm = request.realm ?? split.realm ?? request.nas.realm ?? ctx.users.defaultRealm;
  const from = request.realm !== undefined ? 'given apart' : split.realm !== undefined ? 'in the user name' : request.nas.realm !== undefined ? "the NAS client's" : 'the default';
  trace('realm', { login: split.login, realm: realm ?? null, from });
  if (realm === undefined) return reject(policy, 'no realm', { user: split.login });
  if (!ctx.users.hasRealm(realm)) return reject(policy, 'unknown realm', { user: split.login, realm });
  return { login: split.login, realm: realm.toLowerCase() };
}

/** The user, undefined when the realm's resolvers know none by that login, or the reject when they cannot say. */
export async function lookUp(ctx: AuthContext, name: Named): Promise<User | undefined | RejectDecision> {
  const { policy, logger } = ctx;
  const { login, realm } = name;
  try {
    const user = await ctx.users.findUser(realm, login);
    trace(user ? 'user found' : 'no such user', user ? { resolver: user.resolver, id: user.id, groups: user.groups } : { realm, login });
    return user;
  } catch (err) {
    if (err instanceof ResolverUnavailableError) {
      logOutage(ctx, `resolver:${err.resolver}`, { resolver: err.resolver, cause: err.message, realm }, 'resolver unavailable: rejecting logins of its users until it answers');
      ctx.onResolverError(err.resolver);
      return reject(policy, 'resolver unavailable', { user: login, realm });
    }
    if (err instanceof AmbiguousUserError) {
      let logged = ambiguousLogged.get(ctx);
      if (!logged) {
        logged = new Set();
        ambiguousLogged.set(ctx, logged);
      }
      const key = `${realm}|${login}`;
      if (!logged.has(key)) {
        logged.add(key);
        logger.error({ realm, login, resolvers: err.resolvers }, err.message);
      }
      return reject(policy, 'ambiguous user', { user: login, realm });
    }
    throw err;
  }
}

/** Names the realms there are, for an administrator who mistyped one. */
export function unknownRealm(ctx: AuthContext, realm: string): string {
  return `unknown realm "${realm}" (realms: ${ctx.users.names.join(', ') || 'none'})`;
}

export type UserLookup = { found: Subject } | { missing: string };

/**
 * An administrator's LOGIN or LOGIN@REALM (or an explicit realm) to the user:
 * the realm part counts only when it names a configured realm, since logins
 * may contain @ themselves.
 */
export async function lookUpUser(ctx: AuthContext, login: string, realm?: string): Promise<UserLookup> {
  let name = login;
  let realmName = realm;
  const at = login.lastIndexOf('@');
  if (realmName === undefined && at > 0 && ctx.users.hasRealm(login.slice(at + 1))) {
    realmName = login.slice(at + 1);
    name = login.slice(0, at);
  }
  realmName ??= ctx.users.defaultRealm;
  if (realmName === undefined) return { missing: 'no realm given and no default realm configured (give a realm or user@realm)' };
  if (!ctx.users.hasRealm(realmName)) return { missing: unknownRealm(ctx, realmName) };
  const user = await ctx.users.findUser(realmName, name);
  if (!user) return { missing: `user "${name}" not found in realm "${realmName.toLowerCase()}"` };
  return { found: { user, realm: realmName.toLowerCase() } };
}
