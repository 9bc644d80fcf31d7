// The security headers of every answer of a listener (pages, the admin API,
// validate): a Content-Security-Policy that lets a page run only this
// origin's own script and style files (no inline script, no eval), no
// framing, no referrer, no MIME sniffing; HSTS only on a TLS listener,
// since a browser ignores it over plain HTTP and it would pin loopback.
// helmet's middleware is built once per listener: @fastify/helmet builds it
// again for every request, a cost the validate API would pay on each check.

import helmet from 'helmet';
import type { FastifyInstance } from 'fastify';

/** The policy's directives, one place for the pages and the tests that hold them to it. */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  frameAncestors: ["'none'"],
  formAction: ["'self'"],
  baseUri: ["'none'"],
  objectSrc: ["'none'"],
} as const;

/** One year: what browsers expect of a site that means HTTPS. */
const HSTS_SECONDS = 365 * 24 * 3600;

export function installSecurityHeaders(app: FastifyInstance, tls: boolean): void {
  const headers = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: Object.fromEntries(Object.entries(CONTENT_SECURITY_POLICY).map(([k, v]) => [k, [...v]])) },
    strictTransportSecurity: tls ? { maxAge: HSTS_SECONDS, includeSubDomains: false } : false,
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
  });
  app.addHook('onRequest', (request, reply, done) => headers(request.raw, reply.raw, (err) => done(err as Error | undefined)));
}
