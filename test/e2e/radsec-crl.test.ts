// RadSec with listen.radsec.crlFile: a client whose certificate the CA
// revoked is refused at the handshake (counted as "revoked", logged with
// CERT_REVOKED) while the others are served; a CRL reloaded with SIGHUP
// revokes from the next connection on; an expired CRL refuses every client
// of its CA and the log line says what to do.

import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildRequest } from '../../src/radius/client.ts';
import { CODE } from '../../src/radius/packet.ts';
import { delay } from '../helpers/radius.ts';
import { makeRadsecPki, RadsecTestClient, type KeyPair, type RadsecPki } from '../helpers/radsec.ts';
import { startStack, writeStackConfig, type Stack } from '../helpers/stack.ts';

describe('RadSec with a CRL', () => {
  let dir: string;
  let pki: RadsecPki;
  let s: Stack;
  let good: KeyPair;
  let revoked: KeyPair;
  let later: KeyPair;
  const radsec = (crl: string) => `radsec: { address: 127.0.0.1, port: 0, certFile: ${pki.server.cert}, keyFile: ${pki.server.key}, caFile: ${pki.ca}, crlFile: ${crl} }`;
  const clients = ['good', 'revoked', 'later'].map((n) => `  - { name: ${n}, certificate: { san: ${n}.example.org } }`).join('\n');

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'otp-radius-radsec-crl-'));
    pki = makeRadsecPki(dir);
    good = pki.client('good.example.org');
    revoked = pki.client('revoked.example.org');
    later = pki.client('later.example.org');
    s = await startStack({ dir, listen: radsec(pki.crl([revoked])), clients });
  });
  after(async () => {
    await s?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function reloadWith(crl: string): Promise<void> {
    const written = await writeStackConfig(dir, 0, '', undefined, { listen: radsec(crl), clients });
    await copyFile(written, s.configFile);
    await s.running.reload();
  }

  /** True when the client is served, false when its connection is closed on it. */
  async function served(pair: KeyPair, id: number): Promise<boolean> {
    const c = await RadsecTestClient.open(s.running.radsec!.port(), pair, pki.ca);
    try {
      const answer = await Promise.race([c.send(buildRequest({ identifier: id, secret: 'radsec', userName: 'alice', password: 'x' })), c.closed.then(() => undefined)]);
      return answer?.packet.code === CODE.AccessReject;
    } finally {
      c.close();
    }
  }

  const refusals = (reason: string) => s.logs.lines.filter((l) => l.msg === 'RadSec connection refused' && l.reason === reason);

  test('the revoked client is refused and logged with CERT_REVOKED; the others are served', async () => {
    assert.equal(await served(good, 1), true);
    assert.equal(await served(later, 2), true);
    assert.equal(await served(revoked, 3), false);
    await delay(50);
    assert.match(String(refusals('revoked')[0]?.detail), /^CERT_REVOKED: the certificate is revoked \(listen\.radsec\.crlFile\) \(subject CN=revoked\.example\.org/);
    assert.equal(s.running.radsec!.connections.refused.get('revoked'), 1);
  });

  test('a new CRL on SIGHUP: revoked from the next connection on', async () => {
    await reloadWith(pki.crl([revoked, later]));
    assert.ok(s.logs.lines.some((l) => l.msg === 'RadSec certificates reloaded' && String(l.crlFile).endsWith('.pem')));
    assert.equal(await served(later, 4), false, 'revoked now');
    assert.equal(await served(good, 5), true);
  });

  test('an expired CRL refuses every client of its CA and says what to do; a current one brings them back', async () => {
    await reloadWith(pki.crl([], { expired: true }));
    assert.equal(await served(good, 6), false);
    await delay(50);
    assert.match(String(refusals('crl')[0]?.detail), /^CRL_HAS_EXPIRED: the CRL of the certificate's CA in listen\.radsec\.crlFile has expired: put a current one there and reload \(SIGHUP\)/);
    await reloadWith(pki.crl([]));
    assert.equal(await served(good, 7), true);
    assert.equal(await served(revoked, 8), true, 'a CRL that no longer lists it');
  });
});
