// LinOTP's /validate/check and /validate/simplecheck as a route plugin: query
// parameters merged with a form or JSON body (the body wins), an
// AccessRequest for the handler, and LinOTP's answers, errors included.

import formbody from '@fastify/formbody';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { AccessHandler, AccessRequest } from '../model/access-request.ts';
import type { Decision } from '../model/decision.ts';
import type { ClientTable } from '../radius/clients.ts';
import { answerError, type RoutePlugin } from './app.ts';
import { accessRequest, checkJson, ERR_INTERNAL, ERR_MISSING_PARAMETER, errorJson, ParameterError, SIMPLE_ERROR, SIMPLE_REJECT, simplecheckText } from './linotp.ts';
import type { HttpLimits } from './options.ts';
import type { HttpRefusal } from './problem.ts';

export interface ValidateDeps {
  /** The audited authentication handler (the same one RADIUS uses). */
  handler: AccessHandler;
  /** The RADIUS clients, for `client` → NAS client and realm; read per request so SIGHUP changes apply. */
  clients: () => ClientTable;
  limits: HttpLimits;
  logger: Logger;
  onRefused: (cause: HttpRefusal) => void;
}

type Kind = 'check' | 'simplecheck';
type Body = Record<string, string>;

/** A body that is not parameters: LinOTP's 905 on check, 400 ":-(" on simplecheck. */
class BodyError extends Error {
  readonly statusCode = 400;
}

/** LinOTP clients send forms; a body of any other type but JSON is read as one, as before. */
function formParams(text: string): Body {
  return Object.fromEntries(new URLSearchParams(text));
}

function jsonParams(text: string): Body {
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new BodyError(`the body is not valid JSON (${(e as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new BodyError('the JSON body must be an object of parameters');
  const out: Body = {};
  for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
  return out;
}

function kindOf(request: FastifyRequest): Kind {
  return request.routeOptions.config.linotp ?? 'check';
}

/** A Buffer, so that Fastify sends the type as given (LinOTP's clients see the Content-Type LinOTP sends). */
function send(reply: FastifyReply, status: number, type: string, body: string): FastifyReply {
  return reply.code(status).type(type).send(Buffer.from(body));
}

/**
 * LinOTP answers errors with 200 and status false in the body, unless the
 * caller asked for an HTTP status with `httperror` (an empty or bad value
 * meaning 500).
 */
function sendCheckError(reply: FastifyReply, asked: string | null, code: number, message: string): FastifyReply {
  let status = 200;
  if (asked !== null) {
    const n = /^\d{3}$/.test(asked) ? Number(asked) : NaN;
    status = n >= 400 && n <= 599 ? n : 500;
  }
  return send(reply, status, 'application/json', JSON.stringify(errorJson(code, message)));
}

function rawQuery(request: FastifyRequest): string {
  const q = request.url.indexOf('?');
  return q < 0 ? '' : request.url.slice(q);
}

export function validateRoutes(deps: ValidateDeps): RoutePlugin {
  return async (app) => {
    // Fastify's own JSON and text parsers would answer before these do; here every body is parameters.
    app.removeAllContentTypeParsers();
    await app.register(formbody, { parser: formParams, bodyLimit: deps.limits.maxBodyBytes });
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, text, done) => {
      try {
        done(null, jsonParams(text as string));
      } catch (e) {
        done(e as Error, undefined);
      }
    });
    app.addContentTypeParser('*', { parseAs: 'string' }, (_req, text, done) => done(null, formParams(text as string)));

    app.addHook('onRequest', async (request, reply) => {
      if (rawQuery(request).length <= deps.limits.maxBodyBytes) return;
      return answerError(Object.assign(new Error('query too long'), { statusCode: 413 }) as FastifyError, request, reply, deps.limits, deps.logger, deps.onRefused);
    });

    app.setErrorHandler((err: FastifyError, request, reply) => {
      if (!(err instanceof BodyError)) return answerError(err, request, reply, deps.limits, deps.logger, deps.onRefused);
      deps.onRefused('bad-request');
      const message = `ERR${ERR_MISSING_PARAMETER}: ${err.message}`;
      if (kindOf(request) === 'check') return sendCheckError(reply, new URLSearchParams(rawQuery(request)).get('httperror'), ERR_MISSING_PARAMETER, message);
      return send(reply, 400, 'text/plain', SIMPLE_REJECT);
    });

    const validate = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      const kind = kindOf(request);
      const params = new URLSearchParams(rawQuery(request));
      for (const [k, v] of Object.entries((request.body as Body | undefined) ?? {})) params.set(k, v);
      const remote = request.raw.socket.remoteAddress ?? '';
      let access: AccessRequest;
      try {
        access = accessRequest(params, remote, (address) => deps.clients().lookup(address));
      } catch (err) {
        if (!(err instanceof ParameterError)) throw err;
        // LinOTP 3 answers a request without user or pass as any failed login, so that it tells nothing about the user.
        deps.logger.debug({ path: `/validate/${kind}`, problem: err.message }, 'validate request without user or pass: not authenticated');
        return kind === 'check' ? send(reply, 200, 'application/json', JSON.stringify(checkJson({ decision: 'reject', reason: 'no user name' }))) : send(reply, 200, 'text/plain', SIMPLE_REJECT);
      }
      let decision: Decision;
      try {
        decision = await deps.handler(access);
      } catch (err) {
        deps.logger.error({ err, path: `/validate/${kind}` }, 'authentication failed with an error');
        // The plugin and the PAM module read ":-/" as "the server failed", not as a wrong password.
        return kind === 'check' ? sendCheckError(reply, params.get('httperror'), ERR_INTERNAL, 'internal error') : send(reply, 500, 'text/plain', SIMPLE_ERROR);
      }
      if (kind === 'simplecheck') return send(reply, 200, 'text/plain', simplecheckText(decision));
      return send(reply, 200, 'application/json', JSON.stringify(checkJson(decision)));
    };

    for (const kind of ['check', 'simplecheck'] as const) {
      app.route({ method: ['GET', 'POST'], url: `/validate/${kind}`, config: { linotp: kind }, handler: validate });
    }
  };
}
