// The HTTP listeners on a loopback port with a fake authentication handler
// that records what it was asked and answers what the test says.

import type { ChallengeDecision, Decision } from '../../src/model/decision.ts';
import type { AccessRequest } from '../../src/model/access-request.ts';
import { parseCidr } from '../../src/net/cidr.ts';
import type { NasClient } from '../../src/radius/clients.ts';
import type { Cidr } from '../../src/net/cidr.ts';
import type { HttpOptions, HttpTlsOptions } from '../../src/http/options.ts';
import { HttpListeners } from '../../src/http/listeners.ts';
import { healthRoutes, type HealthReport } from '../../src/http/health-routes.ts';
import { metricsRoutes } from '../../src/http/metrics-routes.ts';
import { validateRoutes } from '../../src/http/validate-routes.ts';
import { Metrics } from '../../src/server/metrics.ts';
import { ClientTable } from '../../src/radius/clients.ts';
import { captureLogs, type LogCapture } from '../helpers/radius.ts';

export interface Fixture {
  server: HttpListeners;
  base: string;
  requests: AccessRequest[];
  metrics: Metrics;
  logs: LogCapture;
  /** What the handler answers next; a function may throw or wait. */
  answer: (request: AccessRequest) => Decision | Promise<Decision>;
  health: () => Promise<HealthReport>;
}

export const BRANCH: NasClient = { name: 'branch', network: parseCidr('10.1.0.0/16'), secret: 'a-long-enough-shared-secret', requireMessageAuthenticator: true, realm: 'corp' };

/** One listener serving validate, health and metrics, in the shape of the single-listener config. */
export interface FixtureConfig {
  listen: { address: string; port: number };
  allow: Cidr[];
  tls?: HttpTlsOptions;
  maxBodyBytes: number;
  requestTimeoutSeconds: number;
}

export function httpConfig(over: Partial<FixtureConfig> = {}): FixtureConfig {
  return { listen: { address: '127.0.0.1', port: 0 }, allow: [parseCidr('127.0.0.0/8'), parseCidr('::1')], maxBodyBytes: 1024, requestTimeoutSeconds: 10, ...over };
}

function options(c: FixtureConfig): HttpOptions {
  const listener = {
    name: 'test',
    address: c.listen.address,
    port: c.listen.port,
    allow: c.allow,
    serve: ['validate', 'health', 'metrics'] as const,
    allowPlaintext: false,
    ...(c.tls ? { tls: c.tls } : {}),
  };
  return { listeners: [{ ...listener, serve: [...listener.serve] }], maxBodyBytes: c.maxBodyBytes, requestTimeoutSeconds: c.requestTimeoutSeconds };
}

export async function startFixture(config: FixtureConfig = httpConfig()): Promise<Fixture> {
  const logs = captureLogs('info');
  const metrics = new Metrics();
  const f: Fixture = {
    server: undefined as unknown as HttpListeners,
    base: '',
    requests: [],
    metrics,
    logs,
    answer: () => ({ decision: 'reject', reason: 'wrong otp' }),
    health: async () => ({ ok: true, checks: { store: { ok: true } } }),
  };
  const clients = new ClientTable([BRANCH]);
  const http = options(config);
  const onRefused = metrics.httpRefused.bind(metrics);
  const handler = async (request: AccessRequest): Promise<Decision> => {
    f.requests.push(request);
    return f.answer(request);
  };
  f.server = new HttpListeners(
    http,
    {
      validate: [validateRoutes({ handler, clients: () => clients, limits: http, logger: logs.logger, onRefused })],
      health: [healthRoutes(() => f.health())],
      metrics: [
        metricsRoutes(
          async () => ({ contentType: metrics.registry.contentType, text: await metrics.render() }),
          () => undefined,
        ),
      ],
    },
    { logger: logs.logger, onRefused },
  );
  await f.server.start();
  const host = config.listen.address.includes(':') ? `[${config.listen.address}]` : config.listen.address;
  f.base = `${config.tls ? 'https' : 'http'}://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${f.server.port()}`;
  return f;
}

export function form(params: Record<string, string>): RequestInit {
  return { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() };
}

export function json(value: unknown): RequestInit {
  return { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(value) };
}

export const CHALLENGE: ChallengeDecision = {
  decision: 'challenge',
  reason: 'challenge created',
  replyMessage: 'Please enter your OTP',
  challenge: { transactionId: '0123456789abcdef0123456789abcdef', data: '', serials: ['HOTP1'], timeout: 120 },
  serial: 'HOTP1',
};
