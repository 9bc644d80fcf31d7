// The `http:` config section: off when absent, defaults, and each kind of
// mistake with its own message naming file, line and key.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cidrContains, addressBytes } from '../../src/net/cidr.ts';
import { ConfigError, parseConfig } from '../../src/config/load.ts';
import type { HttpConfig } from '../../src/config/http-section.ts';
import { requirePeer } from '../helpers/peers.ts';

function http(yaml: string): HttpConfig | undefined {
  return parseConfig(yaml, 'c.yaml', {}).config.http;
}

function problems(yaml: string): string[] {
  try {
    parseConfig(yaml, 'c.yaml', {});
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.problems;
  }
  assert.fail('config was accepted');
}

function allows(c: HttpConfig, address: string): boolean {
  const b = addressBytes(address)!;
  return c.allow.some((n) => cidrContains(n, b));
}

describe('http config section', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'otp-radius-http-config-'));
    requirePeer('openssl', 'openssl');
    for (const name of ['a', 'b']) {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.pem`), '-days', '1', '-subj', `/CN=${name}`], { stdio: 'ignore' });
    }
    writeFileSync(join(dir, 'plain.txt'), 'not a certificate\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('absent: the API is off', () => {
    assert.equal(http('listen: { port: 1812 }\n'), undefined);
  });

  test('empty or bare: on, with every default', () => {
    for (const yaml of ['http: {}\n', 'http:\n']) {
      const c = http(yaml)!;
      assert.deepEqual(c.listen, { address: '127.0.0.1', port: 5000 }, yaml);
      assert.equal(c.maxBodyBytes, 16384);
      assert.equal(c.requestTimeoutSeconds, 10);
      assert.equal(c.tls, undefined);
      assert.deepEqual(c.allow.map((n) => n.text), ['127.0.0.0/8', '::1']);
      assert.ok(allows(c, '127.0.0.1') && allows(c, '127.9.9.9') && allows(c, '::1') && allows(c, '::ffff:127.0.0.1'));
      assert.ok(!allows(c, '10.0.0.1') && !allows(c, '::2'));
    }
  });

  test('given values replace the defaults', () => {
    const c = http('http:\n  listen: { address: "::", port: 8443 }\n  allow: [10.0.0.0/8, "2001:db8::/32", 192.0.2.7]\n  maxBodyBytes: 4096\n  requestTimeoutSeconds: 3\n')!;
    assert.deepEqual(c.listen, { address: '::', port: 8443 });
    assert.ok(allows(c, '10.20.30.40') && allows(c, '2001:db8::1') && allows(c, '192.0.2.7'));
    assert.ok(!allows(c, '127.0.0.1'), 'a given allow list replaces loopback');
    assert.ok(!allows(c, '192.0.2.8'));
    assert.equal(c.maxBodyBytes, 4096);
    assert.equal(c.requestTimeoutSeconds, 3);
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
    assert.deepEqual(problems('http:\n  port: 5000\n'), ['c.yaml:2: http.port: unknown key (expected one of: listen, tls, allow, maxBodyBytes, requestTimeoutSeconds)']);
    assert.deepEqual(problems('http: on\n'), ['c.yaml:1: http: expected a mapping, got "on"']);
  });

  test('tls: a matching certificate and key are read at load', () => {
    const c = http(`http:\n  tls: { cert: ${join(dir, 'a.pem')}, key: ${join(dir, 'a.key')} }\n`)!;
    assert.equal(c.tls!.cert, join(dir, 'a.pem'));
    assert.match(c.tls!.certPem.toString(), /^-----BEGIN CERTIFICATE-----/);
    assert.match(c.tls!.keyPem.toString(), /^-----BEGIN PRIVATE KEY-----/);
  });

  test('tls: a missing file, a file that is not PEM, half a pair, a key of another certificate', () => {
    assert.deepEqual(problems(`http:\n  tls:\n    cert: ${join(dir, 'none.pem')}\n    key: ${join(dir, 'a.key')}\n`), [`c.yaml:3: http.tls.cert: cannot read ${join(dir, 'none.pem')}: no such file`]);
    assert.deepEqual(problems(`http:\n  tls:\n    cert: ${join(dir, 'a.pem')}\n    key: ${join(dir, 'plain.txt')}\n`), [`c.yaml:4: http.tls.key: ${join(dir, 'plain.txt')} is not PEM (no -----BEGIN line)`]);
    assert.deepEqual(problems(`http:\n  tls:\n    cert: ${join(dir, 'a.pem')}\n`), ['c.yaml:3: http.tls.key: required, a non-empty string']);
    const [mismatch] = problems(`http:\n  tls:\n    cert: ${join(dir, 'a.pem')}\n    key: ${join(dir, 'b.key')}\n`);
    assert.match(mismatch!, /^c\.yaml:3: http\.tls: the certificate and key do not load together: .*key values mismatch/);
  });
});
