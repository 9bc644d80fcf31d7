// The dictionary-driven attribute codec over the shipped dictionaries.
// Byte 0 even: the rest is a list of attributes as a packet carries them;
// decodeAttributes never throws, and every value it names encodes by that
// name and decodes back to itself. Byte 0 odd: bytes 1-2 pick an attribute
// of the dictionaries, byte 3 a tag, the rest is text as config gives it;
// encodeAttribute gives bytes or its own AttributeValueError, and the value
// those bytes decode to encodes to the same bytes again.

import { AttributeValueError, decodeAttributes, encodeAttribute, findAttribute, loadDictionaries, maxValueLength, type AttributeDef, type AttributeValue } from '../../../src/radius/codec.ts';
import { parsePacket, type RawAttribute } from '../../../src/radius/packet.ts';
import { check } from '../engine/target.ts';

export const maxLength = 1200;
export const tokens = [
  '\x1a',
  '\x00\x00\x00\x09',
  '\x00\x00\x01\x37',
  '\x00\x00\x30\x44',
  '\x00\x00\x00\x0e',
  '0x',
  '::',
  '/64',
  '/32',
  '.',
  ':',
  '2030-01-31T12:00:00Z',
  '4294967295',
  '-1',
  '00:11:22:aa:bb:cc',
];

const dictionary = loadDictionaries();
const DEFS: AttributeDef[] = [...dictionary.attributes()].sort((a, b) => (a.vendorId ?? 0) - (b.vendorId ?? 0) || a.id - b.id);

function attributesOf(bytes: Buffer): RawAttribute[] | undefined {
  const packet = Buffer.concat([Buffer.alloc(20), bytes.subarray(0, 4096 - 20)]);
  packet.writeUInt16BE(packet.length, 2);
  const p = parsePacket(packet);
  return typeof p === 'string' ? undefined : p.attributes;
}

function same(a: unknown, b: unknown): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return a === b;
}

function show(v: unknown): string {
  return Buffer.isBuffer(v) ? `0x${v.toString('hex')}` : v instanceof Date ? v.toISOString() : JSON.stringify(v);
}

/** Names decodeAttributes gives to what it keeps raw. */
function isRaw(name: string): boolean {
  return /^(Attr-\d+|Vendor-\d+(-Attr-\d+)?|Vendor-Specific)$/.test(name);
}

function decodeOne(bytes: Buffer): [string, unknown] {
  const attrs = attributesOf(bytes);
  check(attrs !== undefined, `encoded attribute does not frame: 0x${bytes.toString('hex')}`);
  const decoded = Object.entries(decodeAttributes(attrs));
  check(decoded.length === 1 && !Array.isArray(decoded[0]![1]), `one encoded attribute decodes to ${decoded.length} names`);
  return decoded[0]!;
}

function roundTripDecoded(bytes: Buffer): void {
  const attrs = attributesOf(bytes);
  if (!attrs) return;
  const decoded = decodeAttributes(attrs);
  for (const [name, all] of Object.entries(decoded)) {
    if (isRaw(name)) continue;
    const def = findAttribute(name.replace(/:\d+$/, ''));
    check(def !== undefined, `decoded name ${name} is not in the dictionaries`);
    if (def.encrypted) continue;
    for (const value of Array.isArray(all) ? all : [all]) {
      // An empty value decodes for the logs, but the encoder refuses one on purpose (RFC 2865: at least one byte).
      if (value === '' || (Buffer.isBuffer(value) && value.length === 0)) continue;
      let encoded: Buffer;
      try {
        encoded = encodeAttribute(name, value as AttributeValue);
      } catch (err) {
        // Text decoded from bytes that are not UTF-8 may no longer fit once its replacement characters are encoded.
        const lossy = typeof value === 'string' && value.includes('\uFFFD') && err instanceof AttributeValueError;
        if (lossy) continue;
        throw err;
      }
      const [againName, again] = decodeOne(encoded);
      check(againName === name && same(again, value), `${name} = ${show(value)} encodes to 0x${encoded.toString('hex')}, which decodes to ${againName} = ${show(again)}`);
    }
  }
}

function canonicalEncode(data: Buffer): void {
  if (data.length < 4) return;
  const def = DEFS[data.readUInt16BE(1) % DEFS.length]!;
  const tag = data[3]! & 0x3f;
  const name = def.hasTag && (data[3]! & 0x80) !== 0 ? `${def.name}:${tag}` : def.name;
  const text = data.subarray(4).toString('utf8');
  let bytes: Buffer;
  try {
    bytes = encodeAttribute(name, text);
  } catch (err) {
    if (err instanceof AttributeValueError) return;
    if (def.encrypted && err instanceof Error && err.message.includes('is encrypted')) return;
    throw err;
  }
  check(bytes.length <= maxValueLength(def) + 2 + (def.vendorId === undefined ? 0 : 6), `${name}: ${bytes.length} bytes encoded`);
  // Vendor-Specific given whole decodes to the vendor attributes inside it.
  if (def.type === 'vsa') {
    const attrs = attributesOf(bytes);
    check(attrs !== undefined && attrs.length === 1, `Vendor-Specific = ${JSON.stringify(text)} does not frame as one attribute`);
    decodeAttributes(attrs);
    return;
  }
  const [decodedName, value] = decodeOne(bytes);
  check(!isRaw(decodedName), `${name} = ${JSON.stringify(text)} encodes to 0x${bytes.toString('hex')}, which decodes raw as ${decodedName}`);
  const again = encodeAttribute(decodedName, value as AttributeValue);
  check(again.equals(bytes), `${name} = ${JSON.stringify(text)}: 0x${bytes.toString('hex')} decodes to ${decodedName} = ${show(value)}, which encodes to 0x${again.toString('hex')}`);
}

export function fuzz(data: Buffer): void {
  if (data.length === 0) return;
  if ((data[0]! & 1) === 0) roundTripDecoded(data.subarray(1));
  else canonicalEncode(data);
}
