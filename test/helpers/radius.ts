// Shared test fixtures: an in-process RADIUS server on a loopback port, a
// log capture, and radclient from Debian's freeradius-utils.

import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import type { AccessHandler } from '../../src/model/access-request.ts';
import { parseConfig } from '../../src/config/load.ts';
import { ClientTable } from '../../src/radius/clients.ts';
import { RadiusServer } from '../../src/radius/server.ts';

export const SECRET = 'a-test-secret-of-good-length';

export interface LogCapture {
  logger: Logger;
  lines: Record<string, unknown>[];
}

export function captureLogs(level = 'debug'): LogCapture {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

export function testConfigYaml(extraClients = '', listenExtra = ''): string {
  return `
listen:
  address: 127.0.0.1
  port: 0
${listenExtra}
clients:
  - name: local
    address: 127.0.0.1
    secret: ${SECRET}
    requireMessageAuthenticator: false
${extraClients}
`;
}

export async function startServer(yaml: string, handler: AccessHandler, logs: LogCapture = captureLogs()): Promise<RadiusServer> {
  const { config } = parseConfig(yaml, 'test.yaml');
  const server = new RadiusServer({ listen: config.listen, clients: new ClientTable(config.clients), handler, logger: logs.logger });
  await server.start();
  return server;
}

export interface RadclientResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs radclient; `input` is its attribute list (one request per blank-line-separated block). */
export function radclient(args: string[], input: string): Promise<RadclientResult> {
  return new Promise((resolve, reject) => {
    const child = execFile('radclient', args, { timeout: 20_000 }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new Error('radclient not found: install Debian package freeradius-utils (.ci/run does)'));
        return;
      }
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin?.end(input);
  });
}

export function freeUdpPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
