// Rendering a page: the template inside the layout, with what every
// template may use (t, the CSRF token, the session, the navigation, asset
// URLs, notices), and the headers of a page: HTML, not kept by shared
// caches, and never stored at all when it shows a secret.

import type { FastifyReply, FastifyRequest } from 'fastify';
import { mayDo, type Action } from '../auth/admin.ts';
import { isUserActor } from '../model/actor.ts';
import { webOf } from './context.ts';
import { CSRF_FIELD, csrfToken } from './csrf.ts';
import { takeFlash, type Notice } from './flash.ts';
import { CATALOGS, LANGUAGE_NAMES, LANGUAGES } from './i18n/index.ts';
import { renderTemplate } from './views.ts';

export interface PageOptions {
  /** The page's heading and <title>, already translated. */
  title: string;
  status?: number;
  /** The page shows a secret (a seed, a QR code): Cache-Control: no-store, so that no browser or proxy keeps a copy. */
  noStore?: boolean;
  /** Notices for this answer itself (a form shown again with what was wrong); notices set by flash() before a redirect come along. */
  notices?: Notice[];
}

/**
 * htmx under the Content-Security-Policy: no eval, no inline indicator
 * style; no page snapshots in localStorage (a page may have shown a
 * secret); a form re-rendered with its errors (422) is swapped in too.
 */
export const HTMX_CONFIG = JSON.stringify({
  allowEval: false,
  allowScriptTags: false,
  includeIndicatorStyles: false,
  historyCacheSize: 0,
  refreshOnHistoryMiss: true,
  selfRequestsOnly: true,
  responseHandling: [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '422', swap: true },
    { code: '[45]..', swap: false, error: true },
  ],
});

/** The names every template gets; page data may not use them. */
const RESERVED = [
  't',
  'lang',
  'languages',
  'theme',
  'title',
  'csrf',
  'csrfField',
  'session',
  'nav',
  'area',
  'notices',
  'asset',
  'version',
  'path',
  'may',
  'htmxConfig',
  'formatTime',
  'formatNumber',
  'body',
];

function baseData(request: FastifyRequest, reply: FastifyReply, title: string, notices: Notice[]): Record<string, unknown> {
  const ctx = webOf(request);
  const { t, lang, area, session } = ctx;
  const path = request.url.split('?')[0]!;
  const times = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
  const clock = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const numbers = new Intl.NumberFormat(lang);
  const may = (action: Action): boolean => session !== undefined && !isUserActor(session.actor) && mayDo(session.actor, action);
  return {
    t,
    lang,
    languages: LANGUAGES.map((code) => ({ code, name: LANGUAGE_NAMES[code], current: code === lang })),
    theme: ctx.theme,
    title,
    csrf: csrfToken(request, reply),
    csrfField: CSRF_FIELD,
    session: session && { name: session.name, role: session.role, roleLabel: session.role ? t(`role.${session.role}`) : undefined },
    nav: session ? area.nav.filter((n) => n.may === undefined || may(n.may)).map((n) => ({ href: n.path, label: t(n.label), current: n.path === path })) : [],
    area: { prefix: area.prefix, home: area.home, name: t(area.name), loginPath: area.loginPath, styles: area.styles ?? [] },
    // A notice from an older release's cookie may name a key this one lacks: left out.
    notices: notices.filter((n) => n.key in CATALOGS.en).map((n) => ({ kind: n.kind, text: t(n.key, n.params) })),
    asset: (name: string) => ctx.shared.assets.url(name),
    version: ctx.shared.version,
    path: request.url.slice(0, 1000),
    may,
    htmxConfig: HTMX_CONFIG,
    /** Unix milliseconds as date and time, or `clock` for hours and minutes. */
    formatTime: (ms: number, style: 'full' | 'clock' = 'full') => (style === 'clock' ? clock : times).format(ms),
    formatNumber: (n: number) => numbers.format(n),
  };
}

function send(reply: FastifyReply, status: number, noStore: boolean, html: string): FastifyReply {
  // Pages carry the user's data: the browser may keep one, revalidated each time; shared caches may not.
  return reply
    .code(status)
    .header('Cache-Control', noStore ? 'no-store' : 'private, no-cache')
    .type('text/html; charset=utf-8')
    .send(html);
}

function merged(base: Record<string, unknown>, data: Record<string, unknown>, template: string): Record<string, unknown> {
  const clash = Object.keys(data).find((k) => RESERVED.includes(k));
  if (clash) throw new Error(`template ${template}: page data may not be called "${clash}" (a name every template gets)`);
  return { ...data, ...base };
}

/** A whole page: templates/TEMPLATE.eta inside the layout. */
export function page(request: FastifyRequest, reply: FastifyReply, template: string, data: Record<string, unknown>, options: PageOptions): FastifyReply {
  const notices = [...takeFlash(request, reply), ...(options.notices ?? [])];
  const it = merged(baseData(request, reply, options.title, notices), data, template);
  const body = renderTemplate(template, it);
  return send(reply, options.status ?? 200, options.noStore === true, renderTemplate('layout', { ...it, body }));
}

/** The template alone, for htmx to swap into the page it came from. */
export function fragment(request: FastifyRequest, reply: FastifyReply, template: string, data: Record<string, unknown>, options: Omit<PageOptions, 'title'> = {}): FastifyReply {
  const it = merged(baseData(request, reply, '', options.notices ?? []), data, template);
  return send(reply, options.status ?? 200, options.noStore === true, renderTemplate(template, it));
}

/** After a form: 303 to the next page (htmx follows HX-Redirect with a full page load instead). */
export function seeOther(request: FastifyRequest, reply: FastifyReply, location: string): FastifyReply {
  if (request.headers['hx-request'] === 'true') return reply.code(200).header('HX-Redirect', location).send();
  return reply.code(303).header('Location', location).send();
}
