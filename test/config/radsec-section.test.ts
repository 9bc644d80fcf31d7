// `listen.radsec` and the RadSec client entries: off when absent, defaults,
// and each mistake with a message naming file, line and key.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseConfig } from '../../src/config/load.ts';
import { RADSEC_DEFAULTS } from '../../src/radius/radsec-options.ts';
import { makeRadsecPki, type RadsecPki } from '../helpers/radsec.ts';
import { configProblems as problems } from '../helpers/config.ts';

const FP = Array(32).fill('AB').join(':');

describe('radsec config', () => {
  let dir: string;
  let pki: RadsecPki;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'otp-radius-radsec-config-'));
    pki = makeRadsecPki(dir);
    writeFileSync(join(dir, 'plain.txt'), 'not a certificate\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const listen = (extra = '') => `listen:\n  radsec: { certFile: ${pki.server.cert}, keyFile: ${pki.server.key}, caFile: ${pki.ca}${extra} }\n`;
  const client = (certificate: string, extra = '') => `clients:\n  - name: proxy1\n    certificate: ${certificate}\n${extra}`;

  test('absent: no RadSec listener, and a config with only UDP clients is as before', () => {
    const { config } = parseConfig('clients:\n  - { name: vpn, address: 192.0.2.1, secret: a-long-enough-shared-secret }\n', 'c.yaml', {});
    assert.equal(config.listen.radsec, undefined);
    assert.deepEqual(config.radsecClients, []);
    assert.equal(config.clients.length, 1);
  });

  test('present: defaults, the PEM files read, the paths resolved', () => {
    const { config, warnings } = parseConfig(listen() + client('{ subject: "CN=radsecproxy.example.org" }'), join(dir, 'c.yaml'), {});
    const r = config.listen.radsec!;
    assert.equal(r.port, 2083);
    assert.equal(r.address, '0.0.0.0');
    assert.equal(r.minVersion, 'TLSv1.2');
    assert.deepEqual(r.radiusVersions, ['1.0', '1.1']);
    assert.equal(r.maxConnections, RADSEC_DEFAULTS.maxConnections);
    assert.equal(r.maxInFlight, RADSEC_DEFAULTS.maxInFlight);
    assert.equal(r.idleTimeoutSeconds, RADSEC_DEFAULTS.idleTimeoutSeconds);
    assert.match(r.cert.toString(), /BEGIN CERTIFICATE/);
    assert.equal(r.caFile, pki.ca);
    assert.deepEqual(warnings, []);
    const c = config.radsecClients[0]!;
    assert.equal(c.name, 'proxy1');
    assert.deepEqual(c.certificate, { subject: [{ key: 'CN', value: 'radsecproxy.example.org' }], text: 'CN=radsecproxy.example.org' });
    assert.equal(c.requireMessageAuthenticator, false, 'TLS authenticates every packet');
    assert.deepEqual(config.clients, [], 'no UDP clients');
  });

  test('san, fingerprint, address, realm and a mixed list keep their order and names', () => {
    const yaml = `${listen(', port: 12083, radiusVersions: [1.0, 1.1], minVersion: TLSv1.3')}clients:
  - { name: udp1, address: 192.0.2.1, secret: a-long-enough-shared-secret }
  - { name: proxy1, certificate: { san: proxy.example.org }, address: 198.51.100.0/24, realm: corp }
  - { name: proxy2, certificate: { fingerprint: "sha256:${FP}" }, requireMessageAuthenticator: auto }
resolvers: { local: { type: file, path: users.yaml } }
realms: { corp: { resolvers: local } }
`;
    const { config } = parseConfig(yaml, 'c.yaml', {});
    assert.equal(config.listen.radsec!.port, 12083);
    assert.deepEqual(config.listen.radsec!.radiusVersions, ['1.0', '1.1'], 'unquoted 1.0 and 1.1 are read as versions');
    assert.deepEqual(
      config.clients.map((c) => c.name),
      ['udp1'],
    );
    assert.deepEqual(
      config.radsecClients.map((c) => c.name),
      ['proxy1', 'proxy2'],
    );
    assert.deepEqual(config.radsecClients[0]!.certificate, { san: 'proxy.example.org' });
    assert.equal(config.radsecClients[0]!.network?.text, '198.51.100.0/24');
    assert.equal(config.radsecClients[0]!.realm, 'corp');
    assert.deepEqual(config.radsecClients[1]!.certificate, { fingerprint: 'ab'.repeat(32) });
    assert.equal(config.radsecClients[1]!.requireMessageAuthenticator, 'auto');
  });

  test('listen.radsec mistakes, each on its line', () => {
    assert.deepEqual(problems(`listen:\n  radsec: { certFile: ${pki.server.cert}, keyFile: ${pki.server.key} }\n`), ['c.yaml:2: listen.radsec.caFile: required, a non-empty string']);
    assert.deepEqual(problems(`listen:\n  radsec:\n    certFile: ${join(dir, 'nope.pem')}\n    keyFile: ${pki.server.key}\n    caFile: ${pki.ca}\n`), [
      `c.yaml:3: listen.radsec.certFile: cannot read ${join(dir, 'nope.pem')}: no such file`,
    ]);
    assert.deepEqual(problems(`listen:\n  radsec:\n    certFile: ${pki.server.cert}\n    keyFile: ${pki.server.key}\n    caFile: ${join(dir, 'plain.txt')}\n`), [
      `c.yaml:5: listen.radsec.caFile: ${join(dir, 'plain.txt')} is not PEM (no -----BEGIN line)`,
    ]);
    const other = pki.client('x.example');
    assert.match(
      problems(`listen:\n  radsec: { certFile: ${pki.server.cert}, keyFile: ${other.key}, caFile: ${pki.ca} }\n`)[0]!,
      /^c\.yaml:2: listen\.radsec: the certificate, key and CA do not load together: /,
    );
    assert.deepEqual(problems(listen(', radiusVersions: ["1.2"]')), ['c.yaml:2: listen.radsec.radiusVersions[0]: expected one of "1.0", "1.1"']);
    assert.deepEqual(problems(listen(', maxInFlight: 0')), ['c.yaml:2: listen.radsec.maxInFlight: expected a whole number from 1 to 4096, got 0']);
    assert.deepEqual(problems(listen(', minVersion: TLSv1.1')), ['c.yaml:2: listen.radsec.minVersion: expected one of "TLSv1.2", "TLSv1.3", got "TLSv1.1"']);
    assert.deepEqual(problems(listen(', ca: x')), [
      'c.yaml:2: listen.radsec.ca: unknown key (expected one of: address, port, certFile, keyFile, caFile, crlFile, minVersion, radiusVersions, maxConnections, maxInFlight, idleTimeoutSeconds, handshakeTimeoutSeconds)',
    ]);
  });

  test('crlFile: read with the rest; a missing file, a certificate instead of a CRL, a CRL that is not PEM, each on its line', () => {
    assert.equal(parseConfig(listen(), 'c.yaml', {}).config.listen.radsec!.crl, undefined, 'no CRL unless given');
    const crl = pki.crl([pki.client('gone.example')]);
    const r = parseConfig(listen(`, crlFile: ${crl}`), 'c.yaml', {}).config.listen.radsec!;
    assert.equal(r.crlFile, crl);
    assert.match(r.crl!.toString(), /-----BEGIN X509 CRL-----/);
    assert.deepEqual(problems(listen(`, crlFile: ${join(dir, 'none.pem')}`)), [`c.yaml:2: listen.radsec.crlFile: cannot read ${join(dir, 'none.pem')}: no such file`]);
    assert.deepEqual(problems(listen(`, crlFile: ${pki.ca}`)), [`c.yaml:2: listen.radsec.crlFile: ${pki.ca} holds no CRL (no -----BEGIN X509 CRL----- line)`]);
    writeFileSync(join(dir, 'broken-crl.pem'), '-----BEGIN X509 CRL-----\nbm90IGEgQ1JM\n-----END X509 CRL-----\n');
    assert.match(problems(listen(`, crlFile: ${join(dir, 'broken-crl.pem')}`))[0]!, /^c\.yaml:2: listen\.radsec: the certificate, key, CA and CRL do not load together: /);
  });

  test('client certificate mistakes, each on its line', () => {
    assert.deepEqual(problems(listen() + client('{}')), ['c.yaml:5: clients[0].certificate: give one of subject, san or fingerprint']);
    assert.deepEqual(problems(listen() + client('{ subject: "CN=a", san: a }')), ['c.yaml:5: clients[0].certificate: give one of subject, san or fingerprint, not subject and san']);
    assert.deepEqual(problems(listen() + client('{ subject: "radsecproxy.example.org" }')), [
      'c.yaml:5: clients[0].certificate.subject: "radsecproxy.example.org" is not an attribute of the form KEY=value (such as CN=radsecproxy.example.org)',
    ]);
    assert.match(problems(listen() + client('{ fingerprint: "sha1:AB:CD" }'))[0]!, /^c\.yaml:5: clients\[0\]\.certificate\.fingerprint: expected a SHA-256 fingerprint/);
    assert.deepEqual(problems(listen() + client('{ san: a }', '    secret: a-long-enough-shared-secret\n')), [
      'c.yaml:6: clients[0].secret: a RadSec client (certificate:) has no secret of its own: RADIUS over TLS uses "radsec" (RFC 6614); remove it, or remove certificate: for a UDP client',
    ]);
    assert.deepEqual(problems(listen() + client('{ san: a }', '    address: 10.1.2.3/8\n')), [
      'c.yaml:6: clients[0].address: 10.1.2.3/8 has host bits set: did you mean 10.0.0.0/8? (or 10.1.2.3 alone for that one address)',
    ]);
    assert.deepEqual(problems(`${listen()}clients:\n  - { name: same, address: 192.0.2.1, secret: a-long-enough-shared-secret }\n  - { name: same, certificate: { san: a } }\n`), [
      'c.yaml:5: clients[1].name: "same" is already the name of clients[0]',
    ]);
    assert.deepEqual(problems(`${listen()}clients:\n  - { name: udp, address: 192.0.2.1, secret: a-long-enough-shared-secret }\n  - { name: p, certificate: { san: a }, realm: nowhere }\n`), [
      'c.yaml:5: clients[1].realm: unknown realm "nowhere"',
    ]);
  });

  test('warnings: a RadSec client without listen.radsec; listen.radsec without RadSec clients', () => {
    const a = parseConfig(client('{ san: a }'), 'c.yaml', {}).warnings;
    assert.deepEqual(a, ['c.yaml:3: clients[0].certificate: client proxy1 is a RadSec client, but listen.radsec is not set: it can never connect']);
    const b = parseConfig(`${listen()}clients:\n  - { name: udp, address: 192.0.2.1, secret: a-long-enough-shared-secret }\n`, 'c.yaml', {}).warnings;
    assert.deepEqual(b, ['c.yaml:2: listen.radsec: no client has certificate: every RadSec connection will be refused']);
  });
});
