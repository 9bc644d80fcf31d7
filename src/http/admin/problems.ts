// Admin operations' refusals as RFC 9457 problems: the status their code
// means, the operation's own message as `detail`, and for an import every
// problem of the file in `errors`.

import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { AdminError, type AdminErrorCode } from '../../auth/admin.ts';
import { answerError } from '../app.ts';
import type { HttpLimits } from '../options.ts';
import { PROBLEM_CONTENT_TYPE, type HttpRefusal } from '../problem.ts';

export const STATUS_OF: Record<AdminErrorCode, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  throttled: 429,
};

export function sendAdminProblem(reply: FastifyReply, err: AdminError): FastifyReply {
  const status = STATUS_OF[err.code];
  if (status === 401) reply.header('WWW-Authenticate', 'Bearer realm="otp-radius"');
  const body = { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail: err.message, ...(err.problems.length > 1 ? { errors: err.problems } : {}) };
  return reply
    .code(status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(Buffer.from(JSON.stringify(body)));
}

/** What a schema check found wrong, in words: where, and what was expected. */
export function validationDetail(err: FastifyError): string {
  const first = err.validation?.[0];
  if (!first) return err.message;
  const where = `${err.validationContext ?? 'request'}${first.instancePath ? first.instancePath.replace(/\//g, '.') : ''}`;
  const params = first.params as Record<string, unknown>;
  if (first.keyword === 'additionalProperties') return `${where}: unknown field "${String(params.additionalProperty)}"`;
  if (first.keyword === 'required') return `${where}: "${String(params.missingProperty)}" is required`;
  if (first.keyword === 'enum') return `${where}: must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`;
  return `${where} ${first.message ?? 'is not valid'}`;
}

/** The error handler of the admin routes: refusals, schema failures, then the listener's own answer for the rest. */
export function adminErrorHandler(limits: HttpLimits, logger: Logger, onRefused: (cause: HttpRefusal) => void) {
  return (err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    if (err instanceof AdminError) return sendAdminProblem(reply, err);
    if (err.validation) {
      onRefused('bad-request');
      return sendAdminProblem(reply, new AdminError('invalid', validationDetail(err)));
    }
    return answerError(err, request, reply, limits, logger, onRefused);
  };
}
