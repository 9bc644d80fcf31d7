// The codec over the shipped dictionaries: vendor attributes of the NAS
// families we ship, the tagged tunnel attributes of RFC 3580 VLAN
// assignment, and every attribute of every file with a sample value.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeAttributes, encodeAttribute, loadDictionaries, type AttributeDef } from '../../src/radius/codec.ts';
import type { RawAttribute } from '../../src/radius/packet.ts';

function raw(...encoded: Buffer[]): RawAttribute[] {
  return encoded.map((b) => ({ type: b[0]!, value: b.subarray(2), offset: 0 }));
}

describe('vendor-specific attributes', () => {
  const samples: Array<[string, number, number, string | number, string]> = [
    ['Cisco-AVPair', 9, 1, 'shell:priv-lvl=15', Buffer.from('shell:priv-lvl=15').toString('hex')],
    ['CVPN3000-Group-Policy', 3076, 25, 'vpn-users', Buffer.from('vpn-users').toString('hex')],
    ['MS-Primary-DNS-Server', 311, 28, '192.0.2.53', 'c0000235'],
    ['Fortinet-Group-Name', 12356, 1, 'admins', Buffer.from('admins').toString('hex')],
    ['PaloAlto-Admin-Role', 25461, 1, 'superuser', Buffer.from('superuser').toString('hex')],
    ['Juniper-Local-User-Name', 2636, 1, 'remote-admin', Buffer.from('remote-admin').toString('hex')],
    ['Aruba-User-Role', 14823, 1, 'employee', Buffer.from('employee').toString('hex')],
    ['Mikrotik-Rate-Limit', 14988, 8, '10M/20M', Buffer.from('10M/20M').toString('hex')],
    ['pfSense-Bandwidth-Max-Down', 13644, 2, 20_000_000, '01312d00'],
    ['WISPr-Bandwidth-Max-Up', 14122, 7, 1_000_000, '000f4240'],
  ];
  for (const [name, vendorId, id, value, valueHex] of samples) {
    test(`${name}: wrapped in Vendor-Specific with vendor ${vendorId}, type ${id}, and decoded back`, () => {
      const bytes = encodeAttribute(name, value);
      const length = valueHex.length / 2;
      const expected = Buffer.concat([Buffer.from([26, length + 8]), Buffer.alloc(4), Buffer.from([id, length + 2]), Buffer.from(valueHex, 'hex')]);
      expected.writeUInt32BE(vendorId, 2);
      assert.deepEqual(bytes, expected);
      assert.deepEqual(decodeAttributes(raw(bytes)), { [name]: value });
    });
  }

  test('Microsoft attributes with VALUE names, and a Vendor-Specific given whole as bytes', () => {
    assert.deepEqual(decodeAttributes(raw(encodeAttribute('MS-MPPE-Encryption-Policy', 'Encryption-Required'))), { 'MS-MPPE-Encryption-Policy': 'Encryption-Required' });
    const whole = encodeAttribute('Vendor-Specific', '0x00000009 0105 616263'.replace(/ /g, ''));
    assert.deepEqual(decodeAttributes(raw(whole)), { 'Cisco-AVPair': 'abc' });
    for (const short of ['0x0102', '0x00000009', 'abcd']) {
      assert.throws(() => encodeAttribute('Vendor-Specific', short), /^AttributeValueError: Vendor-Specific: expected a vendor number \(4 bytes\) and at least one byte after it, got \d bytes$/);
    }
  });
});

describe('tagged tunnel attributes (RFC 2868, VLAN assignment of RFC 3580)', () => {
  test('with tag 1, as a switch expects them', () => {
    const attrs = [encodeAttribute('Tunnel-Type:1', 'VLAN'), encodeAttribute('Tunnel-Medium-Type:1', 'IEEE-802'), encodeAttribute('Tunnel-Private-Group-Id:1', '42')];
    assert.deepEqual(
      attrs.map((b) => b.toString('hex')),
      ['40060100000d', '410601000006', '5105013432'],
    );
    assert.deepEqual(decodeAttributes(raw(...attrs)), { 'Tunnel-Type:1': 'VLAN', 'Tunnel-Medium-Type:1': 'IEEE-802', 'Tunnel-Private-Group-Id:1': '42' });
  });

  test('without a tag: a zero tag octet for integers, none for text', () => {
    const attrs = [encodeAttribute('tunnel-type', 'vlan'), encodeAttribute('Tunnel-Private-Group-Id', '42')];
    assert.deepEqual(
      attrs.map((b) => b.toString('hex')),
      ['40060000000d', '51043432'],
    );
    assert.deepEqual(decodeAttributes(raw(...attrs)), { 'Tunnel-Type': 'VLAN', 'Tunnel-Private-Group-Id': '42' });
  });

  test('Tunnel-Password is hidden on the wire and refused as a reply attribute', () => {
    assert.throws(() => encodeAttribute('Tunnel-Password', 'plain'), /Tunnel-Password is encrypted/);
  });
});

/** A value that fits each type of the shipped dictionaries. */
function sample(def: AttributeDef, names: ReadonlyMap<number, string> | undefined): string | number {
  switch (def.type) {
    case 'string':
      return `sample ${def.name}`;
    case 'octets':
      return '0x0102030405';
    case 'ipaddr':
      return '192.0.2.1';
    case 'ipv6addr':
      return '2001:db8::1';
    case 'ipv6prefix':
      return '2001:db8:1::/48';
    case 'ifid':
      return '0000:0000:0000:0001';
    case 'date':
      return '2030-01-31T12:00:00Z';
    case 'integer':
      return names ? [...names.values()][0]! : 3600;
    default:
      throw new Error(`${def.where}: no sample for type ${def.type}; add one`);
  }
}

describe('every attribute of every shipped dictionary file', () => {
  const dictionary = loadDictionaries();
  const defs = [...dictionary.attributes()];

  test('a sample value encodes, decodes to the same name and value, and encodes to the same bytes again', () => {
    let checked = 0;
    for (const def of defs) {
      if (def.encrypted || def.type === 'vsa') continue;
      const value = sample(def, dictionary.namedValues(def)?.names);
      const bytes = encodeAttribute(def.name, value);
      const decoded = decodeAttributes(raw(bytes));
      assert.deepEqual(Object.keys(decoded), [def.name], def.where);
      const back = decoded[def.name] as string | number | Buffer | Date;
      assert.deepEqual(encodeAttribute(def.name, back), bytes, def.where);
      checked++;
    }
    assert.ok(checked > 200, `only ${checked} attributes checked`);
  });

  test('any bytes of any length decode without throwing, as the value or kept raw', () => {
    // A fixed pseudo-random sequence, so a failure repeats.
    let seed = 0x2545f491;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 16;
    };
    for (const def of defs) {
      for (const length of [0, 1, 2, 3, 4, 5, 6, 8, 16, 17, 18, 19, 247]) {
        const value = Buffer.from(Array.from({ length }, () => next() & 0xff));
        const attribute = def.vendorId === undefined ? { type: def.id, value, offset: 0 } : { type: 26, value: Buffer.concat([Buffer.from([0, 0, 0, 0, def.id, length + 2]), value]), offset: 0 };
        if (def.vendorId !== undefined) attribute.value.writeUInt32BE(def.vendorId, 0);
        const names = Object.keys(decodeAttributes([attribute]));
        if (def.id === 2 && def.vendorId === undefined) assert.deepEqual(names, [], 'User-Password is left to the listener');
        else assert.ok(names.length >= 1, `${def.where} with ${length} bytes gave nothing`);
      }
    }
  });

  test('what the listener reads: NAS-Port-Type by its VALUE name', () => {
    assert.deepEqual(decodeAttributes(raw(Buffer.from([61, 6, 0, 0, 0, 5]))), { 'NAS-Port-Type': 'Virtual' });
    assert.deepEqual(decodeAttributes(raw(Buffer.from([61, 6, 0, 0, 0x10, 0]))), { 'NAS-Port-Type': 4096 });
  });
});
