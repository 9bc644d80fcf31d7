// RADIUS/1.1 (RFC 9765) on the RadSec listener: chosen by ALPN when the
// client offers it; then the Token pairs answers with requests, nothing is
// signed with MD5, User-Password and the MS-MPPE keys travel as they are,
// and Message-Authenticator is neither sent nor checked.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildRequest } from '../../src/radius/client.ts';
import { MICROSOFT_VENDOR_ID, MS_MPPE_RECV_KEY, MS_MPPE_SEND_KEY } from '../../src/radius/mppe.ts';
import { assemblePacket, ATTR, CODE, findAttributes, rawAttribute, type RawPacket } from '../../src/radius/packet.ts';
import { delay } from '../helpers/radius.ts';
import { makeRadsecPki, RadsecTestClient, startRadsec, type KeyPair, type RadsecFixture, type RadsecPki } from '../helpers/radsec.ts';

const BOTH = { ALPNProtocols: ['radius/1.0', 'radius/1.1'] };
const CLIENTS = '  - { name: proxy11, certificate: { san: proxy.example.org } }\n';

/** A RADIUS/1.1 request: Reserved-1 and Reserved-2 zero, the Token in the first four bytes of the old authenticator. */
function request11(code: number, tokenValue: number, attributes: Buffer[]): Buffer {
  const field = Buffer.alloc(16);
  field.writeUInt32BE(tokenValue);
  return assemblePacket(code, 0, field, attributes);
}

const text = (type: number, value: string) => rawAttribute(type, Buffer.from(value, 'utf8'));

function vendorValues(packet: RawPacket, vendorType: number): Buffer[] {
  return findAttributes(packet, 26)
    .filter((a) => a.value.readUInt32BE(0) === MICROSOFT_VENDOR_ID && a.value[4] === vendorType)
    .map((a) => a.value.subarray(6, 4 + a.value[5]!));
}

describe('RADIUS/1.1 over RadSec', () => {
  let dir: string;
  let pki: RadsecPki;
  let proxy: KeyPair;
  let f: RadsecFixture;
  const msk = Buffer.from(Array.from({ length: 64 }, (_, i) => i));
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'otp-radius-radius11-'));
    pki = makeRadsecPki(dir);
    proxy = pki.client('proxy.example.org');
    f = await startRadsec(pki, {
      clients: CLIENTS,
      decide: async (r) => (r.password?.toString() === '1234 654321' ? { decision: 'accept', reason: 'ok', replyMessage: 'hello' } : { decision: 'reject', reason: 'wrong pin' }),
      // The EAP layer's door: an accept with an MSK, so the listener's key encoding shows.
      eap: async () => ({ code: CODE.AccessAccept, attributes: [], decision: { decision: 'accept', reason: 'ok' }, msk }),
    });
  });
  after(async () => {
    await f?.server.stop(0);
    rmSync(dir, { recursive: true, force: true });
  });

  const open = (options: object = BOTH) => RadsecTestClient.open(f.server.port(), proxy, pki.ca, options);

  test('offered both, RADIUS/1.1 is chosen over TLS 1.3', async () => {
    const c = await open();
    assert.equal(c.socket.alpnProtocol, 'radius/1.1');
    assert.equal(c.socket.getProtocol(), 'TLSv1.3');
    c.close();
  });

  test('PAP: the password in clear, the Token echoed, zero reserved fields, no Message-Authenticator, Proxy-State in order', async () => {
    const c = await open();
    try {
      const token = 0xdeadbeef;
      const answer = await c.ask(
        request11(CODE.AccessRequest, token, [text(ATTR.UserName, 'alice'), text(ATTR.UserPassword, '1234 654321'), text(ATTR.ProxyState, 'p1'), text(ATTR.ProxyState, 'p2')]),
        token,
      );
      assert.ok(answer, 'answered');
      assert.equal(answer.code, CODE.AccessAccept);
      assert.equal(answer.identifier, 0, 'Reserved-1 is zero');
      assert.equal(answer.authenticator.readUInt32BE(0), token);
      assert.deepEqual(answer.authenticator.subarray(4), Buffer.alloc(12), 'Reserved-2 is zero');
      assert.equal(findAttributes(answer, ATTR.MessageAuthenticator).length, 0);
      assert.deepEqual(
        findAttributes(answer, ATTR.ProxyState).map((a) => a.value.toString()),
        ['p1', 'p2'],
      );
      assert.equal(findAttributes(answer, ATTR.ReplyMessage)[0]?.value.toString(), 'hello');
      assert.equal(f.seen.at(-1)!.password!.toString(), '1234 654321');
      const wrong = await c.ask(request11(CODE.AccessRequest, token + 1, [text(ATTR.UserName, 'alice'), text(ATTR.UserPassword, '9999')]), token + 1);
      assert.equal(wrong?.code, CODE.AccessReject);
    } finally {
      c.close();
    }
  });

  test('a Message-Authenticator, even a wrong one, is ignored; so is the Identifier', async () => {
    const c = await open();
    try {
      const bogus = rawAttribute(ATTR.MessageAuthenticator, Buffer.alloc(16, 7));
      const field = Buffer.alloc(16);
      field.writeUInt32BE(77);
      const bytes = assemblePacket(CODE.AccessRequest, 200, field, [bogus, text(ATTR.UserName, 'alice'), text(ATTR.UserPassword, '1234 654321')]);
      assert.equal((await c.ask(bytes, 77))?.code, CODE.AccessAccept);
      const status = await c.ask(request11(CODE.StatusServer, 78, []), 78);
      assert.equal(status?.code, CODE.AccessAccept, 'Status-Server needs no Message-Authenticator either');
    } finally {
      c.close();
    }
  });

  test('the Token, not the Identifier, tells a retransmission from a new request', async () => {
    const c = await open();
    try {
      const before = f.seen.length;
      const bytes = request11(CODE.AccessRequest, 5, [text(ATTR.UserName, 'alice'), text(ATTR.UserPassword, 'x')]);
      const first = await c.ask(bytes, 5);
      const again = await c.ask(bytes, 5);
      assert.deepEqual(again?.data, first?.data);
      assert.equal(f.seen.length - before, 1);
      await c.ask(request11(CODE.AccessRequest, 6, [text(ATTR.UserName, 'alice'), text(ATTR.UserPassword, 'x')]), 6);
      assert.equal(f.seen.length - before, 2, 'same Identifier (0), another Token: another request');
    } finally {
      c.close();
    }
  });

  test('an EAP accept carries the MS-MPPE keys as they are (RFC 9765)', async () => {
    const c = await open();
    try {
      const answer = await c.ask(request11(CODE.AccessRequest, 9, [text(ATTR.UserName, 'alice'), rawAttribute(ATTR.EapMessage, Buffer.from([2, 1, 0, 5, 1]))]), 9);
      assert.equal(answer?.code, CODE.AccessAccept);
      assert.deepEqual(vendorValues(answer, MS_MPPE_RECV_KEY), [msk.subarray(0, 32)]);
      assert.deepEqual(vendorValues(answer, MS_MPPE_SEND_KEY), [msk.subarray(32, 64)]);
    } finally {
      c.close();
    }
  });

  test('a User-Password of more than 128 bytes is dropped', async () => {
    const c = await open();
    try {
      assert.equal(await c.ask(request11(CODE.AccessRequest, 11, [text(ATTR.UserName, 'alice'), text(ATTR.UserPassword, 'x'.repeat(129))]), 11, 300), undefined);
      assert.equal(f.server.stats.dropped.get('bad-password'), 1);
    } finally {
      c.close();
    }
  });

  test('ALPN radius/1.0 alone, or none: RADIUS/TLS as RFC 6614 has it, with the secret "radsec"', async () => {
    for (const options of [{ ALPNProtocols: ['radius/1.0'] }, {}]) {
      const c = await open(options);
      try {
        const r = await c.send(buildRequest({ identifier: 3, secret: 'radsec', userName: 'alice', password: '1234 654321' }));
        assert.equal(r?.packet.code, CODE.AccessAccept);
        assert.equal(r.verified, true);
      } finally {
        c.close();
      }
    }
  });

  test('an ALPN list without a RADIUS version is refused (no_application_protocol); RADIUS/1.1 over TLS 1.2 too', async () => {
    await assert.rejects(open({ ALPNProtocols: ['h2'] }), /no application protocol/i);
    const old = await open({ ALPNProtocols: ['radius/1.1'], maxVersion: 'TLSv1.2' }).catch(() => undefined);
    if (old) {
      assert.ok(await old.closedWithin(1000));
      old.close();
    }
    await delay(50);
    assert.equal(f.server.connections.refused.get('alpn'), 1);
    assert.equal(f.server.connections.refused.get('radius-1.1-without-tls-1.3'), 1);
  });
});

describe('listen.radsec.radiusVersions', () => {
  let dir: string;
  let pki: RadsecPki;
  let proxy: KeyPair;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'otp-radius-radius11-versions-'));
    pki = makeRadsecPki(dir);
    proxy = pki.client('proxy.example.org');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('["1.0"]: a client offering both gets radius/1.0', async () => {
    const f = await startRadsec(pki, { clients: CLIENTS, listen: 'radiusVersions: ["1.0"]' });
    const c = await RadsecTestClient.open(f.server.port(), proxy, pki.ca, BOTH);
    assert.equal(c.socket.alpnProtocol, 'radius/1.0');
    c.close();
    await f.server.stop(0);
  });

  test('[1.1]: a client offering no ALPN is refused', async () => {
    const f = await startRadsec(pki, { clients: CLIENTS, listen: 'radiusVersions: [1.1]' });
    const c = await RadsecTestClient.open(f.server.port(), proxy, pki.ca).catch(() => undefined);
    if (c) {
      assert.ok(await c.closedWithin(1000));
      c.close();
    }
    await delay(50);
    assert.equal(f.server.connections.refused.get('alpn'), 1);
    await f.server.stop(0);
  });
});
