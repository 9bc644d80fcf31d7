// Named HTTP listeners: each serves only its services, behind its own allow
// list and TLS; route plugins plug in per service (the admin API's way in);
// SIGHUP swaps certificates and allow lists in place.

import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import type { RoutePlugin } from '../../src/http/app.ts';
import { HttpListeners } from '../../src/http/listeners.ts';
import { healthRoutes } from '../../src/http/health-routes.ts';
import type { HttpOptions } from '../../src/http/options.ts';
import { parseCidr } from '../../src/net/cidr.ts';
import { captureLogs } from '../helpers/radius.ts';
import { startStack, type Stack } from '../helpers/stack.ts';
import { makeTestCa, type TestCa } from '../helpers/test-ca.ts';

const loopback = [parseCidr('127.0.0.0/8')];

function options(listeners: Partial<HttpOptions['listeners'][number]>[]): HttpOptions {
  return {
    listeners: listeners.map((l, i) => ({ name: `l${i}`, address: '127.0.0.1', port: 0, allow: loopback, serve: ['health'], allowPlaintext: false, ...l })),
    maxBodyBytes: 1024,
    requestTimeoutSeconds: 5,
  };
}

/** The certificate a TLS server presents, and whether it verified against `ca`. */
function peerCertificate(port: number, ca: string): Promise<{ fingerprint: string; authorized: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost', rejectUnauthorized: false }, () => {
      const cert = socket.getPeerX509Certificate();
      resolve({ fingerprint: cert?.fingerprint256 ?? '', authorized: socket.authorized });
      socket.end();
    });
    socket.on('error', reject);
  });
}

describe('HTTP listeners', () => {
  test('each listener serves only its services; an admin route plugin appears only where admin is served', async () => {
    const logs = captureLogs('info');
    const admin: RoutePlugin = async (app) => {
      app.get('/api/v1/ping', async () => ({ pong: true }));
    };
    const http = new HttpListeners(
      options([
        { name: 'nas', serve: ['health'] },
        { name: 'console', serve: ['admin', 'health'] },
      ]),
      { health: [healthRoutes(async () => ({ ok: true, checks: {} }))], admin: [admin] },
      { logger: logs.logger, onRefused: () => undefined },
    );
    await http.start();
    try {
      const nas = `http://127.0.0.1:${http.port('nas')}`;
      const console_ = `http://127.0.0.1:${http.port('console')}`;
      assert.notEqual(http.port('nas'), http.port('console'));
      assert.equal((await fetch(`${nas}/healthz`)).status, 200);
      const missing = await fetch(`${nas}/api/v1/ping`);
      assert.equal(missing.status, 404);
      assert.equal(missing.headers.get('content-type'), 'application/problem+json');
      const ping = await fetch(`${console_}/api/v1/ping`);
      assert.equal(ping.status, 200);
      assert.deepEqual(await ping.json(), { pong: true });
      assert.equal((await fetch(`${console_}/api/v1/ping`, { method: 'POST' })).status, 405);
      assert.ok(
        logs.lines.some((l) => /^HTTP listener console serving admin, health on http:\/\/127\.0\.0\.1:\d+$/.test(String(l.msg))),
        'a start line per listener',
      );
    } finally {
      await http.stop();
    }
    assert.equal(http.port('nas'), 0);
  });

  test('allow lists are per listener and are replaced by reload()', async () => {
    const logs = captureLogs('info');
    const cfg = options([
      { name: 'nas', allow: [parseCidr('192.0.2.0/24')] },
      { name: 'ops', allow: loopback },
    ]);
    const http = new HttpListeners(cfg, { health: [healthRoutes(async () => ({ ok: true, checks: {} }))] }, { logger: logs.logger, onRefused: () => undefined });
    await http.start();
    try {
      assert.equal((await fetch(`http://127.0.0.1:${http.port('nas')}/healthz`)).status, 403);
      assert.equal((await fetch(`http://127.0.0.1:${http.port('ops')}/healthz`)).status, 200);
      http.reload({
        ...cfg,
        listeners: [
          { ...cfg.listeners[0]!, allow: loopback },
          { ...cfg.listeners[1]!, port: 1 },
        ],
      });
      assert.equal((await fetch(`http://127.0.0.1:${http.port('nas')}/healthz`)).status, 200, 'the new allow list applies at once');
      assert.ok(
        logs.lines.some((l) => l.http === 'ops' && /take effect after a restart/.test(String(l.msg))),
        'a changed port waits for a restart',
      );
      assert.notEqual(http.port('ops'), 1);
    } finally {
      await http.stop();
    }
  });
});

describe('HTTP listeners from the config, with TLS reloaded on SIGHUP', () => {
  let first: TestCa;
  let second: TestCa;
  let s: Stack;
  let certFile: string;
  let keyFile: string;
  before(async () => {
    first = makeTestCa('first CA');
    second = makeTestCa('second CA');
    certFile = join(first.dir, 'live.pem');
    keyFile = join(first.dir, 'live.key');
    writeFileSync(certFile, first.certPem);
    writeFileSync(keyFile, first.keyPem);
    s = await startStack({
      yaml: `http:\n  listeners:\n    - { name: nas, address: 127.0.0.1, port: 0, tls: { certFile: ${certFile}, keyFile: ${keyFile} }, serve: [validate] }\n    - { name: ops, address: 127.0.0.1, port: 0, serve: [metrics, health] }\n`,
    });
  });
  after(async () => {
    await s.stop();
    for (const ca of [first, second]) rmSync(ca.dir, { recursive: true, force: true });
  });

  test('validate on the TLS listener only, metrics and health on the other', async () => {
    const nas = s.running.http!.port('nas');
    const ops = s.running.http!.port('ops');
    assert.deepEqual(await peerCertificate(nas, first.caPem), { fingerprint: new X509Certificate(first.certPem).fingerprint256, authorized: true });
    assert.equal((await fetch(`http://127.0.0.1:${ops}/healthz`)).status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${ops}/metrics`)).status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${ops}/validate/simplecheck?user=alice&pass=1`)).status, 404);
    assert.equal(s.audits().length, 0);
  });

  test('reload() serves the new certificate to new connections without a restart', async () => {
    const nas = s.running.http!.port('nas');
    copyFileSync(join(second.dir, 'server.pem'), certFile);
    copyFileSync(join(second.dir, 'server.key'), keyFile);
    await s.running.reload();
    assert.equal(s.running.http!.port('nas'), nas, 'same listener');
    const now = await peerCertificate(nas, second.caPem);
    assert.equal(now.fingerprint, new X509Certificate(readFileSync(certFile)).fingerprint256);
    assert.ok(now.authorized, 'the new certificate verifies against its CA');
    assert.ok(s.logs.lines.some((l) => l.msg === 'HTTP listener certificate reloaded' && l.http === 'nas'));
  });

  test('a reload with a key that does not fit keeps the running certificate', async () => {
    const nas = s.running.http!.port('nas');
    writeFileSync(keyFile, first.keyPem);
    await s.running.reload();
    assert.ok(s.logs.lines.some((l) => l.msg === 'config reload failed; keeping the running config'));
    assert.equal((await peerCertificate(nas, second.caPem)).authorized, true);
  });
});
