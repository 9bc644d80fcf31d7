// Notices for the next page: a confirmation or an error set before a
// redirect (after a form, a logout, an ended session) and shown once, kept
// in a short-lived signed cookie so that any worker or server shows it.

import type { FastifyReply, FastifyRequest } from 'fastify';
import { cookieOptions, FLASH_COOKIE } from './cookies.ts';
import type { MessageKey, Params } from './i18n/index.ts';

export interface Notice {
  /** ok: something was done; info: something to know; error: something went wrong. */
  kind: 'ok' | 'info' | 'error';
  key: MessageKey;
  params?: Params;
}

/** Long enough to survive a redirect, short enough not to show up days later. */
const FLASH_SECONDS = 60;
const MAX_NOTICES = 5;

const pending = new WeakMap<FastifyReply, Notice[]>();

/** Adds a notice to show on the next page this browser renders. */
export function flash(request: FastifyRequest, reply: FastifyReply, notice: Notice): void {
  const notices = [...(pending.get(reply) ?? []), notice].slice(-MAX_NOTICES);
  pending.set(reply, notices);
  reply.setCookie(FLASH_COOKIE, Buffer.from(JSON.stringify(notices)).toString('base64url'), cookieOptions(request, { signed: true, maxAge: FLASH_SECONDS }));
}

function isNotice(v: unknown): v is Notice {
  const n = v as Notice;
  return typeof n === 'object' && n !== null && (n.kind === 'ok' || n.kind === 'info' || n.kind === 'error') && typeof n.key === 'string' && (n.params === undefined || typeof n.params === 'object');
}

/** The notices waiting for this browser, removed as they are read. */
export function takeFlash(request: FastifyRequest, reply: FastifyReply): Notice[] {
  const cookie = request.cookies[FLASH_COOKIE];
  if (!cookie) return [];
  reply.clearCookie(FLASH_COOKIE, cookieOptions(request));
  const unsigned = request.unsignCookie(cookie);
  if (!unsigned.valid) return [];
  try {
    const parsed = JSON.parse(Buffer.from(unsigned.value, 'base64url').toString()) as unknown;
    return Array.isArray(parsed) ? parsed.filter(isNotice).slice(0, MAX_NOTICES) : [];
  } catch {
    return [];
  }
}
