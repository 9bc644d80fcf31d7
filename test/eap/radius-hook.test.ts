// EAP through the UDP listener, as a NAS sends it: Message-Authenticator is
// required on every request with EAP-Message (RFC 3579) even for a client
// that does not require it otherwise, and the answer carries the
// EAP-Request in EAP-Message, our State and Message-Authenticator first.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EAP_CODE, EAP_TYPE, encodeEap, parseEap } from '../../src/eap/packet.ts';
import { signAccessRequest, verifyResponse } from '../../src/radius/authenticator.ts';
import { assemblePacket, ATTR, findAttributes, parsePacket, rawAttribute, type RawPacket } from '../../src/radius/packet.ts';
import { makeCertificates } from '../helpers/eapol.ts';
import { SECRET } from '../helpers/radius.ts';
import { startStack, type Stack } from '../helpers/stack.ts';

function accessRequest(eapMessage: Buffer, withMessageAuthenticator: boolean): { bytes: Buffer; authenticator: Buffer } {
  const authenticator = randomBytes(16);
  const attrs = [rawAttribute(ATTR.UserName, Buffer.from('anonymous')), rawAttribute(ATTR.EapMessage, eapMessage)];
  if (withMessageAuthenticator) attrs.push(rawAttribute(ATTR.MessageAuthenticator, Buffer.alloc(16)));
  const bytes = assemblePacket(1, 42, authenticator, attrs);
  const maOffset = withMessageAuthenticator ? bytes.length - 18 : undefined;
  return { bytes: signAccessRequest(bytes, SECRET, maOffset), authenticator };
}

function exchange(port: number, bytes: Buffer, waitMs = 1500): Promise<RawPacket | undefined> {
  const socket = createSocket('udp4');
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.close();
      resolve(undefined);
    }, waitMs);
    socket.on('message', (msg) => {
      clearTimeout(timer);
      socket.close();
      const p = parsePacket(msg);
      resolve(typeof p === 'string' ? undefined : p);
    });
    socket.send(bytes, port, '127.0.0.1');
  });
}

describe('EAP on the RADIUS listener', () => {
  let s: Stack;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'otp-radius-eap-hook-'));
    const certs = makeCertificates(dir);
    s = await startStack({ dir, yaml: `eap:\n  tls: { certFile: ${certs.cert}, keyFile: ${certs.key} }\n` });
  });
  after(async () => {
    await s?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const identity = encodeEap(EAP_CODE.Response, 3, EAP_TYPE.Identity, Buffer.from('anonymous'));

  test('EAP-Message without Message-Authenticator is dropped, though the client does not require one', async () => {
    const dropped = s.running.radius.stats.dropped.get('missing-message-authenticator') ?? 0;
    assert.equal(await exchange(s.port, accessRequest(identity, false).bytes, 500), undefined);
    assert.equal(s.running.radius.stats.dropped.get('missing-message-authenticator'), dropped + 1);
  });

  test('with it: Access-Challenge, Message-Authenticator first, the TTLS Start in EAP-Message, a 16-byte State', async () => {
    const { bytes, authenticator } = accessRequest(identity, true);
    const answer = await exchange(s.port, bytes);
    assert.ok(answer, 'an answer');
    assert.equal(answer.code, 11);
    assert.ok(verifyResponse(answer, authenticator, SECRET));
    assert.equal(answer.attributes[0]!.type, ATTR.MessageAuthenticator);
    const eap = parseEap(Buffer.concat(findAttributes(answer, ATTR.EapMessage).map((a) => a.value)));
    assert.ok(typeof eap !== 'string');
    assert.equal(eap.code, EAP_CODE.Request);
    assert.equal(eap.type, EAP_TYPE.Ttls);
    assert.equal(findAttributes(answer, ATTR.State)[0]!.value.length, 16);
  });

  test('a State nobody issued: Access-Reject with EAP-Failure', async () => {
    const authenticator = randomBytes(16);
    const attrs = [rawAttribute(ATTR.EapMessage, identity), rawAttribute(ATTR.State, randomBytes(16)), rawAttribute(ATTR.MessageAuthenticator, Buffer.alloc(16))];
    const unsigned = assemblePacket(1, 43, authenticator, attrs);
    const bytes = signAccessRequest(unsigned, SECRET, unsigned.length - 18);
    const answer = await exchange(s.port, bytes);
    assert.equal(answer?.code, 3);
    assert.equal(findAttributes(answer!, ATTR.EapMessage)[0]!.value[0], EAP_CODE.Failure);
  });
});
