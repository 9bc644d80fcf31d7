// Sending a browser without a live session to its area's login page, with
// a notice saying why (never logged in, or how the session ended) and, for
// a page it asked for, the way back after the login.

import type { FastifyReply, FastifyRequest } from 'fastify';
import { webOf } from './context.ts';
import { flash } from './flash.ts';
import type { MessageKey } from './i18n/index.ts';
import { seeOther } from './page.ts';

const ENDED: Record<string, MessageKey> = { idle: 'session.idle', expired: 'session.expired', unknown: 'session.unknown' };

export function toLogin(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { area, ended } = webOf(request);
  flash(request, reply, { kind: 'info', key: ended ? ENDED[ended]! : 'login.required' });
  const back = request.method === 'GET' ? safeReturnPath(area.prefix, request.url) : undefined;
  return seeOther(request, reply, back && back !== area.home ? `${area.loginPath}?next=${encodeURIComponent(back)}` : area.loginPath);
}

/** A path inside the area to return to, or undefined for anything else (another site, another area, odd characters). */
export function safeReturnPath(prefix: string, value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 500) return undefined;
  if (value !== prefix && !value.startsWith(`${prefix}/`)) return undefined;
  if (!/^\/[A-Za-z0-9\-._~/%?=&+]*$/.test(value) || value.includes('//') || value.includes('/..')) return undefined;
  return value;
}
