// Address-like attribute values as text and as bytes: IPv4 and IPv6
// addresses and prefixes (RFC 3162, RFC 6572), interface ids (RFC 3162)
// and MAC addresses. Text is what FreeRADIUS prints, so logs read the same.

import { isIP } from 'node:net';
import { ipv6Bytes } from '../net/cidr.ts';

/** Bytes, or a note on why the text is not what the type needs. */
export type Parsed = Buffer | { note: string } | undefined;

export function ipv4Bytes(text: string): Buffer | undefined {
  return isIP(text) === 4 ? Buffer.from(text.split('.').map(Number)) : undefined;
}

export function ipv4Text(b: Buffer): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

export function ipv6AddressBytes(text: string): Buffer | undefined {
  // A zone (%eth0) has no meaning to the peer, so it is refused rather than dropped.
  return isIP(text) === 6 && !text.includes('%') ? ipv6Bytes(text) : undefined;
}

/** RFC 5952 text: lower case, the longest run of two or more zero groups as "::". */
export function ipv6Text(b: Buffer): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i));
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      best = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(':');
  if (best === 0 && bestLength === 5 && groups[5] === 0xffff) return `::ffff:${ipv4Text(b.subarray(12))}`;
  if (best < 0) return hex(groups);
  return `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLength))}`;
}

/** "address/length" (a bare address is a host prefix); host bits must be zero. */
function prefix(text: string, family: 4 | 6): { length: number; bytes: Buffer } | { note: string } | undefined {
  const [address = '', lengthText, ...rest] = text.split('/');
  const bytes = family === 4 ? ipv4Bytes(address) : ipv6AddressBytes(address);
  const max = family === 4 ? 32 : 128;
  if (!bytes || rest.length > 0) return undefined;
  if (lengthText !== undefined && !/^[0-9]{1,3}$/.test(lengthText)) return undefined;
  const length = lengthText === undefined ? max : Number(lengthText);
  if (length > max) return { note: `prefix length /${length} must be 0..${max}` };
  const network = Buffer.from(bytes);
  for (let bit = length; bit < max; bit++) network[bit >> 3]! &= ~(0x80 >> (bit & 7));
  if (!network.equals(bytes)) {
    const shownNetwork = family === 4 ? ipv4Text(network) : ipv6Text(network);
    return { note: `host bits are set; the network is ${shownNetwork}/${length}` };
  }
  return { length, bytes };
}

/** RFC 6572: reserved octet, prefix length, four address octets. */
export function ipv4PrefixBytes(text: string): Parsed {
  const p = prefix(text, 4);
  if (!p || 'note' in p) return p;
  return Buffer.concat([Buffer.from([0, p.length]), p.bytes]);
}

/** True when no bit of `address` past the first `length` is set (RFC 3162, RFC 6572: they must be zero). */
function hostBitsClear(address: Buffer, length: number): boolean {
  for (let bit = length; bit < address.length * 8; bit++) if ((address[bit >> 3]! & (0x80 >> (bit & 7))) !== 0) return false;
  return true;
}

export function ipv4PrefixText(b: Buffer): string | undefined {
  if (b.length !== 6 || b[0] !== 0 || b[1]! > 32 || !hostBitsClear(b.subarray(2), b[1]!)) return undefined;
  return `${ipv4Text(b.subarray(2))}/${b[1]}`;
}

/** RFC 3162: reserved octet, prefix length, then the prefix; sent as all 16 octets, the form every reader accepts. */
export function ipv6PrefixBytes(text: string): Parsed {
  const p = prefix(text, 6);
  if (!p || 'note' in p) return p;
  return Buffer.concat([Buffer.from([0, p.length]), p.bytes]);
}

/** Accepts the prefix cut to its significant octets too (RFC 8044 allows both). */
export function ipv6PrefixText(b: Buffer): string | undefined {
  if (b.length < 2 || b.length > 18 || b[1]! > 128 || b.length - 2 < Math.ceil(b[1]! / 8)) return undefined;
  const address = Buffer.alloc(16);
  b.copy(address, 0, 2);
  if (!hostBitsClear(address, b[1]!)) return undefined;
  return `${ipv6Text(address)}/${b[1]}`;
}

const IFID = /^([0-9a-f]{1,4}):([0-9a-f]{1,4}):([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i;

export function ifidBytes(text: string): Buffer | undefined {
  const m = IFID.exec(text);
  if (!m) return undefined;
  const b = Buffer.alloc(8);
  for (let i = 0; i < 4; i++) b.writeUInt16BE(parseInt(m[i + 1]!, 16), i * 2);
  return b;
}

/** Four hex groups without leading zeros, as FreeRADIUS prints them. */
export function ifidText(b: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 8; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  return groups.join(':');
}

const ETHER = /^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/i;

export function etherBytes(text: string): Buffer | undefined {
  return ETHER.test(text) ? Buffer.from(text.replace(/[:-]/g, ''), 'hex') : undefined;
}

export function etherText(b: Buffer): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}
