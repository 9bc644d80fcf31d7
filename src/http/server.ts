// The HTTP front end: LinOTP's /validate/check and /validate/simplecheck,
// /healthz and /metrics, on node:http or node:https. Only callers from
// `http.allow` are served; bodies and slow clients are bounded.

import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { AccessHandler } from '../auth/request.ts';
import { addressBytes, cidrContains } from '../config/cidr.ts';
import type { HttpConfig } from '../config/http-section.ts';
import type { ClientTable } from '../radius/clients.ts';
import { accessRequest, checkJson, ERR_INTERNAL, errorJson, ParameterError, simplecheckText } from './linotp.ts';
import type { Metrics } from './metrics.ts';

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
        this.options.logger.error({ err, url: req.url }, 'HTTP request failed');
        if (!res.headersSent) send(res, 500, 'application/json', JSON.stringify(errorJson(ERR_INTERNAL, 'internal error')));
        else res.destroy();
      });
    };
    const server = config.tls ? createHttpsServer({ cert: config.tls.certPem, key: config.tls.keyPem }, listener) : createHttpServer(listener);
    server.requestTimeout = config.requestTimeoutSeconds * 1000;
    server.headersTimeout = Math.min(server.requestTimeout, 10_000);
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
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    clearTimeout(timer);
  }

  private allowed(address: string | undefined): boolean {
    const bytes = address ? addressBytes(address) : undefined;
    return bytes !== undefined && this.options.config.allow.some((n) => cidrContains(n, bytes));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const remote = req.socket.remoteAddress ?? '';
    if (!this.allowed(remote)) {
      this.options.logger.warn({ remote, url: req.url?.slice(0, 200) }, 'HTTP request from an address outside http.allow refused');
      return send(res, 403, 'text/plain', 'forbidden\n');
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
    if (!route) return send(res, 404, 'text/plain', 'not found\n');
    const methods = path.startsWith('/validate/') ? ['GET', 'POST'] : ['GET'];
    if (!methods.includes(req.method ?? '')) {
      res.setHeader('Allow', methods.join(', '));
      return send(res, 405, 'text/plain', 'method not allowed\n');
    }
    return route();
  }

  private async validate(req: IncomingMessage, res: ServerResponse, url: URL, remote: string, kind: 'check' | 'simplecheck'): Promise<void> {
    let params: URLSearchParams;
    try {
      params = await readParams(req, url, this.options.config.maxBodyBytes);
    } catch (err) {
      if (err instanceof TooLarge) return send(res, 413, 'text/plain', 'request too large\n');
      return kind === 'check' ? sendJson(res, errorJson(ERR_INTERNAL, (err as Error).message)) : send(res, 400, 'text/plain', ':-(');
    }
    let request;
    try {
      request = accessRequest(params, remote, this.options.clients());
    } catch (err) {
      if (!(err instanceof ParameterError)) throw err;
      return kind === 'check' ? sendJson(res, errorJson(905, err.message)) : send(res, 200, 'text/plain', ':-(');
    }
    const decision = await this.options.handler(request);
    if (kind === 'simplecheck') return send(res, 200, 'text/plain', simplecheckText(decision));
    return sendJson(res, checkJson(decision));
  }

  private async healthz(res: ServerResponse): Promise<void> {
    const report = await this.options.health();
    send(res, report.ok ? 200 : 503, 'application/json', JSON.stringify(report));
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(body);
}

function sendJson(res: ServerResponse, value: unknown): void {
  send(res, 200, 'application/json', JSON.stringify(value));
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
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('the JSON body must be an object of parameters');
    for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string' || typeof v === 'number') params.set(k, String(v));
  } else {
    for (const [k, v] of new URLSearchParams(body)) params.set(k, v);
  }
  return params;
}
