// Who is calling the admin API: an API key in `Authorization: Bearer`, or a
// session cookie from a login. A cookie is ambient (the browser sends it on
// its own), so every state-changing request on one must repeat the
// session's CSRF token in X-CSRF-Token; a Bearer key is not ambient and
// needs none. The cookies are HttpOnly (the session) and SameSite=Strict,
// and Secure whenever the listener has TLS.

import { timingSafeEqual } from 'node:crypto';
import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { actorOfApiKey, AdminError, liveSession, sessionActor, type AdminContext } from '../../auth/admin.ts';
import type { Actor } from '../../model/actor.ts';
import type { AdminSession } from '../../model/admin-account.ts';

/** The native API's cookies; LinOTP's /admin/* uses LinOTP's names (linotp-admin/). */
export const SESSION_COOKIE = 'otp_radius_session';
export const CSRF_COOKIE = 'otp_radius_csrf';
/** LinOTP 3's cookie names, read by both surfaces so one login serves both. */
export const LINOTP_SESSION_COOKIE = 'access_token_cookie';
export const LINOTP_CSRF_COOKIE = 'csrf_access_token';
export const CSRF_HEADER = 'x-csrf-token';

export interface Caller {
  actor: Actor;
  /** Present for a cookie session, absent for an API key. */
  session?: AdminSession;
}

const callers = new WeakMap<FastifyRequest, Caller>();

/** The caller an authenticated route runs for; set by authenticate(). */
export function callerOf(request: FastifyRequest): Caller {
  const caller = callers.get(request);
  if (!caller) throw new Error('callerOf: the route was not authenticated');
  return caller;
}

export function clientAddress(request: FastifyRequest): string {
  return request.raw.socket.remoteAddress ?? 'unknown';
}

/** Over TLS the cookies are Secure; without it (loopback, or allowPlaintext) a browser would not send them back. */
export function overTls(request: FastifyRequest): boolean {
  return (request.raw.socket as { encrypted?: boolean }).encrypted === true;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Finds the caller or refuses with AdminError: unauthenticated (no or a bad
 * key or cookie, an ended session) or forbidden (CSRF token missing or
 * wrong). `via` names the surface in the audit trail.
 */
export async function authenticate(ctx: AdminContext, request: FastifyRequest, via: Actor['via']): Promise<Caller> {
  const address = clientAddress(request);
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m) throw new AdminError('unauthenticated', 'the Authorization header must be "Bearer" and an API key');
    const caller = { actor: await actorOfApiKey(ctx, m[1]!, address, via) };
    callers.set(request, caller);
    return caller;
  }
  const cookies = request.cookies ?? {};
  const token = cookies[SESSION_COOKIE] ?? cookies[LINOTP_SESSION_COOKIE];
  if (token === undefined) throw new AdminError('unauthenticated', 'log in first (POST /api/v1/session) or send an API key as Authorization: Bearer');
  const session = await liveSession(ctx, token);
  if (typeof session === 'string') {
    throw new AdminError(
      'unauthenticated',
      session === 'unknown'
        ? 'the session is not known (logged out, or ended by an administrator); log in again'
        : `the session has ended (${session === 'idle' ? 'unused for too long' : 'too long since the login'}); log in again`,
    );
  }
  if (!SAFE_METHODS.has(request.method)) {
    const given = request.headers[CSRF_HEADER];
    if (typeof given !== 'string' || !sameSecret(given, session.csrf)) {
      throw new AdminError('forbidden', 'the X-CSRF-Token header is missing or does not match the session (its value is in the login answer and in the otp_radius_csrf or csrf_access_token cookie)');
    }
  }
  const caller = { actor: sessionActor(session, via, address), session };
  callers.set(request, caller);
  return caller;
}

/** The session and CSRF cookies after a login; the CSRF cookie is readable by the page's script (double submit). */
export function setSessionCookies(reply: FastifyReply, request: FastifyRequest, names: { session: string; csrf: string }, token: string, csrf: string, maxAgeSeconds: number): void {
  const common = { path: '/', sameSite: 'strict' as const, secure: overTls(request), maxAge: maxAgeSeconds };
  reply.setCookie(names.session, token, { ...common, httpOnly: true });
  reply.setCookie(names.csrf, csrf, { ...common, httpOnly: false });
}

export function clearSessionCookies(reply: FastifyReply, request: FastifyRequest, names: { session: string; csrf: string }): void {
  const common = { path: '/', sameSite: 'strict' as const, secure: overTls(request) };
  reply.clearCookie(names.session, { ...common, httpOnly: true });
  reply.clearCookie(names.csrf, common);
}
