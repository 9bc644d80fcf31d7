// What the pages know about a request once their hooks have run: the area
// it is in, its language and theme, and its session, if any.

import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { isUserActor, type Actor } from '../model/actor.ts';
import type { WebArea } from './area.ts';
import type { Assets } from './assets.ts';
import type { Language, Translate } from './i18n/index.ts';
import type { SessionEnd, WebSession } from './session.ts';

export const THEMES = ['auto', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

/** What every area's pages share: one per listener. */
export interface WebShared {
  assets: Assets;
  /** The package's version, for the footer. */
  version: string;
  logger: Logger;
}

export interface WebContext {
  shared: WebShared;
  area: WebArea;
  lang: Language;
  t: Translate;
  /** auto follows the browser's prefers-color-scheme. */
  theme: Theme;
  session?: WebSession;
  /** Why the session the cookie named is over, when it named one. */
  ended?: SessionEnd;
}

const contexts = new WeakMap<FastifyRequest, WebContext>();

export function setWebContext(request: FastifyRequest, context: WebContext): void {
  contexts.set(request, context);
}

/** The context of a request to an area's page; set by the area's first hook. */
export function webOf(request: FastifyRequest): WebContext {
  const context = contexts.get(request);
  if (!context) throw new Error('webOf: the request did not pass through a page area');
  return context;
}

/** The admin's session of a console page that requires one (any route not marked public). */
export function sessionOf(request: FastifyRequest): WebSession & { actor: Actor } {
  const session = webOf(request).session;
  if (!session) throw new Error('sessionOf: the route is public, or ran without its hooks');
  if (isUserActor(session.actor)) throw new Error("sessionOf: a self-service user's session reached an admin page");
  return session as WebSession & { actor: Actor };
}

export function isTheme(v: unknown): v is Theme {
  return typeof v === 'string' && (THEMES as readonly string[]).includes(v);
}
