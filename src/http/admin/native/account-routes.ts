// /api/v1/admins and /api/v1/api-keys: the admin role's own business.

import type { FastifyInstance } from 'fastify';
import {
  accountView,
  addAccount,
  apiKeyView,
  createApiKey,
  deleteAccount,
  listAccounts,
  listApiKeys,
  MIN_PASSWORD_LENGTH,
  revokeApiKey,
  setAccountDisabled,
  setAccountPassword,
  showAccount,
  type AccountOtp,
} from '../../../auth/admin.ts';
import type { Role } from '../../../model/actor.ts';
import { callerOf } from '../caller.ts';
import { body, errors, REALM, ROLE, SERIAL } from '../schemas.ts';
import { unixSeconds, type AdminRouteDeps } from './deps.ts';
import { enrollmentView } from './token-routes.ts';

const NAME = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9_.@-]*$' };
const NAME_PARAMS = { type: 'object', properties: { name: NAME }, required: ['name'], additionalProperties: false };
const PASSWORD = { type: 'string', minLength: MIN_PASSWORD_LENGTH, maxLength: 1024 };
const REALM_LIST = { type: 'array', items: REALM, minItems: 1, maxItems: 100 };

export function accountRoutes(deps: AdminRouteDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    const { admin } = deps;

    app.get(
      '/api/v1/admins',
      {
        schema: { tags: ['admins'], summary: 'Admin accounts', response: { 200: { type: 'object', properties: { admins: { type: 'array', items: { $ref: 'AdminAccount#' } } } }, ...errors() } },
      },
      async (request) => ({ admins: (await listAccounts(admin, callerOf(request).actor)).map(accountView) }),
    );

    app.post(
      '/api/v1/admins',
      {
        schema: {
          tags: ['admins'],
          summary: 'A new admin account with its own token (shown once), an existing spare token, or none',
          body: body(
            {
              name: NAME,
              role: ROLE,
              realms: REALM_LIST,
              password: PASSWORD,
              otp: { type: 'string', enum: ['totp', 'hotp', 'none'], default: 'totp' },
              token: { ...SERIAL, description: "an existing spare token to become the account's own (instead of otp)" },
            },
            ['name', 'role', 'password'],
          ),
          response: { 201: { type: 'object', properties: { account: { $ref: 'AdminAccount#' }, enrollment: { $ref: 'Enrollment#' } }, required: ['account'] }, ...errors(404, 409) },
        },
      },
      async (request, reply) => {
        const b = request.body as { name: string; role: Role; realms?: string[]; password: string; otp: 'totp' | 'hotp' | 'none'; token?: string };
        const otp: AccountOtp = b.token !== undefined ? { serial: b.token } : b.otp === 'none' ? 'none' : { enroll: b.otp };
        const added = await addAccount(admin, callerOf(request).actor, { name: b.name, role: b.role, password: b.password, otp, ...(b.realms ? { realms: b.realms } : {}) });
        const enrollment = added.enrolled ? await enrollmentView(added.enrolled.token, added.enrolled.uri, b.name) : undefined;
        return reply.code(201).send({ account: accountView(added.account), ...(enrollment ? { enrollment } : {}) });
      },
    );

    app.get(
      '/api/v1/admins/:name',
      {
        schema: { tags: ['admins'], summary: 'One admin account', params: NAME_PARAMS, response: { 200: { $ref: 'AdminAccount#' }, ...errors(404) } },
      },
      async (request) => accountView(await showAccount(admin, callerOf(request).actor, (request.params as { name: string }).name)),
    );

    app.patch(
      '/api/v1/admins/:name',
      {
        schema: {
          tags: ['admins'],
          summary: "Disable or enable, or set a new password (either ends the account's sessions)",
          params: NAME_PARAMS,
          body: { ...body({ disabled: { type: 'boolean' }, password: PASSWORD }), minProperties: 1 },
          response: { 200: { $ref: 'AdminAccount#' }, ...errors(404, 409) },
        },
      },
      async (request) => {
        const { name } = request.params as { name: string };
        const b = request.body as { disabled?: boolean; password?: string };
        const { actor } = callerOf(request);
        if (b.disabled !== undefined) await setAccountDisabled(admin, actor, name, b.disabled);
        if (b.password !== undefined) await setAccountPassword(admin, actor, name, b.password);
        return accountView(await showAccount(admin, actor, name));
      },
    );

    app.delete(
      '/api/v1/admins/:name',
      {
        schema: {
          tags: ['admins'],
          summary: 'Delete an admin account, its sessions and its token',
          params: NAME_PARAMS,
          response: { 204: { type: 'null', description: 'deleted' }, ...errors(404, 409) },
        },
      },
      async (request, reply) => {
        await deleteAccount(admin, callerOf(request).actor, (request.params as { name: string }).name);
        return reply.code(204).send();
      },
    );

    app.get(
      '/api/v1/api-keys',
      {
        schema: {
          tags: ['api keys'],
          summary: 'API keys (never their secrets)',
          response: { 200: { type: 'object', properties: { keys: { type: 'array', items: { $ref: 'ApiKey#' } } } }, ...errors() },
        },
      },
      async (request) => {
        const now = admin.auth.now();
        return { keys: (await listApiKeys(admin, callerOf(request).actor)).map((k) => apiKeyView(k, now)) };
      },
    );

    app.post(
      '/api/v1/api-keys',
      {
        schema: {
          tags: ['api keys'],
          summary: 'A new API key; the secret is in this answer only',
          body: body({ role: ROLE, realms: REALM_LIST, expires: { type: 'string', format: 'date-time' }, description: { type: 'string', maxLength: 1000 } }, ['role']),
          response: {
            201: { type: 'object', properties: { key: { $ref: 'ApiKey#' }, secret: { type: 'string', description: 'send as Authorization: Bearer SECRET' } }, required: ['key', 'secret'] },
            ...errors(),
          },
        },
      },
      async (request, reply) => {
        const b = request.body as { role: Role; realms?: string[]; expires?: string; description?: string };
        const created = await createApiKey(admin, callerOf(request).actor, {
          role: b.role,
          ...(b.realms ? { realms: b.realms } : {}),
          ...(b.expires !== undefined ? { expiresAt: unixSeconds(b.expires)! } : {}),
          ...(b.description !== undefined ? { description: b.description } : {}),
        });
        return reply.code(201).send({ key: apiKeyView(created.key, admin.auth.now()), secret: created.secret });
      },
    );

    app.delete(
      '/api/v1/api-keys/:id',
      {
        schema: {
          tags: ['api keys'],
          summary: 'Revoke an API key (it stays listed as revoked)',
          params: { type: 'object', properties: { id: { type: 'string', pattern: '^[0-9a-f]{16}$' } }, required: ['id'], additionalProperties: false },
          response: { 204: { type: 'null', description: 'revoked' }, ...errors(404, 409) },
        },
      },
      async (request, reply) => {
        await revokeApiKey(admin, callerOf(request).actor, (request.params as { id: string }).id);
        return reply.code(204).send();
      },
    );
  };
}
