// The comparison of our codec with the npm `radius` package
// (test/radius/codec-oracle.test.ts) loads our top file alone with
// load_dictionary(), skipping the package's bundled directory, and then uses
// only the attribute-level functions. This file checks that this way of
// loading gives exactly our dictionaries, and pins down the trap next to it:
// any packet-level call (encode, decode, ...) makes the package load its
// bundled directory on top of ours. It runs in its own process (node --test
// isolates files), because the package's tables are global.

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NO_VENDOR, radius } from '../helpers/radius-package.ts';
import { readDictionaryTree } from './dictionary-lint.ts';

const TOP = join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'), 'dictionaries', 'dictionary');

before(() => {
  radius.unload_dictionaries();
  radius.load_dictionary(TOP);
});

test('loading the top file alone gives every one of our attributes and vendors', () => {
  const tree = readDictionaryTree(TOP);
  const wrong: string[] = [];
  for (const attribute of tree.attributes) {
    const vendorId = attribute.space ?? undefined;
    if (radius.attr_name_to_id(attribute.name, vendorId) !== String(attribute.id) || radius.attr_id_to_name(attribute.id, vendorId) !== attribute.name) {
      wrong.push(`${attribute.where}: ${attribute.name}`);
    }
  }
  assert.deepEqual(wrong, []);
  for (const vendor of tree.vendors) assert.equal(radius.vendor_name_to_id(vendor.name), String(vendor.id), vendor.name);
});

test('and nothing from the bundled directory', () => {
  assert.equal(radius.attr_name_to_id('Framed-Management'), undefined, 'bundled RFC 5607 name');
  assert.equal(radius.attr_name_to_id('Digest-Realm'), undefined, 'bundled RFC 5090 attribute');
  assert.equal(radius.vendor_name_to_id('ADSL-Forum'), undefined, 'bundled RFC 4679 vendor');
});

test('the attribute-level codec round-trips a VSA with these tables', () => {
  const buffer = Buffer.alloc(4096);
  const length = radius.encode_attributes(buffer, [['Vendor-Specific', 'PaloAlto', [['PaloAlto-Admin-Role', 'superuser']]]], NO_VENDOR);
  const bytes = buffer.subarray(0, length);
  assert.equal(bytes.readUInt8(0), 26);
  assert.equal(bytes.readUInt32BE(2), 25461);
  assert.equal(bytes.readUInt8(6), 1);
  const decoded: Record<string, unknown> = {};
  radius.decode_attributes(bytes, decoded, NO_VENDOR);
  assert.deepEqual(decoded, { 'Vendor-Specific': { 'PaloAlto-Admin-Role': 'superuser' } });
});

// Keep last: it changes the global tables for the rest of this process.
test('a packet-level call pulls the bundled directory in on top of ours', () => {
  radius.encode({ code: 'Access-Reject', secret: 'x', attributes: [] });
  assert.equal(radius.attr_name_to_id('Framed-Management'), '133');
  assert.equal(radius.attr_id_to_name(133), 'Framed-Management', 'the bundled name now wins');
});
