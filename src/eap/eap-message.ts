// EAP over RADIUS (RFC 3579 section 3.1): an EAP packet travels in one or
// more EAP-Message attributes, in order, each at most 253 bytes.

/** The bytes one attribute can carry. */
export const EAP_MESSAGE_CHUNK = 253;

/** Joins the values of the EAP-Message attributes of one RADIUS packet, in order. */
export function joinEapMessage(values: readonly Buffer[]): Buffer {
  return values.length === 1 ? values[0]! : Buffer.concat(values);
}

/** Splits an EAP packet into attribute values of at most 253 bytes. */
export function splitEapMessage(packet: Buffer): Buffer[] {
  if (packet.length === 0) throw new RangeError('an EAP-Message cannot be empty');
  const out: Buffer[] = [];
  for (let off = 0; off < packet.length; off += EAP_MESSAGE_CHUNK) out.push(packet.subarray(off, Math.min(off + EAP_MESSAGE_CHUNK, packet.length)));
  return out;
}
