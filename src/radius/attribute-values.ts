// One attribute value between what config and logs hold (text, numbers,
// dates, bytes) and its bytes on the wire, by the dictionary type. A value
// that does not fit its type is an AttributeValueError naming the attribute,
// the type expected and the value given.

import {
  etherBytes,
  etherText,
  ifidBytes,
  ifidText,
  ipv4Bytes,
  ipv4PrefixBytes,
  ipv4PrefixText,
  ipv4Text,
  ipv6AddressBytes,
  ipv6PrefixBytes,
  ipv6PrefixText,
  ipv6Text,
  type Parsed,
} from './attribute-addresses.ts';
import { integerRange, type AttributeDef, type AttributeType, type NamedValues } from './dictionary.ts';

/** What a caller may give: text is parsed by the type; a Buffer is taken as the wire bytes. */
export type AttributeValue = string | number | bigint | Buffer | Date;
/** What decoding gives: text for strings and addresses, a number or VALUE name for integers, a Date for times, bytes for octets. */
export type DecodedValue = string | number | Buffer | Date;

export class AttributeValueError extends Error {
  readonly attribute: string;
  /** The message without the attribute name, e.g. `expected an IPv4 address, got "x"`. */
  readonly detail: string;

  constructor(attribute: string, detail: string) {
    super(`${attribute}: ${detail}`);
    this.name = 'AttributeValueError';
    this.attribute = attribute;
    this.detail = detail;
  }
}

/** Wire sizes of the fixed-size types, for values given as bytes. */
const FIXED_SIZE: Partial<Record<AttributeType, number>> = {
  ipaddr: 4,
  ipv4prefix: 6,
  ipv6addr: 16,
  ifid: 8,
  integer: 4,
  byte: 1,
  short: 2,
  signed: 4,
  integer64: 8,
  date: 4,
  time: 4,
  ether: 6,
};

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;
const WHOLE = /^-?[0-9]+$/;

function shown(value: AttributeValue): string {
  if (Buffer.isBuffer(value)) return `${value.length} bytes`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid date' : value.toISOString();
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** A few VALUE names for a message, those resembling what was given first. */
function someNames(named: NamedValues, given: string, count = 4): string {
  const g = given.toLowerCase();
  const names = [...named.names.values()];
  const near = (n: string): boolean => n.toLowerCase().includes(g) || g.includes(n.toLowerCase());
  const picked = [...names.filter(near), ...names.filter((n) => !near(n))].slice(0, count);
  return `${picked.join(', ')}${names.length > count ? ` (${names.length} names)` : ''}`;
}

function expected(def: AttributeDef, named: NamedValues | undefined, given: string): string {
  switch (def.type) {
    case 'string':
      return 'text';
    case 'octets':
    case 'abinary':
    case 'vsa':
      return 'text, or bytes as 0x followed by pairs of hex digits';
    case 'ipaddr':
      return 'an IPv4 address';
    case 'ipv6addr':
      return 'an IPv6 address';
    case 'combo-ip':
      return 'an IPv4 or IPv6 address';
    case 'ipv4prefix':
      return 'an IPv4 network such as 192.0.2.0/24';
    case 'ipv6prefix':
      return 'an IPv6 prefix such as 2001:db8::/32';
    case 'ifid':
      return 'an interface id of four hex groups such as 211:22ff:fe33:4455';
    case 'ether':
      return 'a MAC address such as 00:11:22:aa:bb:cc';
    case 'date':
    case 'time':
      return 'a time as seconds since 1970 or an ISO 8601 date such as 2030-01-31T12:00:00Z';
    default: {
      const range = integerRange(def)!;
      const whole = `a whole number ${range.min}..${range.max}`;
      return named ? `${whole} or a name such as ${someNames(named, given)}` : whole;
    }
  }
}

function fail(def: AttributeDef, named: NamedValues | undefined, value: AttributeValue, note?: string): never {
  const given = typeof value === 'string' ? value : '';
  throw new AttributeValueError(def.name, `expected ${expected(def, named, given)}, got ${shown(value)}${note ? ` (${note})` : ''}`);
}

function fromParsed(def: AttributeDef, value: AttributeValue, parsed: Parsed): Buffer {
  if (Buffer.isBuffer(parsed)) return parsed;
  return fail(def, undefined, value, parsed?.note);
}

function integerBytes(def: AttributeDef, value: AttributeValue, named: NamedValues | undefined): Buffer {
  const range = integerRange(def)!;
  let n: bigint | undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value);
  else if (typeof value === 'bigint') n = value;
  else if (typeof value === 'string') {
    const text = value.trim();
    if (WHOLE.test(text)) n = BigInt(text);
    else if (named) {
      const v = named.numbers.get(text.toLowerCase());
      if (v !== undefined) n = BigInt(v);
    }
  }
  if (n === undefined || n < range.min || n > range.max) return fail(def, named, value);
  const size = FIXED_SIZE[def.type]!;
  const b = Buffer.alloc(size);
  if (def.type === 'signed') b.writeInt32BE(Number(n));
  else if (def.type === 'integer64') b.writeBigUInt64BE(n);
  else b.writeUIntBE(Number(n), 0, size);
  return b;
}

function dateBytes(def: AttributeDef, value: AttributeValue): Buffer {
  let seconds: number | undefined;
  if (value instanceof Date) seconds = Math.floor(value.getTime() / 1000);
  else if (typeof value === 'number') seconds = value;
  else if (typeof value === 'string' && /^[0-9]+$/.test(value.trim())) seconds = Number(value.trim());
  else if (typeof value === 'string' && ISO_DATE.test(value.trim())) seconds = Math.floor(Date.parse(value.trim()) / 1000);
  if (seconds === undefined || !Number.isInteger(seconds) || seconds < 0 || seconds > 0xffffffff) return fail(def, undefined, value);
  const b = Buffer.alloc(4);
  b.writeUInt32BE(seconds);
  return b;
}

function octetsBytes(def: AttributeDef, value: AttributeValue): Buffer {
  if (typeof value !== 'string') return Buffer.from(shown(value), 'utf8');
  if (!/^0x/i.test(value)) return Buffer.from(value, 'utf8');
  if (!/^0x([0-9a-f]{2})*$/i.test(value)) return fail(def, undefined, value, 'odd length or a character that is not hex');
  return Buffer.from(value.slice(2), 'hex');
}

function typedBytes(def: AttributeDef, value: AttributeValue, named: NamedValues | undefined): Buffer {
  if (Buffer.isBuffer(value)) {
    const size = FIXED_SIZE[def.type];
    if (size !== undefined && value.length !== size) return fail(def, named, value, `${size} bytes needed`);
    return value;
  }
  const text = typeof value === 'string' ? value.trim() : undefined;
  const parse = (f: (t: string) => Parsed): Buffer => fromParsed(def, value, text === undefined ? undefined : f(text));
  switch (def.type) {
    case 'string':
      return Buffer.from(typeof value === 'string' ? value : shown(value), 'utf8');
    case 'octets':
    case 'abinary':
    case 'vsa':
      return octetsBytes(def, value);
    case 'ipaddr':
      return parse(ipv4Bytes);
    case 'ipv6addr':
      return parse(ipv6AddressBytes);
    case 'combo-ip':
      return parse((t) => ipv4Bytes(t) ?? ipv6AddressBytes(t));
    case 'ipv4prefix':
      return parse(ipv4PrefixBytes);
    case 'ipv6prefix':
      return parse(ipv6PrefixBytes);
    case 'ifid':
      return parse(ifidBytes);
    case 'ether':
      return parse(etherBytes);
    case 'date':
    case 'time':
      return dateBytes(def, value);
    default:
      return integerBytes(def, value, named);
  }
}

/**
 * The wire bytes of one value of `def`, tag included for a tagged attribute
 * (RFC 2868: a tagged integer gives its top octet to the tag; text or bytes
 * that could be read as a tag get a zero tag in front).
 */
export function encodeValue(def: AttributeDef, value: AttributeValue, named: NamedValues | undefined, tag?: number): Buffer {
  const bytes = typedBytes(def, value, named);
  if (bytes.length === 0) throw new AttributeValueError(def.name, `expected a value of at least one byte, got ${shown(value)}`);
  // RFC 2865 5.26: Vendor-Id, then at least one byte; anything shorter is a malformed attribute every peer drops.
  if (def.type === 'vsa' && bytes.length < 5) throw new AttributeValueError(def.name, `expected a vendor number (4 bytes) and at least one byte after it, got ${bytes.length} bytes`);
  if (!def.hasTag) return bytes;
  if (def.type === 'integer') {
    const out = Buffer.from(bytes);
    out[0] = tag ?? 0;
    return out;
  }
  if (tag !== undefined) return Buffer.concat([Buffer.from([tag]), bytes]);
  return bytes[0]! <= 0x1f ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
}

/** Splits the tag off a tagged attribute's bytes (tag 0 when there is none). */
export function splitTag(def: AttributeDef, bytes: Buffer): { tag: number; bytes: Buffer } {
  if (def.type === 'integer') {
    if (bytes.length !== 4) return { tag: 0, bytes };
    const untagged = Buffer.from(bytes);
    untagged[0] = 0;
    return { tag: bytes[0]!, bytes: untagged };
  }
  return bytes.length > 0 && bytes[0]! <= 0x1f ? { tag: bytes[0]!, bytes: bytes.subarray(1) } : { tag: 0, bytes };
}

/** The value of `def` in `bytes` (tag already split off); undefined when the bytes do not fit the type. */
export function decodeValue(def: AttributeDef, bytes: Buffer, named: NamedValues | undefined): DecodedValue | undefined {
  const size = FIXED_SIZE[def.type];
  if (size !== undefined && bytes.length !== size) return undefined;
  switch (def.type) {
    case 'string':
      return bytes.toString('utf8');
    case 'octets':
    case 'abinary':
    case 'vsa':
      return Buffer.from(bytes);
    case 'ipaddr':
      return ipv4Text(bytes);
    case 'ipv6addr':
      return ipv6Text(bytes);
    case 'combo-ip':
      return bytes.length === 4 ? ipv4Text(bytes) : bytes.length === 16 ? ipv6Text(bytes) : undefined;
    case 'ipv4prefix':
      return ipv4PrefixText(bytes);
    case 'ipv6prefix':
      return ipv6PrefixText(bytes);
    case 'ifid':
      return ifidText(bytes);
    case 'ether':
      return etherText(bytes);
    case 'date':
    case 'time':
      return new Date(bytes.readUInt32BE(0) * 1000);
    case 'signed': {
      const n = bytes.readInt32BE(0);
      return named?.names.get(n) ?? n;
    }
    case 'integer64': {
      const n = bytes.readBigUInt64BE(0);
      // Beyond 2^53 a number would round, so the exact decimal text is given instead.
      return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
    }
    default: {
      const n = bytes.readUIntBE(0, size!);
      return named?.names.get(n) ?? n;
    }
  }
}
