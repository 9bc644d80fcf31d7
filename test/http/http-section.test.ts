// The `http:` config section: off when absent, defaults, the single-listener
// shape and named listeners, the admin-in-clear refusal, and each kind of
// mistake with its own message naming file, line and key.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cidrContains, addressBytes } from '../../src/net/cidr.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { HttpConfig } from '../../src/config/http-section.ts';
import type { HttpListenerOptions } from '../../src/http/options.ts';
import { requirePeer } from '../helpers/peers.ts';
import { configProblems as problems } from '../helpers/config.ts';

function http(yaml: string): HttpConfig | undefined {
  return parseConfig(yaml, 'c.yaml', {}).config.http;
}

function only(yaml: string): HttpListenerOptions {
  const c = http(yaml)!;
  assert.equal(c.listeners.length, 1);
  return c.listeners[0]!;
}

function warnings(yaml: string): string[] {
  return parseConfig(yaml, 'c.yaml', {}).warnings.filter((w) => w.includes(': http'));
}

function allows(l: HttpListenerOptions, address: string): boolean {
  const b = addressBytes(address)!;
  return l.allow.some((n) => cidrContains(n, b));
}

describe('http config section', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'otp-radius-http-config-'));
    requirePeer('openssl', 'openssl');
    for (const name of ['a', 'b']) {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.pem`), '-days', '1', '-subj', `/CN=${name}`], {
        stdio: 'ignore',
      });
    }
    writeFileSync(join(dir, 'plain.txt'), 'not a certificate\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('absent: the API is off', () => {
    assert.equal(http('listen: { port: 1812 }\n'), undefined);
  });

  test('empty or bare: one listener on loopback serving everything but the portal, with every default', () => {
    for (const yaml of ['http: {}\n', 'http:\n']) {
      const c = http(yaml)!;
      assert.equal(c.maxBodyBytes, 16384);
      assert.equal(c.requestTimeoutSeconds, 10);
      const l = only(yaml);
      assert.deepEqual(
        { name: l.name, address: l.address, port: l.port, serve: l.serve, allowPlaintext: l.allowPlaintext },
        { name: 'http', address: '127.0.0.1', port: 5000, serve: ['validate', 'health', 'metrics', 'admin', 'console'], allowPlaintext: false },
        yaml,
      );
      assert.equal(l.tls, undefined);
      assert.deepEqual(
        l.allow.map((n) => n.text),
        ['127.0.0.0/8', '::1'],
      );
      assert.ok(allows(l, '127.0.0.1') && allows(l, '127.9.9.9') && allows(l, '::1') && allows(l, '::ffff:127.0.0.1'));
      assert.ok(!allows(l, '10.0.0.1') && !allows(l, '::2'));
    }
  });

  test('single listener: given values replace the defaults', () => {
    const yaml = 'http:\n  listen: { address: "::1", port: 8443 }\n  allow: [10.0.0.0/8, "2001:db8::/32", 192.0.2.7]\n  maxBodyBytes: 4096\n  requestTimeoutSeconds: 3\n';
    const c = http(yaml)!;
    const l = only(yaml);
    assert.deepEqual([l.address, l.port], ['::1', 8443]);
    assert.ok(allows(l, '10.20.30.40') && allows(l, '2001:db8::1') && allows(l, '192.0.2.7'));
    assert.ok(!allows(l, '127.0.0.1'), 'a given allow list replaces loopback');
    assert.ok(!allows(l, '192.0.2.8'));
    assert.equal(c.maxBodyBytes, 4096);
    assert.equal(c.requestTimeoutSeconds, 3);
  });

  test('single listener off loopback without TLS: still starts (validate, health, metrics) with a warning; admin and the console are left out', () => {
    const yaml = 'http:\n  listen:\n    address: 0.0.0.0\n';
    assert.deepEqual(only(yaml).serve, ['validate', 'health', 'metrics']);
    assert.deepEqual(warnings(yaml), ['c.yaml:3: http: listener http on 0.0.0.0 without TLS: PINs and OTPs sent to /validate travel in clear; add tls']);
    assert.deepEqual(only(`http:\n  listen: { address: 0.0.0.0 }\n  tls: { certFile: ${join(dir, 'a.pem')}, keyFile: ${join(dir, 'a.key')} }\n`).serve, [
      'validate',
      'health',
      'metrics',
      'admin',
      'console',
    ]);
  });

  test('named listeners: each with its own address, port, TLS, allow list and services', () => {
    const c = http(`http:
  maxBodyBytes: 2048
  listeners:
    - { name: nas, address: 0.0.0.0, port: 5000, tls: { certFile: ${join(dir, 'a.pem')}, keyFile: ${join(dir, 'a.key')} }, allow: [10.0.0.0/8], serve: [validate] }
    - { name: ops, address: 127.0.0.1, port: 9100, serve: [metrics, health] }
`)!;
    assert.equal(c.maxBodyBytes, 2048);
    const [nas, ops] = c.listeners;
    assert.deepEqual([nas!.name, nas!.address, nas!.port, nas!.serve], ['nas', '0.0.0.0', 5000, ['validate']]);
    assert.equal(nas!.tls!.certFile, join(dir, 'a.pem'));
    assert.ok(allows(nas!, '10.1.2.3') && !allows(nas!, '127.0.0.1'));
    assert.deepEqual([ops!.name, ops!.address, ops!.port, ops!.serve, ops!.tls], ['ops', '127.0.0.1', 9100, ['metrics', 'health'], undefined]);
    assert.ok(allows(ops!, '127.0.0.1'), 'loopback by default');
  });

  test('admin off loopback without TLS is refused on its line unless allowPlaintext, which warns', () => {
    assert.deepEqual(problems('http:\n  listeners:\n    - name: admin\n      address: 0.0.0.0\n      port: 8443\n      serve: [admin]\n'), [
      'c.yaml:6: http.listeners[0].serve: serves admin on 0.0.0.0 without TLS: add tls (certFile, keyFile), listen on a loopback address, or set allowPlaintext: true',
    ]);
    assert.deepEqual(problems('http:\n  listen: { address: "::" }\n  serve: [validate, admin]\n'), [
      'c.yaml:3: http.serve: serves admin on :: without TLS: add tls (certFile, keyFile), listen on a loopback address, or set allowPlaintext: true',
    ]);
    const yaml = 'http:\n  listeners:\n    - name: admin\n      address: 0.0.0.0\n      port: 8443\n      serve: [admin]\n      allowPlaintext: true\n';
    assert.deepEqual(only(yaml).serve, ['admin']);
    assert.deepEqual(warnings(yaml), ['c.yaml:7: http.listeners[0].allowPlaintext: listener admin: admin passwords and session cookies travel in clear']);
    assert.equal(only('http:\n  listeners:\n    - { name: local, address: 127.0.0.1, port: 8443, serve: [admin] }\n').serve[0], 'admin', 'loopback needs no TLS');
    assert.equal(
      only(`http:\n  listeners:\n    - { name: a, address: 0.0.0.0, port: 8443, serve: [admin], tls: { certFile: ${join(dir, 'a.pem')}, keyFile: ${join(dir, 'a.key')} } }\n`).serve[0],
      'admin',
    );
  });

  test('the console and the portal follow the rule of admin: off loopback only with TLS or allowPlaintext', () => {
    assert.deepEqual(problems('http:\n  listeners:\n    - name: pages\n      address: 0.0.0.0\n      port: 8443\n      serve: [console, self, health]\n'), [
      'c.yaml:6: http.listeners[0].serve: serves console, self on 0.0.0.0 without TLS: add tls (certFile, keyFile), listen on a loopback address, or set allowPlaintext: true',
    ]);
    assert.deepEqual(problems('http:\n  listen: { address: 0.0.0.0 }\n  serve: [self]\n'), [
      'c.yaml:3: http.serve: serves self on 0.0.0.0 without TLS: add tls (certFile, keyFile), listen on a loopback address, or set allowPlaintext: true',
    ]);
    const yaml = 'http:\n  listeners:\n    - name: portal\n      address: 0.0.0.0\n      port: 8080\n      serve: [self]\n      allowPlaintext: true\n';
    assert.deepEqual(only(yaml).serve, ['self']);
    assert.deepEqual(warnings(yaml), ['c.yaml:7: http.listeners[0].allowPlaintext: listener portal: user passwords and session cookies travel in clear']);
    assert.deepEqual(only('http:\n  listeners:\n    - { name: local, address: ::1, port: 8443, serve: [console, self] }\n').serve, ['console', 'self'], 'loopback needs no TLS');
    assert.deepEqual(only(`http:\n  listeners:\n    - { name: a, address: 0.0.0.0, port: 8443, serve: [self], tls: { certFile: ${join(dir, 'a.pem')}, keyFile: ${join(dir, 'a.key')} } }\n`).serve, [
      'self',
    ]);
  });

  test('listener mistakes: shapes mixed, names and sockets taken twice, services unknown or repeated, port missing', () => {
    assert.deepEqual(problems('http:\n  allow: [10.0.0.0/8]\n  listeners:\n    - { name: a, port: 1, serve: [validate] }\n'), [
      'c.yaml:2: http.allow: with http.listeners, give allow in each listener',
    ]);
    assert.deepEqual(problems('http:\n  listeners:\n    - { name: a, port: 5000, serve: [validate] }\n    - { name: a, port: 5001, serve: [metrics] }\n'), [
      'c.yaml:4: http.listeners[1].name: "a" is already the name of http.listeners[0]',
    ]);
    assert.deepEqual(problems('http:\n  listeners:\n    - { name: a, port: 5000, serve: [validate] }\n    - { name: b, port: 5000, serve: [metrics] }\n'), [
      'c.yaml:4: http.listeners[1].port: 127.0.0.1 port 5000 is already taken by http.listeners[0]',
    ]);
    assert.deepEqual(problems('http:\n  listeners:\n    - { name: a, port: 5000, serve: [validate, radius] }\n'), [
      'c.yaml:3: http.listeners[0].serve[1]: expected one of "validate", "health", "metrics", "admin", "console", "self", got "radius"',
    ]);
    assert.deepEqual(problems('http:\n  listeners:\n    - { name: a, port: 5000, serve: [health, health] }\n'), ['c.yaml:3: http.listeners[0].serve: a service is listed twice']);
    assert.deepEqual(problems('http:\n  listeners:\n    - { name: a, serve: [health] }\n'), ['c.yaml:3: http.listeners[0].port: required, a whole number from 0 to 65535']);
    assert.deepEqual(problems('http:\n  listeners: []\n'), ['c.yaml:2: http.listeners: expected at least 1 item']);
  });

  test('bad networks and addresses name the line and the item', () => {
    assert.deepEqual(problems('http:\n  allow:\n    - 10.0.0.0/33\n    - bogus\n'), [
      'c.yaml:3: http.allow[0]: expected an IP address or network (CIDR), prefix length "/33" must be 0 to 32',
      'c.yaml:4: http.allow[1]: expected an IP address or network (CIDR), "bogus" is not an IPv4 or IPv6 address',
    ]);
    assert.deepEqual(problems('http:\n  allow: []\n'), ['c.yaml:2: http.allow: expected at least 1 item']);
    assert.deepEqual(problems('http:\n  listen:\n    address: localhost\n'), ['c.yaml:3: http.listen.address: expected an IPv4 or IPv6 address, got "localhost"']);
  });

  test('numbers out of range and unknown keys', () => {
    assert.deepEqual(problems('http:\n  listen: { port: 70000 }\n'), ['c.yaml:2: http.listen.port: expected a whole number from 0 to 65535, got 70000']);
    assert.deepEqual(problems('http:\n  maxBodyBytes: 10\n'), ['c.yaml:2: http.maxBodyBytes: expected a whole number from 1024 to 1048576, got 10']);
    assert.deepEqual(problems('http:\n  requestTimeoutSeconds: 0\n'), ['c.yaml:2: http.requestTimeoutSeconds: expected a whole number from 1 to 300, got 0']);
    assert.deepEqual(problems('http:\n  port: 5000\n'), [
      'c.yaml:2: http.port: unknown key (expected one of: listen, tls, allow, allowPlaintext, serve, listeners, maxBodyBytes, requestTimeoutSeconds)',
    ]);
    assert.deepEqual(problems('http: on\n'), ['c.yaml:1: http: expected a mapping, got "on"']);
  });

  test('tls: certFile and keyFile (or cert and key, the first names) are read at load', () => {
    for (const [c, k] of [
      ['certFile', 'keyFile'],
      ['cert', 'key'],
    ]) {
      const l = only(`http:\n  tls: { ${c}: ${join(dir, 'a.pem')}, ${k}: ${join(dir, 'a.key')} }\n`);
      assert.equal(l.tls!.certFile, join(dir, 'a.pem'));
      assert.equal(l.tls!.keyFile, join(dir, 'a.key'));
      assert.match(l.tls!.cert.toString(), /^-----BEGIN CERTIFICATE-----/);
      assert.match(l.tls!.key.toString(), /^-----BEGIN PRIVATE KEY-----/);
    }
  });

  test('tls: a missing file, a file that is not PEM, half a pair, both names, a key of another certificate', () => {
    assert.deepEqual(problems(`http:\n  tls:\n    certFile: ${join(dir, 'none.pem')}\n    keyFile: ${join(dir, 'a.key')}\n`), [
      `c.yaml:3: http.tls.certFile: cannot read ${join(dir, 'none.pem')}: no such file`,
    ]);
    assert.deepEqual(problems(`http:\n  tls:\n    cert: ${join(dir, 'a.pem')}\n    key: ${join(dir, 'plain.txt')}\n`), [
      `c.yaml:4: http.tls.key: ${join(dir, 'plain.txt')} is not PEM (no -----BEGIN line)`,
    ]);
    assert.deepEqual(problems(`http:\n  tls:\n    certFile: ${join(dir, 'a.pem')}\n`), ['c.yaml:3: http.tls.keyFile: required, a non-empty string']);
    assert.deepEqual(problems(`http:\n  tls:\n    certFile: ${join(dir, 'a.pem')}\n    cert: ${join(dir, 'a.pem')}\n    keyFile: ${join(dir, 'a.key')}\n`), [
      'c.yaml:4: http.tls.cert: give either certFile or cert, not both',
    ]);
    const [mismatch] = problems(`http:\n  tls:\n    certFile: ${join(dir, 'a.pem')}\n    keyFile: ${join(dir, 'b.key')}\n`);
    assert.match(mismatch!, /^c\.yaml:3: http\.tls: the certificate and key do not load together: .*key values mismatch/);
    assert.deepEqual(problems(`http:\n  listeners:\n    - name: a\n      port: 1\n      serve: [validate]\n      tls: { certFile: ${join(dir, 'none.pem')}, keyFile: ${join(dir, 'a.key')} }\n`), [
      `c.yaml:6: http.listeners[0].tls.certFile: cannot read ${join(dir, 'none.pem')}: no such file`,
    ]);
  });
});
