// The console's users: a search across the realms the role reaches, and a
// user's page with their directory data, tokens, last authentications and
// the forms the role may use (enroll, assign a spare token; the token
// buttons post to token-actions.ts). Assigning a spare token is here too.

import type { FastifyInstance } from 'fastify';
import { AdminError, assignToken, findUser, inScope, listTokens, mayDo, searchUsers, userAuthentications, type AdminContext } from '../../auth/admin.ts';
import type { User } from '../../users/types.ts';
import { sessionOf, webOf } from '../context.ts';
import { flash } from '../flash.ts';
import { seeOther } from '../page.ts';
import { consolePage } from './labels.ts';
import { enrollTypes } from './enroll.ts';
import { field, form, given } from './forms.ts';
import { tokenRow, userPath } from './token-rows.ts';
import { formRefusal } from './refusals.ts';

export interface UserPageDeps {
  admin: AdminContext;
}

/** Users listed by one search: enough to find someone, few enough to read. */
const SEARCH_LIMIT = 50;
/** Authentications shown on a user's page. */
const RECENT = 10;
/** Spare tokens offered for assignment. */
const SPARES = 100;

const USER_PARAMS = {
  type: 'object',
  properties: { realm: { type: 'string', minLength: 1, maxLength: 128 }, login: { type: 'string', minLength: 1, maxLength: 256 } },
  required: ['realm', 'login'],
} as const;

export function displayName(user: User): string {
  return [user.givenName, user.surname].filter(Boolean).join(' ');
}

export function userRoutes(deps: UserPageDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get(
      '/users',
      {
        config: { may: 'user.read' },
        schema: { querystring: form({ search: field(256), realm: field(128) }) },
      },
      async (request, reply) => {
        const { t, area } = webOf(request);
        const { actor } = sessionOf(request);
        const q = request.query as { search?: string; realm?: string };
        const search = given(q.search);
        const realm = given(q.realm);
        const found = await searchUsers(deps.admin, actor, { limit: SEARCH_LIMIT, ...(search ? { search } : {}), ...(realm ? { realm } : {}) });
        const users = found.users.map((u) => ({
          login: u.user.login,
          realm: u.realm,
          name: displayName(u.user),
          email: u.user.email ?? '',
          href: userPath(area.prefix, u.realm, u.user.login),
          tokens: u.tokens.map(tokenRow),
          lastAuth: u.lastAuth ? { at: u.lastAuth.at, result: u.lastAuth.result, reason: u.lastAuth.reason } : null,
        }));
        const realms = deps.admin.auth.users.names.filter((r) => inScope(actor, r));
        return consolePage(
          request,
          reply,
          'console/users',
          { search: search ?? '', realm: realm ?? '', realms, users, unavailable: found.unavailable, limit: SEARCH_LIMIT },
          { title: t('users.title') },
        );
      },
    );

    app.get('/users/:realm/:login', { config: { may: 'user.read' }, schema: { params: USER_PARAMS } }, async (request, reply) => {
      const { t, area } = webOf(request);
      const { actor } = sessionOf(request);
      const { realm, login } = request.params as { realm: string; login: string };
      const found = await findUser(deps.admin, actor, login, realm);
      const [recent, spares] = await Promise.all([
        userAuthentications(deps.admin, actor, found.user.login, found.realm, RECENT),
        mayDo(actor, 'token.assign') ? listTokens(deps.admin, actor, { unassigned: true, limit: SPARES }) : Promise.resolve([]),
      ]);
      const { user } = found;
      return consolePage(
        request,
        reply,
        'console/user',
        {
          user: { login: user.login, realm: found.realm, resolver: user.resolver, name: displayName(user), email: user.email ?? '', phone: user.phone ?? '', groups: user.groups },
          here: userPath(area.prefix, found.realm, user.login),
          tokens: found.tokens.map(tokenRow),
          recent,
          spares: spares.map((s) => ({ serial: s.serial, type: s.type, description: s.description })),
          types: enrollTypes(deps.admin),
        },
        { title: t('user.title', { login: user.login, realm: found.realm }) },
      );
    });

    app.post(
      '/users/:realm/:login/assign',
      {
        config: { may: 'token.assign' },
        schema: { params: USER_PARAMS, body: form({ serial: field(128) }, ['serial']) },
      },
      async (request, reply) => {
        const { area } = webOf(request);
        const { realm, login } = request.params as { realm: string; login: string };
        const serial = given((request.body as { serial: string }).serial);
        try {
          if (!serial) throw new AdminError('invalid', 'choose a spare token');
          await assignToken(deps.admin, sessionOf(request).actor, serial, login, realm);
          flash(request, reply, { kind: 'ok', key: 'token.done.assign', params: { serial, login } });
        } catch (err) {
          flash(request, reply, { kind: 'error', key: 'token.refused', params: { serial: serial ?? '', why: formRefusal(err, webOf(request).t) } });
        }
        return seeOther(request, reply, userPath(area.prefix, realm, login));
      },
    );
  };
}
