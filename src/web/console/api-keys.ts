// API keys in the console (the admin role only): the list with each key's
// state and last use, a new key (its secret shown once, in the answer to
// the form, never stored), and revoking one.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AdminError, apiKeyView, createApiKey, inScope, listApiKeys, revokeApiKey, type AdminContext } from '../../auth/admin.ts';
import { ROLES, type Role } from '../../model/actor.ts';
import { sessionOf, webOf } from '../context.ts';
import { flash, type Notice } from '../flash.ts';
import { seeOther } from '../page.ts';
import { consolePage } from './labels.ts';
import { choice, DAY, daySeconds, field, form, given } from './forms.ts';
import { formRefusal } from './refusals.ts';

export interface ApiKeyDeps {
  admin: AdminContext;
}

const REALM_LIST = { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 128 } } as const;

interface CreateBody {
  role: string;
  realms?: string[];
  expires?: string;
  description?: string;
}

export function apiKeyRoutes(deps: ApiKeyDeps) {
  const listPage = async (request: FastifyRequest, reply: FastifyReply, notices: Notice[] = []) => {
    const { t } = webOf(request);
    const { actor } = sessionOf(request);
    const now = deps.admin.auth.now();
    const keys = (await listApiKeys(deps.admin, actor)).map((k) => apiKeyView(k, now));
    return consolePage(
      request,
      reply,
      'console/api-keys',
      { keys, roles: ROLES, realmNames: deps.admin.auth.users.names.filter((r) => inScope(actor, r)) },
      {
        title: t('keys.title'),
        ...(notices.length > 0 ? { status: 422, notices } : {}),
      },
    );
  };

  return async (app: FastifyInstance): Promise<void> => {
    app.get('/api-keys', { config: { may: 'apikey.read' } }, async (request, reply) => listPage(request, reply));

    app.post(
      '/api-keys',
      {
        config: { may: 'apikey.create' },
        schema: { body: form({ role: choice(ROLES), realms: REALM_LIST, expires: DAY, description: field(1000) }, ['role']) },
      },
      async (request, reply) => {
        const { t } = webOf(request);
        const b = request.body as CreateBody;
        try {
          if (!(ROLES as readonly string[]).includes(b.role)) throw new AdminError('invalid', 'choose a role');
          // A key expires at the end of the day given.
          const expires = daySeconds(b.expires, 'expires');
          const description = given(b.description);
          const created = await createApiKey(deps.admin, sessionOf(request).actor, {
            role: b.role as Role,
            ...(b.realms?.length ? { realms: b.realms } : {}),
            ...(expires !== undefined ? { expiresAt: expires + 86_400 } : {}),
            ...(description ? { description } : {}),
          });
          return consolePage(request, reply, 'console/key-created', { key: apiKeyView(created.key, deps.admin.auth.now()), secret: created.secret }, { title: t('keys.createdTitle'), noStore: true });
        } catch (err) {
          return listPage(request, reply, [{ kind: 'error', key: 'keys.refused', params: { why: formRefusal(err, webOf(request).t) } }]);
        }
      },
    );

    app.post(
      '/api-keys/:id/revoke',
      {
        config: { may: 'apikey.revoke' },
        schema: { params: { type: 'object', properties: { id: { type: 'string', pattern: '^[0-9a-f]{16}$' } }, required: ['id'] }, body: form({}) },
      },
      async (request, reply) => {
        const { area } = webOf(request);
        const { id } = request.params as { id: string };
        try {
          await revokeApiKey(deps.admin, sessionOf(request).actor, id);
          flash(request, reply, { kind: 'ok', key: 'keys.revoked', params: { id } });
        } catch (err) {
          flash(request, reply, { kind: 'error', key: 'keys.refused', params: { why: formRefusal(err, webOf(request).t) } });
        }
        return seeOther(request, reply, `${area.prefix}/api-keys`);
      },
    );
  };
}
