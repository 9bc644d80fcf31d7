// The `eap:` config section: off when absent, defaults, and each mistake
// with a message naming file, line and key.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseConfig } from '../../src/config/load.ts';
import { EAP_DEFAULTS } from '../../src/eap/options.ts';
import { makeCertificates, type Certificates } from '../helpers/eapol.ts';
import { configProblems as problems } from '../helpers/config.ts';

describe('eap config section', () => {
  let dir: string;
  let certs: Certificates;
  let other: Certificates;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'otp-radius-eap-config-'));
    certs = makeCertificates(dir);
    other = makeCertificates(dir, 'other.example', 'other-');
    writeFileSync(join(dir, 'plain.txt'), 'not a certificate\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const tls = (extra = '') => `  tls: { certFile: ${certs.cert}, keyFile: ${certs.key}${extra} }\n`;

  test('absent: EAP is off', () => {
    assert.equal(parseConfig('listen: { port: 1812 }\n', 'c.yaml', {}).config.eap, undefined);
  });

  test('defaults: both methods, TLS 1.2 to 1.3, the default limits and resumption', () => {
    const eap = parseConfig(`eap:\n${tls()}`, 'c.yaml', {}).config.eap!;
    assert.deepEqual(eap.methods, ['ttls', 'peap']);
    assert.equal(eap.tls.minVersion, 'TLSv1.2');
    assert.equal(eap.tls.maxVersion, 'TLSv1.3');
    assert.equal(eap.fragmentSize, EAP_DEFAULTS.fragmentSize);
    assert.deepEqual(eap.limits, EAP_DEFAULTS.limits);
    assert.deepEqual(eap.resumption, EAP_DEFAULTS.resumption);
    assert.ok(eap.tls.cert.toString().includes('BEGIN CERTIFICATE'));
  });

  test('methods in the order given, limits and the CA file', () => {
    const eap = parseConfig(
      `eap:\n  methods: [peap]\n${tls(`, caFile: ${certs.ca}, minVersion: TLSv1.3`)}  fragmentSize: 500\n  limits: { maxConversations: 10 }\n  resumption: { lifetimeSeconds: 0 }\n`,
      'c.yaml',
      {},
    ).config.eap!;
    assert.deepEqual(eap.methods, ['peap']);
    assert.equal(eap.tls.minVersion, 'TLSv1.3');
    assert.ok(eap.tls.ca);
    assert.equal(eap.fragmentSize, 500);
    assert.equal(eap.limits.maxConversations, 10);
    assert.equal(eap.limits.maxRounds, EAP_DEFAULTS.limits.maxRounds);
    assert.equal(eap.resumption.lifetimeSeconds, 0);
  });

  test('mistakes name the line and key', () => {
    assert.match(problems(`eap:\n  tls: { certFile: ${join(dir, 'missing.pem')}, keyFile: ${certs.key} }\n`).join('\n'), /c\.yaml:2: eap\.tls\.certFile: cannot read .*missing\.pem: no such file/);
    assert.match(problems(`eap:\n  tls: { certFile: ${join(dir, 'plain.txt')}, keyFile: ${certs.key} }\n`).join('\n'), /eap\.tls\.certFile: .*plain\.txt is not PEM/);
    assert.match(problems(`eap:\n  tls: { certFile: ${certs.cert}, keyFile: ${other.key} }\n`).join('\n'), /c\.yaml:2: eap\.tls: the certificate, key and CA do not load together/);
    assert.match(problems(`eap:\n${tls(', minVersion: TLSv1.3, maxVersion: TLSv1.2')}`).join('\n'), /eap\.tls\.minVersion: TLSv1\.3 is above maxVersion TLSv1\.2/);
    assert.match(problems(`eap:\n  methods: [ttls, mschapv2]\n${tls()}`).join('\n'), /c\.yaml:2: eap\.methods\[1\]: expected one of "ttls", "peap"/);
    assert.match(problems(`eap:\n  methods: [ttls, ttls]\n${tls()}`).join('\n'), /eap\.methods: a method is listed twice/);
    assert.match(problems(`eap:\n${tls()}  fragmentSize: 50\n`).join('\n'), /eap\.fragmentSize: expected a whole number from 128 to 3000/);
    assert.match(problems(`eap:\n${tls()}  limit: {}\n`).join('\n'), /eap\.limit: unknown key/);
    assert.match(problems('eap:\n  methods: [ttls]\n').join('\n'), /eap\.tls: required/);
  });
});
