// The dictionary reader: what it reads from the FreeRADIUS format, and each
// mistake it must report as "file:line: message" instead of skipping.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DictionaryError, readDictionary } from '../../src/radius/dictionary-reader.ts';
import { DEFAULT_DICTIONARY } from '../../src/radius/codec.ts';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Writes `files` (the top one named "dictionary") into a fresh directory; returns the top file's path. */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'otp-radius-dictionary-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return join(dir, 'dictionary');
}

/** The problems reading `files` gives; the paths are cut to the directory's own names. */
function problems(files: Record<string, string>): string[] {
  const top = tree(files);
  try {
    readDictionary(top);
  } catch (e) {
    assert.ok(e instanceof DictionaryError, `not a DictionaryError: ${String(e)}`);
    return e.problems.map((p) => p.replaceAll(`${dirname(top)}/`, ''));
  }
  return [];
}

const ACME = 'VENDOR Acme 99999\nBEGIN-VENDOR Acme\n';

describe('reading', () => {
  test('attributes by name in any case and by (vendor, number); VALUE names both ways', () => {
    const d = readDictionary(
      tree({
        dictionary: '# comment\nATTRIBUTE\tService-Type\t6\tinteger  # trailing comment\n\nVALUE Service-Type Login-User 1\nVALUE Service-Type Framed-User 0x2\n$INCLUDE dictionary.acme\n',
        'dictionary.acme': `${ACME}ATTRIBUTE Acme-Role 1 string\nATTRIBUTE Acme-Level 6 integer\nVALUE Acme-Level Admin 15\nEND-VENDOR Acme\n`,
      }),
    );
    assert.equal(d.attribute('SERVICE-TYPE')?.name, 'Service-Type');
    assert.equal(d.attributeByCode(undefined, 6)?.name, 'Service-Type');
    const role = d.attribute('acme-role');
    assert.deepEqual({ ...role, where: undefined }, { name: 'Acme-Role', id: 1, type: 'string', vendorId: 99999, vendorName: 'Acme', hasTag: false, encrypted: false, where: undefined });
    assert.match(role!.where, /dictionary\.acme:3$/);
    assert.equal(d.attributeByCode(99999, 6)?.name, 'Acme-Level', 'the same number in another space is another attribute');
    assert.equal(d.attributeByCode(99999, 2), undefined);
    assert.equal(d.vendor('ACME')?.id, 99999);
    assert.equal(d.vendor(99999)?.name, 'Acme');
    const named = d.namedValues(d.attribute('Service-Type')!)!;
    assert.equal(named.numbers.get('framed-user'), 2);
    assert.equal(named.names.get(1), 'Login-User');
    assert.equal(d.namedValues(d.attribute('Acme-Level')!)!.names.get(15), 'Admin');
  });

  test('flags, the older vendor-as-fifth-word form, VALUE before its ATTRIBUTE, aliases and word-for-word repeats', () => {
    const d = readDictionary(
      tree({
        dictionary: [
          'VENDOR Old 4242',
          'ATTRIBUTE Old-Thing 3 string Old',
          'VALUE Tunnel-Type VLAN 13',
          'ATTRIBUTE Tunnel-Type 64 integer has_tag',
          'ATTRIBUTE Tunnel-Password 69 octets has_tag,encrypt=2',
          'VALUE Tunnel-Type Virtual-LAN 13',
          'ATTRIBUTE Tunnel-Type 64 integer has_tag',
          'VALUE Tunnel-Type VLAN 13',
          '',
        ].join('\n'),
      }),
    );
    assert.equal(d.attributeByCode(4242, 3)?.name, 'Old-Thing');
    const tunnelType = d.attribute('Tunnel-Type')!;
    assert.equal(tunnelType.hasTag, true);
    assert.equal(d.attribute('Tunnel-Password')?.encrypted, true);
    const named = d.namedValues(tunnelType)!;
    assert.equal(named.numbers.get('virtual-lan'), 13, 'a second name for a number encodes');
    assert.equal(named.names.get(13), 'VLAN', 'and the first name is what decoding shows');
  });

  test('$INCLUDE is relative to the including file, and $INCLUDE- skips a missing file', () => {
    const d = readDictionary(
      tree({
        dictionary: '$INCLUDE sub/dictionary.sub\n$INCLUDE- dictionary.local\n',
        'sub/dictionary.sub': '$INCLUDE dictionary.deeper\n',
        'sub/dictionary.deeper': 'ATTRIBUTE Deep 1 string\n',
      }),
    );
    assert.equal(d.attribute('Deep')?.id, 1);
    assert.equal(d.files.length, 3);
  });

  test('a file included twice (not a loop) is read once', () => {
    const d = readDictionary(
      tree({
        dictionary: '$INCLUDE dictionary.a\n$INCLUDE dictionary.a\n',
        'dictionary.a': 'ATTRIBUTE A 1 string\nVALUE B X 1\nATTRIBUTE B 2 integer\n',
      }),
    );
    assert.equal(d.files.length, 2);
  });

  test('the shipped dictionaries read without a problem, every file in them', () => {
    const d = readDictionary(DEFAULT_DICTIONARY);
    assert.equal(d.files.length, 26);
    assert.ok([...d.attributes()].length > 200);
    assert.deepEqual([...d.vendors()].map((v) => v.name).sort(), ['Aruba', 'Cisco', 'Cisco-VPN3000', 'Fortinet', 'Juniper', 'Microsoft', 'Mikrotik', 'PaloAlto', 'WISPr', 'pfSense']);
  });
});

describe('problems come with file and line', () => {
  test('malformed lines and unknown keywords', () => {
    assert.deepEqual(problems({ dictionary: 'ATTRIBUTE User-Name 1\n' }), ['dictionary:1: expected "ATTRIBUTE name number type [flags]"']);
    assert.deepEqual(problems({ dictionary: 'VENDOR Acme\n' }), ['dictionary:1: expected "VENDOR name number"']);
    assert.deepEqual(problems({ dictionary: 'ATTRIBUTE A 1 string\nVALUE A B\n' }), ['dictionary:2: expected "VALUE attribute name number"']);
    assert.deepEqual(problems({ dictionary: '\n\nALIAS Foo Bar\n' }), ['dictionary:3: unknown keyword "ALIAS" (known: VENDOR, BEGIN-VENDOR, END-VENDOR, ATTRIBUTE, VALUE, $INCLUDE, $INCLUDE-)']);
    assert.deepEqual(problems({ dictionary: 'attribute A 1 string\n' }), [
      'dictionary:1: unknown keyword "attribute" (known: VENDOR, BEGIN-VENDOR, END-VENDOR, ATTRIBUTE, VALUE, $INCLUDE, $INCLUDE-)',
    ]);
  });

  test('unknown types and flags, and flags a type cannot carry', () => {
    const [typeProblem = ''] = problems({ dictionary: 'ATTRIBUTE A 1 text\n' });
    assert.match(typeProblem, /^dictionary:1: unknown type "text" \(known: string, octets, ipaddr, .*ether, abinary, vsa\)$/);
    assert.deepEqual(problems({ dictionary: 'ATTRIBUTE A 1 string array\n' }), ['dictionary:1: unknown flag "array" (known: has_tag, encrypt=1, encrypt=2, encrypt=3)']);
    assert.deepEqual(problems({ dictionary: 'ATTRIBUTE A 1 ipaddr has_tag\n' }), ['dictionary:1: has_tag on type ipaddr: only string, octets and integer carry a tag']);
    assert.deepEqual(problems({ dictionary: 'ATTRIBUTE A 1 integer encrypt=1\n' }), ['dictionary:1: encryption on type integer: only string and octets values can be hidden']);
    assert.deepEqual(problems({ dictionary: 'ATTRIBUTE Not-VSA 27 vsa\n' }), ['dictionary:1: type vsa belongs to Vendor-Specific, the standard attribute 26']);
  });

  test('numbers and names the format does not allow', () => {
    assert.deepEqual(problems({ dictionary: 'ATTRIBUTE A 256 string\n' }), ['dictionary:1: attribute number "256" must be 1..255']);
    assert.deepEqual(problems({ dictionary: 'ATTRIBUTE A 0 string\n' }), ['dictionary:1: attribute number "0" must be 1..255']);
    assert.deepEqual(problems({ dictionary: 'ATTRIBUTE A 241.1 string\n' }), ['dictionary:1: attribute number "241.1": TLV and extended attributes (dotted numbers) are not supported']);
    assert.deepEqual(problems({ dictionary: 'ATTRIBUTE 42 1 string\n' }), ['dictionary:1: attribute name "42" must be letters, digits and . _ / - (and not a number)']);
    assert.deepEqual(problems({ dictionary: 'ATTRIBUTE A:1 1 string\n' }), ['dictionary:1: attribute name "A:1" must be letters, digits and . _ / - (and not a number)']);
    assert.deepEqual(problems({ dictionary: 'VENDOR Big 16777216\n' }), ['dictionary:1: vendor number "16777216" must be 1..16777215']);
    assert.deepEqual(problems({ dictionary: 'VENDOR USR 429 format=4,0\n' }), ['dictionary:1: "format=4,0" is not supported: only vendors with one-octet type and length (format=1,1)']);
    assert.deepEqual(problems({ dictionary: 'ATTRIBUTE A 1 integer\nVALUE A 7 7\n' }), ['dictionary:2: VALUE name "7" is a number; give the name first, then the number']);
  });

  test('definitions that conflict name the earlier one; a word-for-word repeat does not', () => {
    assert.deepEqual(problems({ dictionary: 'ATTRIBUTE State 24 octets\nATTRIBUTE State 24 octets\nATTRIBUTE state 25 octets\n' }), [
      'dictionary:3: attribute state is already defined differently at dictionary:1',
    ]);
    assert.deepEqual(
      problems({
        dictionary: '$INCLUDE dictionary.a\n$INCLUDE dictionary.b\n',
        'dictionary.a': 'ATTRIBUTE State 24 octets\n',
        'dictionary.b': '# another file\nATTRIBUTE Other-State 24 octets\n',
      }),
      ['dictionary.b:2: number 24 in the standard space is already State (at dictionary.a:1)'],
    );
    assert.deepEqual(problems({ dictionary: `${ACME}ATTRIBUTE Acme-A 1 string\nATTRIBUTE Acme-B 1 string\nEND-VENDOR Acme\n` }), [
      'dictionary:4: number 1 in vendor Acme is already Acme-A (at dictionary:3)',
    ]);
    assert.deepEqual(problems({ dictionary: 'VENDOR Acme 1\nVENDOR Acme 2\nVENDOR Other 1\nVENDOR Acme 1\n' }), [
      'dictionary:2: vendor Acme is already number 1 (at dictionary:1)',
      'dictionary:3: vendor number 1 is already Acme (at dictionary:1)',
    ]);
  });

  test('VALUE problems: no such attribute, a type without names, out of range, a name given two numbers', () => {
    assert.deepEqual(problems({ dictionary: 'VALUE Nope Yes 1\n' }), ['dictionary:1: VALUE for Nope, which no ATTRIBUTE defines']);
    assert.deepEqual(problems({ dictionary: 'ATTRIBUTE A 1 string\nVALUE A X 1\n' }), ['dictionary:2: VALUE for A of type string: only integer, byte, short and signed values have names']);
    assert.deepEqual(problems({ dictionary: 'ATTRIBUTE A 1 byte\nVALUE A X 256\n' }), ['dictionary:2: VALUE X of A: number "256" must be 0..255']);
    assert.deepEqual(problems({ dictionary: 'ATTRIBUTE T 1 integer has_tag\nVALUE T X 16777216\n' }), ['dictionary:2: VALUE X of T: number "16777216" must be 0..16777215']);
    assert.deepEqual(problems({ dictionary: 'ATTRIBUTE A 1 integer\nVALUE A X -1\n' }), ['dictionary:2: VALUE X of A: number "-1" must be 0..4294967295']);
    assert.deepEqual(problems({ dictionary: 'ATTRIBUTE A 1 integer\nVALUE A X 1\nVALUE A x 2\n' }), ['dictionary:3: VALUE x of A is already 1 (at dictionary:2)']);
  });

  test('vendor blocks: undeclared, nested, unclosed, mismatched, stray END-VENDOR', () => {
    assert.deepEqual(problems({ dictionary: 'BEGIN-VENDOR Acme\nEND-VENDOR Acme\n' }), [
      'dictionary:1: BEGIN-VENDOR Acme: no VENDOR line before it declares Acme',
      'dictionary:2: END-VENDOR Acme without BEGIN-VENDOR',
    ]);
    assert.deepEqual(problems({ dictionary: `${ACME}ATTRIBUTE Acme-A 1 string\n` }), ['dictionary:2: BEGIN-VENDOR Acme is not closed by END-VENDOR in this file']);
    assert.deepEqual(problems({ dictionary: `VENDOR Beta 2\n${ACME}BEGIN-VENDOR Beta\nEND-VENDOR Beta\n` }), [
      'dictionary:4: BEGIN-VENDOR Beta inside the block of Acme opened at dictionary:3',
      'dictionary:5: END-VENDOR Beta closes the block of Acme opened at dictionary:3',
    ]);
  });

  test('includes: a missing file, a loop, a missing top file', () => {
    assert.deepEqual(problems({ dictionary: 'ATTRIBUTE A 1 string\n$INCLUDE dictionary.gone\n' }), ['dictionary:2: cannot read dictionary.gone: no such file']);
    assert.deepEqual(
      problems({
        dictionary: '$INCLUDE dictionary.a\n',
        'dictionary.a': '# a\n$INCLUDE dictionary.b\n',
        'dictionary.b': '$INCLUDE dictionary.a\n',
      }),
      ['dictionary.b:1: $INCLUDE loop: dictionary.a -> dictionary.b -> dictionary.a'],
    );
    assert.deepEqual(problems({ dictionary: '$INCLUDE dictionary\n' }), ['dictionary:1: $INCLUDE loop: dictionary -> dictionary']);
    const missing = join(tmpdir(), 'otp-radius-no-such-dictionary');
    assert.throws(() => readDictionary(missing), { name: 'DictionaryError', message: `${missing}: cannot read the dictionary file: no such file` });
  });

  test('every problem of a start is reported at once, in one error', () => {
    const top = tree({ dictionary: 'ATTRIBUTE A 1 text\nATTRIBUTE B 1 string\nVALUE C X 1\n' });
    assert.throws(
      () => readDictionary(top),
      (e: unknown) => {
        assert.ok(e instanceof DictionaryError);
        assert.equal(e.problems.length, 2);
        assert.match(e.message, /^2 problems in the RADIUS dictionaries:\n.*dictionary:1: unknown type "text".*\n.*dictionary:3: VALUE for C, which no ATTRIBUTE defines$/);
        return true;
      },
    );
  });
});
