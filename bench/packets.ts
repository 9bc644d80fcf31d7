// The generator's wire format: requests written straight into one buffer (no
// attribute objects), answers read just far enough to count them. The hiding
// of User-Password is the project's own (src/radius), so what the server
// decrypts is what RFC 2865 says; everything else here is framing.

import { createHash, createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { encryptPassword } from '../src/radius/authenticator.ts';
import { ATTR, CODE, HEADER_LENGTH } from '../src/radius/packet.ts';

export { CODE };

/** NAS-IP-Address 127.0.0.1, as a loopback NAS would send it. */
const NAS_IP = Buffer.from([ATTR.NasIpAddress, 6, 127, 0, 0, 1]);
const MA_LENGTH = 18;

// A string or Buffer HMAC key is turned into a key object on every call, which
// costs several times the HMAC itself: the generator shares the CPUs with the
// server it measures, so it keeps one per secret.
const secretKeys = new Map<string, KeyObject>();
function secretKey(secret: string): KeyObject {
  let k = secretKeys.get(secret);
  if (!k) {
    k = createSecretKey(Buffer.from(secret, 'utf8'));
    secretKeys.set(secret, k);
  }
  return k;
}

export interface RequestSpec {
  code: number;
  identifier: number;
  /** 16 bytes; must differ between requests, or the server takes one for a retransmission of the other. */
  authenticator: Buffer;
  /** The User-Name attribute, already encoded (see userNameAttribute). */
  userName?: Buffer;
  password?: string;
  state?: Buffer;
  messageAuthenticator: boolean;
}

export function userNameAttribute(login: string): Buffer {
  const value = Buffer.from(login, 'utf8');
  if (value.length < 1 || value.length > 253) throw new RangeError(`User-Name: expected 1..253 bytes, got ${value.length}`);
  return Buffer.concat([Buffer.from([ATTR.UserName, value.length + 2]), value]);
}

/** An Access-Request or Status-Server, signed: Message-Authenticator (when asked) comes first, as BlastRADIUS advice has it. */
export function encodeRequest(spec: RequestSpec, secret: string): Buffer {
  if (spec.authenticator.length !== 16) throw new RangeError(`authenticator: expected 16 bytes, got ${spec.authenticator.length}`);
  const hidden = spec.password !== undefined ? encryptPassword(spec.password, secret, spec.authenticator) : undefined;
  const withNas = spec.code === CODE.AccessRequest;
  const length =
    HEADER_LENGTH +
    (spec.messageAuthenticator ? MA_LENGTH : 0) +
    (spec.userName?.length ?? 0) +
    (hidden ? hidden.length + 2 : 0) +
    (spec.state ? spec.state.length + 2 : 0) +
    (withNas ? NAS_IP.length : 0);
  const out = Buffer.alloc(length);
  out[0] = spec.code;
  out[1] = spec.identifier;
  out.writeUInt16BE(length, 2);
  spec.authenticator.copy(out, 4);
  let off = HEADER_LENGTH;
  const maOffset = spec.messageAuthenticator ? off : -1;
  if (spec.messageAuthenticator) {
    out[off] = ATTR.MessageAuthenticator;
    out[off + 1] = MA_LENGTH;
    off += MA_LENGTH;
  }
  if (spec.userName) off += spec.userName.copy(out, off);
  if (hidden) {
    out[off] = ATTR.UserPassword;
    out[off + 1] = hidden.length + 2;
    off += 2 + hidden.copy(out, off + 2);
  }
  if (spec.state) {
    if (spec.state.length > 253) throw new RangeError(`State: ${spec.state.length} bytes exceeds 253`);
    out[off] = ATTR.State;
    out[off + 1] = spec.state.length + 2;
    off += 2 + spec.state.copy(out, off + 2);
  }
  if (withNas) off += NAS_IP.copy(out, off);
  if (maOffset >= 0)
    createHmac('md5', secretKey(secret))
      .update(out)
      .digest()
      .copy(out, maOffset + 2);
  return out;
}

export interface Answer {
  code: number;
  identifier: number;
  /** The Response Authenticator matched the request's: same secret, not a stray answer to a reused identifier. */
  authentic: boolean;
  state?: Buffer;
}

/** Reads code and identifier, checks the Response Authenticator, and for a challenge finds its State. Undefined for a malformed datagram. */
export function decodeAnswer(msg: Buffer, requestAuthenticator: Buffer, secret: string): Answer | undefined {
  if (msg.length < HEADER_LENGTH) return undefined;
  const length = msg.readUInt16BE(2);
  if (length < HEADER_LENGTH || length > msg.length) return undefined;
  const expected = createHash('md5').update(msg.subarray(0, 4)).update(requestAuthenticator).update(msg.subarray(HEADER_LENGTH, length)).update(secret).digest();
  const answer: Answer = { code: msg[0]!, identifier: msg[1]!, authentic: expected.equals(msg.subarray(4, HEADER_LENGTH)) };
  if (answer.code === CODE.AccessChallenge) {
    for (let off = HEADER_LENGTH; off + 2 <= length; ) {
      const alen = msg[off + 1]!;
      if (alen < 2 || off + alen > length) return undefined;
      if (msg[off] === ATTR.State) answer.state = Buffer.from(msg.subarray(off + 2, off + alen));
      off += alen;
    }
  }
  return answer;
}

/** Request Authenticators that never repeat: 8 random bytes per generator, then a counter. */
export class AuthenticatorSource {
  private readonly prefix: Buffer;
  private counter = 0;

  constructor(prefix: Buffer) {
    if (prefix.length !== 8) throw new RangeError(`prefix: expected 8 bytes, got ${prefix.length}`);
    this.prefix = prefix;
  }

  next(): Buffer {
    const out = Buffer.allocUnsafe(16);
    this.prefix.copy(out, 0);
    out.writeDoubleBE(++this.counter, 8);
    return out;
  }
}
