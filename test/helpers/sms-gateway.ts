// A real HTTP(S) server on 127.0.0.1 playing an SMS gateway. The path picks
// its behaviour: /ok answers 200 "OK 4711", /fail answers 500, /error200
// answers 200 "ERROR: no credit", /hang never answers, /auth wants basic
// auth (sms:sms-password) or the bearer token sms-token. Every request is
// recorded with its query, headers and body.

import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { TestCa } from './test-ca.ts';

export interface GatewayRequestSeen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface SmsGateway {
  /** http(s)://127.0.0.1:PORT */
  origin: string;
  requests: GatewayRequestSeen[];
  close(): Promise<void>;
}

const BASIC = `Basic ${Buffer.from('sms:sms-password').toString('base64')}`;

function handle(seen: GatewayRequestSeen, res: ServerResponse): void {
  switch (seen.path) {
    case '/ok':
      res.writeHead(200, { 'content-type': 'text/plain' }).end('OK 4711');
      return;
    case '/fail':
      res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
      return;
    case '/error200':
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ERROR: no credit left');
      return;
    case '/hang':
      return;
    case '/auth': {
      const given = seen.headers.authorization;
      if (given === BASIC || given === 'Bearer sms-token') res.writeHead(200).end('OK');
      else res.writeHead(401, { 'www-authenticate': 'Basic realm="sms"' }).end('unauthorized');
      return;
    }
    default:
      res.writeHead(404).end('not found');
  }
}

export async function startSmsGateway(tls?: TestCa, host = '127.0.0.1'): Promise<SmsGateway> {
  const requests: GatewayRequestSeen[] = [];
  const sockets = new Set<Socket>();
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://gateway');
      const seen = { method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(seen);
      handle(seen, res);
    });
  };
  const server: Server = tls ? createHttpsServer({ cert: tls.certPem, key: tls.keyPem }, onRequest) : createHttpServer(onRequest);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as { port: number }).port;
  return {
    origin: `${tls ? 'https' : 'http'}://${host}:${port}`,
    requests,
    close(): Promise<void> {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
