// A minimal RADIUS client over the same framing and signing code: used by
// the tests and the benchmark to talk to a server the way a NAS does.

import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { encryptPassword, signAccessRequest, verifyResponse } from './authenticator.ts';
import { assemblePacket, ATTR, CODE, parsePacket, rawAttribute, type RawPacket } from './packet.ts';

export interface RequestSpec {
  code?: number;
  identifier: number;
  secret: string;
  userName?: string;
  /** Text is sent as UTF-8; bytes as they are. */
  password?: string | Buffer;
  state?: Buffer;
  /** Extra attributes, already encoded (type, length, value). */
  attributes?: Buffer[];
  /** Put a Message-Authenticator first and sign it. */
  messageAuthenticator?: boolean;
  authenticator?: Buffer;
}

export interface BuiltRequest {
  bytes: Buffer;
  authenticator: Buffer;
  identifier: number;
}

export function buildRequest(spec: RequestSpec): BuiltRequest {
  const code = spec.code ?? CODE.AccessRequest;
  const authenticator = spec.authenticator ?? randomBytes(16);
  const attrs: Buffer[] = [];
  if (spec.messageAuthenticator) attrs.push(rawAttribute(ATTR.MessageAuthenticator, Buffer.alloc(16)));
  if (spec.userName !== undefined) attrs.push(rawAttribute(ATTR.UserName, Buffer.from(spec.userName, 'utf8')));
  if (spec.password !== undefined) attrs.push(rawAttribute(ATTR.UserPassword, encryptPassword(spec.password, spec.secret, authenticator)));
  if (spec.state !== undefined) attrs.push(rawAttribute(ATTR.State, spec.state));
  attrs.push(...(spec.attributes ?? []));
  const bytes = assemblePacket(code, spec.identifier, authenticator, attrs);
  signAccessRequest(bytes, spec.secret, spec.messageAuthenticator ? 20 : undefined);
  return { bytes, authenticator, identifier: spec.identifier };
}

export interface ClientResponse {
  packet: RawPacket;
  bytes: Buffer;
  /** Authenticator and Message-Authenticator checked with the shared secret. */
  verified: boolean;
}

/** Sends datagrams from one socket and matches answers by identifier. */
export class RadiusClient {
  private readonly socket: Socket;
  private readonly pending = new Map<number, { resolve: (r: ClientResponse | undefined) => void; authenticator: Buffer; secret: string; timer: NodeJS.Timeout }>();
  private readonly host: string;
  private readonly port: number;

  constructor(host: string, port: number) {
    this.host = host;
    this.port = port;
    this.socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    this.socket.on('message', (msg) => {
      const packet = parsePacket(msg);
      if (typeof packet === 'string') return;
      const p = this.pending.get(packet.identifier);
      if (!p) return;
      this.pending.delete(packet.identifier);
      clearTimeout(p.timer);
      p.resolve({ packet, bytes: Buffer.from(msg), verified: verifyResponse(packet, p.authenticator, p.secret) });
    });
  }

  /** Sends raw bytes and waits for one answer to `identifier`; undefined on timeout. */
  sendRaw(bytes: Buffer, identifier: number, authenticator: Buffer, secret: string, timeoutMs = 1000): Promise<ClientResponse | undefined> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(identifier);
        resolve(undefined);
      }, timeoutMs);
      this.pending.set(identifier, { resolve, authenticator, secret, timer });
      this.socket.send(bytes, this.port, this.host, (err) => {
        if (err) {
          clearTimeout(timer);
          this.pending.delete(identifier);
          reject(err);
        }
      });
    });
  }

  /** Fire and forget: a retransmission from the same source port. */
  transmit(bytes: Buffer): void {
    this.socket.send(bytes, this.port, this.host);
  }

  send(request: BuiltRequest, secret: string, timeoutMs?: number): Promise<ClientResponse | undefined> {
    return this.sendRaw(request.bytes, request.identifier, request.authenticator, secret, timeoutMs);
  }

  close(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.socket.close();
  }
}

/** Attribute values of a response, by type. */
export function responseAttributes(packet: RawPacket, type: number): Buffer[] {
  return packet.attributes.filter((a) => a.type === type).map((a) => a.value);
}
