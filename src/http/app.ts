// One Fastify app per listener: the hardened server under it, the allow
// list, problem+json for errors and unknown routes, and the route plugins of
// the services the listener serves, under the security headers. Route
// plugins come from the caller, so a new service (the admin API, the pages)
// plugs in without this file knowing it.

import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyPluginAsync, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { installAllowList, type AllowList } from './allow-list.ts';
import { clientErrorHandler, hardenedServerFactory } from './hardening.ts';
import type { HttpLimits, HttpListenerOptions, HttpService } from './options.ts';
import { sendProblem, type HttpRefusal } from './problem.ts';
import { installSecurityHeaders } from './security-headers.ts';
import { outageAnswer } from './outage.ts';

/** What a route plugin is registered with: the services of its listener. */
export interface RoutePluginOptions {
  serve: readonly HttpService[];
}

/** A group of routes, registered in its own encapsulated context (its own parsers, hooks, error handler). */
export type RoutePlugin = FastifyPluginAsync<RoutePluginOptions>;
/** The route plugins of each service; a listener registers those of the services in its `serve`. */
export type HttpRoutes = Partial<Record<HttpService, readonly RoutePlugin[]>>;

export interface HttpAppDeps {
  logger: Logger;
  /** Counts an answer the HTTP layer gave without a route's own logic. */
  onRefused: (cause: HttpRefusal) => void;
}

export interface HttpApp {
  app: FastifyInstance;
  allow: AllowList;
}

const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

function pathOf(url: string): string {
  const path = url.split('?')[0]!.replace(/\/{2,}/g, '/');
  return path.replace(/\/+$/, '') || '/';
}

/** A registered route URL (`/api/v1/tokens/:serial`, `/static/*`) as a pattern over concrete paths. */
function routePattern(url: string): RegExp {
  const escaped = pathOf(url)
    .split('/')
    .map((part) => (part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${escaped}$`);
}

export async function createHttpApp(listener: HttpListenerOptions, limits: HttpLimits, routes: HttpRoutes, deps: HttpAppDeps): Promise<HttpApp> {
  const logger = deps.logger.child({ http: listener.name });
  const app = Fastify({
    loggerInstance: logger,
    // Request logs would carry query strings, and LinOTP clients put passwords there.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: limits.maxBodyBytes,
    serverFactory: hardenedServerFactory(limits, listener.tls),
    clientErrorHandler: clientErrorHandler(logger, deps.onRefused),
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    exposeHeadRoutes: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // A path that is not valid percent-encoding, and the like, before any route is chosen.
    frameworkErrors: (err, request, reply) => answerError(err, request, reply, limits, logger, deps.onRefused),
  }) as unknown as FastifyInstance;

  const allow = installAllowList(app, listener.allow, logger, deps.onRefused);
  installSecurityHeaders(app, listener.tls !== undefined);

  const known: { pattern: RegExp; methods: Set<string> }[] = [];
  app.addHook('onRoute', (route) => {
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).map((m) => String(m).toUpperCase());
    const pattern = routePattern(route.url);
    const entry = known.find((k) => k.pattern.source === pattern.source);
    if (entry) for (const m of methods) entry.methods.add(m);
    else known.push({ pattern, methods: new Set(methods) });
  });

  app.setNotFoundHandler((request, reply) => {
    const path = pathOf(request.url);
    const methods = new Set(known.filter((k) => k.pattern.test(path)).flatMap((k) => [...k.methods]));
    if (methods.size > 0) {
      deps.onRefused('method');
      reply.header('Allow', METHOD_ORDER.filter((m) => methods.has(m)).join(', '));
      return sendProblem(reply, 405, `${request.method} is not allowed on ${path.slice(0, 200)}`);
    }
    deps.onRefused('not-found');
    return sendProblem(reply, 404, `${path.slice(0, 200)} is not served here`);
  });

  app.setErrorHandler((err: FastifyError, request, reply) => answerError(err, request, reply, limits, logger, deps.onRefused));

  app.addHook('onSend', async (_request, reply, payload) => {
    if (!reply.hasHeader('Cache-Control')) reply.header('Cache-Control', 'no-store');
    return payload;
  });

  // A plugin listed under several services (the pages of the console and the portal) is registered once, and sees which it serves.
  const registered = new Set<RoutePlugin>();
  for (const service of listener.serve) {
    for (const plugin of routes[service] ?? []) {
      if (registered.has(plugin)) continue;
      registered.add(plugin);
      await app.register(plugin, { serve: listener.serve });
    }
  }
  return { app, allow };
}

/** The native answer to an error a route or Fastify raised: problem+json; 503 with Retry-After for an outage. */
export function answerError(err: FastifyError, request: FastifyRequest, reply: FastifyReply, limits: HttpLimits, logger: Logger, onRefused: (cause: HttpRefusal) => void): FastifyReply {
  const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
  if (status === 413) {
    onRefused('too-large');
    // The rest of the body is not worth reading: close once the answer is out.
    reply.header('Connection', 'close');
    return sendProblem(reply, 413, `the request is larger than ${limits.maxBodyBytes} bytes`);
  }
  const outage = outageAnswer(err, reply, logger, pathOf(request.url).slice(0, 200), 'HTTP request failed');
  if (outage) return sendProblem(reply, 503, `${outage.reason}: ${outage.what} is not answering; try again shortly (the server log has the cause)`);
  if (status >= 500) {
    logger.error({ err, path: pathOf(request.url).slice(0, 200) }, 'HTTP request failed');
    return sendProblem(reply, 500, 'internal error');
  }
  onRefused(status === 415 ? 'unsupported-media-type' : 'bad-request');
  return sendProblem(reply, status, err.message);
}
