// LinOTP 3's /admin/* for the provisioning scripts that exist: log in with
// POST /admin/login (username, password: the password and the OTP of the
// admin's own token, appended or as `otp`), which sets LinOTP's
// access_token_cookie and csrf_access_token cookies; later POSTs repeat the
// CSRF value in X-CSRF-TOKEN. Parameters come as a query string, a form or
// JSON; answers are LinOTP's envelope. /system/* is not served: the
// configuration lives in the YAML file.

import cookie from '@fastify/cookie';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { AdminError, closeSession, type AdminContext, type AdminLogin } from '../../../auth/admin.ts';
import { ERR_INTERNAL, ERR_MISSING_PARAMETER } from '../../linotp.ts';
import type { RoutePlugin } from '../../app.ts';
import { outageAnswer } from '../../outage.ts';
import type { HttpRefusal } from '../../problem.ts';
import { authenticate, callerOf, clearSessionCookies, clientAddress, LINOTP_CSRF_COOKIE, LINOTP_SESSION_COOKIE, setSessionCookies } from '../caller.ts';
import { errorCodeOf, failure, LinotpParameterError, result } from './envelope.ts';
import { checkstatus, getSerialByOtp } from './lookup-handlers.ts';
import { Params } from './params.ts';
import { assign, disable, enable, init, remove, reset, resync, set, setPinHandler, setValidity, show, unassign, type Handler } from './token-handlers.ts';

export interface LinotpAdminDeps {
  admin: AdminContext;
  login: AdminLogin;
  logger: Logger;
  onRefused: (cause: HttpRefusal) => void;
}

const NAMES = { session: LINOTP_SESSION_COOKIE, csrf: LINOTP_CSRF_COOKIE };

/** Endpoint, handler, and whether a GET may call it (LinOTP allows GET where nothing changes). */
const ENDPOINTS: [string, Handler, boolean][] = [
  ['init', init, false],
  ['show', show, true],
  ['enable', enable, false],
  ['disable', disable, false],
  ['remove', remove, false],
  ['reset', reset, false],
  ['resync', resync, false],
  ['assign', assign, false],
  ['unassign', unassign, false],
  ['set', set, false],
  ['setPin', setPinHandler, false],
  ['setValidity', setValidity, false],
  ['getSerialByOtp', getSerialByOtp, true],
  ['checkstatus', checkstatus, true],
];

function send(reply: FastifyReply, status: number, body: Record<string, unknown>): FastifyReply {
  return reply
    .code(status)
    .type('application/json')
    .send(Buffer.from(JSON.stringify(body)));
}

function paramsOf(request: FastifyRequest): Params {
  const q = request.url.indexOf('?');
  return new Params(new URLSearchParams(q < 0 ? '' : request.url.slice(q)), request.body);
}

export function linotpAdminRoutes(deps: LinotpAdminDeps): RoutePlugin {
  return async (app: FastifyInstance) => {
    const { admin } = deps;
    await app.register(cookie);
    // LinOTP's clients send forms; JSON works too; any other body is read as a form.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
      if ((text as string).trim() === '') return done(null, undefined);
      try {
        done(null, JSON.parse(text as string));
      } catch (err) {
        done(new LinotpParameterError(`the body is not valid JSON (${(err as Error).message})`), undefined);
      }
    });
    app.addContentTypeParser('*', { parseAs: 'string' }, (_request, text, done) => done(null, new URLSearchParams(text as string)));

    app.setErrorHandler((err: FastifyError, request, reply) => {
      if (err instanceof LinotpParameterError) return send(reply, 200, failure(err.code, err.message));
      if (err instanceof AdminError) {
        if (err.code === 'unauthenticated') return send(reply, 401, failure(ERR_INTERNAL, `Not authenticated: ${err.message}`));
        if (err.code === 'throttled') return send(reply, 429, failure(ERR_INTERNAL, err.message));
        return send(reply, 200, failure(errorCodeOf(err.code), err.message));
      }
      if (err.statusCode === 413) return send(reply, 413, failure(ERR_MISSING_PARAMETER, 'the request is too large'));
      if (typeof err.statusCode === 'number' && err.statusCode < 500) return send(reply, err.statusCode, failure(ERR_MISSING_PARAMETER, err.message));
      const outage = outageAnswer(err, reply, deps.logger, request.url.split('?')[0]!, 'LinOTP admin request failed');
      if (outage) return send(reply, 503, failure(ERR_INTERNAL, `${outage.reason}: ${outage.what} is not answering; try again shortly`));
      deps.logger.error({ err, path: request.url.split('?')[0] }, 'LinOTP admin request failed');
      return send(reply, 500, failure(ERR_INTERNAL, 'internal error'));
    });

    app.addHook('preHandler', async (request) => {
      if (request.routeOptions.config.public) return;
      try {
        await authenticate(admin, request, 'linotp-admin');
      } catch (err) {
        // LinOTP answers a missing or bad CSRF token like a missing login.
        if (err instanceof AdminError && err.code === 'forbidden') throw new AdminError('unauthenticated', err.message);
        throw err;
      }
    });

    app.post('/admin/login', { config: { public: true } }, async (request, reply) => {
      const p = paramsOf(request);
      const username = p.required('username');
      try {
        const done = await deps.login.login({ username, password: p.get('password') ?? '', ...(p.get('otp') ? { otp: p.get('otp')! } : {}), address: clientAddress(request), via: 'linotp-admin' });
        setSessionCookies(reply, request, NAMES, done.token, done.session.csrf, admin.policy.sessionMaxSeconds);
        return send(reply, 200, result(true, { message: `Login successful for ${username}` }, true));
      } catch (err) {
        if (err instanceof AdminError && err.code === 'unauthenticated') return send(reply, 401, result(false, { message: 'Bad username or password' }, false));
        throw err;
      }
    });

    app.route({
      method: ['GET', 'POST'],
      url: '/admin/logout',
      handler: async (request, reply) => {
        const { actor, session } = callerOf(request);
        if (session) await closeSession(admin, session, actor);
        clearSessionCookies(reply, request, NAMES);
        return send(reply, 200, result(true, { message: `Logout successful for ${actor.name}` }, true));
      },
    });

    for (const [name, handler, readOnly] of ENDPOINTS) {
      app.route({
        method: readOnly ? ['GET', 'POST'] : ['POST'],
        url: `/admin/${name}`,
        handler: async (request, reply) => {
          const answer = await handler(admin, callerOf(request).actor, paramsOf(request));
          return send(reply, 200, result(answer.value, answer.detail));
        },
      });
    }

    app.all('/system/*', { config: { public: true } }, async (_request, reply) =>
      send(reply, 501, failure(ERR_INTERNAL, 'otp-radius keeps its configuration in its YAML file: /system/* is not served (see docs/configuration.md)')),
    );
    app.all('/system', { config: { public: true } }, async (_request, reply) =>
      send(reply, 501, failure(ERR_INTERNAL, 'otp-radius keeps its configuration in its YAML file: /system/* is not served (see docs/configuration.md)')),
    );
  };
}
