// The pages' answers to what went wrong, in the layout and the user's
// language: 404 for an unknown page, 403 for a refused CSRF token or a role
// that may not, 400/409/429 with the operation's own words, 503 while the
// store or the directory does not answer, 500 (logged) for the rest. A
// request without a live session goes to the login page.

import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AdminError } from '../auth/admin.ts';
import { STATUS_OF } from '../http/admin/problems.ts';
import { outageAnswer } from '../http/outage.ts';
import type { HttpRefusal } from '../http/problem.ts';
import { webOf } from './context.ts';
import { CsrfRefused } from './csrf.ts';
import type { MessageKey } from './i18n/index.ts';
import { page } from './page.ts';
import { toLogin } from './login-redirect.ts';

const TITLES: Record<number, MessageKey> = { 400: 'error.400.title', 403: 'error.403.title', 404: 'error.404.title', 409: 'error.409.title', 429: 'error.429.title' };

/** An error page: a heading for the status and a sentence saying what happened. */
export function errorPage(request: FastifyRequest, reply: FastifyReply, status: number, title: MessageKey, text: string): FastifyReply {
  const { t, area } = webOf(request);
  return page(request, reply, 'error', { message: text, home: area.home }, { title: t(title), status });
}

export function notFoundPage(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { t } = webOf(request);
  return errorPage(request, reply, 404, 'error.404.title', t('error.404.text'));
}

/** The error handler of an area's pages. */
export function pageErrorHandler(onRefused: (cause: HttpRefusal) => void) {
  return (err: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const { t, shared, area } = webOf(request);
    const path = request.url.split('?')[0]!.slice(0, 200);
    try {
      if (err instanceof CsrfRefused) {
        onRefused('forbidden');
        shared.logger.warn({ path, method: request.method, why: err.message }, 'page request refused: CSRF token');
        return errorPage(request, reply, 403, 'error.csrf.title', t('error.csrf.text'));
      }
      if (err instanceof AdminError) {
        if (err.code === 'unauthenticated') return toLogin(request, reply);
        const status = STATUS_OF[err.code];
        const own = area.describeRefusal?.(err, t);
        if (own !== undefined) return errorPage(request, reply, status, TITLES[status] ?? 'error.400.title', own);
        return errorPage(request, reply, status, TITLES[status] ?? 'error.400.title', status === 403 ? `${t('error.403.text')} (${err.message})` : err.message);
      }
      if (outageAnswer(err, reply, shared.logger, path, 'page failed')) return errorPage(request, reply, 503, 'error.503.title', t('error.503.text'));
      const status = 'statusCode' in err && typeof err.statusCode === 'number' ? err.statusCode : 500;
      if (status >= 400 && status < 500) {
        onRefused(status === 413 ? 'too-large' : 'bad-request');
        return errorPage(request, reply, status, TITLES[status] ?? 'error.400.title', t('error.400.text', { detail: err.message }));
      }
      shared.logger.error({ err, path }, 'page failed');
      return errorPage(request, reply, 500, 'error.500.title', t('error.500.text'));
    } catch (failed) {
      // The error page itself failed (a broken template): a line of text rather than nothing.
      shared.logger.error({ err: failed, path }, 'error page failed');
      return reply.code(500).type('text/plain; charset=utf-8').send('internal error');
    }
  };
}
