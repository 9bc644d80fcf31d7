// Users as the resolvers know them, with their tokens: for the helpdesk's
// search and a user's page.

import type { Actor } from '../../model/actor.ts';
import type { Token } from '../../model/token.ts';
import type { User } from '../../users/types.ts';
import type { Subject } from '../context.ts';
import { lookUpUser, unknownRealm } from '../subject.ts';
import type { AdminContext } from './context.ts';
import { AdminError } from './errors.ts';
import { authorize, authorizeRealm } from './permissions.ts';

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
