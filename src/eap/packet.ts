// EAP packets (RFC 3748 section 4): Request, Response, Success, Failure, on
// raw bytes. Every length is checked before a byte of the body is read.

export const EAP_CODE = { Request: 1, Response: 2, Success: 3, Failure: 4 } as const;

/** The method types we name (RFC 3748 section 5, IANA "EAP Method Types"). */
export const EAP_TYPE = {
  Identity: 1,
  Notification: 2,
  Nak: 3,
  Md5Challenge: 4,
  Otp: 5,
  Gtc: 6,
  Tls: 13,
  Ttls: 21,
  Peap: 25,
  MsChapV2: 26,
  Extensions: 33,
  Fast: 43,
  Teap: 55,
} as const;

const TYPE_NAMES = new Map<number, string>(Object.entries(EAP_TYPE).map(([name, code]) => [code, name]));

/** A readable name for logs and reasons: "MsChapV2 (26)", "type 99". */
export function typeName(type: number): string {
  const name = TYPE_NAMES.get(type);
  return name ? `${name} (${type})` : `type ${type}`;
}

export const EAP_HEADER_LENGTH = 4;
/** Length is a 16-bit field; a RADIUS packet carries far less, this bounds what we accept. */
export const MAX_EAP_LENGTH = 65535;

export interface EapPacket {
  code: number;
  identifier: number;
  /** Present on Request and Response. */
  type?: number;
  /** The bytes after the type (empty for Success/Failure). */
  data: Buffer;
}

export type EapParseError = 'too-short' | 'bad-length' | 'bad-code' | 'no-type';

/**
 * Reads one EAP packet. Bytes past the Length field are padding from the
 * lower layer (RFC 3748 section 4.1) and are ignored; a Length longer than
 * the bytes is an error.
 */
export function parseEap(bytes: Buffer): EapPacket | EapParseError {
  if (bytes.length < EAP_HEADER_LENGTH) return 'too-short';
  const code = bytes[0]!;
  const identifier = bytes[1]!;
  const length = bytes.readUInt16BE(2);
  if (length < EAP_HEADER_LENGTH || length > bytes.length) return 'bad-length';
  if (code < EAP_CODE.Request || code > EAP_CODE.Failure) return 'bad-code';
  if (code === EAP_CODE.Success || code === EAP_CODE.Failure) {
    return { code, identifier, data: Buffer.alloc(0) };
  }
  if (length < EAP_HEADER_LENGTH + 1) return 'no-type';
  return { code, identifier, type: bytes[4]!, data: bytes.subarray(5, length) };
}

/** Builds a Request or Response of `type` with `data`. */
export function encodeEap(code: typeof EAP_CODE.Request | typeof EAP_CODE.Response, identifier: number, type: number, data: Buffer = Buffer.alloc(0)): Buffer {
  const length = EAP_HEADER_LENGTH + 1 + data.length;
  if (length > MAX_EAP_LENGTH) throw new RangeError(`EAP packet of ${length} bytes exceeds ${MAX_EAP_LENGTH}`);
  const out = Buffer.alloc(length);
  out[0] = code;
  out[1] = identifier & 0xff;
  out.writeUInt16BE(length, 2);
  out[4] = type;
  data.copy(out, 5);
  return out;
}

/** EAP-Success or EAP-Failure: a bare header. */
export function encodeResult(code: typeof EAP_CODE.Success | typeof EAP_CODE.Failure, identifier: number): Buffer {
  return Buffer.from([code, identifier & 0xff, 0, EAP_HEADER_LENGTH]);
}

/**
 * The types a peer asks for in a Nak (RFC 3748 section 5.3.1). A zero byte
 * means "no alternative"; duplicates are dropped, order is kept.
 */
export function nakTypes(packet: EapPacket): number[] {
  const out: number[] = [];
  for (const t of packet.data) if (t !== 0 && !out.includes(t)) out.push(t);
  return out;
}
