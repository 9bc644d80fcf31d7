// The security headers on every answer of a listener: the validate API keeps
// the exact Content-Type LinOTP's clients read and gains the headers; HSTS
// only over TLS.

import assert from 'node:assert/strict';
import { request } from 'node:https';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { httpConfig, startFixture, type Fixture } from './fixture.ts';
import { makeTestCa, type TestCa } from '../helpers/test-ca.ts';

const CSP = "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data:;connect-src 'self';frame-ancestors 'none';form-action 'self';base-uri 'none';object-src 'none'";

function headersOf(h: Headers | Record<string, string | string[] | undefined>): (name: string) => string | null {
  return (name) => (h instanceof Headers ? h.get(name) : ((h[name] as string | undefined) ?? null));
}

function expectHeaders(get: (name: string) => string | null, where: string): void {
  assert.equal(get('content-security-policy'), CSP, where);
  assert.equal(get('x-content-type-options'), 'nosniff', where);
  assert.equal(get('referrer-policy'), 'no-referrer', where);
  assert.equal(get('x-frame-options'), 'DENY', where);
}

describe('security headers', () => {
  let plain: Fixture;
  let tls: Fixture;
  let ca: TestCa;

  before(async () => {
    ca = makeTestCa();
    plain = await startFixture();
    tls = await startFixture(httpConfig({ tls: { certFile: 'cert.pem', keyFile: 'key.pem', cert: Buffer.from(ca.certPem), key: Buffer.from(ca.keyPem) } }));
  });
  after(async () => {
    await plain.server.stop();
    await tls.server.stop();
    rmSync(ca.dir, { recursive: true, force: true });
  });

  test('plain HTTP: validate answers keep their Content-Type and carry the headers, without HSTS', async () => {
    const simple = await fetch(`${plain.base}/validate/simplecheck?user=alice&pass=1`);
    assert.equal(simple.headers.get('content-type'), 'text/plain');
    assert.equal(await simple.text(), ':-(');
    expectHeaders(headersOf(simple.headers), 'simplecheck');
    const check = await fetch(`${plain.base}/validate/check?user=alice&pass=1`);
    assert.equal(check.headers.get('content-type'), 'application/json');
    expectHeaders(headersOf(check.headers), 'check');
    assert.equal(check.headers.get('strict-transport-security'), null);
    const missing = await fetch(`${plain.base}/nothing-here`);
    assert.equal(missing.status, 404);
    expectHeaders(headersOf(missing.headers), 'a 404');
  });

  test('TLS: HSTS for a year, without subdomains', async () => {
    const headers = await new Promise<Record<string, string | string[] | undefined>>((done, fail) => {
      const url = new URL(`${tls.base}/healthz`);
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, ca: ca.caPem, servername: 'localhost' }, (res) => {
        res.resume();
        done(res.headers);
      });
      req.on('error', fail);
      req.end();
    });
    assert.equal(headers['strict-transport-security'], 'max-age=31536000');
    expectHeaders(headersOf(headers), 'over TLS');
  });
});
