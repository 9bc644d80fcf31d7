// Attributes by dictionary name: encoding for replies, decoding to a
// name -> value record for logs and reply rules. The dictionary is read by
// dictionary-reader.ts and values are converted by attribute-values.ts;
// this file adds the attribute header, the Vendor-Specific wrapper and
// tags, and holds the process's dictionary. Framing and integrity of whole
// packets live in packet.ts and authenticator.ts.

import { fileURLToPath } from 'node:url';
import { AttributeValueError, decodeValue, encodeValue, splitTag, type AttributeValue } from './attribute-values.ts';
import type { AttributeDef, Dictionary } from './dictionary.ts';
import { readDictionary } from './dictionary-reader.ts';
import { ATTR, rawAttribute, type RawAttribute } from './packet.ts';

export type { AttributeDef } from './dictionary.ts';
export type { AttributeValue, DecodedValue } from './attribute-values.ts';
export { AttributeValueError } from './attribute-values.ts';
export { DictionaryError } from './dictionary-reader.ts';

export const VENDOR_SPECIFIC = 26;

/** The shipped dictionaries, resolved from this file so that dist/ and src/ both find them. */
export const DEFAULT_DICTIONARY = fileURLToPath(new URL('../../dictionaries/dictionary', import.meta.url));

// One dictionary per process (each worker reads its own); it never changes
// once read, and loading another file replaces it whole.
let dictionary: Dictionary | undefined;
let loadedFrom: string | undefined;

/**
 * Reads the dictionaries (once per file); throws a DictionaryError with the
 * file and line of every problem.
 */
export function loadDictionaries(file: string = DEFAULT_DICTIONARY): Dictionary {
  if (dictionary && loadedFrom === file) return dictionary;
  dictionary = readDictionary(file);
  loadedFrom = file;
  return dictionary;
}

function current(): Dictionary {
  return dictionary ?? loadDictionaries();
}

/** By name, in any case. */
export function findAttribute(name: string): AttributeDef | undefined {
  return current().attribute(name);
}

/** Bytes available for one attribute's value: 253, or 247 inside a Vendor-Specific wrapper. */
export function maxValueLength(def: AttributeDef): number {
  return def.vendorId === undefined ? 253 : 247;
}

const TAGGED_NAME = /^(.+):([0-9]+)$/;

/** `Name` or FreeRADIUS's `Name:tag` for a tagged attribute (RFC 2868 tags are 1..31). */
function resolveName(name: string): { def: AttributeDef; tag?: number } {
  const m = TAGGED_NAME.exec(name);
  const def = current().attribute(m ? m[1]! : name);
  if (!def) throw new Error(`unknown RADIUS attribute "${name}" (not in the dictionaries)`);
  if (!m) return { def };
  if (!def.hasTag) throw new AttributeValueError(def.name, `carries no tag (has_tag is not set in the dictionary), got "${name}"`);
  const tag = Number(m[2]);
  if (tag < 1 || tag > 31) throw new AttributeValueError(def.name, `expected a tag 1..31, got ${m[2]}`);
  return { def, tag };
}

/**
 * Encodes one attribute by dictionary name (`Name`, or `Name:tag` for a
 * tagged one) into wire bytes: type, length, value, wrapped in
 * Vendor-Specific for a VSA. Throws with the attribute's name when the name
 * is unknown or the value does not fit its type.
 */
export function encodeAttribute(name: string, value: AttributeValue): Buffer {
  const { def, tag } = resolveName(name);
  if (def.encrypted) throw new Error(`${def.name} is encrypted with the request authenticator and cannot be a reply attribute here`);
  const bytes = encodeValue(def, value, current().namedValues(def), tag);
  const max = maxValueLength(def);
  if (bytes.length > max) throw new AttributeValueError(def.name, `value is ${bytes.length} bytes, at most ${max} fit in one attribute`);
  if (def.vendorId === undefined) return rawAttribute(def.id, bytes);
  const vendor = Buffer.alloc(4);
  vendor.writeUInt32BE(def.vendorId);
  return rawAttribute(VENDOR_SPECIFIC, Buffer.concat([vendor, rawAttribute(def.id, bytes)]));
}

type Add = (name: string, value: unknown) => void;

function decodeOne(dict: Dictionary, vendorId: number | undefined, id: number, bytes: Buffer, rawName: string, add: Add): void {
  const def = dict.attributeByCode(vendorId, id);
  if (!def) return add(rawName, Buffer.from(bytes));
  const { tag, bytes: untagged } = def.hasTag ? splitTag(def, bytes) : { tag: 0, bytes };
  // RFC 2868 tags are 1..31 (0: none); a tagged integer whose first byte is larger is malformed, and `Name:tag` could not be sent back.
  if (tag > 31) return add(rawName, Buffer.from(bytes));
  // A hidden value cannot be read without the secret and authenticator: it stays as sent.
  const value = def.encrypted ? Buffer.from(untagged) : decodeValue(def, untagged, dict.namedValues(def));
  if (value === undefined) return add(rawName, Buffer.from(bytes));
  add(tag > 0 ? `${def.name}:${tag}` : def.name, value);
}

function decodeVendorSpecific(dict: Dictionary, value: Buffer, add: Add): void {
  if (value.length < 4) return add('Vendor-Specific', Buffer.from(value));
  const vendorId = value.readUInt32BE(0);
  const body = value.subarray(4);
  // Sub-attributes in the common (type, length) format; a body that is not in it stays raw.
  if (body.length === 0) return add(`Vendor-${vendorId}`, Buffer.alloc(0));
  for (let off = 0; off < body.length; ) {
    const len = body[off + 1];
    if (len === undefined || len < 2 || off + len > body.length) return add(`Vendor-${vendorId}`, Buffer.from(body));
    off += len;
  }
  for (let off = 0; off < body.length; off += body[off + 1]!) {
    const type = body[off]!;
    decodeOne(dict, vendorId, type, body.subarray(off + 2, off + body[off + 1]!), `Vendor-${vendorId}-Attr-${type}`, add);
  }
}

/**
 * Decodes attributes to a name -> value record for logs and reply rules;
 * a repeated attribute gives an array, a tagged one is named `Name:tag`.
 * Best effort: what the dictionaries do not name, or a value that does not
 * fit its type, is kept as `Attr-N` or `Vendor-V-Attr-N` with its raw
 * bytes, never dropped. User-Password is left out; the listener decrypts it
 * itself.
 */
export function decodeAttributes(attributes: RawAttribute[]): Record<string, unknown> {
  const dict = current();
  const out: Record<string, unknown> = {};
  const add: Add = (name, value) => {
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [prev, value];
  };
  for (const attr of attributes) {
    if (attr.type === ATTR.UserPassword) continue;
    if (attr.type === VENDOR_SPECIFIC) decodeVendorSpecific(dict, attr.value, add);
    else decodeOne(dict, undefined, attr.type, attr.value, `Attr-${attr.type}`, add);
  }
  return out;
}
