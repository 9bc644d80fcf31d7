// RADIUS framing on raw bytes (RFC 2865 section 3). Every length is checked
// here before any attribute value is read, so no datagram can make a later
// stage read past the end.

export const CODE = {
  AccessRequest: 1,
  AccessAccept: 2,
  AccessReject: 3,
  AccountingRequest: 4,
  AccountingResponse: 5,
  AccessChallenge: 11,
  StatusServer: 12,
} as const;

export const ATTR = {
  UserName: 1,
  UserPassword: 2,
  ChapPassword: 3,
  NasIpAddress: 4,
  NasPort: 5,
  ReplyMessage: 18,
  State: 24,
  Class: 25,
  SessionTimeout: 27,
  CalledStationId: 30,
  CallingStationId: 31,
  NasIdentifier: 32,
  ProxyState: 33,
  NasPortType: 61,
  EapMessage: 79,
  MessageAuthenticator: 80,
  NasIpv6Address: 95,
} as const;

export const HEADER_LENGTH = 20;
export const MAX_PACKET_LENGTH = 4096;

export interface RawAttribute {
  type: number;
  value: Buffer;
  /** Offset of the attribute's type byte within the packet. */
  offset: number;
}

export interface RawPacket {
  code: number;
  identifier: number;
  authenticator: Buffer;
  attributes: RawAttribute[];
  /** Exactly `length` bytes: bytes past the Length field are padding (RFC 2865 section 3) and are cut off. */
  data: Buffer;
}

export type FramingError = 'too-short' | 'bad-length' | 'bad-attribute';

export function parsePacket(datagram: Buffer): RawPacket | FramingError {
  if (datagram.length < HEADER_LENGTH) return 'too-short';
  const length = datagram.readUInt16BE(2);
  if (length < HEADER_LENGTH || length > MAX_PACKET_LENGTH || length > datagram.length) return 'bad-length';
  const data = datagram.subarray(0, length);
  const attributes: RawAttribute[] = [];
  for (let off = HEADER_LENGTH; off < length; ) {
    if (off + 2 > length) return 'bad-attribute';
    const alen = data[off + 1]!;
    if (alen < 2 || off + alen > length) return 'bad-attribute';
    attributes.push({ type: data[off]!, value: data.subarray(off + 2, off + alen), offset: off });
    off += alen;
  }
  return { code: data[0]!, identifier: data[1]!, authenticator: data.subarray(4, 20), attributes, data };
}

export function findAttributes(packet: RawPacket, type: number): RawAttribute[] {
  return packet.attributes.filter((a) => a.type === type);
}

export function firstAttribute(packet: RawPacket, type: number): RawAttribute | undefined {
  return packet.attributes.find((a) => a.type === type);
}

/** Builds a packet from already-encoded attribute bytes; the authenticator is filled by the caller. */
export function assemblePacket(code: number, identifier: number, authenticator: Buffer, attributes: Buffer[]): Buffer {
  const length = HEADER_LENGTH + attributes.reduce((n, a) => n + a.length, 0);
  if (length > MAX_PACKET_LENGTH) throw new RangeError(`packet would be ${length} bytes, RADIUS allows ${MAX_PACKET_LENGTH}`);
  const out = Buffer.alloc(length);
  out[0] = code;
  out[1] = identifier;
  out.writeUInt16BE(length, 2);
  authenticator.copy(out, 4);
  let off = HEADER_LENGTH;
  for (const a of attributes) off += a.copy(out, off);
  return out;
}

/** One attribute with a raw value; throws if the value cannot fit (253 bytes). */
export function rawAttribute(type: number, value: Buffer): Buffer {
  if (value.length > 253) throw new RangeError(`attribute ${type}: value of ${value.length} bytes exceeds 253`);
  const out = Buffer.alloc(value.length + 2);
  out[0] = type;
  out[1] = value.length + 2;
  value.copy(out, 2);
  return out;
}
