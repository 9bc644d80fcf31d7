// The framing shared by the TLS-based methods (RFC 5216 section 3.1, used by
// EAP-TTLS, RFC 5281 section 9.2, and PEAP): a flags byte (L: length
// included, M: more fragments, S: start, and the method's version in the low
// three bits), an optional four-byte TLS message length, then TLS records.
// A message too long for one EAP packet goes out in fragments, each answered
// by an empty acknowledgement; the peer's fragments are put back together
// here and acknowledged the same way.

export const TLS_FLAG = { Length: 0x80, More: 0x40, Start: 0x20 } as const;
const VERSION_MASK = 0x07;

/** EAP header (4), type (1), flags (1) and TLS message length (4): what a fragment carries besides TLS bytes. */
export const TLS_METHOD_OVERHEAD = 10;
/** The EAPOL header in front of an EAP packet on the peer's link (IEEE 802.1X). */
export const EAPOL_HEADER = 4;
/** Below this many TLS bytes per fragment a handshake takes hundreds of rounds: a Framed-MTU that small is taken as this. */
export const MIN_FRAGMENT_DATA = 64;

export interface TlsFrame {
  flags: number;
  version: number;
  /** TLS Message Length, when the L flag is set. */
  length?: number;
  data: Buffer;
}

/** Reads the method data of a TLS-based EAP packet (what follows the type byte). */
export function parseTlsFrame(payload: Buffer): TlsFrame | string {
  if (payload.length < 1) return 'no flags byte';
  const flags = payload[0]!;
  const version = flags & VERSION_MASK;
  if (flags & TLS_FLAG.Length) {
    if (payload.length < 5) return 'L flag set but no TLS message length';
    return { flags, version, length: payload.readUInt32BE(1), data: payload.subarray(5) };
  }
  return { flags, version, data: payload.subarray(1) };
}

/** Method data of one packet: flags, the length when given, the TLS bytes. */
export function encodeTlsFrame(flags: number, version: number, data: Buffer, length?: number): Buffer {
  const head = length === undefined ? 1 : 5;
  const out = Buffer.alloc(head + data.length);
  out[0] = (flags & ~VERSION_MASK & ~TLS_FLAG.Length) | (length === undefined ? 0 : TLS_FLAG.Length) | (version & VERSION_MASK);
  if (length !== undefined) out.writeUInt32BE(length, 1);
  data.copy(out, head);
  return out;
}

/**
 * TLS bytes per fragment: the configured EAP packet size, or less when the
 * NAS says the peer's link carries less (Framed-MTU, RFC 3580 section 3.13).
 */
export function fragmentDataSize(fragmentSize: number, framedMtu?: number): number {
  let packet = fragmentSize;
  if (framedMtu !== undefined && framedMtu > 0) packet = Math.min(packet, framedMtu - EAPOL_HEADER);
  return Math.max(MIN_FRAGMENT_DATA, packet - TLS_METHOD_OVERHEAD);
}

/** Hands out one TLS message in fragments of at most `size` bytes. */
export class Fragmenter {
  private readonly message: Buffer;
  private readonly size: number;
  private offset = 0;

  constructor(message: Buffer, size: number) {
    this.message = message;
    this.size = size;
  }

  get done(): boolean {
    return this.offset >= this.message.length;
  }

  /** The next fragment's method data; the first of several carries L and the total length, all but the last carry M. */
  next(version: number): Buffer {
    const fragmented = this.message.length > this.size;
    const first = this.offset === 0;
    const piece = this.message.subarray(this.offset, Math.min(this.offset + this.size, this.message.length));
    this.offset += piece.length;
    const more = this.offset < this.message.length;
    return encodeTlsFrame(more ? TLS_FLAG.More : 0, version, piece, fragmented && first ? this.message.length : undefined);
  }
}

export type Reassembled = { done: false } | { done: true; message: Buffer } | { error: string };

/** Puts the peer's fragments back together, refusing a message over `maxBytes`. */
export class Reassembler {
  private readonly maxBytes: number;
  private parts: Buffer[] = [];
  private received = 0;
  private declared: number | undefined;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  /** True between a fragment with M and the last one. */
  get pending(): boolean {
    return this.parts.length > 0;
  }

  add(frame: TlsFrame): Reassembled {
    if (!this.pending && frame.length !== undefined) {
      if (frame.length > this.maxBytes) return { error: `peer announces a TLS message of ${frame.length} bytes, more than the ${this.maxBytes} allowed` };
      this.declared = frame.length;
    }
    this.received += frame.data.length;
    if (this.received > this.maxBytes) return { error: `peer sent more than the ${this.maxBytes} bytes allowed for a TLS message` };
    if (this.declared !== undefined && this.received > this.declared) return { error: `peer sent ${this.received} bytes of a TLS message announced as ${this.declared}` };
    const more = (frame.flags & TLS_FLAG.More) !== 0;
    if (more && frame.data.length === 0) return { error: 'peer sent an empty fragment with the M flag' };
    this.parts.push(frame.data);
    if (more) return { done: false };
    const message = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    const declared = this.declared;
    this.parts = [];
    this.received = 0;
    this.declared = undefined;
    if (declared !== undefined && message.length !== declared) return { error: `peer sent ${message.length} bytes of a TLS message announced as ${declared}` };
    return { done: true, message };
  }
}
