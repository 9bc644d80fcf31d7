// An HttpServer on a loopback port with a fake authentication handler that
// records what it was asked and answers what the test says.

import { pino } from 'pino';
import type { ChallengeDecision, Decision } from '../../src/model/decision.ts';
import type { AccessRequest } from '../../src/model/access-request.ts';
import { parseCidr } from '../../src/net/cidr.ts';
import type { NasClient } from '../../src/radius/clients.ts';
import type { HttpConfig } from '../../src/config/http-section.ts';
import { Metrics } from '../../src/server/metrics.ts';
import { HttpServer, type HealthReport } from '../../src/http/server.ts';
import { ClientTable } from '../../src/radius/clients.ts';
import { captureLogs, type LogCapture } from '../helpers/radius.ts';

export interface Fixture {
  server: HttpServer;
  base: string;
  requests: AccessRequest[];
  metrics: Metrics;
  logs: LogCapture;
  /** What the handler answers next; a function may throw or wait. */
  answer: (request: AccessRequest) => Decision | Promise<Decision>;
  health: () => Promise<HealthReport>;
}

export const BRANCH: NasClient = { name: 'branch', network: parseCidr('10.1.0.0/16'), secret: 'a-long-enough-shared-secret', requireMessageAuthenticator: true, realm: 'corp' };

export function httpConfig(over: Partial<HttpConfig> = {}): HttpConfig {
  return { listen: { address: '127.0.0.1', port: 0 }, allow: [parseCidr('127.0.0.0/8'), parseCidr('::1')], maxBodyBytes: 1024, requestTimeoutSeconds: 10, ...over };
}

export async function startFixture(config: HttpConfig = httpConfig()): Promise<Fixture> {
  const logs = captureLogs('info');
  const metrics = new Metrics();
  const f: Fixture = {
    server: undefined as unknown as HttpServer,
    base: '',
    requests: [],
    metrics,
    logs,
    answer: () => ({ decision: 'reject', reason: 'wrong otp' }),
    health: async () => ({ ok: true, checks: { store: { ok: true } } }),
  };
  const clients = new ClientTable([BRANCH]);
  f.server = new HttpServer({
    config,
    handler: async (request) => {
      f.requests.push(request);
      return f.answer(request);
    },
    clients: () => clients,
    health: () => f.health(),
    metrics,
    logger: logs.logger,
  });
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
