// What a hostile or broken HTTP client gets, over raw sockets: request
// smuggling and malformed requests 400, oversized headers 431, slow or idle
// clients cut off, keep-alive connections that end, and problem+json
// answers from the HTTP layer.

import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { MAX_REQUESTS_PER_SOCKET } from '../../src/http/hardening.ts';
import { parseCidr } from '../../src/net/cidr.ts';
import { find, parseExposition } from '../helpers/prometheus.ts';
import { httpConfig, startFixture, type Fixture } from './fixture.ts';

interface RawResult {
  text: string;
  /** The server closed the connection (rather than the test giving up). */
  closed: boolean;
  ms: number;
}

/** Opens a connection, lets `drive` write to it, and collects what comes back until the server closes it or `waitMs` passes. */
function raw(port: number, drive: (socket: Socket) => void, waitMs = 5000): Promise<RawResult> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let settled = false;
    const settle = (closed: boolean): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve({ text, closed, ms: Date.now() - started });
    };
    socket.on('data', (d) => (text += d.toString()));
    socket.on('close', () => settle(true));
    socket.on('error', () => undefined);
    drive(socket);
    setTimeout(() => settle(false), waitMs).unref();
  });
}

function send(text: string): (socket: Socket) => void {
  return (socket) => socket.write(text);
}

function problemOf(text: string): { status: number; type: string | undefined; body: Record<string, unknown> } {
  const [head, body] = text.split('\r\n\r\n') as [string, string];
  const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1]);
  const type = /^content-type: (.*)$/im.exec(head)?.[1];
  return { status, type, body: JSON.parse(body) as Record<string, unknown> };
}

describe('HTTP hardening', () => {
  let f: Fixture;
  let port: number;
  before(async () => {
    f = await startFixture(httpConfig({ requestTimeoutSeconds: 1 }));
    port = f.server.port();
  });
  after(async () => f.server.stop());

  test('request smuggling: Content-Length with Transfer-Encoding, two lengths, a bad chunk size: 400 and the connection closes, the handler is not asked', async () => {
    const attempts = [
      'POST /validate/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n',
      'POST /validate/check HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nContent-Length: 40\r\n\r\nuser=a',
      'POST /validate/check HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nuser=a\r\n0\r\n\r\n',
      'POST /validate/check HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked, identity\r\n\r\n0\r\n\r\n',
    ];
    for (const attempt of attempts) {
      const r = await raw(port, send(attempt));
      assert.ok(r.closed, `closed after ${JSON.stringify(attempt)}`);
      const p = problemOf(r.text);
      assert.equal(p.status, 400, r.text);
      assert.equal(p.type, 'application/problem+json');
      assert.deepEqual(p.body, { type: 'about:blank', title: 'Bad Request', status: 400, detail: 'the request is not valid HTTP/1.1' });
      assert.equal((r.text.match(/HTTP\/1\.1 /g) ?? []).length, 1, 'no second request was read from the same bytes');
    }
    assert.equal(f.requests.length, 0);
  });

  test('headers over 16 KiB: 431', async () => {
    const r = await raw(port, send(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`));
    const p = problemOf(r.text);
    assert.equal(p.status, 431);
    assert.equal(p.body.title, 'Request Header Fields Too Large');
    assert.ok(r.closed);
  });

  test('slowloris: headers sent a byte at a time are cut off with 408 once the request timeout passes', async () => {
    let timer: NodeJS.Timeout | undefined;
    const r = await raw(port, (socket) => {
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ');
      timer = setInterval(() => socket.writable && socket.write('a'), 100);
    });
    clearInterval(timer);
    assert.ok(r.closed, 'the server closed the connection');
    assert.equal(problemOf(r.text).status, 408);
    assert.ok(r.ms < 3500, `cut off after ${r.ms} ms`);
  });

  test('a connection that sends nothing is closed', async () => {
    const r = await raw(port, () => undefined);
    assert.ok(r.closed, 'the server closed the idle connection');
    assert.ok(r.ms < 3500, `closed after ${r.ms} ms`);
  });

  test('a request without Host is refused', async () => {
    const r = await raw(port, send('GET /healthz HTTP/1.1\r\n\r\n'));
    assert.match(r.text, /^HTTP\/1\.1 400 /);
  });

  test(`keep-alive: after ${MAX_REQUESTS_PER_SOCKET} requests on one connection the answer says Connection: close`, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    let closing = -1;
    for (let i = 0; i < MAX_REQUESTS_PER_SOCKET + 1 && closing < 0; i++) {
      const connection = await new Promise<string | undefined>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/healthz', agent }, (res) => {
          sockets.add(res.socket);
          res.resume();
          res.on('end', () => resolve(res.headers.connection));
        });
        req.on('error', reject);
        req.end();
      });
      if (connection === 'close') closing = i + 1;
    }
    agent.destroy();
    assert.equal(closing, MAX_REQUESTS_PER_SOCKET);
    assert.equal(sockets.size, 1, 'all on one connection');
  });

  test('the HTTP layer answers problem+json: 404, 405 with Allow, 413', async () => {
    const nf = await fetch(`http://127.0.0.1:${port}/nothing/here`);
    assert.equal(nf.status, 404);
    assert.equal(nf.headers.get('content-type'), 'application/problem+json');
    assert.equal(nf.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await nf.json(), { type: 'about:blank', title: 'Not Found', status: 404, detail: '/nothing/here is not served here' });
    const m = await fetch(`http://127.0.0.1:${port}/healthz`, { method: 'DELETE' });
    assert.equal(m.status, 405);
    assert.equal(m.headers.get('allow'), 'GET');
    assert.deepEqual(await m.json(), { type: 'about:blank', title: 'Method Not Allowed', status: 405, detail: 'DELETE is not allowed on /healthz' });
    const big = await fetch(`http://127.0.0.1:${port}/validate/check`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `user=a&pass=${'x'.repeat(2000)}` });
    assert.equal(big.status, 413);
    assert.equal(big.headers.get('content-type'), 'application/problem+json');
    assert.equal(((await big.json()) as { detail: string }).detail, 'the request is larger than 1024 bytes');
  });

  test('a path that is not valid percent-encoding: 400 problem+json', async () => {
    const r = await fetch(`http://127.0.0.1:${port}/validate/%zz`);
    assert.equal(r.status, 400);
    assert.equal(r.headers.get('content-type'), 'application/problem+json');
    assert.equal(((await r.json()) as { title: string }).title, 'Bad Request');
  });

  test('refusals by the parser and the HTTP layer are counted by cause', async () => {
    const e = parseExposition(await f.metrics.render());
    for (const cause of ['bad-request', 'headers-too-large', 'timeout', 'not-found', 'method', 'too-large']) {
      assert.ok(find(e, 'otp_radius_http_refused_total', { cause })! >= 1, cause);
    }
  });
});

describe('HTTP hardening: the allow list answers problem+json too', () => {
  test('403 problem+json outside the allow list', async () => {
    const f = await startFixture(httpConfig({ allow: [parseCidr('192.0.2.0/24')] }));
    try {
      const r = await fetch(`http://127.0.0.1:${f.server.port()}/validate/simplecheck?user=a&pass=b`);
      assert.equal(r.status, 403);
      assert.equal(r.headers.get('content-type'), 'application/problem+json');
      assert.deepEqual(await r.json(), { type: 'about:blank', title: 'Forbidden', status: 403, detail: 'this address may not use this listener' });
    } finally {
      await f.server.stop();
    }
  });
});
