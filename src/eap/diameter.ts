// Diameter AVPs as EAP-TTLS carries them inside the tunnel (RFC 5281 section
// 10, RFC 6733 section 4.1): code (4 bytes), flags (V: vendor id present,
// M: mandatory), length over header and data (3 bytes), the vendor id when
// V is set, the data, then padding to a multiple of four bytes.

export const AVP_FLAG = { Vendor: 0x80, Mandatory: 0x40 } as const;

/** RADIUS attribute numbers serve as AVP codes without a vendor (RFC 5281 section 10.2). */
export const AVP_CODE = {
  UserName: 1,
  UserPassword: 2,
  ChapPassword: 3,
  ReplyMessage: 18,
  ChapChallenge: 60,
  EapMessage: 79,
} as const;

export const MICROSOFT_VENDOR = 311;

export interface Avp {
  code: number;
  vendorId?: number;
  mandatory: boolean;
  data: Buffer;
}

/** Reads every AVP of a decrypted TTLS message; a length that runs past the end is an error. */
export function parseAvps(bytes: Buffer): Avp[] | string {
  const out: Avp[] = [];
  let off = 0;
  while (off < bytes.length) {
    if (off + 8 > bytes.length) return `AVP header at offset ${off} is cut short`;
    const code = bytes.readUInt32BE(off);
    const flags = bytes[off + 4]!;
    const length = bytes.readUIntBE(off + 5, 3);
    const vendor = (flags & AVP_FLAG.Vendor) !== 0;
    const header = vendor ? 12 : 8;
    if (length < header) return `AVP ${code} has length ${length}, shorter than its header`;
    if (off + length > bytes.length) return `AVP ${code} of ${length} bytes runs past the end of the message`;
    out.push({
      code,
      ...(vendor ? { vendorId: bytes.readUInt32BE(off + 8) } : {}),
      mandatory: (flags & AVP_FLAG.Mandatory) !== 0,
      data: bytes.subarray(off + header, off + length),
    });
    off += length + ((4 - (length % 4)) % 4);
  }
  return out;
}

/** One AVP with its padding. */
export function encodeAvp(avp: Avp): Buffer {
  const header = avp.vendorId === undefined ? 8 : 12;
  const length = header + avp.data.length;
  const out = Buffer.alloc(length + ((4 - (length % 4)) % 4));
  out.writeUInt32BE(avp.code, 0);
  out[4] = (avp.vendorId === undefined ? 0 : AVP_FLAG.Vendor) | (avp.mandatory ? AVP_FLAG.Mandatory : 0);
  out.writeUIntBE(length, 5, 3);
  if (avp.vendorId !== undefined) out.writeUInt32BE(avp.vendorId, 8);
  avp.data.copy(out, header);
  return out;
}

/** The User-Password AVP's value: the client pads it with NULs to a multiple of 16 bytes (RFC 5281 section 11.2.5). */
export function unpadPassword(data: Buffer): Buffer {
  let end = data.length;
  while (end > 0 && data[end - 1] === 0) end--;
  return data.subarray(0, end);
}
