// Attribute names and values, over the `radius` package's dictionary parser
// and value codec. We use nothing of it at packet level: its authenticator and
// Message-Authenticator checks compare bytes as UTF-8 strings and are not
// constant-time, its response encoder appends Message-Authenticator last, and
// an unknown vendor decodes to {}. Framing and integrity live in packet.ts and
// authenticator.ts, on raw bytes.

import { fileURLToPath } from 'node:url';
import { isIP } from 'node:net';
import radius from 'radius';
import { ipv6Bytes } from '../net/cidr.ts';
import type { RawAttribute } from './packet.ts';

export const VENDOR_SPECIFIC = 26;
const NO_VENDOR = -1;

export interface AttributeDef {
  name: string;
  id: number;
  type: string;
  /** Vendor number for a VSA, undefined for a standard attribute. */
  vendorId?: number;
  vendorName?: string;
  hasTag: boolean;
  encrypted: boolean;
}

/** The shipped dictionaries, resolved from this file so that dist/ and src/ both find them. */
export const DEFAULT_DICTIONARY = fileURLToPath(new URL('../../dictionaries/dictionary', import.meta.url));

// Name -> definition, case-insensitive (admins write `class` as often as `Class`).
let byName = new Map<string, AttributeDef>();
let loadedFrom: string | undefined;

/**
 * The package parses the files but keeps its tables private, so we watch the
 * text it parses to learn which vendor each attribute belongs to.
 */
function indexDictionaryText(content: string, vendors: Map<string, number>, out: Map<string, AttributeDef>): void {
  let vendor: string | undefined;
  for (const rawLine of content.split('\n')) {
    const words = rawLine.replace(/#.*/, '').trim().split(/\s+/);
    const [keyword, a, b, c, d] = words;
    if (keyword === 'VENDOR' && a && b && /^\d+$/.test(b)) vendors.set(a, Number(b));
    else if (keyword === 'BEGIN-VENDOR' && a) vendor = a;
    else if (keyword === 'END-VENDOR') vendor = undefined;
    else if (keyword === 'ATTRIBUTE' && a && b && c && /^\d+$/.test(b)) {
      const flags = (d ?? '').split(',');
      const vendorId = vendor === undefined ? undefined : vendors.get(vendor);
      out.set(a.toLowerCase(), {
        name: a,
        id: Number(b),
        type: c.toLowerCase(),
        ...(vendorId !== undefined ? { vendorId, vendorName: vendor } : {}),
        hasTag: flags.includes('has_tag'),
        encrypted: flags.some((f) => f.startsWith('encrypt=')),
      });
    }
  }
}

/** Loads the dictionaries once per process (the package keeps global state). */
export function loadDictionaries(file: string = DEFAULT_DICTIONARY): void {
  if (loadedFrom === file) return;
  const vendors = new Map<string, number>();
  const index = new Map<string, AttributeDef>();
  const original = radius._load_dictionary;
  radius.unload_dictionaries();
  radius._load_dictionary = function (content: string): string[] {
    indexDictionaryText(content, vendors, index);
    return original.call(this, content);
  };
  try {
    radius.load_dictionary(file);
  } catch (e) {
    throw new Error(`cannot load RADIUS dictionaries from ${file}: ${(e as Error).message}`);
  } finally {
    radius._load_dictionary = original;
  }
  byName = index;
  loadedFrom = file;
}

export function findAttribute(name: string): AttributeDef | undefined {
  loadDictionaries();
  return byName.get(name.toLowerCase());
}

export type AttributeValue = string | number | Buffer;

/** Bytes available for one attribute's value: 253, or 247 inside a Vendor-Specific wrapper. */
export function maxValueLength(def: AttributeDef): number {
  return def.vendorId === undefined ? 253 : 247;
}

function valueBytes(def: AttributeDef, value: AttributeValue): Buffer | AttributeValue {
  if (Buffer.isBuffer(value)) return value;
  switch (def.type) {
    case 'ipv6addr': {
      if (typeof value !== 'string' || isIP(value) !== 6) throw new Error(`${def.name}: expected an IPv6 address, got ${JSON.stringify(value)}`);
      return ipv6Bytes(value);
    }
    case 'octets':
    case 'abinary':
      if (typeof value === 'string' && /^0x([0-9a-f]{2})*$/i.test(value)) return Buffer.from(value.slice(2), 'hex');
      return Buffer.from(String(value), 'utf8');
    case 'byte':
    case 'short':
    case 'signed':
    case 'integer64': {
      const n = typeof value === 'number' ? value : Number(value);
      if (!Number.isInteger(n)) throw new Error(`${def.name}: expected a whole number, got ${JSON.stringify(value)}`);
      const size = { byte: 1, short: 2, signed: 4, integer64: 8 }[def.type]!;
      const b = Buffer.alloc(size);
      if (def.type === 'integer64') b.writeBigUInt64BE(BigInt(n));
      else if (def.type === 'signed') b.writeInt32BE(n);
      else b.writeUIntBE(n, 0, size);
      return b;
    }
    case 'ipaddr':
      if (typeof value !== 'string' || isIP(value) !== 4) throw new Error(`${def.name}: expected an IPv4 address, got ${JSON.stringify(value)}`);
      return value;
    case 'integer':
    case 'date':
    case 'time':
      return value;
    default:
      return String(value);
  }
}

/**
 * Encodes one attribute by dictionary name into wire bytes (type, length,
 * value; wrapped in Vendor-Specific for a VSA). Throws with the attribute's
 * name when the name is unknown or the value does not fit.
 */
export function encodeAttribute(name: string, value: AttributeValue): Buffer {
  const def = findAttribute(name);
  if (!def) throw new Error(`unknown RADIUS attribute "${name}" (not in the dictionaries)`);
  if (def.encrypted) throw new Error(`${def.name} is encrypted with the request authenticator and cannot be a reply attribute here`);
  const v = valueBytes(def, value);
  if ((Buffer.isBuffer(v) || typeof v === 'string') && Buffer.byteLength(v) > maxValueLength(def)) {
    throw new Error(`${def.name}: value is ${Buffer.byteLength(v)} bytes, at most ${maxValueLength(def)} fit in one attribute`);
  }
  if (typeof v === 'string' && v.length === 0) throw new Error(`${def.name}: empty value`);
  const buf = Buffer.alloc(300);
  let len: number;
  if (def.vendorId === undefined) {
    len = radius.encode_attributes(buf, [[def.name, v]], NO_VENDOR);
  } else {
    len = radius.encode_attributes(buf, [['Vendor-Specific', def.vendorId, [[def.name, v]]]], NO_VENDOR);
  }
  return Buffer.from(buf.subarray(0, len));
}

/**
 * Decodes attributes to a name -> value record for logs and reply rules.
 * Best effort: what the dictionaries do not name is kept as `Attr-N` or
 * `Vendor-V-Attr-N` with its raw bytes, never dropped. User-Password is left
 * out; the listener decrypts it itself.
 */
export function decodeAttributes(attributes: RawAttribute[]): Record<string, unknown> {
  loadDictionaries();
  const out: Record<string, unknown> = {};
  const add = (name: string, value: unknown): void => {
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [prev, value];
  };
  for (const attr of attributes) {
    if (attr.type === 2) continue;
    if (attr.type === VENDOR_SPECIFIC) {
      decodeVendorSpecific(attr.value, add);
      continue;
    }
    const one: Record<string, unknown> = {};
    const header = Buffer.from([attr.type, attr.value.length + 2]);
    try {
      radius.decode_attributes(Buffer.concat([header, attr.value]), one, NO_VENDOR);
    } catch {
      // a value the package cannot read (e.g. a short integer) stays raw below
    }
    const entries = Object.entries(one);
    if (entries.length === 1) add(entries[0]![0], entries[0]![1]);
    else add(`Attr-${attr.type}`, attr.value);
  }
  return out;
}

function decodeVendorSpecific(value: Buffer, add: (name: string, value: unknown) => void): void {
  if (value.length < 4) {
    add('Vendor-Specific', value);
    return;
  }
  const vendorId = value.readUInt32BE(0);
  const body = value.subarray(4);
  // Sub-attributes in the common (type, length) format; vendors with other formats stay raw.
  let ok = true;
  for (let off = 0; off < body.length; ) {
    const len = body[off + 1];
    if (len === undefined || len < 2 || off + len > body.length) {
      ok = false;
      break;
    }
    off += len;
  }
  if (!ok) {
    add(`Vendor-${vendorId}`, body);
    return;
  }
  for (let off = 0; off < body.length; ) {
    const type = body[off]!;
    const len = body[off + 1]!;
    const one: Record<string, unknown> = {};
    try {
      radius.decode_attributes(body.subarray(off, off + len), one, vendorId);
    } catch {
      // unreadable value: kept raw below
    }
    const entries = Object.entries(one);
    if (entries.length === 1) add(entries[0]![0], entries[0]![1]);
    else add(`Vendor-${vendorId}-Attr-${type}`, body.subarray(off + 2, off + len));
    off += len;
  }
}
