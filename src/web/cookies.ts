// The pages' own cookies: HttpOnly unless a script must read them,
// SameSite=Strict, Secure whenever the listener has TLS, and signed where
// their content must come from us.

import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import { overTls } from '../http/admin/caller.ts';

export const LANGUAGE_COOKIE = 'otp_radius_lang';
/** Read and written by app.js as well (under this same name), so not HttpOnly. */
export const THEME_COOKIE = 'otp_radius_theme';
/** The secret behind the CSRF tokens of forms shown before a login. */
export const FORM_COOKIE = 'otp_radius_form';
export const FLASH_COOKIE = 'otp_radius_flash';

const YEAR_SECONDS = 365 * 24 * 3600;

export function cookieOptions(request: FastifyRequest, over: CookieSerializeOptions = {}): CookieSerializeOptions {
  return { path: '/', sameSite: 'strict', secure: overTls(request), httpOnly: true, ...over };
}

/** A preference kept for a year. */
export function preferenceCookie(request: FastifyRequest, httpOnly: boolean): CookieSerializeOptions {
  return cookieOptions(request, { httpOnly, maxAge: YEAR_SECONDS });
}
