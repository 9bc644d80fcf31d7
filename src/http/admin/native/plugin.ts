// The native admin API, /api/v1, as one route plugin: JSON bodies checked
// against the route schemas (an unknown field is an error, not dropped),
// every route but the login behind a session or an API key, refusals as
// problem+json, and the OpenAPI 3.1 document of it all at
// /api/v1/openapi.json.

import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import { AdminError } from '../../../auth/admin.ts';
import type { RoutePlugin } from '../../app.ts';
import type { HttpLimits } from '../../options.ts';
import type { HttpRefusal } from '../../problem.ts';
import { authenticate, SESSION_COOKIE } from '../caller.ts';
import { adminErrorHandler } from '../problems.ts';
import { SHARED_SCHEMAS } from '../schemas.ts';
import { accountRoutes } from './account-routes.ts';
import type { AdminRouteDeps } from './deps.ts';
import { sessionRoutes } from './session-routes.ts';
import { tokenActionRoutes } from './token-action-routes.ts';
import { tokenRoutes } from './token-routes.ts';
import { userAuditRoutes } from './user-audit-routes.ts';

const pkg = createRequire(import.meta.url)('../../../../package.json') as { version: string };

export interface AdminApiDeps extends AdminRouteDeps {
  limits: HttpLimits;
  logger: Logger;
  onRefused: (cause: HttpRefusal) => void;
}

/** Bodies are checked as sent (no coercion, no defaults dropped in); query strings and paths are text, so numbers and booleans there are read from it. */
function validators(): (route: { schema: object; httpPart?: string }) => (data: unknown) => boolean {
  const make = (coerce: boolean): Ajv => {
    const ajv = new Ajv({ removeAdditional: false, useDefaults: true, coerceTypes: coerce ? 'array' : false, allErrors: false, strict: false });
    addFormats.default(ajv);
    for (const s of SHARED_SCHEMAS) ajv.addSchema(s);
    return ajv;
  };
  const strict = make(false);
  const loose = make(true);
  return ({ schema, httpPart }) => (httpPart === 'body' ? strict : loose).compile(schema);
}

function isPublic(request: FastifyRequest): boolean {
  return request.routeOptions.config.public === true;
}

export function adminApiRoutes(deps: AdminApiDeps): RoutePlugin {
  return async (app: FastifyInstance) => {
    await app.register(cookie);
    app.setValidatorCompiler(validators());
    for (const s of SHARED_SCHEMAS) app.addSchema(s);
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: { title: 'otp-radius admin API', version: pkg.version, description: 'Tokens, users, the audit trail, admin accounts and API keys. Errors are RFC 9457 problem details.' },
        components: {
          securitySchemes: {
            apiKey: { type: 'http', scheme: 'bearer', description: 'an API key from otp-radius admin key create' },
            session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'from POST /api/v1/session; state-changing calls repeat the CSRF token in X-CSRF-Token' },
          },
        },
        security: [{ apiKey: [] }, { session: [] }],
      },
      refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `schema${i}`) },
    });
    app.setErrorHandler(adminErrorHandler(deps.limits, deps.logger, deps.onRefused));
    // An empty body is no body (POST .../enable); anything else must be JSON.
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
      if ((text as string).trim() === '') return done(null, undefined);
      try {
        done(null, JSON.parse(text as string));
      } catch (err) {
        done(Object.assign(new Error(`the body is not valid JSON: ${(err as Error).message}`), { statusCode: 400 }), undefined);
      }
    });
    app.addHook('preValidation', async (request) => {
      if (!isPublic(request)) await authenticate(deps.admin, request, 'api');
      // A route that takes no query parameters refuses any, as a body refuses unknown fields.
      const query = request.query as Record<string, unknown> | undefined;
      if (!request.routeOptions.schema?.querystring && query && Object.keys(query).length > 0) {
        throw new AdminError('invalid', `querystring: ${request.method} ${request.routeOptions.url} takes no parameters ("${Object.keys(query)[0]}")`);
      }
    });

    for (const group of [sessionRoutes, tokenRoutes, tokenActionRoutes, userAuditRoutes, accountRoutes]) await group(deps)(app);

    app.get('/api/v1/openapi.json', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => reply.type('application/json').send(app.swagger()));
  };
}
