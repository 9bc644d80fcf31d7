// The EAP service through its interface: the start of a conversation, Nak,
// identifiers and resends, and the limits (rounds, bytes, time, open
// conversations). The flood test counts conversations, not time.

import type { Decision } from '../../src/model/decision.ts';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { connect } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { EAP_DEFAULTS, type EapLimits, type EapOptions } from '../../src/eap/options.ts';
import { EAP_CODE, EAP_TYPE, encodeEap, parseEap, type EapPacket } from '../../src/eap/packet.ts';
import { EapService, type EapOutcome } from '../../src/eap/service.ts';
import { encodeTlsFrame, TLS_FLAG } from '../../src/eap/tls-framing.ts';
import { makeCertificates, type Certificates } from '../helpers/eapol.ts';

let dir: string;
let certs: Certificates;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'otp-radius-eap-unit-'));
  certs = makeCertificates(dir);
});
after(async () => rm(dir, { recursive: true, force: true }));

function service(limits: Partial<EapLimits> = {}, now?: () => number): EapService {
  const options: EapOptions = {
    methods: ['ttls', 'peap'],
    tls: { certFile: certs.cert, keyFile: certs.key, cert: readFileSync(certs.cert), key: readFileSync(certs.key), minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' },
    fragmentSize: EAP_DEFAULTS.fragmentSize,
    limits: { ...EAP_DEFAULTS.limits, ...limits },
    resumption: { ...EAP_DEFAULTS.resumption },
  };
  return new EapService(options, pino({ level: 'silent' }), now);
}

const inner = async (): Promise<Decision> => ({ decision: 'reject', reason: 'not reached in these tests' });
const request = (eapMessage: Buffer, state?: Buffer) => ({ eapMessage, ...(state ? { state } : {}), userName: 'anonymous', client: 'nas', source: '127.0.0.1' });
const identity = (id: number) => encodeEap(EAP_CODE.Response, id, EAP_TYPE.Identity, Buffer.from('anonymous'));
const ttls = (id: number, methodData: Buffer) => encodeEap(EAP_CODE.Response, id, EAP_TYPE.Ttls, methodData);

function challenge(outcome: EapOutcome): { packet: EapPacket; state: Buffer } {
  assert.equal(outcome.kind, 'challenge', JSON.stringify(outcome));
  const o = outcome as Extract<EapOutcome, { kind: 'challenge' }>;
  const packet = parseEap(o.eapMessage);
  assert.ok(typeof packet !== 'string');
  return { packet, state: o.state };
}

function refused(outcome: EapOutcome, reason: RegExp): void {
  assert.equal(outcome.kind, 'reject', JSON.stringify(outcome));
  const o = outcome as Extract<EapOutcome, { kind: 'reject' }>;
  assert.match(o.reason, reason);
  assert.equal(o.eapMessage[0], EAP_CODE.Failure);
}

/** A ClientHello from Node's TLS client, the first bytes a supplicant sends in the tunnel. */
async function clientHello(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const socket = new Duplex({
    read() {},
    write(chunk: Buffer, _e, done) {
      chunks.push(chunk);
      done();
    },
  });
  const client = connect({ socket, rejectUnauthorized: false });
  client.on('error', () => undefined);
  while (chunks.length === 0) await new Promise((r) => setImmediate(r));
  client.destroy();
  return Buffer.concat(chunks);
}

describe('EAP service', () => {
  test('an Identity opens a conversation with a TTLS Start and a fresh 16-byte State', async () => {
    const eap = service();
    const a = challenge(await eap.handle(request(identity(5)), inner));
    const b = challenge(await eap.handle(request(identity(5)), inner));
    assert.equal(a.packet.code, EAP_CODE.Request);
    assert.equal(a.packet.identifier, 6);
    assert.equal(a.packet.type, EAP_TYPE.Ttls);
    assert.equal(a.packet.data[0], TLS_FLAG.Start);
    assert.equal(a.state.length, 16);
    assert.notDeepEqual(a.state, b.state);
    assert.equal(eap.conversations.size, 2);
    eap.close();
  });

  test('an empty EAP-Message (EAP-Start from the NAS) is answered with an Identity request', async () => {
    const eap = service();
    const { packet, state } = challenge(await eap.handle(request(Buffer.alloc(0)), inner));
    assert.equal(packet.type, EAP_TYPE.Identity);
    const next = challenge(await eap.handle(request(identity(packet.identifier), state), inner));
    assert.equal(next.packet.type, EAP_TYPE.Ttls);
    eap.close();
  });

  test('a Nak picks the next method the peer names; none in common ends with the reason', async () => {
    const eap = service();
    const start = challenge(await eap.handle(request(identity(1)), inner));
    const nak = encodeEap(EAP_CODE.Response, start.packet.identifier, EAP_TYPE.Nak, Buffer.from([EAP_TYPE.Peap]));
    const peap = challenge(await eap.handle(request(nak, start.state), inner));
    assert.equal(peap.packet.type, EAP_TYPE.Peap);
    const nak2 = encodeEap(EAP_CODE.Response, peap.packet.identifier, EAP_TYPE.Nak, Buffer.from([EAP_TYPE.MsChapV2, EAP_TYPE.Tls]));
    refused(await eap.handle(request(nak2, start.state), inner), /wants MsChapV2 \(26\), Tls \(13\), we offer Ttls \(21\), Peap \(25\)/);
    assert.equal(eap.conversations.size, 0, 'a finished conversation leaves the table');
    eap.close();
  });

  test('unknown States, responses without a conversation and malformed packets are refused', async () => {
    const eap = service();
    refused(await eap.handle(request(identity(1), Buffer.alloc(16, 1)), inner), /unknown EAP conversation/);
    refused(await eap.handle(request(ttls(1, Buffer.from([0]))), inner), /must start with an EAP Identity/);
    refused(await eap.handle(request(Buffer.from([2, 1, 0, 99])), inner), /malformed EAP packet \(bad-length\)/);
    refused(await eap.handle(request(encodeEap(EAP_CODE.Request, 1, EAP_TYPE.Identity)), inner), /where a Response belongs/);
    eap.close();
  });

  test('the resend of the last response gets the same request again; another identifier ends the conversation', async () => {
    const eap = service();
    const start = challenge(await eap.handle(request(identity(1)), inner));
    const hello = ttls(start.packet.identifier, encodeTlsFrame(0, 0, await clientHello()));
    const flight = await eap.handle(request(hello, start.state), inner);
    const again = await eap.handle(request(hello, start.state), inner);
    assert.deepEqual(again, flight, 'the same EAP-Request, not a second round');
    refused(await eap.handle(request(ttls(77, encodeTlsFrame(0, 0, Buffer.alloc(0))), start.state), inner), /identifier 77 does not answer our request/);
    eap.close();
  });

  test('a conversation may take maxRounds rounds, no more', async () => {
    const eap = service({ maxRounds: 4 });
    let { packet, state } = challenge(await eap.handle(request(identity(1)), inner));
    // Empty responses: the tunnel has nothing to say and hands the turn back each time.
    for (let round = 2; round <= 4; round++) ({ packet } = challenge(await eap.handle(request(ttls(packet.identifier, encodeTlsFrame(0, 0, Buffer.alloc(0))), state), inner)));
    refused(await eap.handle(request(ttls(packet.identifier, encodeTlsFrame(0, 0, Buffer.alloc(0))), state), inner), /more than 4 rounds/);
    eap.close();
  });

  test('bytes: a TLS message announced over maxBytes, or more bytes than maxBytes in all, end the conversation', async () => {
    const eap = service({ maxBytes: 4096 });
    const one = challenge(await eap.handle(request(identity(1)), inner));
    refused(await eap.handle(request(ttls(one.packet.identifier, encodeTlsFrame(TLS_FLAG.More, 0, Buffer.alloc(100), 100_000)), one.state), inner), /announces a TLS message of 100000 bytes/);
    let { packet, state } = challenge(await eap.handle(request(identity(1)), inner));
    for (let i = 0; i < 3; i++) ({ packet } = challenge(await eap.handle(request(ttls(packet.identifier, encodeTlsFrame(TLS_FLAG.More, 0, Buffer.alloc(1200))), state), inner)));
    refused(await eap.handle(request(ttls(packet.identifier, encodeTlsFrame(TLS_FLAG.More, 0, Buffer.alloc(1200))), state), inner), /sent more than 4096 bytes/);
    eap.close();
  });

  test('a conversation older than timeoutSeconds is gone', async () => {
    let now = 1_000_000;
    const eap = service({ timeoutSeconds: 60 }, () => now);
    const { packet, state } = challenge(await eap.handle(request(identity(1)), inner));
    now += 60_000;
    refused(await eap.handle(request(ttls(packet.identifier, encodeTlsFrame(0, 0, Buffer.alloc(0))), state), inner), /took longer than 60 s/);
    assert.equal(eap.conversations.size, 0);
    eap.close();
  });

  test('a flood of conversations that never finish stays within maxConversations, tunnels included', async () => {
    const eap = service({ maxConversations: 50 });
    const hello = await clientHello();
    const states: Buffer[] = [];
    for (let i = 0; i < 300; i++) {
      const start = challenge(await eap.handle(request(identity(i & 0xff)), inner));
      states.push(start.state);
      // Every third one gets as far as a TLS server flight: a tunnel with its TLS state.
      if (i % 3 === 0) challenge(await eap.handle(request(ttls(start.packet.identifier, encodeTlsFrame(0, 0, hello)), start.state), inner));
      assert.ok(eap.conversations.size <= 50, `open conversations after ${i + 1} starts: ${eap.conversations.size}`);
    }
    assert.equal(eap.conversations.size, 50);
    assert.equal(eap.conversations.evicted, 250);
    refused(await eap.handle(request(ttls(1, encodeTlsFrame(0, 0, Buffer.alloc(0))), states[0]), inner), /unknown EAP conversation/);
    eap.close();
    assert.equal(eap.conversations.size, 0);
  });
});
