// The node:http(s) server under each Fastify app, bounded against slow and
// malformed clients: a whole request within requestTimeoutSeconds, headers
// sooner, TLS handshakes too; few and small headers; keep-alive connections
// that end. Node's strict parser refuses request smuggling (both
// Content-Length and Transfer-Encoding, duplicate lengths) with 400.

import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { FastifyServerFactory } from 'fastify';
import type { Logger } from 'pino';
import type { HttpLimits, HttpTlsOptions } from './options.ts';
import { rawProblemResponse, type HttpRefusal } from './problem.ts';

/** Headers beyond this many bytes in total get 431. */
export const MAX_HEADER_BYTES = 16 * 1024;
/** Headers beyond this count are dropped by node (a request needs a handful). */
const MAX_HEADERS = 50;
/** Time for the request line and headers, whatever the request timeout. */
const MAX_HEADERS_TIMEOUT_MS = 10_000;
/** An idle keep-alive connection is closed after this. */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** After this many requests on one connection the answer says Connection: close. */
export const MAX_REQUESTS_PER_SOCKET = 1_000;

export function serverTimings(limits: HttpLimits): { requestTimeout: number; headersTimeout: number; connectionsCheckingInterval: number } {
  const requestTimeout = limits.requestTimeoutSeconds * 1000;
  // Node looks for expired requests every connectionsCheckingInterval (30 s by default), which would stretch a short timeout.
  return { requestTimeout, headersTimeout: Math.min(requestTimeout, MAX_HEADERS_TIMEOUT_MS), connectionsCheckingInterval: Math.min(requestTimeout / 2, 1000) };
}

/** Fastify's serverFactory: a node:http or node:https server with the limits above. */
export function hardenedServerFactory(limits: HttpLimits, tls: HttpTlsOptions | undefined): FastifyServerFactory {
  return (handler) => {
    const timings = serverTimings(limits);
    const options: ServerOptions = {
      ...timings,
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      maxHeaderSize: MAX_HEADER_BYTES,
      insecureHTTPParser: false,
      requireHostHeader: true,
      joinDuplicateHeaders: false,
    };
    const listener = handler as (req: IncomingMessage, res: ServerResponse) => void;
    const server: Server = tls
      ? createHttpsServer({ ...options, cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2', handshakeTimeout: timings.headersTimeout }, listener)
      : createHttpServer(options, listener);
    server.maxHeadersCount = MAX_HEADERS;
    server.maxRequestsPerSocket = MAX_REQUESTS_PER_SOCKET;
    server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    return server;
  };
}

/**
 * What node's parser refused before any route saw the request: a problem
 * answer where the socket can still take one, then the connection closes.
 */
export function clientErrorHandler(logger: Logger, onRefused: (cause: HttpRefusal) => void): (err: NodeJS.ErrnoException, socket: Socket) => void {
  return (err, socket) => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, cause, detail]: [number, HttpRefusal, string] =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'timeout', 'the request was not received in time']
        : err.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'headers-too-large', `the request headers are larger than ${MAX_HEADER_BYTES} bytes`]
          : [400, 'bad-request', 'the request is not valid HTTP/1.1'];
    onRefused(cause);
    logger.debug({ remote: socket.remoteAddress, code: err.code, status }, 'HTTP request refused by the parser');
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    // Closed once the answer is out, or soon if the peer does not read it.
    socket.end(rawProblemResponse(status, detail), () => socket.destroy());
    setTimeout(() => socket.destroy(), 1000).unref();
  };
}
