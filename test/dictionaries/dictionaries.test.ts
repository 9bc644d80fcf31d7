// The shipped dictionaries, checked twice: structurally by a strict checker
// (dictionary-lint.ts) and behaviourally through the npm `radius` package,
// an implementation independent of ours (src/radius/dictionary-reader.ts),
// so that the files stay readable by other RADIUS software too.

import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { radius } from '../helpers/radius-package.ts';
import { filesNotReached, readDictionaryTree } from './dictionary-lint.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DICTIONARY_DIR = join(repoRoot, 'dictionaries');
const TOP = join(DICTIONARY_DIR, 'dictionary');
const SECRET = 'testing123';

// The package keeps its dictionaries in module state and always starts from
// its own bundled directory: add_dictionary() appends to that list, and
// unload_dictionaries() empties the tables but not the list. So the bundled
// files are read first and ours second; for any number or name both define,
// the later definition (ours) wins.
before(() => {
  radius.unload_dictionaries();
  radius.add_dictionary(TOP);
  radius.load_dictionaries();
});

/** Attributes of a packet after the 20-octet header, as [type, value]. */
function rawAttributes(packet: Buffer): Array<[number, Buffer]> {
  const out: Array<[number, Buffer]> = [];
  let offset = 20;
  while (offset < packet.length) {
    const type = packet.readUInt8(offset);
    const length = packet.readUInt8(offset + 1);
    assert.ok(length >= 2, `attribute at offset ${offset} has length ${length}`);
    out.push([type, packet.subarray(offset + 2, offset + length)]);
    offset += length;
  }
  return out;
}

function encodeAccept(attributes: unknown[]): Buffer {
  return radius.encode({ code: 'Access-Accept', secret: SECRET, identifier: 7, attributes });
}

describe('dictionary files', () => {
  test('pass the structural check (keywords, numbers, names, types, VALUEs, blocks, sources)', () => {
    const tree = readDictionaryTree(TOP);
    assert.deepEqual(tree.problems, [], `dictionary problems:\n${tree.problems.join('\n')}`);
    assert.ok(tree.attributes.length > 200, `only ${tree.attributes.length} attributes read`);
  });

  test('every file in dictionaries/ is reached from the top file', () => {
    const tree = readDictionaryTree(TOP);
    assert.deepEqual(filesNotReached(tree, DICTIONARY_DIR), []);
  });
});

describe('loaded through the radius package', () => {
  test('key standard attributes have their RFC numbers, both ways', () => {
    const expected: Array<[string, number]> = [
      ['User-Name', 1],
      ['User-Password', 2],
      ['NAS-IP-Address', 4],
      ['Service-Type', 6],
      ['Filter-Id', 11],
      ['Reply-Message', 18],
      ['State', 24],
      ['Class', 25],
      ['Vendor-Specific', 26],
      ['Session-Timeout', 27],
      ['Idle-Timeout', 28],
      ['Called-Station-Id', 30],
      ['Calling-Station-Id', 31],
      ['NAS-Identifier', 32],
      ['Proxy-State', 33],
      ['Acct-Status-Type', 40],
      ['Tunnel-Type', 64],
      ['Tunnel-Private-Group-Id', 81],
      ['EAP-Message', 79],
      ['Message-Authenticator', 80],
      ['NAS-Port-Id', 87],
      ['Chargeable-User-Identity', 89],
      ['NAS-IPv6-Address', 95],
      ['Error-Cause', 101],
      ['Delegated-IPv6-Prefix', 123],
      ['Framed-IPv6-Address', 168],
    ];
    for (const [name, id] of expected) {
      assert.equal(radius.attr_name_to_id(name), String(id), `${name} -> number`);
      assert.equal(radius.attr_id_to_name(id), name, `${id} -> name`);
    }
  });

  test('every attribute our files define resolves to our definition, overriding the bundled set', () => {
    const tree = readDictionaryTree(TOP);
    const wrong: string[] = [];
    for (const attribute of tree.attributes) {
      const vendorId = attribute.space ?? undefined;
      const id = radius.attr_name_to_id(attribute.name, vendorId);
      const name = radius.attr_id_to_name(attribute.id, vendorId);
      if (id !== String(attribute.id) || name !== attribute.name) {
        wrong.push(`${attribute.where}: ${attribute.name} ${attribute.id} loaded as ${String(name)} ${String(id)}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  test('the bundled files are still loaded underneath: their names stay as aliases', () => {
    // Documents the package behaviour described at the top: RFC 5607 calls
    // attribute 133 Framed-Management-Protocol; the bundled file calls it
    // Framed-Management. Both names encode to 133, ours is used to decode.
    assert.equal(radius.attr_id_to_name(133), 'Framed-Management-Protocol');
    assert.equal(radius.attr_name_to_id('Framed-Management'), '133');
  });

  test('every vendor resolves to its enterprise number, with a sample attribute', () => {
    const expected: Array<[string, number, string, number]> = [
      ['Cisco', 9, 'Cisco-AVPair', 1],
      ['Cisco', 9, 'Cisco-NAS-Port', 2],
      ['Cisco-VPN3000', 3076, 'CVPN3000-Group-Policy', 25],
      ['Microsoft', 311, 'MS-Primary-DNS-Server', 28],
      ['Fortinet', 12356, 'Fortinet-Group-Name', 1],
      ['Fortinet', 12356, 'Fortinet-Access-Profile', 6],
      ['PaloAlto', 25461, 'PaloAlto-Admin-Role', 1],
      ['PaloAlto', 25461, 'PaloAlto-User-Group', 5],
      ['Juniper', 2636, 'Juniper-Local-User-Name', 1],
      ['Aruba', 14823, 'Aruba-User-Role', 1],
      ['Mikrotik', 14988, 'Mikrotik-Group', 3],
      ['Mikrotik', 14988, 'Mikrotik-Rate-Limit', 8],
      ['pfSense', 13644, 'pfSense-Bandwidth-Max-Up', 1],
      ['pfSense', 13644, 'pfSense-Max-Total-Octets', 3],
      ['WISPr', 14122, 'WISPr-Bandwidth-Max-Down', 8],
    ];
    for (const [vendor, vendorId, attribute, id] of expected) {
      assert.equal(radius.vendor_name_to_id(vendor), String(vendorId), `vendor ${vendor}`);
      assert.equal(radius.attr_name_to_id(attribute, vendorId), String(id), `${vendor} ${attribute}`);
    }
  });

  test('User-Password is hidden on the wire (encrypt=1) and recovered with the secret', () => {
    const packet = radius.encode({
      code: 'Access-Request',
      secret: SECRET,
      identifier: 1,
      attributes: [
        ['User-Name', 'alice'],
        ['User-Password', '1234987654'],
      ],
    });
    const password = rawAttributes(packet).find(([type]) => type === 2);
    assert.ok(password, 'no attribute 2 in the packet');
    assert.equal(password[1].length, 16, 'padded to one 16-octet block');
    assert.equal(password[1].includes(Buffer.from('1234987654')), false, 'password sent in clear');
    const decoded = radius.decode({ packet, secret: SECRET });
    assert.equal(decoded.attributes['User-Password'], '1234987654');
    assert.equal(decoded.attributes['User-Name'], 'alice');
  });

  test('VALUE names encode and decode, including a tagged attribute and a value from another file', () => {
    const packet = encodeAccept([
      ['Service-Type', 'Administrative-User'],
      ['Tunnel-Type', 1, 'VLAN'],
      ['Tunnel-Medium-Type', 1, 'IEEE-802'],
      ['Tunnel-Private-Group-Id', 1, '42'],
    ]);
    const raw = rawAttributes(packet);
    assert.deepEqual(raw.find(([type]) => type === 6)?.[1], Buffer.from([0, 0, 0, 6]));
    assert.deepEqual(raw.find(([type]) => type === 64)?.[1], Buffer.from([1, 0, 0, 13]));
    const decoded = radius.decode({ packet, secret: SECRET });
    assert.equal(decoded.attributes['Service-Type'], 'Administrative-User');
    assert.deepEqual(decoded.attributes['Tunnel-Type'], [1, 'VLAN']);
    assert.deepEqual(decoded.attributes['Tunnel-Medium-Type'], [1, 'IEEE-802']);
    assert.deepEqual(decoded.attributes['Tunnel-Private-Group-Id'], [1, '42']);
  });

  test('Tunnel-Password refuses a text value instead of sending it unencrypted', () => {
    assert.throws(() => encodeAccept([['Tunnel-Password', 'plain']]), /must provide Buffer/);
  });
});

describe('vendor-specific round trip', () => {
  test('Access-Accept with Fortinet-Group-Name encodes to the right bytes and decodes back', () => {
    const packet = encodeAccept([['Vendor-Specific', 'Fortinet', [['Fortinet-Group-Name', 'admins']]]]);
    const raw = rawAttributes(packet);
    assert.equal(raw.length, 1);
    const [type, value] = raw[0] ?? [0, Buffer.alloc(0)];
    assert.equal(type, 26);
    assert.equal(value.readUInt32BE(0), 12356, 'vendor id');
    assert.equal(value.readUInt8(4), 1, 'vendor type');
    assert.equal(value.readUInt8(5), 2 + 'admins'.length, 'vendor length');
    assert.equal(value.subarray(6).toString(), 'admins');

    const decoded = radius.decode({ packet, secret: SECRET });
    assert.equal(decoded.code, 'Access-Accept');
    assert.equal(decoded.identifier, 7);
    assert.deepEqual(decoded.attributes['Vendor-Specific'], { 'Fortinet-Group-Name': 'admins' });
  });

  const samples: Array<[string, number, string, number, string | number]> = [
    ['Cisco', 9, 'Cisco-AVPair', 1, 'shell:priv-lvl=15'],
    ['Cisco-VPN3000', 3076, 'CVPN3000-Group-Policy', 25, 'vpn-users'],
    ['Microsoft', 311, 'MS-Primary-DNS-Server', 28, '192.0.2.53'],
    ['PaloAlto', 25461, 'PaloAlto-Admin-Role', 1, 'superuser'],
    ['Juniper', 2636, 'Juniper-Local-User-Name', 1, 'remote-admin'],
    ['Aruba', 14823, 'Aruba-User-Role', 1, 'employee'],
    ['Mikrotik', 14988, 'Mikrotik-Rate-Limit', 8, '10M/20M'],
    ['pfSense', 13644, 'pfSense-Bandwidth-Max-Down', 2, 20_000_000],
    ['WISPr', 14122, 'WISPr-Bandwidth-Max-Up', 7, 1_000_000],
  ];
  for (const [vendor, vendorId, attribute, id, value] of samples) {
    test(`${vendor}: ${attribute} survives encode and decode`, () => {
      const packet = encodeAccept([['Vendor-Specific', vendor, [[attribute, value]]]]);
      const [type, vsa] = rawAttributes(packet)[0] ?? [0, Buffer.alloc(0)];
      assert.equal(type, 26);
      assert.equal(vsa.readUInt32BE(0), vendorId, 'vendor id');
      assert.equal(vsa.readUInt8(4), id, 'vendor type');
      const decoded = radius.decode({ packet, secret: SECRET });
      assert.deepEqual(decoded.attributes['Vendor-Specific'], { [attribute]: value });
    });
  }

  test('an unknown vendor name is refused, not sent with a made-up number', () => {
    assert.throws(() => encodeAccept([['Vendor-Specific', 'NoSuchVendor', [['X', 'y']]]]), /unknown vendor 'NoSuchVendor'/);
  });
});
