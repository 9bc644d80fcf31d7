// The CSRF token of every form and htmx request of the pages. With a
// session it is the session's own synchronizer token (for the console, the
// csrf column of the admin session, as the admin API uses it). Before a
// login it is derived from a secret in a signed HttpOnly cookie (a double
// submit), so that a login form cannot be posted from another site either.

import { timingSafeEqual } from 'node:crypto';
import Tokens from '@fastify/csrf';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CSRF_HEADER } from '../http/admin/caller.ts';
import { webOf } from './context.ts';
import { cookieOptions, FORM_COOKIE } from './cookies.ts';

/** The hidden field forms carry; htmx requests send the X-CSRF-Token header instead. */
export const CSRF_FIELD = '_csrf';

const tokens = Tokens({ secretLength: 32 });
/** A secret made during this request, before the browser has its cookie. */
const fresh = new WeakMap<FastifyRequest, string>();

/** A state-changing request whose token is missing or wrong: 403, nothing done. */
export class CsrfRefused extends Error {
  override name = 'CsrfRefused';
}

function formSecret(request: FastifyRequest): string | undefined {
  const made = fresh.get(request);
  if (made) return made;
  const cookie = request.cookies[FORM_COOKIE];
  if (!cookie) return undefined;
  const unsigned = request.unsignCookie(cookie);
  return unsigned.valid ? unsigned.value : undefined;
}

/** The token for the forms of the page being rendered; sets the secret cookie the first time. */
export function csrfToken(request: FastifyRequest, reply: FastifyReply): string {
  const session = webOf(request).session;
  if (session) return session.csrf;
  let secret = formSecret(request);
  if (secret === undefined) {
    secret = tokens.secretSync();
    fresh.set(request, secret);
    reply.setCookie(FORM_COOKIE, secret, cookieOptions(request, { signed: true }));
  }
  return tokens.create(secret);
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The token a request sent: the form field, else the header. */
function sentToken(request: FastifyRequest): string | undefined {
  const field = (request.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
  if (typeof field === 'string') return field;
  const header = request.headers[CSRF_HEADER];
  return typeof header === 'string' ? header : undefined;
}

/** Throws CsrfRefused unless the request repeats the token of its session, or of its pre-login cookie. */
export function checkCsrf(request: FastifyRequest): void {
  const given = sentToken(request);
  if (given === undefined || given.length > 200) throw new CsrfRefused('no CSRF token');
  const session = webOf(request).session;
  if (session) {
    if (!same(given, session.csrf)) throw new CsrfRefused("the CSRF token is not the session's");
    return;
  }
  const secret = formSecret(request);
  if (!secret || !tokens.verify(secret, given)) throw new CsrfRefused('the CSRF token does not match the form cookie');
}
