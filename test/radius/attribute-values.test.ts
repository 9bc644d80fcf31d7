// Every attribute type through the codec's API, in a dictionary that has one
// attribute of each: the exact bytes on the wire, the value decoding gives
// back, the same bytes again from that value, and the message for a value
// that does not fit.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeAttributes, encodeAttribute, loadDictionaries } from '../../src/radius/codec.ts';
import type { AttributeValue } from '../../src/radius/attribute-values.ts';
import type { RawAttribute } from '../../src/radius/packet.ts';

const DICTIONARY = `
ATTRIBUTE T-String 1 string
ATTRIBUTE User-Password 2 string encrypt=1
ATTRIBUTE T-Ipaddr 3 ipaddr
ATTRIBUTE T-Ipv4prefix 4 ipv4prefix
ATTRIBUTE T-Ipv6addr 5 ipv6addr
ATTRIBUTE T-Ipv6prefix 6 ipv6prefix
ATTRIBUTE T-Ifid 7 ifid
ATTRIBUTE T-Combo 8 combo-ip
ATTRIBUTE T-Integer 9 integer
VALUE T-Integer Low 1
VALUE T-Integer High 2
ATTRIBUTE T-Byte 10 byte
ATTRIBUTE T-Short 11 short
ATTRIBUTE T-Signed 12 signed
ATTRIBUTE T-Integer64 13 integer64
ATTRIBUTE T-Date 14 date
ATTRIBUTE T-Time 15 time
ATTRIBUTE T-Ether 16 ether
ATTRIBUTE T-Abinary 17 abinary
ATTRIBUTE T-Tag-Int 18 integer has_tag
VALUE T-Tag-Int VLAN 13
ATTRIBUTE T-Tag-String 19 string has_tag
ATTRIBUTE T-Tag-Octets 20 octets has_tag
ATTRIBUTE T-Secret 21 string encrypt=1
ATTRIBUTE T-Octets 22 octets
ATTRIBUTE Vendor-Specific 26 vsa
VENDOR Acme 99999
BEGIN-VENDOR Acme
ATTRIBUTE Acme-Text 1 string
ATTRIBUTE Acme-Level 2 short
END-VENDOR Acme
`;

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'otp-radius-types-'));
  writeFileSync(join(dir, 'dictionary'), DICTIONARY);
  loadDictionaries(join(dir, 'dictionary'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** The attributes of encoded bytes, as the packet parser would give them. */
function raw(...encoded: Buffer[]): RawAttribute[] {
  return encoded.map((b) => ({ type: b[0]!, value: b.subarray(2), offset: 0 }));
}

const hex = (h: string): Buffer => Buffer.from(h.replace(/\s/g, ''), 'hex');

// name as written, value given, wire bytes (hex), decoded record
const ROUND_TRIPS: Array<[string, AttributeValue, string, Record<string, unknown>]> = [
  ['T-String', 'héllo', '01 08 68c3a96c6c6f', { 'T-String': 'héllo' }],
  ['T-String', 42, '01 04 3432', { 'T-String': '42' }],
  ['T-Octets', '0x00ff10', '16 05 00ff10', { 'T-Octets': hex('00ff10') }],
  ['T-Octets', 'abc', '16 05 616263', { 'T-Octets': Buffer.from('abc') }],
  ['T-Ipaddr', '192.0.2.1', '03 06 c0000201', { 'T-Ipaddr': '192.0.2.1' }],
  ['T-Ipv4prefix', '10.0.0.0/8', '04 08 0008 0a000000', { 'T-Ipv4prefix': '10.0.0.0/8' }],
  ['T-Ipv4prefix', '192.0.2.1', '04 08 0020 c0000201', { 'T-Ipv4prefix': '192.0.2.1/32' }],
  ['T-Ipv6addr', '2001:DB8:0:0:1::1', '05 12 20010db8000000000001000000000001', { 'T-Ipv6addr': '2001:db8::1:0:0:1' }],
  ['T-Ipv6addr', '::ffff:192.0.2.1', '05 12 00000000000000000000ffffc0000201', { 'T-Ipv6addr': '::ffff:192.0.2.1' }],
  ['T-Ipv6addr', '::', '05 12 00000000000000000000000000000000', { 'T-Ipv6addr': '::' }],
  ['T-Ipv6prefix', '2001:db8::/32', '06 14 0020 20010db8000000000000000000000000', { 'T-Ipv6prefix': '2001:db8::/32' }],
  ['T-Ipv6prefix', '::/0', '06 14 0000 00000000000000000000000000000000', { 'T-Ipv6prefix': '::/0' }],
  ['T-Ifid', '0011:22ff:fe33:4455', '07 0a 001122fffe334455', { 'T-Ifid': '11:22ff:fe33:4455' }],
  ['T-Ifid', '0:0:0:1', '07 0a 0000000000000001', { 'T-Ifid': '0:0:0:1' }],
  ['T-Combo', '192.0.2.1', '08 06 c0000201', { 'T-Combo': '192.0.2.1' }],
  ['T-Combo', '2001:db8::1', '08 12 20010db8000000000000000000000001', { 'T-Combo': '2001:db8::1' }],
  ['T-Integer', 'low', '09 06 00000001', { 'T-Integer': 'Low' }],
  ['T-Integer', 7, '09 06 00000007', { 'T-Integer': 7 }],
  ['T-Integer', '4294967295', '09 06 ffffffff', { 'T-Integer': 4294967295 }],
  ['T-Byte', 255, '0a 03 ff', { 'T-Byte': 255 }],
  ['T-Short', '65535', '0b 04 ffff', { 'T-Short': 65535 }],
  ['T-Signed', -2, '0c 06 fffffffe', { 'T-Signed': -2 }],
  ['T-Signed', '-2147483648', '0c 06 80000000', { 'T-Signed': -2147483648 }],
  ['T-Integer64', Number.MAX_SAFE_INTEGER, '0d 0a 001fffffffffffff', { 'T-Integer64': Number.MAX_SAFE_INTEGER }],
  ['T-Integer64', '18446744073709551615', '0d 0a ffffffffffffffff', { 'T-Integer64': '18446744073709551615' }],
  ['T-Date', '2030-01-31T12:00:00Z', '0e 06 71040e40', { 'T-Date': new Date('2030-01-31T12:00:00Z') }],
  ['T-Date', '2030-01-31T13:00:00+01:00', '0e 06 71040e40', { 'T-Date': new Date('2030-01-31T12:00:00Z') }],
  ['T-Date', '0', '0e 06 00000000', { 'T-Date': new Date(0) }],
  ['T-Time', 86400, '0f 06 00015180', { 'T-Time': new Date(86_400_000) }],
  ['T-Ether', '00-11-22-AA-BB-CC', '10 08 001122aabbcc', { 'T-Ether': '00:11:22:aa:bb:cc' }],
  ['T-Abinary', '0x0102', '11 04 0102', { 'T-Abinary': hex('0102') }],
  ['T-Tag-Int:5', 'VLAN', '12 06 0500000d', { 'T-Tag-Int:5': 'VLAN' }],
  ['T-Tag-Int', 16777215, '12 06 00ffffff', { 'T-Tag-Int': 16777215 }],
  ['T-Tag-String:1', '42', '13 05 013432', { 'T-Tag-String:1': '42' }],
  ['T-Tag-String', '42', '13 04 3432', { 'T-Tag-String': '42' }],
  ['T-Tag-String', '\u0001x', '13 05 000178', { 'T-Tag-String': '\u0001x' }],
  ['T-Tag-Octets:31', '0xff', '14 04 1fff', { 'T-Tag-Octets:31': hex('ff') }],
  ['Acme-Text', 'hi', '1a 0a 0001869f 01 04 6869', { 'Acme-Text': 'hi' }],
  ['acme-level', 513, '1a 0a 0001869f 02 04 0201', { 'Acme-Level': 513 }],
];

describe('every type round-trips: value -> bytes -> value -> the same bytes', () => {
  for (const [name, value, wire, decoded] of ROUND_TRIPS) {
    test(`${name} = ${JSON.stringify(value)}`, () => {
      const bytes = encodeAttribute(name, value);
      assert.equal(bytes.toString('hex'), wire.replace(/\s/g, ''));
      const record = decodeAttributes(raw(bytes));
      assert.deepEqual(record, decoded);
      const [[decodedName, decodedValue]] = Object.entries(record) as [[string, AttributeValue]];
      assert.deepEqual(encodeAttribute(decodedName, decodedValue), bytes);
    });
  }

  test('a Buffer is taken as the wire value, checked for the size of fixed-size types', () => {
    assert.equal(encodeAttribute('T-Ipaddr', hex('c0000201')).toString('hex'), '0306c0000201');
    assert.equal(encodeAttribute('T-String', Buffer.from([0xff, 0xfe])).toString('hex'), '0104fffe');
    assert.throws(() => encodeAttribute('T-Ipaddr', hex('c00002')), { message: 'T-Ipaddr: expected an IPv4 address, got 3 bytes (4 bytes needed)' });
  });

  test('a trimmed IPv6 prefix (RFC 8044) decodes like the full one', () => {
    assert.deepEqual(decodeAttributes(raw(hex('0608 0020 20010db8'))), { 'T-Ipv6prefix': '2001:db8::/32' });
    assert.deepEqual(decodeAttributes(raw(hex('0604 0040'))), { 'Attr-6': hex('0040') }, '/64 needs 8 octets of prefix');
  });
});

describe('a value that does not fit names the attribute, the type expected and the value given', () => {
  const cases: Array<[string, AttributeValue, string]> = [
    ['T-Integer', 'ten', 'T-Integer: expected a whole number 0..4294967295 or a name such as Low, High, got "ten"'],
    ['T-Integer', 4294967296, 'T-Integer: expected a whole number 0..4294967295 or a name such as Low, High, got 4294967296'],
    ['T-Integer', 1.5, 'T-Integer: expected a whole number 0..4294967295 or a name such as Low, High, got 1.5'],
    ['T-Byte', 256, 'T-Byte: expected a whole number 0..255, got 256'],
    ['T-Short', '-1', 'T-Short: expected a whole number 0..65535, got "-1"'],
    ['T-Signed', '2147483648', 'T-Signed: expected a whole number -2147483648..2147483647, got "2147483648"'],
    ['T-Integer64', '18446744073709551616', 'T-Integer64: expected a whole number 0..18446744073709551615, got "18446744073709551616"'],
    ['T-Tag-Int', 16777216, 'T-Tag-Int: expected a whole number 0..16777215 or a name such as VLAN, got 16777216'],
    ['T-Ipaddr', 'x', 'T-Ipaddr: expected an IPv4 address, got "x"'],
    ['T-Ipaddr', '2001:db8::1', 'T-Ipaddr: expected an IPv4 address, got "2001:db8::1"'],
    ['T-Ipaddr', 3232235777, 'T-Ipaddr: expected an IPv4 address, got 3232235777'],
    ['T-Ipv6addr', 'fe80::1%eth0', 'T-Ipv6addr: expected an IPv6 address, got "fe80::1%eth0"'],
    ['T-Combo', 'host.example', 'T-Combo: expected an IPv4 or IPv6 address, got "host.example"'],
    ['T-Ipv4prefix', '10.1.2.3/8', 'T-Ipv4prefix: expected an IPv4 network such as 192.0.2.0/24, got "10.1.2.3/8" (host bits are set; the network is 10.0.0.0/8)'],
    ['T-Ipv4prefix', '10.0.0.0/33', 'T-Ipv4prefix: expected an IPv4 network such as 192.0.2.0/24, got "10.0.0.0/33" (prefix length /33 must be 0..32)'],
    ['T-Ipv6prefix', '2001:db8::1/32', 'T-Ipv6prefix: expected an IPv6 prefix such as 2001:db8::/32, got "2001:db8::1/32" (host bits are set; the network is 2001:db8::/32)'],
    ['T-Ipv6prefix', '2001:db8::/x', 'T-Ipv6prefix: expected an IPv6 prefix such as 2001:db8::/32, got "2001:db8::/x"'],
    ['T-Ifid', '1:2:3', 'T-Ifid: expected an interface id of four hex groups such as 211:22ff:fe33:4455, got "1:2:3"'],
    ['T-Ether', '00:11:22:33:44', 'T-Ether: expected a MAC address such as 00:11:22:aa:bb:cc, got "00:11:22:33:44"'],
    ['T-Ether', '00:11-22:33:44:55', 'T-Ether: expected a MAC address such as 00:11:22:aa:bb:cc, got "00:11-22:33:44:55"'],
    ['T-Date', 'tomorrow', 'T-Date: expected a time as seconds since 1970 or an ISO 8601 date such as 2030-01-31T12:00:00Z, got "tomorrow"'],
    ['T-Date', '2030-01-31T12:00:00', 'T-Date: expected a time as seconds since 1970 or an ISO 8601 date such as 2030-01-31T12:00:00Z, got "2030-01-31T12:00:00"'],
    ['T-Date', -1, 'T-Date: expected a time as seconds since 1970 or an ISO 8601 date such as 2030-01-31T12:00:00Z, got -1'],
    ['T-Octets', '0x123', 'T-Octets: expected text, or bytes as 0x followed by pairs of hex digits, got "0x123" (odd length or a character that is not hex)'],
    ['T-String', '', 'T-String: expected a value of at least one byte, got ""'],
    ['T-Octets', '0x', 'T-Octets: expected a value of at least one byte, got "0x"'],
    ['T-String', 'x'.repeat(254), 'T-String: value is 254 bytes, at most 253 fit in one attribute'],
    ['T-Tag-String:1', 'x'.repeat(253), 'T-Tag-String: value is 254 bytes, at most 253 fit in one attribute'],
    ['Acme-Text', 'x'.repeat(248), 'Acme-Text: value is 248 bytes, at most 247 fit in one attribute'],
    ['T-String:1', 'x', 'T-String: carries no tag (has_tag is not set in the dictionary), got "T-String:1"'],
    ['T-Tag-Int:32', 1, 'T-Tag-Int: expected a tag 1..31, got 32'],
    ['T-Tag-Int:0', 1, 'T-Tag-Int: expected a tag 1..31, got 0'],
    ['T-Secret', 'x', 'T-Secret is encrypted with the request authenticator and cannot be a reply attribute here'],
    ['No-Such', 'x', 'unknown RADIUS attribute "No-Such" (not in the dictionaries)'],
  ];
  for (const [name, value, message] of cases) {
    test(`${name} = ${JSON.stringify(value).slice(0, 40)}`, () => {
      assert.throws(() => encodeAttribute(name, value), { message });
    });
  }
});

describe('decoding keeps what it cannot read, under a name that says so', () => {
  test('a value of the wrong size for its type stays as raw bytes', () => {
    assert.deepEqual(decodeAttributes(raw(hex('0305 c00002'))), { 'Attr-3': hex('c00002') });
    assert.deepEqual(decodeAttributes(raw(hex('0904 0001'))), { 'Attr-9': hex('0001') });
    assert.deepEqual(decodeAttributes(raw(hex('0608 0081 20010db8'))), { 'Attr-6': hex('0081 20010db8') }, 'prefix length 129');
    assert.deepEqual(decodeAttributes(raw(hex('0807 c000020101'))), { 'Attr-8': hex('c000020101') });
    // Bits past the prefix length must be zero (RFC 3162, RFC 6572); such a prefix could not be sent back either.
    assert.deepEqual(decodeAttributes(raw(hex('060a 0020 20010db8 0001'))), { 'Attr-6': hex('0020 20010db8 0001') });
    assert.deepEqual(decodeAttributes(raw(hex('0408 0008 0a010203'))), { 'Attr-4': hex('0008 0a010203') });
    // A tagged integer's first byte is its tag, 0..31 (RFC 2868); 0x7f there is no tag that could be sent back.
    assert.deepEqual(decodeAttributes(raw(hex('1206 7f00000d'))), { 'Attr-18': hex('7f00000d') });
    assert.deepEqual(decodeAttributes(raw(hex('1206 1f00000d'))), { 'T-Tag-Int:31': 'VLAN' });
  });

  test('unknown attributes and vendors, and a vendor body not in the (type, length) format', () => {
    const unknownVendor = hex('1a 0c 00003039 01 03 41 02 03 42');
    const badBody = hex('1a 09 0001869f 01 09 41');
    assert.deepEqual(decodeAttributes(raw(hex('c8 03 41'), unknownVendor, badBody, hex('1a 06 00000009'), hex('1a 05 000001'))), {
      'Attr-200': Buffer.from('A'),
      'Vendor-12345-Attr-1': Buffer.from('A'),
      'Vendor-12345-Attr-2': Buffer.from('B'),
      'Vendor-99999': hex('010941'),
      'Vendor-9': Buffer.alloc(0),
      'Vendor-Specific': hex('000001'),
    });
  });

  test('several VSAs in one Vendor-Specific, repeated attributes as a list, User-Password left out, a hidden value as sent', () => {
    const twoInOne = hex('1a 12 0001869f 01 04 6869 02 04 0001 02 04 0002');
    assert.deepEqual(decodeAttributes(raw(twoInOne, hex('0203 41'), hex('0103 61'), hex('0103 62'), hex('1504 0102'))), {
      'Acme-Text': 'hi',
      'Acme-Level': [1, 2],
      'T-String': ['a', 'b'],
      'T-Secret': hex('0102'),
    });
  });
});
