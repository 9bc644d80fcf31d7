// The HTTP front end: LinOTP's /validate/check and /validate/simplecheck,
// /healthz and /metrics, on node:http or node:https. Only callers from
// `http.allow` are served; bodies and slow clients are bounded.

import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { AccessHandler } from '../model/access-request.ts';
import { addressBytes, cidrContains } from '../net/cidr.ts';
import type { HttpConfig } from '../config/http-section.ts';
import type { ClientTable } from '../radius/clients.ts';
import { accessRequest, checkJson, ERR_INTERNAL, errorJson, ParameterError, SIMPLE_ERROR, SIMPLE_REJECT, simplecheckText } from './linotp.ts';
import type { HttpRefusal, Metrics } from '../server/metrics.ts';

export interface HealthReport {
  ok: boolean;
  checks: Record<string, { ok: boolean; error?: string }>;
}

export interface HttpServerOptions {
  config: HttpConfig;
  /** The audited authentication handler (the same one RADIUS uses). */
  handler: AccessHandler;
  /** The RADIUS clients, for `client` → NAS client and realm; read per request so SIGHUP changes apply. */
  clients: () => ClientTable;
  health: () => Promise<HealthReport>;
  metrics: Metrics;
  logger: Logger;
}

class TooLarge extends Error {}

export class HttpServer {
  private readonly options: HttpServerOptions;
  private server: Server | undefined;

  constructor(options: HttpServerOptions) {
    this.options = options;
  }

  async start(): Promise<void> {
    const { config } = this.options;
    const listener = (req: IncomingMessage, res: ServerResponse): void => {
      this.serve(req, res).catch((err: unknown) => {
        // Only healthz and metrics get here: the validate paths answer their own errors.
        this.options.logger.error({ err, path: req.url?.split('?')[0]?.slice(0, 200) }, 'HTTP request failed');
        if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n');
        else res.destroy();
      });
    };
    const requestTimeout = config.requestTimeoutSeconds * 1000;
    // Node looks for expired requests every connectionsCheckingInterval (30 s by default), which would stretch a short timeout.
    const timing = { requestTimeout, headersTimeout: Math.min(requestTimeout, 10_000), connectionsCheckingInterval: Math.min(requestTimeout / 2, 5000) };
    const server = config.tls ? createHttpsServer({ ...timing, cert: config.tls.certPem, key: config.tls.keyPem }, listener) : createHttpServer(timing, listener);
    server.maxHeadersCount = 50;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: config.listen.port, host: config.listen.address }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.options.logger.error({ err }, 'HTTP server error'));
    this.server = server;
    this.options.logger.info({ address: config.listen.address, port: this.port(), tls: config.tls !== undefined }, 'HTTP validate API listening');
  }

  port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  /** Stops accepting; requests in flight get up to graceMs. */
  async stop(graceMs = 5000): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    // A keep-alive connection turns idle when its last request is answered; close it then, not at keepAliveTimeout.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    clearTimeout(timer);
    clearInterval(sweep);
  }

  private allowed(address: string | undefined): boolean {
    const bytes = address ? addressBytes(address) : undefined;
    return bytes !== undefined && this.options.config.allow.some((n) => cidrContains(n, bytes));
  }

  private refuse(res: ServerResponse, cause: HttpRefusal, status: number, text: string): void {
    this.options.metrics.httpRefused(cause);
    send(res, status, 'text/plain', `${text}\n`);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const remote = req.socket.remoteAddress ?? '';
    if (!this.allowed(remote)) {
      this.options.logger.warn({ remote, path: req.url?.split('?')[0]?.slice(0, 200) }, 'HTTP request from an address outside http.allow refused');
      return this.refuse(res, 'forbidden', 403, 'forbidden');
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const routes: Record<string, () => Promise<void>> = {
      '/validate/check': () => this.validate(req, res, url, remote, 'check'),
      '/validate/simplecheck': () => this.validate(req, res, url, remote, 'simplecheck'),
      '/healthz': () => this.healthz(res),
      '/metrics': async () => send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', this.options.metrics.render()),
    };
    const route = routes[path];
    if (!route) return this.refuse(res, 'not-found', 404, 'not found');
    const methods = path.startsWith('/validate/') ? ['GET', 'POST'] : ['GET'];
    if (!methods.includes(req.method ?? '')) {
      res.setHeader('Allow', methods.join(', '));
      return this.refuse(res, 'method', 405, 'method not allowed');
    }
    return route();
  }

  private async validate(req: IncomingMessage, res: ServerResponse, url: URL, remote: string, kind: 'check' | 'simplecheck'): Promise<void> {
    let params: URLSearchParams;
    try {
      params = await readParams(req, url, this.options.config.maxBodyBytes);
    } catch (err) {
      if (err instanceof TooLarge) {
        // The rest of the body is not worth reading: close once the answer is out.
        res.setHeader('Connection', 'close');
        return this.refuse(res, 'too-large', 413, 'request too large');
      }
      this.options.metrics.httpRefused('bad-request');
      const message = `ERR905: ${(err as Error).message}`;
      return kind === 'check' ? sendCheckError(res, url.searchParams.get('httperror'), 905, message) : send(res, 400, 'text/plain', SIMPLE_REJECT);
    }
    let request;
    try {
      request = accessRequest(params, remote, (address) => this.options.clients().lookup(address));
    } catch (err) {
      if (!(err instanceof ParameterError)) throw err;
      return kind === 'check' ? sendCheckError(res, params.get('httperror'), err.code, err.message) : send(res, 200, 'text/plain', SIMPLE_REJECT);
    }
    let decision;
    try {
      decision = await this.options.handler(request);
    } catch (err) {
      this.options.logger.error({ err, path: url.pathname }, 'authentication failed with an error');
      // The plugin and the PAM module read ":-/" as "the server failed", not as a wrong password.
      return kind === 'check' ? sendCheckError(res, params.get('httperror'), ERR_INTERNAL, 'internal error') : send(res, 500, 'text/plain', SIMPLE_ERROR);
    }
    if (kind === 'simplecheck') return send(res, 200, 'text/plain', simplecheckText(decision));
    return send(res, 200, 'application/json', JSON.stringify(checkJson(decision)));
  }

  private async healthz(res: ServerResponse): Promise<void> {
    let report: HealthReport;
    try {
      report = await this.options.health();
    } catch (err) {
      report = { ok: false, checks: { health: { ok: false, error: (err as Error).message } } };
    }
    send(res, report.ok ? 200 : 503, 'application/json', JSON.stringify(report));
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(body);
}

/**
 * LinOTP answers errors with 200 and status false in the body, unless the
 * caller asked for an HTTP status with `httperror` (an empty or bad value
 * meaning 500).
 */
function sendCheckError(res: ServerResponse, asked: string | null, code: number, message: string): void {
  let status = 200;
  if (asked !== null) {
    const n = /^\d{3}$/.test(asked) ? Number(asked) : NaN;
    status = n >= 400 && n <= 599 ? n : 500;
  }
  send(res, status, 'application/json', JSON.stringify(errorJson(code, message)));
}

/** Query parameters merged with a form or JSON body (the body wins). */
async function readParams(req: IncomingMessage, url: URL, limit: number): Promise<URLSearchParams> {
  const params = new URLSearchParams(url.search);
  if (url.search.length > limit) throw new TooLarge();
  if (req.method !== 'POST') return params;
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new TooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new TooLarge();
    chunks.push(chunk as Buffer);
  }
  const body = Buffer.concat(chunks).toString('utf8');
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json' && body.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (e) {
      throw new Error(`the body is not valid JSON (${(e as Error).message})`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('the JSON body must be an object of parameters');
    for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string' || typeof v === 'number') params.set(k, String(v));
  } else {
    for (const [k, v] of new URLSearchParams(body)) params.set(k, v);
  }
  return params;
}
