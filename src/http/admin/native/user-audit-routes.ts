// /api/v1/users: search across realms, with tokens and the last
// authentication; /api/v1/audit: authentication decisions and admin
// operations, newest first, a page at a time.

import type { FastifyInstance } from 'fastify';
import { findUser, lastAuthentication, queryAudit, searchUsers, tokenView, type UserSummary } from '../../../auth/admin.ts';
import type { AuditRecord } from '../../../model/audit.ts';
import { callerOf } from '../caller.ts';
import { errors, LOGIN, REALM, SERIAL } from '../schemas.ts';
import type { AdminRouteDeps } from './deps.ts';

const USER = {
  type: 'object',
  properties: {
    login: { type: 'string' },
    realm: { type: 'string' },
    resolver: { type: 'string' },
    id: { type: 'string' },
    displayName: { type: ['string', 'null'] },
    email: { type: ['string', 'null'] },
    phone: { type: ['string', 'null'] },
    groups: { type: 'array', items: { type: 'string' } },
    tokens: { type: 'array', items: { $ref: 'Token#' } },
    lastAuth: { anyOf: [{ $ref: 'AuditRecord#' }, { type: 'null' }] },
  },
  required: ['login', 'realm', 'tokens'],
};

export function auditView(r: AuditRecord): Record<string, unknown> {
  const { at, ...rest } = r;
  return { ...rest, time: new Date(at).toISOString() };
}

function userView(u: UserSummary): Record<string, unknown> {
  const { user } = u;
  const displayName = [user.givenName, user.surname].filter(Boolean).join(' ') || null;
  return {
    login: user.login,
    realm: u.realm,
    resolver: user.resolver,
    id: user.id,
    displayName,
    email: user.email ?? null,
    phone: user.phone ?? null,
    groups: user.groups,
    tokens: u.tokens.map(tokenView),
    lastAuth: u.lastAuth ? auditView(u.lastAuth) : null,
  };
}

export function userAuditRoutes(deps: AdminRouteDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    const { admin } = deps;

    app.get(
      '/api/v1/users',
      {
        schema: {
          tags: ['users'],
          summary: 'Users whose login or name contains `search`, in every realm within reach, with their tokens and last authentication',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { search: { type: 'string', maxLength: 256 }, realm: REALM, limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
          },
          response: {
            200: {
              type: 'object',
              properties: { users: { type: 'array', items: USER }, unavailable: { type: 'array', items: { type: 'string' }, description: 'realms whose directory did not answer' } },
              required: ['users', 'unavailable'],
            },
            ...errors(404),
          },
        },
      },
      async (request) => {
        const q = request.query as { search?: string; realm?: string; limit: number };
        const found = await searchUsers(admin, callerOf(request).actor, {
          limit: q.limit,
          ...(q.search !== undefined ? { search: q.search } : {}),
          ...(q.realm !== undefined ? { realm: q.realm } : {}),
        });
        return { users: found.users.map(userView), unavailable: found.unavailable };
      },
    );

    app.get(
      '/api/v1/users/:realm/:login',
      {
        schema: {
          tags: ['users'],
          summary: 'One user: directory data, tokens, last authentication',
          params: { type: 'object', properties: { realm: REALM, login: LOGIN }, required: ['realm', 'login'], additionalProperties: false },
          response: { 200: USER, ...errors(404) },
        },
      },
      async (request) => {
        const { realm, login } = request.params as { realm: string; login: string };
        const found = await findUser(admin, callerOf(request).actor, login, realm);
        const last = await lastAuthentication(admin, found.user.login, found.realm);
        return userView({ ...found, ...(last ? { lastAuth: last } : {}) });
      },
    );

    app.get(
      '/api/v1/audit',
      {
        schema: {
          tags: ['audit'],
          summary: 'Authentication decisions and admin operations, newest first',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              user: LOGIN,
              realm: REALM,
              serial: SERIAL,
              event: { type: 'string', enum: ['auth', 'admin'] },
              decision: { type: 'string', enum: ['accept', 'reject', 'challenge', 'ok', 'refused'], description: 'auth: accept, reject, challenge; admin: ok, refused' },
              reason: { type: 'string', minLength: 1, maxLength: 200, description: 'rows whose reason contains this text, ignoring case' },
              actor: { type: 'string', minLength: 1, maxLength: 256, description: 'auth: the NAS client; admin: the account, key-ID or CLI user' },
              from: { type: 'string', format: 'date-time' },
              to: { type: 'string', format: 'date-time' },
              limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
              cursor: { type: 'string', maxLength: 200, description: 'the `next` of the previous page' },
            },
          },
          response: { 200: { type: 'object', properties: { records: { type: 'array', items: { $ref: 'AuditRecord#' } }, next: { type: 'string' } }, required: ['records'] }, ...errors() },
        },
      },
      async (request) => {
        const q = request.query as {
          user?: string;
          realm?: string;
          serial?: string;
          event?: 'auth' | 'admin';
          decision?: string;
          reason?: string;
          actor?: string;
          from?: string;
          to?: string;
          limit: number;
          cursor?: string;
        };
        const page = await queryAudit(admin, callerOf(request).actor, {
          limit: q.limit,
          ...(q.user !== undefined ? { user: q.user } : {}),
          ...(q.realm !== undefined ? { realm: q.realm.toLowerCase() } : {}),
          ...(q.serial !== undefined ? { serial: q.serial } : {}),
          ...(q.event !== undefined ? { event: q.event } : {}),
          ...(q.decision !== undefined ? { result: q.decision } : {}),
          ...(q.reason !== undefined ? { reason: q.reason } : {}),
          ...(q.actor !== undefined ? { actor: q.actor } : {}),
          ...(q.from !== undefined ? { from: Date.parse(q.from) } : {}),
          ...(q.to !== undefined ? { to: Date.parse(q.to) } : {}),
          ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
        });
        return { records: page.records.map(auditView), ...(page.next ? { next: page.next } : {}) };
      },
    );
  };
}
