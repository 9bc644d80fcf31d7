// Users as the resolvers know them, with their tokens: for the helpdesk's
// search and a user's page.

import type { Actor } from '../../model/actor.ts';
import type { AuditRecord } from '../../model/audit.ts';
import type { Token } from '../../model/token.ts';
import type { User } from '../../users/types.ts';
import type { Subject } from '../context.ts';
import { lookUpUser, unknownRealm } from '../subject.ts';
import type { AdminContext } from './context.ts';
import { AdminError } from './errors.ts';
import { lastAuthentication } from './audit-query.ts';
import { authorize, authorizeRealm, inScope } from './permissions.ts';

export async function findUser(ctx: AdminContext, actor: Actor, login: string, realm?: string): Promise<Subject & { tokens: Token[] }> {
  authorize(actor, 'user.read');
  const found = await lookUpUser(ctx.auth, login, realm);
  if ('missing' in found) throw new AdminError('not-found', found.missing);
  authorizeRealm(actor, found.found.realm);
  const tokens = await ctx.auth.store.tokensOfUser(found.found.user.resolver, found.found.user.id);
  return { ...found.found, tokens };
}

/** Users of a realm (the default one unless given) whose login or name contains `search`. */
export async function listUsers(ctx: AdminContext, actor: Actor, options: { realm?: string; search?: string; limit: number }): Promise<{ realm: string; users: User[] }> {
  authorize(actor, 'user.read');
  const realm = options.realm ?? ctx.auth.users.defaultRealm;
  if (realm === undefined) throw new AdminError('invalid', 'no realm given and no default realm configured');
  if (!ctx.auth.users.hasRealm(realm)) throw new AdminError('not-found', unknownRealm(ctx.auth, realm));
  authorizeRealm(actor, realm.toLowerCase());
  return { realm: realm.toLowerCase(), users: await ctx.auth.users.listUsers(realm, options.search, options.limit) };
}

/**
 * The user's newest authentication decisions from the audit table, for the
 * helpdesk to see why a login fails: a role that may read the user may read
 * these, in the user's realm only.
 */
export async function userAuthentications(ctx: AdminContext, actor: Actor, login: string, realm: string, limit: number): Promise<AuditRecord[]> {
  authorize(actor, 'user.read');
  authorizeRealm(actor, realm.toLowerCase());
  return ctx.auth.store.audit.query({ user: login, realm: realm.toLowerCase(), event: 'auth', limit: Math.max(1, Math.min(limit, 100)) });
}

export interface UserSummary extends Subject {
  tokens: Token[];
  /** The newest authentication decision in the audit table, if any. */
  lastAuth?: AuditRecord;
}

/**
 * Users whose login or name contains `search`, in every realm the actor
 * reaches (or the one given), at most `limit` in all, each with their
 * tokens and last authentication. A realm whose directory does not answer
 * is named in `unavailable` rather than failing the search.
 */
export async function searchUsers(ctx: AdminContext, actor: Actor, options: { search?: string; realm?: string; limit: number }): Promise<{ users: UserSummary[]; unavailable: string[] }> {
  authorize(actor, 'user.read');
  let realms = ctx.auth.users.names.filter((r) => inScope(actor, r));
  if (options.realm !== undefined) {
    const realm = options.realm.toLowerCase();
    if (!ctx.auth.users.hasRealm(realm)) throw new AdminError('not-found', unknownRealm(ctx.auth, realm));
    authorizeRealm(actor, realm);
    realms = [realm];
  }
  const users: UserSummary[] = [];
  const unavailable: string[] = [];
  for (const realm of realms) {
    if (users.length >= options.limit) break;
    let found: User[];
    try {
      found = await ctx.auth.users.listUsers(realm, options.search, options.limit - users.length);
    } catch (err) {
      ctx.auth.logger.warn({ realm, err: (err as Error).message }, 'user search: a realm did not answer');
      unavailable.push(realm);
      continue;
    }
    for (const user of found) {
      const [tokens, lastAuth] = await Promise.all([ctx.auth.store.tokensOfUser(user.resolver, user.id), lastAuthentication(ctx, user.login, realm)]);
      users.push({ user, realm, tokens, ...(lastAuth ? { lastAuth } : {}) });
    }
  }
  return { users, unavailable };
}
