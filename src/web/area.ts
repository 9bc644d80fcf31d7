// An area of pages under one path prefix (the console, the self-service
// portal), with its own kind of session. Every request of an area gets its
// language, theme and session first; a page that is not public then needs
// a live session, every POST/PUT/PATCH/DELETE a right CSRF token, and a
// page that names an action a role that may do it. Errors and unknown
// paths answer as pages.

import type { FastifyInstance } from 'fastify';
import { AdminError, mayDo, type Action } from '../auth/admin.ts';
import { isUserActor } from '../model/actor.ts';
import type { HttpRefusal } from '../http/problem.ts';
import { isTheme, setWebContext, webOf, type WebShared } from './context.ts';
import { LANGUAGE_COOKIE, THEME_COOKIE } from './cookies.ts';
import { checkCsrf } from './csrf.ts';
import { notFoundPage, pageErrorHandler } from './errors.ts';
import { negotiate, translator, type MessageKey, type Translate } from './i18n/index.ts';
import { toLogin } from './login-redirect.ts';
import { preferenceRoutes } from './prefs.ts';
import type { SessionKind } from './session.ts';
import './route-config.ts';

/** A link of the header's navigation, shown to a session whose role may do `may`. */
export interface NavItem {
  path: string;
  label: MessageKey;
  may?: Action;
}

export interface WebArea {
  /** The listener service that turns the area on. */
  service: 'console' | 'self';
  /** Path prefix of every page of the area, e.g. /console. */
  prefix: string;
  /** Where a login leads, and the brand link. */
  home: string;
  loginPath: string;
  /** The area's name in the header. */
  name: MessageKey;
  sessions: SessionKind;
  nav: NavItem[];
  /** Style sheets of the area's own, after app.css (asset names). */
  styles?: string[];
  /** The sentence, in the page's language, for a refusal the area's operations explain themselves; undefined: the operation's own words. */
  describeRefusal?(err: AdminError, t: Translate): string | undefined;
  /** Registers the area's pages, with paths relative to the prefix. */
  pages(app: FastifyInstance): Promise<void>;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export async function registerArea(app: FastifyInstance, area: WebArea, shared: WebShared, onRefused: (cause: HttpRefusal) => void): Promise<void> {
  await app.register(
    async (scope) => {
      scope.addHook('onRequest', async (request) => {
        const cookies = request.cookies;
        const lang = negotiate(cookies[LANGUAGE_COOKIE], request.headers['accept-language']);
        const theme = cookies[THEME_COOKIE];
        setWebContext(request, { shared, area, lang, t: translator(lang), theme: isTheme(theme) ? theme : 'auto' });
      });

      // After the body is parsed (the form's token is in it), before the route's schema check.
      scope.addHook('preValidation', async (request, reply) => {
        const ctx = webOf(request);
        const found = await area.sessions.find(request);
        if (typeof found === 'object') ctx.session = found;
        else if (found !== undefined) ctx.ended = found;
        const open = request.is404 || request.routeOptions.config.public === true;
        if (!ctx.session && !open) return toLogin(request, reply);
        if (!SAFE_METHODS.has(request.method)) checkCsrf(request);
        const may = request.routeOptions.config.may;
        const actor = ctx.session?.actor;
        if (may !== undefined && actor && (isUserActor(actor) || !mayDo(actor, may)))
          throw new AdminError('forbidden', `${may} is not allowed for ${isUserActor(actor) ? 'a self-service user' : `the ${actor.role} role`}`);
      });

      scope.setErrorHandler(pageErrorHandler(onRefused));
      scope.setNotFoundHandler((request, reply) => {
        onRefused('not-found');
        return notFoundPage(request, reply);
      });
      await preferenceRoutes(scope, area);
      await area.pages(scope);
    },
    { prefix: area.prefix },
  );
}
