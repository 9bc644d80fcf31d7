// Datagrams into the RADIUS listener, as a socket would hand them over:
// client lookup, framing, authenticity, User-Password, the duplicate cache
// and the signed answer, with a handler standing in for authentication.
// What must hold, whatever arrives:
// - nothing escapes as an "unexpected error" (the listener's last guard);
// - every answer is a well-formed packet for that request, signed with the
//   client's secret, of the right code;
// - authentication runs at most once per request, and a retransmission gets
//   the first answer byte for byte;
// - the handler sees exactly the User-Name, password, State and NAS of the
//   packet;
// - a request made authentic with the client's secret is answered.
//
// Input: byte 0 chooses the source (bits 0-2) and what the target does with
// the datagram (bit 3: fix its Length and sign it, adding a
// Message-Authenticator when it has none; bit 4: hide User-Password as sent
// with the secret first; bit 5: accounting port; bit 6: send it twice);
// byte 1 the handler's decision (bits 0-1) and what the second sending is
// (bits 2-3: the same datagram, from another source port, with another
// Identifier); the rest is the datagram.

import { createHash, createHmac } from 'node:crypto';
import type { RemoteInfo, Socket } from 'node:dgram';
import { pino } from 'pino';
import type { AccessRequest } from '../../../src/model/access-request.ts';
import type { Decision } from '../../../src/model/decision.ts';
import { parseCidr } from '../../../src/net/cidr.ts';
import { ClientTable, type NasClient } from '../../../src/radius/clients.ts';
import { LISTEN_DEFAULTS } from '../../../src/radius/listen.ts';
import { ATTR, CODE, MAX_PACKET_LENGTH } from '../../../src/radius/packet.ts';
import { decisionAttributes } from '../../../src/radius/reply.ts';
import { RadiusServer } from '../../../src/radius/server.ts';
import { check } from '../engine/target.ts';

export const maxLength = 4200;
export const tokens = [
  '\x01',
  '\x02',
  '\x04',
  '\x0c',
  '\x50\x12',
  '\x01\x07alice',
  '\x02\x12',
  '\x18\x06',
  '\x21\x05',
  '\x4f\x06',
  '\x1a\x0c\x00\x00\x00\x09',
  '\x03\x13',
  '\x20\x05',
  '\x1f\x05',
  '\x10\x00',
  '\x0f\xff',
];

const SECRET_A = 'fuzz-secret-a';
const SECRET_B = 'fuzz-secret-b';
const CLIENTS: NasClient[] = [
  { name: 'lo', network: parseCidr('127.0.0.1/32'), secret: SECRET_A, requireMessageAuthenticator: false },
  { name: 'net10', network: parseCidr('10.0.0.0/8'), secret: SECRET_B, requireMessageAuthenticator: true, realm: 'corp' },
  { name: 'v6', network: parseCidr('::1/128'), secret: SECRET_A, requireMessageAuthenticator: 'auto' },
];
const SOURCES: { address: string; family: 'IPv4' | 'IPv6'; client: string | undefined }[] = [
  { address: '127.0.0.1', family: 'IPv4', client: 'lo' },
  { address: '10.20.30.40', family: 'IPv4', client: 'net10' },
  { address: '::1', family: 'IPv6', client: 'v6' },
  { address: '::ffff:127.0.0.1', family: 'IPv6', client: 'lo' },
  { address: '192.0.2.1', family: 'IPv4', client: undefined },
  { address: '::ffff:10.1.1.1', family: 'IPv6', client: 'net10' },
  { address: '127.0.0.2', family: 'IPv4', client: undefined },
  { address: 'fe80::1%eth0', family: 'IPv6', client: undefined },
];
const DECISIONS: Decision[] = [
  {
    decision: 'accept',
    reason: 'fuzz',
    replyMessage: 'welcome',
    replyAttributes: [
      { name: 'Class', value: 'fuzz' },
      { name: 'Framed-IP-Address', value: '192.0.2.7' },
    ],
  },
  { decision: 'reject', reason: 'fuzz', replyMessage: 'no' },
  { decision: 'challenge', reason: 'fuzz', replyMessage: 'answer', challenge: { transactionId: '0123456789abcdef0123456789abcdef', data: '', serials: ['S1'], timeout: 120 } },
];
const ZERO16 = Buffer.alloc(16);

// The listener's log: an error it logs is what the fuzz target looks at.
const logged: { level: number; msg: string }[] = [];
const logger = pino({ level: 'warn' }, { write: (line: string) => void logged.push(JSON.parse(line) as { level: number; msg: string }) });

interface Framed {
  code: number;
  identifier: number;
  authenticator: Buffer;
  attributes: { type: number; value: Buffer; offset: number }[];
  /** The packet's `Length` bytes. */
  data: Buffer;
}

/** RFC 2865 3 framing, written apart from the code under test so that it can judge it. */
function frame(datagram: Buffer): Framed | undefined {
  if (datagram.length < 20) return undefined;
  const length = datagram.readUInt16BE(2);
  if (length < 20 || length > MAX_PACKET_LENGTH || length > datagram.length) return undefined;
  const attributes: Framed['attributes'] = [];
  let off = 20;
  while (off < length) {
    if (length - off < 2 || datagram[off + 1]! < 2 || off + datagram[off + 1]! > length) return undefined;
    attributes.push({ type: datagram[off]!, value: datagram.subarray(off + 2, off + datagram[off + 1]!), offset: off });
    off += datagram[off + 1]!;
  }
  return { code: datagram[0]!, identifier: datagram[1]!, authenticator: datagram.subarray(4, 20), attributes, data: datagram.subarray(0, length) };
}

function clientNamed(name: string | undefined): NasClient | undefined {
  return CLIENTS.find((c) => c.name === name);
}

/** RFC 2865 5.2 with node:crypto, independent of the code under test. */
function hidePassword(plain: Buffer, secret: string, authenticator: Buffer): Buffer {
  const padded = Buffer.alloc(Math.max(16, Math.ceil(plain.length / 16) * 16));
  plain.copy(padded);
  let prev: Buffer = authenticator;
  for (let off = 0; off < padded.length; off += 16) {
    const b = createHash('md5').update(secret).update(prev).digest();
    for (let i = 0; i < 16; i++) padded[off + i]! ^= b[i]!;
    prev = padded.subarray(off, off + 16);
  }
  return padded;
}

function attribute(type: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type, value.length + 2]), value]);
}

function assemble(p: Framed, attrs: Buffer[]): Buffer {
  const body = Buffer.concat(attrs);
  const out = Buffer.concat([p.data.subarray(0, 20), body]);
  out.writeUInt16BE(out.length, 2);
  return out;
}

interface Prepared {
  datagram: Buffer;
  /** The clear text hidden in User-Password by the target, when it did that. */
  hidden?: Buffer;
  /** Made authentic with the client's secret by the target. */
  signed: boolean;
}

/** Fixes the Length, hides the password and signs the datagram with `secret` as a NAS would. */
function prepare(raw: Buffer, secret: string | undefined, sign: boolean, hide: boolean): Prepared {
  if (!sign || secret === undefined || raw.length < 20) return { datagram: raw, signed: false };
  let datagram: Buffer = Buffer.from(raw.subarray(0, MAX_PACKET_LENGTH));
  datagram.writeUInt16BE(datagram.length, 2);
  const p = frame(datagram);
  if (!p) return { datagram, signed: false };
  let hidden: Buffer | undefined;
  const attrs: Buffer[] = [];
  if (!p.attributes.some((a) => a.type === ATTR.MessageAuthenticator)) attrs.push(attribute(ATTR.MessageAuthenticator, ZERO16));
  for (const a of p.attributes) {
    if (hide && a.type === ATTR.UserPassword && hidden === undefined && a.value.length <= 128) {
      hidden = Buffer.from(a.value);
      attrs.push(attribute(ATTR.UserPassword, hidePassword(hidden, secret, p.authenticator)));
    } else {
      attrs.push(attribute(a.type, a.type === ATTR.MessageAuthenticator && a.value.length === 16 ? ZERO16 : a.value));
    }
  }
  datagram = assemble(p, attrs);
  if (datagram.length > MAX_PACKET_LENGTH) return { datagram: raw, signed: false };
  const accounting = datagram[0] === CODE.AccountingRequest;
  if (accounting) ZERO16.copy(datagram, 4);
  const signed = frame(datagram)!;
  const mas = signed.attributes.filter((a) => a.type === ATTR.MessageAuthenticator);
  if (mas.length === 1 && mas[0]!.value.length === 16)
    createHmac('md5', secret)
      .update(datagram)
      .digest()
      .copy(datagram, mas[0]!.offset + 2);
  if (accounting) createHash('md5').update(datagram).update(secret).digest().copy(datagram, 4);
  return { datagram, signed: mas.length === 1 && mas[0]!.value.length === 16, ...(hidden ? { hidden } : {}) };
}

/** What the answer to `request` must look like, checked with node:crypto. */
function checkAnswer(answer: Buffer, request: Framed, secret: string): Framed {
  check(answer.length >= 20 && answer.length <= MAX_PACKET_LENGTH, `answer of ${answer.length} bytes`);
  const p = frame(answer);
  check(p, 'answer is not a well-framed packet');
  check(p.data.length === answer.length, 'answer Length differs from its size');
  check(p.identifier === request.identifier, 'answer identifier differs from the request');
  const accounting = p.code === CODE.AccountingResponse && request.code === CODE.AccountingRequest;
  const ma = p.attributes[0];
  check(ma?.type === ATTR.MessageAuthenticator && ma.value.length === 16, 'answer does not start with Message-Authenticator');
  const forMac = Buffer.from(answer);
  (accounting ? ZERO16 : request.authenticator).copy(forMac, 4);
  ZERO16.copy(forMac, ma.offset + 2);
  check(createHmac('md5', secret).update(forMac).digest().equals(ma.value), 'answer Message-Authenticator is wrong');
  const forAuth = Buffer.from(answer);
  request.authenticator.copy(forAuth, 4);
  check(createHash('md5').update(forAuth).update(secret).digest().equals(p.authenticator), 'answer Response Authenticator is wrong');
  const echoed = p.attributes.filter((a) => a.type === ATTR.ProxyState).map((a) => a.value.toString('hex'));
  const sent = request.attributes.filter((a) => a.type === ATTR.ProxyState).map((a) => a.value.toString('hex'));
  check(echoed.join() === sent.join(), 'Proxy-State not echoed as sent, in order');
  return p;
}

function utf8(packet: Framed, type: number): string | undefined {
  return packet.attributes.find((a) => a.type === type)?.value.toString('utf8');
}

/** What the listener must have handed over for `packet`. */
function checkRequest(seen: AccessRequest, packet: Framed, client: NasClient, address: string, hidden: Buffer | undefined): void {
  check(seen.userName === (utf8(packet, ATTR.UserName) ?? ''), 'User-Name handed over changed');
  const state = packet.attributes.find((a) => a.type === ATTR.State)?.value;
  check(state === undefined ? seen.state === undefined : seen.state?.equals(state) === true, 'State handed over changed');
  check(seen.nas.client === client.name && seen.nas.realm === client.realm, 'request matched with the wrong client');
  check(seen.nas.address === address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, ''), `NAS address ${seen.nas.address} for source ${address}`);
  check(seen.callingStationId === utf8(packet, ATTR.CallingStationId), 'Calling-Station-Id handed over changed');
  const hasPassword = packet.attributes.some((a) => a.type === ATTR.UserPassword);
  check(hasPassword === (seen.password !== undefined), 'a password handed over without User-Password, or lost');
  if (hidden !== undefined && seen.password !== undefined) {
    const nul = hidden.indexOf(0);
    check(seen.password.equals(nul < 0 ? hidden : hidden.subarray(0, nul)), 'password handed over differs from the one hidden');
  }
}

/** Bytes of the answer a decision should get, to know when it cannot fit and becomes a bare reject. */
function answerSize(decision: Decision | undefined, request: Framed): number {
  let n = 20 + 18;
  for (const a of request.attributes) if (a.type === ATTR.ProxyState) n += a.value.length + 2;
  try {
    for (const a of decision ? decisionAttributes(decision) : []) n += a.length;
  } catch {
    return Infinity;
  }
  return n;
}

export async function fuzz(data: Buffer): Promise<void> {
  if (data.length < 2) return;
  const control = data[0]!;
  const source = SOURCES[control & 7]!;
  const client = clientNamed(source.client);
  const accountingPort = (control & 0x20) !== 0;
  const twice = (control & 0x40) !== 0;
  const decision = DECISIONS[data[1]! % 4];
  const prepared = prepare(data.subarray(2), client?.secret, (control & 8) !== 0, (control & 0x10) !== 0);

  logged.length = 0;
  const seen: AccessRequest[] = [];
  const server = new RadiusServer({
    listen: { ...LISTEN_DEFAULTS, address: '127.0.0.1', port: 0 },
    clients: new ClientTable(CLIENTS),
    logger,
    handler: async (request) => {
      seen.push(request);
      if (!decision) throw new Error('handler failure (fuzz)');
      return decision;
    },
  });
  const answers: Buffer[] = [];
  const socket = {
    send: (msg: Buffer, _port: number, _address: string, done: (err: Error | null) => void) => {
      answers.push(Buffer.from(msg));
      queueMicrotask(() => done(null));
    },
  };
  const rinfo: RemoteInfo = { address: source.address, family: source.family, port: 40000, size: prepared.datagram.length };
  const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  const port = accountingPort ? 'acct' : 'auth';
  server.receive(prepared.datagram, rinfo, socket as unknown as Socket, port);
  await settle();
  const first = answers.slice();
  const handled = seen.length;

  const unexpected = (): void => {
    const caught = logged.find((l) => l.msg.startsWith('unexpected error'));
    check(!caught, `the listener's last guard caught an error: ${JSON.stringify(caught)}`);
  };
  unexpected();
  check(handled <= 1, `authentication ran ${handled} times for one request`);
  check(first.length <= 1, `${first.length} answers to one datagram`);
  if (twice) {
    // The same datagram again is a retransmission; from another source port, or (signed anew) with
    // another Identifier, it is another request and goes the same way as the first.
    const variant = (data[1]! >> 2) & 3;
    const again =
      variant === 2 && prepared.signed ? prepare(Buffer.concat([data.subarray(2, 3), Buffer.from([data[3]! ^ 1]), data.subarray(4)]), client?.secret, true, (control & 0x10) !== 0) : prepared;
    const other = variant === 1 || (variant === 2 && prepared.signed);
    server.receive(again.datagram, { ...rinfo, port: variant === 1 ? 40001 : rinfo.port }, socket as unknown as Socket, port);
    await settle();
    unexpected();
    if (!other) {
      check(seen.length === handled, 'a retransmission ran authentication again');
      if (first.length === 1) check(answers.length === 2 && answers[1]!.equals(first[0]!), 'a retransmission did not get the first answer byte for byte');
    } else {
      check(
        seen.length === 2 * handled,
        `a new request (${variant === 1 ? 'another source port' : 'another Identifier'}) was ${handled ? 'not authenticated' : 'authenticated where the first was not'}`,
      );
      check(answers.length === 2 * first.length, `a new request (${variant === 1 ? 'another source port' : 'another Identifier'}) was answered unlike the first`);
    }
  }

  const packet = frame(prepared.datagram);
  if (!packet || !client) {
    check(answers.length === 0 && seen.length === 0, 'a datagram that does not parse or comes from no client was answered');
    return;
  }
  const expected: number[] = accountingPort ? [CODE.AccountingRequest, CODE.StatusServer] : [CODE.AccessRequest, CODE.StatusServer];
  if (!expected.includes(packet.code)) {
    check(answers.length === 0 && seen.length === 0, `code ${packet.code} on the ${accountingPort ? 'accounting' : 'authentication'} port was answered`);
    return;
  }
  if (seen[0]) {
    check(packet.code === CODE.AccessRequest, `code ${packet.code} reached authentication`);
    checkRequest(seen[0], packet, client, source.address, prepared.hidden);
  }
  const answer = first[0] ? checkAnswer(first[0], packet, client.secret) : undefined;
  if (answer) {
    const want =
      packet.code === CODE.StatusServer
        ? accountingPort
          ? CODE.AccountingResponse
          : CODE.AccessAccept
        : packet.code === CODE.AccountingRequest
          ? CODE.AccountingResponse
          : decision?.decision === 'accept'
            ? CODE.AccessAccept
            : decision?.decision === 'challenge'
              ? CODE.AccessChallenge
              : CODE.AccessReject;
    const tooBig = answerSize(packet.code === CODE.AccessRequest ? decision : undefined, packet) > MAX_PACKET_LENGTH;
    check(answer.code === want || (tooBig && answer.code === CODE.AccessReject), `answer code ${answer.code}, expected ${want}`);
    check(packet.code !== CODE.AccessRequest || handled === 1, 'an Access-Request answered without authentication');
  }
  if (!prepared.signed) return;
  // Authentic by construction (a Message-Authenticator the client's secret verifies): it must be
  // answered, whatever bytes its password holds, unless the password cannot be hidden at all or
  // the answer cannot fit.
  const hiddenOk = !packet.attributes.some((a) => a.type === ATTR.UserPassword) || prepared.hidden !== undefined;
  const fits = answerSize(undefined, packet) <= MAX_PACKET_LENGTH;
  if (packet.code !== CODE.AccessRequest || (hiddenOk && fits))
    check(
      answer !== undefined,
      `an authentic ${packet.code === CODE.AccessRequest ? 'Access-Request' : `code ${packet.code}`} from ${client.name} got no answer; dropped: ${JSON.stringify(server.stats.snapshot().dropped)}`,
    );
}
