// SIGHUP with RadSec on (the server's reload(), as serve calls it): a
// rotated server certificate is shown to new connections, a removed client
// entry closes that client's open connection and refuses its next one, and
// only a change of the listener itself asks for a restart.

import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildRequest } from '../../src/radius/client.ts';
import { CODE } from '../../src/radius/packet.ts';
import { delay } from '../helpers/radius.ts';
import { makeRadsecPki, RadsecTestClient, type KeyPair, type RadsecPki } from '../helpers/radsec.ts';
import { startStack, writeStackConfig, type Stack } from '../helpers/stack.ts';

describe('RadSec and SIGHUP', () => {
  let dir: string;
  let pki: RadsecPki;
  let s: Stack;
  let first: KeyPair;
  let second: KeyPair;
  const radsec = (server: KeyPair) => `radsec: { address: 127.0.0.1, port: 0, certFile: ${server.cert}, keyFile: ${server.key}, caFile: ${pki.ca} }`;
  const entry = (name: string, san: string) => `  - { name: ${name}, certificate: { san: ${san} } }`;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'otp-radius-radsec-reload-'));
    pki = makeRadsecPki(dir);
    first = pki.client('first.example.org');
    second = pki.client('second.example.org');
    s = await startStack({ dir, listen: radsec(pki.server), clients: entry('first', 'first.example.org') });
  });
  after(async () => {
    await s?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Writes the config the stack reads, with other RadSec settings, and reloads. */
  async function reloadWith(listen: string, clients: string): Promise<void> {
    const written = await writeStackConfig(dir, 0, '', undefined, { listen, clients });
    await copyFile(written, s.configFile);
    await s.running.reload();
  }

  test('a rotated certificate and a removed client', async () => {
    const port = s.running.radsec!.port();
    const ask = async (c: RadsecTestClient, id: number) => (await c.send(buildRequest({ identifier: id, secret: 'radsec', userName: 'alice', password: 'x' })))?.packet.code;
    const open = await RadsecTestClient.open(port, first, pki.ca);
    assert.equal(await ask(open, 1), CODE.AccessReject);

    // A new server certificate from the same CA (the rotation an operator does before the old one expires).
    const fresh = pki.client('radius.test.example', { san: 'radius.test.example', purpose: 'clientAuth,serverAuth' });
    const before = s.logs.lines.length;
    await reloadWith(radsec(fresh), entry('second', 'second.example.org'));

    assert.ok(await open.closedWithin(2500), 'the removed client is cut off');
    open.close();
    const c2 = await RadsecTestClient.open(port, second, pki.ca);
    assert.equal(await ask(c2, 2), CODE.AccessReject, 'the added client is served');
    const shown = c2.socket.getPeerX509Certificate()!;
    assert.equal(shown.serialNumber, new X509Certificate(await readFile(fresh.cert)).serialNumber, 'new connections get the new certificate');
    c2.close();
    const again = await RadsecTestClient.open(port, first, pki.ca);
    assert.ok(await again.closedWithin(1000), 'the removed client cannot come back');
    again.close();
    await delay(50);
    const lines = s.logs.lines.slice(before);
    assert.ok(lines.some((l) => l.msg === 'RadSec certificates reloaded'));
    assert.ok(lines.some((l) => l.msg === 'RadSec client no longer in the config; closing its connection'));
    assert.ok(lines.some((l) => l.msg === 'RadSec connection refused' && l.reason === 'unknown-client'));
    assert.ok(!lines.some((l) => l.msg === 'listen settings changed; they take effect after a restart'), 'certificates alone need no restart');
  });

  test('another port or limit needs a restart, and says so', async () => {
    const port = s.running.radsec!.port();
    await reloadWith(`${radsec(pki.server).slice(0, -2)}, maxInFlight: 8 }`, entry('second', 'second.example.org'));
    assert.ok(s.logs.lines.some((l) => l.msg === 'listen settings changed; they take effect after a restart'));
    assert.equal(s.running.radsec!.port(), port);
  });
});
