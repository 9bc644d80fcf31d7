// Which RadSec client a certificate speaks for: subject attributes, a
// subjectAltName, or the fingerprint; an entry with a network also needs
// the address; the narrowest network wins.

import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseCidr } from '../../src/net/cidr.ts';
import { certificateMatches, parseFingerprint, parseSubject, RadsecClientTable, subjectAltNames, type RadsecClient } from '../../src/radius/radsec-clients.ts';
import { makeRadsecPki, type RadsecPki } from '../helpers/radsec.ts';

describe('RadSec client matching', () => {
  let dir: string;
  let pki: RadsecPki;
  let proxy: X509Certificate;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'otp-radius-radsec-clients-'));
    pki = makeRadsecPki(dir);
    proxy = new X509Certificate(readFileSync(pki.client('radsecproxy.example.org', { san: 'proxy.example.org' }).cert));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('subject: every attribute given must be there with that value; others may be there too', () => {
    assert.ok(certificateMatches(proxy, { subject: parseSubject('CN=radsecproxy.example.org'), text: '' }));
    assert.ok(certificateMatches(proxy, { subject: parseSubject('cn=radsecproxy.example.org, O=otp-radius tests'), text: '' }));
    assert.ok(!certificateMatches(proxy, { subject: parseSubject('CN=radsecproxy.example.org, O=Another'), text: '' }));
    assert.ok(!certificateMatches(proxy, { subject: parseSubject('CN=RADSECPROXY.example.org'), text: '' }), 'values are compared exactly');
    assert.ok(!certificateMatches(proxy, { subject: parseSubject('CN=radsecproxy.example'), text: '' }), 'no prefix match');
  });

  test('subject text: escaped commas, and what is not KEY=value', () => {
    assert.deepEqual(parseSubject('CN=a, O=Example\\, Inc.'), [
      { key: 'CN', value: 'a' },
      { key: 'O', value: 'Example, Inc.' },
    ]);
    assert.throws(() => parseSubject('radsecproxy.example.org'), /not an attribute of the form KEY=value/);
    assert.throws(() => parseSubject('CN='), /not an attribute/);
    assert.throws(() => parseSubject('CN=a,,O=b'), /not an attribute/);
  });

  test('san: a DNS name (any case) or an address among the subjectAltName entries; never the CN', () => {
    assert.ok(certificateMatches(proxy, { san: 'proxy.example.org' }));
    assert.ok(certificateMatches(proxy, { san: 'PROXY.example.org' }));
    assert.ok(!certificateMatches(proxy, { san: 'radsecproxy.example.org' }), 'the CN is not a subjectAltName');
    const server = new X509Certificate(readFileSync(pki.server.cert));
    assert.ok(certificateMatches(server, { san: '127.0.0.1' }));
    assert.ok(certificateMatches(server, { san: '::ffff:127.0.0.1' }), 'addresses compare as addresses');
    assert.ok(!certificateMatches(server, { san: '127.0.0.2' }));
  });

  test("Node's subjectAltName text: quoted values with commas", () => {
    assert.deepEqual(subjectAltNames('DNS:a.example, URI:"https://x.example/a,b", IP Address:192.0.2.1'), [
      { type: 'DNS', value: 'a.example' },
      { type: 'URI', value: 'https://x.example/a,b' },
      { type: 'IP Address', value: '192.0.2.1' },
    ]);
    assert.deepEqual(subjectAltNames(undefined), []);
  });

  test('fingerprint: as openssl prints it, or bare hex', () => {
    const colons = proxy.fingerprint256;
    assert.ok(certificateMatches(proxy, { fingerprint: parseFingerprint(`sha256:${colons}`) }));
    assert.ok(certificateMatches(proxy, { fingerprint: parseFingerprint(colons.replaceAll(':', '').toLowerCase()) }));
    assert.ok(!certificateMatches(proxy, { fingerprint: parseFingerprint('00'.repeat(32)) }));
    assert.throws(() => parseFingerprint('sha1:AB:CD'), /64 hex digits/);
  });

  test('the table: address networks narrow a match; the narrowest wins; else the first in the file', () => {
    const entry = (name: string, network?: string): RadsecClient => ({
      name,
      certificate: { subject: parseSubject('CN=radsecproxy.example.org'), text: '' },
      ...(network ? { network: parseCidr(network) } : {}),
      requireMessageAuthenticator: false,
    });
    const table = new RadsecClientTable([entry('anywhere'), entry('anywhere-too'), entry('site', '192.0.2.0/24'), entry('host', '192.0.2.7')]);
    assert.equal(table.lookup(proxy, '192.0.2.7')?.name, 'host');
    assert.equal(table.lookup(proxy, '::ffff:192.0.2.8')?.name, 'site');
    assert.equal(table.lookup(proxy, '198.51.100.1')?.name, 'anywhere');
    const only = new RadsecClientTable([entry('site', '192.0.2.0/24')]);
    assert.equal(only.lookup(proxy, '198.51.100.1'), undefined, 'the right certificate from the wrong address');
    const stranger = new X509Certificate(readFileSync(pki.client('stranger.example.org').cert));
    assert.equal(table.lookup(stranger, '192.0.2.7'), undefined);
  });
});
