// Property tests of the attribute codec over the shipped dictionaries: for
// every attribute (standard and vendor, every type, with and without a tag)
// any value of its type encodes to the wire bytes computed here, decodes
// to the same name and the value in its canonical text, and that text
// encodes to the same bytes again; lists of attributes decode in order.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { decodeAttributes, encodeAttribute, loadDictionaries, maxValueLength, type AttributeDef, type AttributeValue } from '../../src/radius/codec.ts';
import { ATTRIBUTE_TYPES, integerRange, NAMED_VALUE_TYPES, type Dictionary } from '../../src/radius/dictionary.ts';
import type { RawAttribute } from '../../src/radius/packet.ts';

/** What the encoder takes: neither hidden attributes nor Vendor-Specific given whole. */
function codable(dictionary: Dictionary): AttributeDef[] {
  return [...dictionary.attributes()].filter((d) => !d.encrypted && d.type !== 'vsa');
}

/** One attribute of every type, standard and in a vendor's space, tagged ones, and VALUE names. */
function everyTypeDictionary(): string {
  const types = ATTRIBUTE_TYPES.filter((t) => t !== 'vsa');
  const lines = ['ATTRIBUTE Vendor-Specific 26 vsa'];
  lines.push(...types.map((t, i) => `ATTRIBUTE S-${t} ${i + 100} ${t}`));
  lines.push('ATTRIBUTE S-Tag-Integer 200 integer has_tag', 'ATTRIBUTE S-Tag-String 201 string has_tag', 'ATTRIBUTE S-Tag-Octets 202 octets has_tag');
  for (const t of NAMED_VALUE_TYPES) lines.push(`VALUE S-${t} One 1`, `VALUE S-${t} Seven 7`);
  lines.push('VALUE S-Tag-Integer VLAN 13', 'VENDOR Acme 99999', 'BEGIN-VENDOR Acme');
  lines.push(...types.map((t, i) => `ATTRIBUTE V-${t} ${i + 1} ${t}`));
  lines.push('ATTRIBUTE V-Tag-String 100 string has_tag', 'END-VENDOR Acme');
  return `${lines.join('\n')}\n`;
}

let dictionary = loadDictionaries();

/** A value to give the encoder, the value bytes it must produce, and what decoding must give back. */
interface Case {
  given: AttributeValue;
  bytes: Buffer;
  decoded: unknown;
}

const hex4 = (n: number): string => n.toString(16);
const groups = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 });

function groupBytes(gs: number[]): Buffer {
  const b = Buffer.alloc(16);
  for (const [i, g] of gs.entries()) b.writeUInt16BE(g, i * 2);
  return b;
}

/** RFC 5952 text; the codec writes IPv4-mapped addresses with their IPv4 part dotted, as RFC 5952 section 5 suggests. */
function ipv6Canonical(b: Buffer): string {
  if (b.subarray(0, 10).equals(Buffer.alloc(10)) && b.readUInt16BE(10) === 0xffff) return `::ffff:${[...b.subarray(12)].join('.')}`;
  return new URL(`http://[${[...Array(8).keys()].map((i) => hex4(b.readUInt16BE(i * 2))).join(':')}]/`).hostname.slice(1, -1);
}

function masked(b: Buffer, length: number): Buffer {
  const out = Buffer.from(b);
  for (let bit = length; bit < out.length * 8; bit++) out[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return out;
}

function uint(n: bigint, size: number): Buffer {
  const b = Buffer.alloc(size);
  if (size === 8) b.writeBigUInt64BE(n);
  else b.writeUIntBE(Number(n), 0, size);
  return b;
}

function textCase(max: number): fc.Arbitrary<Case> {
  return fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
    .filter((s) => Buffer.byteLength(s) <= max)
    .map((s) => ({ given: s, bytes: Buffer.from(s, 'utf8'), decoded: s }));
}

function caseFor(def: AttributeDef): fc.Arbitrary<Case> {
  // Reads the dictionary loaded when it is called: the shipped one, then the one of every type.
  // A tag, or the zero byte the encoder puts before text that could be read as one, takes a byte.
  const max = maxValueLength(def) - (def.hasTag ? 1 : 0);
  const names = dictionary.namedValues(def)?.names;
  switch (def.type) {
    case 'string':
      return textCase(max);
    case 'octets':
    case 'abinary':
      return fc.uint8Array({ minLength: 1, maxLength: max }).map((a) => ({ given: Buffer.from(a), bytes: Buffer.from(a), decoded: Buffer.from(a) }));
    case 'ipaddr':
      return fc.ipV4().map((ip) => ({ given: ip, bytes: Buffer.from(ip.split('.').map(Number)), decoded: ip }));
    case 'ipv6addr':
      return groups.map((gs) => ({ given: gs.map(hex4).join(':'), bytes: groupBytes(gs), decoded: ipv6Canonical(groupBytes(gs)) }));
    case 'combo-ip':
      return fc.oneof(caseFor({ ...def, type: 'ipaddr' }), caseFor({ ...def, type: 'ipv6addr' }));
    case 'ipv4prefix':
      return fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([ip, length]) => {
        const net = masked(Buffer.from(ip.split('.').map(Number)), length);
        return { given: `${[...net].join('.')}/${length}`, bytes: Buffer.concat([Buffer.from([0, length]), net]), decoded: `${[...net].join('.')}/${length}` };
      });
    case 'ipv6prefix':
      return fc.tuple(groups, fc.integer({ min: 0, max: 128 })).map(([gs, length]) => {
        const net = masked(groupBytes(gs), length);
        return { given: `${ipv6Canonical(net)}/${length}`, bytes: Buffer.concat([Buffer.from([0, length]), net]), decoded: `${ipv6Canonical(net)}/${length}` };
      });
    case 'ifid':
      return fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 4, maxLength: 4 }).map((gs) => {
        const b = Buffer.alloc(8);
        for (const [i, g] of gs.entries()) b.writeUInt16BE(g, i * 2);
        return { given: gs.map((g) => g.toString(16).padStart(4, '0').toUpperCase()).join(':'), bytes: b, decoded: gs.map(hex4).join(':') };
      });
    case 'ether':
      return fc.uint8Array({ minLength: 6, maxLength: 6 }).map((a) => {
        const text = [...a].map((x) => x.toString(16).padStart(2, '0')).join(':');
        return { given: text.toUpperCase().replace(/:/g, '-'), bytes: Buffer.from(a), decoded: text };
      });
    case 'date':
    case 'time':
      return fc.integer({ min: 0, max: 0xffffffff }).map((s) => ({ given: new Date(s * 1000), bytes: uint(BigInt(s), 4), decoded: new Date(s * 1000) }));
    case 'signed':
      return fc.integer({ min: -0x80000000, max: 0x7fffffff }).map((n) => {
        const b = Buffer.alloc(4);
        b.writeInt32BE(n);
        return { given: n, bytes: b, decoded: names?.get(n) ?? n };
      });
    case 'integer64':
      return fc.bigInt({ min: 0n, max: 0xffffffffffffffffn }).map((n) => ({ given: n, bytes: uint(n, 8), decoded: n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString() }));
    default: {
      const range = integerRange(def)!;
      const size = def.type === 'byte' ? 1 : def.type === 'short' ? 2 : 4;
      const byName = names ? fc.constantFrom(...names.entries()).filter(([n]) => BigInt(n) <= range.max) : undefined;
      const byNumber = fc.bigInt({ min: range.min, max: range.max }).map((n) => ({ given: String(n) as AttributeValue, n: Number(n) }));
      const either = byName
        ? fc.oneof(
            byNumber,
            byName.map(([n, name]) => ({ given: name as AttributeValue, n })),
          )
        : byNumber;
      return either.map(({ given, n }) => ({ given, bytes: uint(BigInt(n), size), decoded: names?.get(n) ?? n }));
    }
  }
}

/** The whole attribute as the wire carries it, Vendor-Specific wrapper and tag included. */
function wire(def: AttributeDef, value: Buffer, tag: number | undefined): Buffer {
  let v = value;
  if (def.hasTag && def.type === 'integer') v = Buffer.concat([Buffer.from([tag ?? 0]), value.subarray(1)]);
  else if (def.hasTag && tag !== undefined) v = Buffer.concat([Buffer.from([tag]), value]);
  else if (def.hasTag && value[0]! <= 0x1f) v = Buffer.concat([Buffer.from([0]), value]);
  const attr = (type: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([type, body.length + 2]), body]);
  if (def.vendorId === undefined) return attr(def.id, v);
  const vendor = Buffer.alloc(4);
  vendor.writeUInt32BE(def.vendorId);
  return attr(26, Buffer.concat([vendor, attr(def.id, v)]));
}

function attributes(...encoded: Buffer[]): RawAttribute[] {
  return encoded.map((b) => ({ type: b[0]!, value: b.subarray(2), offset: 0 }));
}

const TAG = fc.option(fc.integer({ min: 1, max: 31 }), { nil: undefined });

/** value -> wire bytes -> same name and value -> same bytes, for each of `defs`; gives the types and vendors covered. */
function roundTrips(defs: AttributeDef[]): { types: Set<string>; vendors: Set<number> } {
  const types = new Set<string>();
  const vendors = new Set<number>();
  for (const def of defs) {
    fc.assert(
      fc.property(caseFor(def), TAG, (c, tag) => {
        const name = def.hasTag && tag !== undefined ? `${def.name}:${tag}` : def.name;
        const bytes = encodeAttribute(name, c.given);
        assert.deepEqual(bytes, wire(def, c.bytes, def.hasTag ? tag : undefined), `${def.where}: ${name}`);
        const decoded = decodeAttributes(attributes(bytes));
        assert.deepEqual(decoded, { [name]: c.decoded }, `${def.where}: ${name}`);
        assert.deepEqual(encodeAttribute(name, decoded[name] as AttributeValue), bytes, `${def.where}: ${name} from its decoded value`);
      }),
      { numRuns: 20 },
    );
    types.add(def.type);
    if (def.vendorId !== undefined) vendors.add(def.vendorId);
  }
  return { types, vendors };
}

describe('codec round trips (fast-check)', () => {
  test('every attribute of the shipped dictionaries: value -> wire bytes -> same name and value -> same bytes', () => {
    const { vendors } = roundTrips(codable(dictionary));
    assert.ok(vendors.size >= 10, `vendors covered: ${vendors.size}`);
  });

  test('a list of attributes decodes in order, repeated names as lists', () => {
    const item = fc.constantFrom(...codable(dictionary)).chain((def) => caseFor(def).map((c) => ({ def, c })));
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 12 }), (items) => {
        const decoded = decodeAttributes(attributes(...items.map(({ def, c }) => encodeAttribute(def.name, c.given))));
        const expected: Record<string, unknown[]> = {};
        for (const { def, c } of items) {
          expected[def.name] ??= [];
          expected[def.name]!.push(c.decoded);
        }
        assert.deepEqual(decoded, Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, v.length === 1 ? v[0] : v])));
      }),
      { numRuns: 300 },
    );
  });

  test('any attribute bytes decode without throwing', () => {
    const attr = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 253 })).map(([type, v]) => ({ type, value: Buffer.from(v), offset: 0 }));
    const vsa = fc.tuple(fc.constantFrom(...new Set(codable(dictionary).map((d) => d.vendorId ?? 0))), fc.uint8Array({ maxLength: 40 })).map(([vendor, v]) => {
      const value = Buffer.alloc(4 + v.length);
      value.writeUInt32BE(vendor);
      Buffer.from(v).copy(value, 4);
      return { type: 26, value, offset: 0 };
    });
    fc.assert(
      fc.property(fc.array(fc.oneof(attr, vsa), { maxLength: 20 }), (list) => {
        decodeAttributes(list);
      }),
      { numRuns: 2000 },
    );
  });

  test('every attribute type, standard and vendor, tagged and named, in a dictionary that has them all', () => {
    const dir = mkdtempSync(join(tmpdir(), 'otp-radius-every-type-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'dictionary'), everyTypeDictionary());
    dictionary = loadDictionaries(join(dir, 'dictionary'));
    const { types, vendors } = roundTrips(codable(dictionary));
    assert.deepEqual([...types].sort(), ATTRIBUTE_TYPES.filter((t) => t !== 'vsa').sort());
    assert.deepEqual([...vendors], [99999]);
  });
});
