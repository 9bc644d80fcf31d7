// The console's token list: filters (realm, user, serial prefix, type,
// state, last used before/after) as a GET form, a page at a time in serial
// order, with checkboxes for the bulk actions of token-bulk.ts.

import type { FastifyInstance } from 'fastify';
import { BATCH_ACTIONS, inScope, listTokens, mayDo, TOKEN_STATES, type AdminContext, type TokenQuery } from '../../auth/admin.ts';
import { TOKEN_TYPES, type TokenType } from '../../model/token.ts';
import { sessionOf, webOf } from '../context.ts';
import { consolePage } from './labels.ts';
import { choice, DAY, daySeconds, field, form, given, queryOf } from './forms.ts';
import { tokenRow, userPath } from './token-rows.ts';

export interface TokenListDeps {
  admin: AdminContext;
}

export const PAGE_SIZE = 50;
/** What the state filter offers: the token states, and tokens nobody owns. */
const STATE_FILTERS = [...TOKEN_STATES, 'unassigned'] as const;

interface ListQuery {
  realm?: string;
  user?: string;
  serialPrefix?: string;
  type?: string;
  state?: string;
  usedBefore?: string;
  usedAfter?: string;
  after?: string;
}

export function tokenListRoutes(deps: TokenListDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get(
      '/tokens',
      {
        config: { may: 'token.read' },
        schema: {
          querystring: form({
            realm: field(128),
            user: field(256),
            serialPrefix: field(128),
            type: choice(TOKEN_TYPES),
            state: choice(STATE_FILTERS),
            usedBefore: DAY,
            usedAfter: DAY,
            after: field(128),
          }),
        },
      },
      async (request, reply) => {
        const { t, area } = webOf(request);
        const { actor } = sessionOf(request);
        const q = request.query as ListQuery;
        const filter = {
          realm: given(q.realm),
          user: given(q.user),
          serialPrefix: given(q.serialPrefix),
          type: given(q.type),
          state: given(q.state),
          usedBefore: given(q.usedBefore),
          usedAfter: given(q.usedAfter),
        };
        const before = daySeconds(filter.usedBefore, 'last used before');
        const after = daySeconds(filter.usedAfter, 'last used after');
        const query: TokenQuery = {
          ...(filter.user ? { user: filter.user } : {}),
          ...(filter.realm ? { realm: filter.realm } : {}),
          ...(filter.serialPrefix ? { serialPrefix: filter.serialPrefix } : {}),
          ...(filter.type ? { type: filter.type as TokenType } : {}),
          ...(filter.state === 'unassigned' ? { unassigned: true } : filter.state ? { state: filter.state as TokenQuery['state'] } : {}),
          // "Before" a day means before it starts; "after" a day includes it.
          ...(before !== undefined ? { lastUsedBefore: before } : {}),
          ...(after !== undefined ? { lastUsedAfter: after } : {}),
          ...(given(q.after) ? { after: given(q.after) } : {}),
          limit: PAGE_SIZE + 1,
        };
        const found = await listTokens(deps.admin, actor, query);
        const tokens = found.slice(0, PAGE_SIZE).map((tk) => ({ ...tokenRow(tk), href: tk.owner ? userPath(area.prefix, tk.owner.realm, tk.owner.login) : null }));
        const next = found.length > PAGE_SIZE ? `${area.prefix}/tokens${queryOf({ ...filter, after: tokens[tokens.length - 1]!.serial })}` : null;
        const first = given(q.after) ? `${area.prefix}/tokens${queryOf(filter)}` : null;
        const bulk = BATCH_ACTIONS.filter((a) => mayDo(actor, `token.${a}`));
        return consolePage(
          request,
          reply,
          'console/tokens',
          {
            filter,
            realms: deps.admin.auth.users.names.filter((r) => inScope(actor, r)),
            types: TOKEN_TYPES,
            states: STATE_FILTERS,
            tokens,
            next,
            first,
            bulk,
            here: `${area.prefix}/tokens${queryOf({ ...filter, after: given(q.after) })}`,
          },
          { title: t('tokens.title') },
        );
      },
    );
  };
}
