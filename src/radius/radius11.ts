// RADIUS/1.1 (RFC 9765): the packet profile a RadSec connection uses when
// the client offered ALPN "radius/1.1". The header keeps its size; the
// Identifier byte is reserved (zero, ignored), the first four bytes of the
// old authenticator field are the Token that pairs an answer with its
// request, the other twelve are zero. Nothing is signed or hidden with MD5:
// TLS protects the packets, so Message-Authenticator is neither sent nor
// checked, and User-Password and the MS-MPPE keys travel as they are.

import { assemblePacket, ATTR, rawAttribute, type RawPacket } from './packet.ts';

export const ALPN_RADIUS_10 = 'radius/1.0';
export const ALPN_RADIUS_11 = 'radius/1.1';

/** The Token of a RADIUS/1.1 packet: what tells its requests apart on one connection. */
export function token(packet: RawPacket): number {
  return packet.authenticator.readUInt32BE(0);
}

/** The answer to `request`: its Token, zero reserved fields, the attributes and the request's Proxy-State echoed in order. */
export function encodeReply11(request: RawPacket, code: number, attributes: Buffer[]): Buffer {
  const proxyStates = request.attributes.filter((a) => a.type === ATTR.ProxyState).map((a) => rawAttribute(ATTR.ProxyState, a.value));
  const field = Buffer.alloc(16);
  request.authenticator.copy(field, 0, 0, 4);
  return assemblePacket(code, 0, field, [...attributes, ...proxyStates]);
}
