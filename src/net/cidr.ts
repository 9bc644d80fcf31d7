// IP networks for the NAS client table and HTTP allow lists. Addresses are
// kept as bytes so that IPv4 and IPv4-mapped IPv6 (::ffff:a.b.c.d, what a
// dual-stack socket reports) compare as the same address.

import { isIP } from 'node:net';

export interface Cidr {
  /** As written in the config, for messages. */
  text: string;
  /** 4 bytes for IPv4, 16 for IPv6. */
  bytes: Buffer;
  prefix: number;
}

function ipv4Bytes(text: string): Buffer {
  return Buffer.from(text.split('.').map((p) => Number(p)));
}

/** The 16 bytes of an IPv6 address (already checked with isIP). */
export function ipv6Bytes(text: string): Buffer {
  let head = text;
  let tail4: Buffer | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    tail4 = ipv4Bytes(text.slice(lastColon + 1));
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [left = '', right] = head.split('::') as [string, string | undefined];
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const l = parse(left);
  const r = right === undefined ? [] : parse(right);
  const groups = right === undefined ? l : [...l, ...new Array<number>(8 - l.length - r.length).fill(0), ...r];
  const out = Buffer.alloc(16);
  for (const [i, g] of groups.entries()) out.writeUInt16BE(g, i * 2);
  if (tail4) tail4.copy(out, 12);
  return out;
}

const MAPPED_PREFIX = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]);

/** Bytes of an address; IPv4-mapped IPv6 becomes plain IPv4. Undefined if not an address. */
export function addressBytes(address: string): Buffer | undefined {
  const zoneless = address.replace(/%.*$/, '');
  const kind = isIP(zoneless);
  if (kind === 4) return ipv4Bytes(zoneless);
  if (kind !== 6) return undefined;
  const b = ipv6Bytes(zoneless);
  return b.subarray(0, 12).equals(MAPPED_PREFIX) ? Buffer.from(b.subarray(12)) : b;
}

/**
 * Source addresses repeat: a site has a handful of NAS clients sending many
 * packets, and both the client lookup and the duplicate-cache key would parse
 * the same text again. Bounded, because a spoofed source can be any address:
 * past the limit the memo starts over.
 */
const SOURCE_MEMO_LIMIT = 4096;
const sourceMemo = new Map<string, Buffer | null>();

/** addressBytes for the source address of a packet, remembered; the Buffer is shared and must not be changed. */
export function sourceAddressBytes(address: string): Buffer | undefined {
  let bytes = sourceMemo.get(address);
  if (bytes === undefined) {
    if (sourceMemo.size >= SOURCE_MEMO_LIMIT) sourceMemo.clear();
    bytes = addressBytes(address) ?? null;
    sourceMemo.set(address, bytes);
  }
  return bytes ?? undefined;
}

/** Parses `192.0.2.1`, `192.0.2.0/24`, `2001:db8::/32`; throws with a specific message. */
export function parseCidr(text: string): Cidr {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const bytes = addressBytes(addr);
  if (!bytes) throw new Error(`"${addr}" is not an IPv4 or IPv6 address`);
  const max = isIP(addr.replace(/%.*$/, '')) === 6 ? 128 : 32;
  let prefix = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > max) throw new Error(`prefix length "/${p}" must be 0 to ${max}`);
    prefix = Number(p);
  }
  // A mapped address keeps its IPv4 meaning: ::ffff:10.0.0.0/104 is 10.0.0.0/8.
  if (bytes.length === 4 && max === 128) {
    if (prefix < 96) throw new Error(`prefix length "/${prefix}" is too short for an IPv4-mapped address (at least /96)`);
    prefix -= 96;
  }
  return { text, bytes: maskBytes(bytes, prefix), prefix };
}

/** True when `text` (already accepted by parseCidr) has address bits set beyond its prefix, as 10.1.2.3/8 has. */
export function hasHostBits(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash < 0) return false;
  return !addressBytes(text.slice(0, slash))!.equals(parseCidr(text).bytes);
}

/** The network as text, host bits cleared: 10.0.0.0/8, 2001:db8::/32 (IPv6 in its shortest form). */
export function networkText(cidr: Cidr): string {
  const b = cidr.bytes;
  if (b.length === 4) return `${[...b].join('.')}/${cidr.prefix}`;
  const groups = Array.from({ length: 8 }, (_, i) => b.readUInt16BE(i * 2));
  // RFC 5952: the longest run of two or more zero groups (the first of equals) becomes "::".
  let best = { at: -1, len: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  const text = best.at < 0 ? hex.join(':') : `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
  return `${text}/${cidr.prefix}`;
}

function maskBytes(bytes: Buffer, prefix: number): Buffer {
  const out = Buffer.from(bytes);
  for (let i = 0; i < out.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    out[i] = out[i]! & ((0xff << (8 - bits)) & 0xff);
  }
  return out;
}

export function cidrContains(cidr: Cidr, address: Buffer): boolean {
  if (address.length !== cidr.bytes.length) return false;
  const full = cidr.prefix >> 3;
  if (!address.subarray(0, full).equals(cidr.bytes.subarray(0, full))) return false;
  const rest = cidr.prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (address[full]! & mask) === cidr.bytes[full];
}
