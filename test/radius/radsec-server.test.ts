// The RadSec listener over real TLS connections: mutual TLS, clients by
// certificate, the fixed secret "radsec", framing, the duplicate check of a
// connection, Status-Server, and the limits (connections, requests in
// flight, idle time). RADIUS/1.1 is in radsec-radius11.test.ts.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseConfig } from '../../src/config/load.ts';
import type { AccessRequest } from '../../src/model/access-request.ts';
import type { Decision } from '../../src/model/decision.ts';
import { buildRequest } from '../../src/radius/client.ts';
import { verifyResponse } from '../../src/radius/authenticator.ts';
import { assemblePacket, ATTR, CODE, findAttributes, rawAttribute } from '../../src/radius/packet.ts';
import { packetMd5 } from '../../src/radius/secret-hash.ts';
import { RadsecClientTable } from '../../src/radius/radsec-clients.ts';
import { delay } from '../helpers/radius.ts';
import { makeRadsecPki, RadsecTestClient, startRadsec, type KeyPair, type RadsecFixture, type RadsecPki } from '../helpers/radsec.ts';

describe('RadSec listener', () => {
  let dir: string;
  let pki: RadsecPki;
  let proxy: KeyPair;
  let f: RadsecFixture;
  let decide: (r: AccessRequest) => Promise<Decision>;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'otp-radius-radsec-'));
    pki = makeRadsecPki(dir);
    proxy = pki.client('radsecproxy.example.org');
    decide = async (r) => (r.password?.toString() === '1234' ? { decision: 'accept', reason: 'ok', replyMessage: 'welcome' } : { decision: 'reject', reason: 'wrong pin' });
    f = await startRadsec(pki, { clients: '  - { name: proxy1, certificate: { subject: "CN=radsecproxy.example.org" }, realm: corp }\n', decide: (r) => decide(r) });
  });
  after(async () => {
    await f?.server.stop(0);
    rmSync(dir, { recursive: true, force: true });
  });

  const open = (pair: KeyPair | undefined = proxy) => RadsecTestClient.open(f.server.port(), pair, pki.ca);

  test('PAP: the password hidden with "radsec", the answer signed with it; the client entry decides realm and name', async () => {
    const c = await open();
    try {
      const ok = await c.send(buildRequest({ identifier: 1, secret: 'radsec', userName: 'alice', password: '1234' }));
      assert.equal(ok?.packet.code, CODE.AccessAccept);
      assert.equal(ok.verified, true, 'Response Authenticator and Message-Authenticator with the secret "radsec"');
      assert.equal(ok.packet.attributes[0]!.type, ATTR.MessageAuthenticator);
      const seen = f.seen.at(-1)!;
      assert.equal(seen.nas.client, 'proxy1');
      assert.equal(seen.nas.realm, 'corp');
      assert.equal(seen.nas.address, '127.0.0.1');
      const no = await c.send(buildRequest({ identifier: 2, secret: 'radsec', userName: 'alice', password: '9999' }));
      assert.equal(no?.packet.code, CODE.AccessReject);
      // A request signed with another secret gets no answer.
      const wrong = await c.send(buildRequest({ identifier: 3, secret: 'not-radsec', userName: 'alice', password: '1234', messageAuthenticator: true }), 500);
      assert.equal(wrong, undefined);
      assert.equal(f.server.stats.dropped.get('bad-message-authenticator'), 1);
    } finally {
      c.close();
    }
  });

  test('Status-Server is answered with Access-Accept and reaches no handler', async () => {
    const c = await open();
    try {
      const before = f.seen.length;
      const r = await c.send(buildRequest({ code: CODE.StatusServer, identifier: 0, secret: 'radsec', messageAuthenticator: true }));
      assert.equal(r?.packet.code, CODE.AccessAccept);
      assert.equal(r.verified, true);
      assert.equal(f.seen.length, before);
      assert.ok(f.server.stats.statusServer >= 1);
    } finally {
      c.close();
    }
  });

  test('Accounting-Request on the same port: acknowledged, signed with "radsec", without Message-Authenticator', async () => {
    const c = await open();
    try {
      const bytes = assemblePacket(CODE.AccountingRequest, 7, Buffer.alloc(16), [rawAttribute(ATTR.UserName, Buffer.from('alice')), rawAttribute(40, Buffer.from([0, 0, 0, 1]))]);
      packetMd5(bytes, Buffer.alloc(16), 'radsec').copy(bytes, 4);
      const answer = await c.ask(bytes, 7);
      assert.equal(answer?.code, CODE.AccountingResponse);
      assert.equal(verifyResponse(answer, bytes.subarray(4, 20), 'radsec'), true);
      assert.equal(findAttributes(answer, ATTR.MessageAuthenticator).length, 0, 'clients disagree on how it would be computed');
      assert.equal(f.server.stats.accounting, 1);
      const wrong = Buffer.from(bytes);
      wrong[1] = 8;
      assert.equal(await c.ask(wrong, 8, 300), undefined, 'an authenticator that does not match is dropped');
      assert.equal(f.server.stats.dropped.get('bad-authenticator'), 1);
    } finally {
      c.close();
    }
  });

  test('packets split over writes and several in one write are each answered', async () => {
    const c = await open();
    try {
      const one = buildRequest({ identifier: 10, secret: 'radsec', userName: 'alice', password: '1234' });
      const two = buildRequest({ identifier: 11, secret: 'radsec', userName: 'bob', password: '1234' });
      const three = buildRequest({ identifier: 12, secret: 'radsec', userName: 'carol', password: 'x' });
      const all = Buffer.concat([one.bytes, two.bytes, three.bytes]);
      // Byte by byte for the first packet (one TLS record each), then the other two in one write.
      for (let i = 0; i < one.bytes.length; i++) {
        c.write(all.subarray(i, i + 1));
        await delay(1);
      }
      c.write(all.subarray(one.bytes.length));
      await delay(300);
      assert.deepEqual(
        c.answers.map((p) => [p.identifier, p.code]),
        [
          [10, CODE.AccessAccept],
          [11, CODE.AccessAccept],
          [12, CODE.AccessReject],
        ],
      );
    } finally {
      c.close();
    }
  });

  test('a retransmission on the same connection gets the same answer; the handler runs once; another connection is another client port', async () => {
    const c = await open();
    const d = await open();
    try {
      const req = buildRequest({ identifier: 42, secret: 'radsec', userName: 'alice', password: '1234' });
      const before = f.seen.length;
      const first = await c.send(req);
      const again = await c.send(req);
      assert.ok(first && again);
      assert.deepEqual(again.bytes, first.bytes);
      assert.equal(f.seen.length - before, 1);
      assert.ok(f.server.stats.duplicates >= 1);
      // The same Identifier with a new authenticator is a new request.
      const fresh = await c.send(buildRequest({ identifier: 42, secret: 'radsec', userName: 'alice', password: '1234' }));
      assert.equal(fresh?.packet.code, CODE.AccessAccept);
      assert.equal(f.seen.length - before, 2);
      // The same bytes on another connection are a request of their own.
      const elsewhere = await d.send(req);
      assert.equal(elsewhere?.packet.code, CODE.AccessAccept);
      assert.equal(f.seen.length - before, 3);
    } finally {
      c.close();
      d.close();
    }
  });

  test('a Length field that lies closes the connection; the drop is counted and logged once a minute', async () => {
    for (let round = 0; round < 2; round++) {
      const c = await open();
      const lie = Buffer.from(buildRequest({ identifier: 1, secret: 'radsec', userName: 'alice', password: '1234' }).bytes);
      lie.writeUInt16BE(5000, 2);
      c.write(lie);
      assert.ok(await c.closedWithin(2000), 'closed');
      c.close();
    }
    await delay(50);
    assert.equal(f.server.stats.dropped.get('bad-length'), 2);
    assert.equal(f.server.connections.closed.get('malformed'), 2);
    assert.equal(f.logs.lines.filter((l) => l.reason === 'bad-length').length, 1);
    // A Length longer than its attributes swallows the next packet's header: the packet does not parse.
    const c = await open();
    const a = Buffer.from(buildRequest({ identifier: 1, secret: 'radsec', userName: 'alice', password: '1234' }).bytes);
    a.writeUInt16BE(a.length + 20, 2);
    c.write(Buffer.concat([a, buildRequest({ identifier: 2, secret: 'radsec', userName: 'alice', password: '1234' }).bytes]));
    assert.ok(await c.closedWithin(2000));
    assert.equal(c.answers.length, 0);
    c.close();
  });

  test('a stream that ends in the middle of a packet is counted and logged', async () => {
    const c = await open();
    const bytes = buildRequest({ identifier: 5, secret: 'radsec', userName: 'alice', password: '1234' }).bytes;
    c.socket.end(bytes.subarray(0, 25));
    await c.closed;
    await delay(50);
    assert.equal(f.server.stats.dropped.get('truncated'), 1);
    assert.match(String(f.logs.lines.find((l) => l.reason === 'truncated')?.detail), /25 bytes into a packet/);
  });

  test('a certificate from another CA is refused, and the refusal logged with its reason', async () => {
    const before = f.server.connections.refused.get('certificate') ?? 0;
    const c = await open(pki.client('radsecproxy.example.org', { otherCa: true })).catch(() => undefined);
    // Under TLS 1.3 the client's handshake ends before the server has read its certificate: the server then cuts it.
    if (c) {
      assert.equal(await c.send(buildRequest({ identifier: 1, secret: 'radsec', userName: 'alice', password: '1234' }), 500), undefined);
      assert.ok(await c.closedWithin(1000));
      c.close();
    }
    assert.equal((f.server.connections.refused.get('certificate') ?? 0) - before, 1);
    const line = f.logs.lines.find((l) => l.msg === 'RadSec connection refused' && l.reason === 'certificate');
    assert.match(String(line?.detail), /UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
    assert.equal(f.seen.filter((r) => r.nas.client !== 'proxy1').length, 0);
  });

  test('no certificate, and a certificate only for servers, are refused', async () => {
    const certificateRefusals = f.server.connections.refused.get('certificate') ?? 0;
    const none = await RadsecTestClient.open(f.server.port(), undefined, pki.ca).catch(() => undefined);
    if (none) {
      assert.ok(await none.closedWithin(1000));
      none.close();
    }
    const serverOnly = await open(pki.client('radsecproxy.example.org', { purpose: 'serverAuth' })).catch(() => undefined);
    if (serverOnly) {
      assert.ok(await serverOnly.closedWithin(1000));
      serverOnly.close();
    }
    await delay(100);
    assert.equal(f.server.connections.refused.get('no-certificate'), 1);
    // Logged once a minute per cause and source: the other CA's certificate of the test before had that line.
    assert.equal((f.server.connections.refused.get('certificate') ?? 0) - certificateRefusals, 1);
  });

  test('a valid certificate that matches no client entry: closed, logged with its subject', async () => {
    const c = await open(pki.client('stranger.example.org'));
    assert.ok(await c.closedWithin(1000));
    c.close();
    assert.equal(f.server.connections.refused.get('unknown-client'), 1);
    assert.match(String(f.logs.lines.find((l) => l.reason === 'unknown-client')?.detail), /CN=stranger\.example\.org/);
  });
});

describe('RadSec limits', () => {
  let dir: string;
  let pki: RadsecPki;
  let proxy: KeyPair;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'otp-radius-radsec-limits-'));
    pki = makeRadsecPki(dir);
    proxy = pki.client('radsecproxy.example.org');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const CLIENTS = '  - { name: proxy1, certificate: { san: radsecproxy.example.org } }\n';

  test('maxInFlight: at most that many requests of a connection are authenticated at once; all are answered', async () => {
    let running = 0;
    let most = 0;
    const f = await startRadsec(pki, {
      clients: CLIENTS,
      listen: 'maxInFlight: 2',
      decide: async () => {
        most = Math.max(most, ++running);
        await delay(60);
        running--;
        return { decision: 'reject', reason: 'test' };
      },
    });
    const c = await RadsecTestClient.open(f.server.port(), proxy, pki.ca);
    try {
      const requests = Array.from({ length: 7 }, (_, i) => buildRequest({ identifier: i, secret: 'radsec', userName: `u${i}`, password: 'x' }));
      c.write(Buffer.concat(requests.map((r) => r.bytes)));
      const answers = await Promise.all(requests.map((r) => c.ask(Buffer.alloc(0), r.identifier, 3000)));
      assert.equal(answers.filter((a) => a?.code === CODE.AccessReject).length, 7);
      assert.equal(most, 2);
    } finally {
      c.close();
      await f.server.stop(0);
    }
  });

  test('maxConnections: a connection past the limit is closed at once and counted', async () => {
    const f = await startRadsec(pki, { clients: CLIENTS, listen: 'maxConnections: 2' });
    const open = () => RadsecTestClient.open(f.server.port(), proxy, pki.ca);
    const a = await open();
    const b = await open();
    try {
      const c = await open().catch(() => undefined);
      if (c) {
        assert.ok(await c.closedWithin(1000));
        c.close();
      }
      assert.equal(f.server.connections.refused.get('too-many-connections'), 1);
      assert.equal((await a.send(buildRequest({ identifier: 1, secret: 'radsec', userName: 'alice', password: 'x' })))?.packet.code, CODE.AccessAccept, 'the open ones are served');
      b.close();
      await delay(100);
      const d = await open();
      assert.equal((await d.send(buildRequest({ identifier: 1, secret: 'radsec', userName: 'alice', password: 'x' })))?.packet.code, CODE.AccessAccept, 'room again once one closed');
      d.close();
    } finally {
      a.close();
      b.close();
      await f.server.stop(0);
    }
  });

  test('idle timeout: a silent connection is closed; Status-Server every so often keeps one open', async () => {
    const f = await startRadsec(pki, { clients: CLIENTS, listen: 'idleTimeoutSeconds: 1' });
    const silent = await RadsecTestClient.open(f.server.port(), proxy, pki.ca);
    const watched = await RadsecTestClient.open(f.server.port(), proxy, pki.ca);
    try {
      for (let i = 0; i < 6; i++) {
        const r = await watched.send(buildRequest({ code: CODE.StatusServer, identifier: i, secret: 'radsec', messageAuthenticator: true }));
        assert.equal(r?.packet.code, CODE.AccessAccept);
        await delay(300);
      }
      assert.ok(await silent.closedWithin(500), 'the silent one was closed');
      assert.equal(watched.socket.destroyed, false, 'the watched one is open after 1.8 s');
      assert.equal(f.server.connections.closed.get('idle'), 1);
      assert.ok(await watched.closedWithin(2500), 'and closed once it falls silent');
    } finally {
      silent.close();
      watched.close();
      await f.server.stop(0);
    }
  });

  test('stop(): the request in flight is answered before its connection closes; new ones are dropped', async () => {
    let release: () => void = () => undefined;
    const f = await startRadsec(pki, { clients: CLIENTS, decide: () => new Promise((resolve) => (release = () => resolve({ decision: 'accept', reason: 'ok' }))) });
    const c = await RadsecTestClient.open(f.server.port(), proxy, pki.ca);
    const answer = c.send(buildRequest({ identifier: 1, secret: 'radsec', userName: 'alice', password: 'x', attributes: [rawAttribute(ATTR.ProxyState, randomBytes(4))] }), 3000);
    await delay(100);
    const stopped = f.server.stop(3000);
    await delay(50);
    c.write(buildRequest({ identifier: 2, secret: 'radsec', userName: 'bob', password: 'x' }).bytes);
    await delay(50);
    release();
    assert.equal((await answer)?.packet.code, CODE.AccessAccept);
    await stopped;
    assert.ok(await c.closedWithin(2500));
    assert.equal(f.server.stats.dropped.get('shutting-down'), 1);
    c.close();
  });

  test('reload (SIGHUP): a new certificate and CA for new connections; open ones stay; a broken one keeps the old', async () => {
    const f = await startRadsec(pki, { clients: CLIENTS });
    const dir2 = mkdtempSync(join(tmpdir(), 'otp-radius-radsec-reload-'));
    try {
      const open = await RadsecTestClient.open(f.server.port(), proxy, pki.ca);
      const pki2 = makeRadsecPki(dir2);
      const next = parseConfig(`listen:\n  radsec: { certFile: ${pki2.server.cert}, keyFile: ${pki2.server.key}, caFile: ${pki2.ca} }\n`, 'next.yaml', {}).config.listen.radsec!;
      f.server.reload(next);
      const fresh = await RadsecTestClient.open(f.server.port(), pki2.client('radsecproxy.example.org'), pki2.ca);
      assert.equal((await fresh.send(buildRequest({ identifier: 1, secret: 'radsec', userName: 'alice', password: 'x' })))?.packet.code, CODE.AccessAccept, 'a client of the new CA');
      fresh.close();
      await assert.rejects(RadsecTestClient.open(f.server.port(), proxy, pki.ca), /self-signed|unable to verify|certificate/i, 'the server shows its new certificate');
      const old = await RadsecTestClient.open(f.server.port(), proxy, pki.ca, { rejectUnauthorized: false });
      assert.ok(await old.closedWithin(1000), 'a client of the old CA is refused');
      old.close();
      assert.equal((await open.send(buildRequest({ identifier: 2, secret: 'radsec', userName: 'alice', password: 'x' })))?.packet.code, CODE.AccessAccept, 'the connection opened before stays');
      open.close();
      f.server.reload({ ...next, key: Buffer.from('-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n') });
      assert.ok(f.logs.lines.some((l) => l.msg === 'RadSec certificate reload failed; keeping the certificate in use'));
      const still = await RadsecTestClient.open(f.server.port(), pki2.client('radsecproxy.example.org'), pki2.ca);
      still.close();
    } finally {
      await f.server.stop(0);
      rmSync(dir2, { recursive: true, force: true });
    }
  });

  test('reload of the clients: an open connection takes its new entry, or is closed when none matches it', async () => {
    const f = await startRadsec(pki, { clients: CLIENTS });
    try {
      const c = await RadsecTestClient.open(f.server.port(), proxy, pki.ca);
      const table = (yaml: string) =>
        new RadsecClientTable(parseConfig(`clients:\n${yaml}resolvers: { local: { type: file, path: u.yaml } }\nrealms: { corp: { resolvers: local } }\n`, 'c.yaml', {}).config.radsecClients);
      f.server.setClients(table('  - { name: renamed, certificate: { san: radsecproxy.example.org }, realm: corp }\n'));
      await c.send(buildRequest({ identifier: 1, secret: 'radsec', userName: 'alice', password: 'x' }));
      assert.equal(f.seen.at(-1)!.nas.client, 'renamed');
      assert.equal(f.seen.at(-1)!.nas.realm, 'corp');
      f.server.setClients(table('  - { name: other, certificate: { san: other.example.org } }\n'));
      assert.ok(await c.closedWithin(2500));
      c.close();
      await delay(50);
      assert.equal(f.server.connections.closed.get('client-removed'), 1);
    } finally {
      await f.server.stop(0);
    }
  });
});
