// Our dictionary reader and value codec against an independent
// implementation, the npm `radius` package, over the shipped dictionaries:
// both must read the same attributes, and for every attribute of a type both
// implement (string, octets, ipaddr, integer with its VALUE names, date,
// tagged or not) a corpus of values must give the same bytes and decode to
// the same values. The package leaves other types as raw bytes, so those
// are covered by attribute-values.test.ts and the radclient test instead.

import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { decodeAttributes, DEFAULT_DICTIONARY, encodeAttribute, loadDictionaries, type AttributeDef } from '../../src/radius/codec.ts';
import type { Dictionary } from '../../src/radius/dictionary.ts';
import { readDictionaryTree } from '../dictionaries/dictionary-lint.ts';
import { NO_VENDOR, radius } from '../helpers/radius-package.ts';

const COMPARED_TYPES: ReadonlySet<string> = new Set(['string', 'octets', 'ipaddr', 'integer', 'date']);

let dictionary: Dictionary;
before(() => {
  // Our files alone: the package's bundled directory would otherwise be read underneath (see exclusive-load.test.ts).
  radius.unload_dictionaries();
  radius.load_dictionary(DEFAULT_DICTIONARY);
  dictionary = loadDictionaries();
});

type Sample = string | number | Buffer | Date;

function corpus(def: AttributeDef): Sample[] {
  switch (def.type) {
    case 'string':
      return ['a', 'hello world', 'grüße', 'shell:priv-lvl=15', 'x'.repeat(def.vendorId === undefined ? 253 : 247)];
    case 'octets':
      return [Buffer.from([0]), Buffer.from('0102ff', 'hex'), Buffer.alloc(200, 0xa5)];
    case 'ipaddr':
      return ['192.0.2.1', '10.255.0.7', '0.0.0.0'];
    case 'date':
      return [new Date(0), new Date('2030-01-31T12:00:00Z'), new Date(0xffffffff * 1000)];
    default: {
      const names = [...(dictionary.namedValues(def)?.names.values() ?? [])];
      return [...names, 0, 1, 4096, def.hasTag ? 0xffffff : 0xffffffff];
    }
  }
}

/** The package's encoding: VSAs inside Vendor-Specific, a tag as the middle element. */
function theirBytes(def: AttributeDef, value: Sample, tag: number | undefined): Buffer {
  const one = tag === undefined ? [def.name, value] : [def.name, tag, value];
  const list = def.vendorId === undefined ? [one] : [['Vendor-Specific', def.vendorId, [one]]];
  const buffer = Buffer.alloc(4096);
  return Buffer.from(buffer.subarray(0, radius.encode_attributes(buffer, list, NO_VENDOR)));
}

/** The package's decoding in our shape: a VSA at the top level, `[tag, value]` as `Name:tag` (tag 0 as no tag). */
function theirRecord(def: AttributeDef, bytes: Buffer): Record<string, unknown> {
  const hash: Record<string, unknown> = {};
  radius.decode_attributes(bytes, hash, NO_VENDOR);
  const flat = (def.vendorId === undefined ? hash : hash['Vendor-Specific']) as Record<string, unknown>;
  const value = flat[def.name];
  if (def.hasTag && Array.isArray(value)) {
    const [tag, inner] = value as [number, unknown];
    return { [tag > 0 ? `${def.name}:${tag}` : def.name]: inner };
  }
  return { [def.name]: value };
}

describe('the same dictionary', () => {
  test('every attribute we read has the same number and name in the package, and in the structural checker', () => {
    const ours = [...dictionary.attributes()];
    const wrong: string[] = [];
    for (const def of ours) {
      if (radius.attr_name_to_id(def.name, def.vendorId) !== String(def.id) || radius.attr_id_to_name(def.id, def.vendorId) !== def.name) {
        wrong.push(`${def.where}: ${def.name}`);
      }
    }
    assert.deepEqual(wrong, []);
    const key = (space: number | null | undefined, name: string, id: number, type: string): string => `${space ?? '-'} ${name} ${id} ${type}`;
    const lint = readDictionaryTree(DEFAULT_DICTIONARY)
      .attributes.map((a) => key(a.space, a.name, a.id, a.type))
      .sort();
    assert.deepEqual(ours.map((d) => key(d.vendorId, d.name, d.id, d.type)).sort(), lint);
    for (const vendor of dictionary.vendors()) assert.equal(radius.vendor_name_to_id(vendor.name), String(vendor.id), vendor.name);
  });
});

describe('the same bytes and the same decoded values', () => {
  test('for every attribute of a type both implement, over a corpus of values, tagged and not', () => {
    let compared = 0;
    const tested = new Set<string>();
    for (const def of dictionary.attributes()) {
      if (def.encrypted || !COMPARED_TYPES.has(def.type)) continue;
      for (const tag of def.hasTag ? [undefined, 1, 31] : [undefined]) {
        for (const value of corpus(def)) {
          // A tagged text value may have one octet less for the tag.
          if (tag !== undefined && typeof value === 'string' && Buffer.byteLength(value) > 252) continue;
          const what = `${def.where}: ${def.name}${tag === undefined ? '' : `:${tag}`} = ${Buffer.isBuffer(value) ? value.toString('hex') : String(value)}`;
          const ours = encodeAttribute(tag === undefined ? def.name : `${def.name}:${tag}`, value);
          assert.deepEqual(ours, theirBytes(def, value, tag), `${what}: bytes`);
          const decoded = decodeAttributes([{ type: ours[0]!, value: ours.subarray(2), offset: 0 }]);
          assert.deepEqual(decoded, theirRecord(def, ours), `${what}: decoded`);
          compared++;
          tested.add(def.type);
        }
      }
    }
    assert.deepEqual([...tested].sort(), [...COMPARED_TYPES].sort());
    assert.ok(compared > 1000, `only ${compared} values compared`);
  });
});
