// The checker itself: each kind of mistake it exists to catch, in a small
// throw-away dictionary, must come back as "file:line: message".

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filesNotReached, readDictionaryTree } from './dictionary-lint.ts';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const SOURCE = '# source: test fixture\n';

/** Writes `files` (the top one named "dictionary") and returns the dir and its problems. */
function lint(files: Record<string, string>): { dir: string; problems: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'otp-radius-dict-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { dir, problems: readDictionaryTree(join(dir, 'dictionary')).problems };
}

/** Asserts exactly one problem, at `file:line`, matching `pattern`. */
function expectOne(problems: string[], fileLine: string, pattern: RegExp): void {
  assert.equal(problems.length, 1, `expected one problem, got:\n${problems.join('\n')}`);
  const [only = ''] = problems;
  assert.ok(only.includes(`${fileLine}: `), `'${only}' does not name ${fileLine}`);
  assert.match(only, pattern);
}

const vendorFile = (body: string): string => `${SOURCE}VENDOR Acme 99999\nBEGIN-VENDOR Acme\n${body}END-VENDOR Acme\n`;

describe('dictionary checker', () => {
  test('a clean tree has no problems, and the same number in two spaces is fine', () => {
    const { problems } = lint({
      dictionary: '$INCLUDE dictionary.std\n$INCLUDE dictionary.acme\n',
      'dictionary.std': `${SOURCE}ATTRIBUTE User-Name 1 string\nATTRIBUTE Service-Type 6 integer\nVALUE Service-Type Login-User 1\n`,
      'dictionary.acme': vendorFile('ATTRIBUTE Acme-Role 1 string\nATTRIBUTE Acme-Level 6 integer\nVALUE Acme-Level Admin 15\n'),
    });
    assert.deepEqual(problems, []);
  });

  test('unknown keywords, including FreeRADIUS ones the loader skips', () => {
    const { problems } = lint({ dictionary: 'ATTRIBUTE A 1 string\nBEGIN-TLV A\n' });
    expectOne(problems, 'dictionary:2', /unknown keyword 'BEGIN-TLV'/);
    expectOne(lint({ dictionary: 'ALIAS B A\n' }).problems, 'dictionary:1', /unknown keyword 'ALIAS'/);
  });

  test('duplicate number and duplicate name within one vendor', () => {
    const byNumber = lint({ dictionary: vendorFile('ATTRIBUTE Acme-A 1 string\nATTRIBUTE Acme-B 1 string\n') });
    expectOne(byNumber.problems, 'dictionary:5', /number 1 already used in vendor Acme by 'Acme-A' at .*dictionary:4/);
    const byName = lint({ dictionary: vendorFile('ATTRIBUTE Acme-A 1 string\nATTRIBUTE Acme-A 2 string\n') });
    expectOne(byName.problems, 'dictionary:5', /attribute 'Acme-A' already defined in vendor Acme/);
  });

  test('duplicates across files of the standard space name both places', () => {
    const { problems } = lint({
      dictionary: '$INCLUDE dictionary.a\n$INCLUDE dictionary.b\n',
      'dictionary.a': `${SOURCE}ATTRIBUTE State 24 octets\n`,
      'dictionary.b': `${SOURCE}ATTRIBUTE Other-State 24 octets\n`,
    });
    expectOne(problems, 'dictionary.b:2', /number 24 already used in the standard space by 'State' at .*dictionary\.a:2/);
  });

  test('VALUE for an undefined attribute, or for one in another space', () => {
    expectOne(lint({ dictionary: 'VALUE Nope Yes 1\n' }).problems, 'dictionary:1', /VALUE for 'Nope', which is not defined in the standard space/);
    const outside = lint({ dictionary: `${vendorFile('ATTRIBUTE Acme-Level 1 integer\n')}VALUE Acme-Level Admin 15\n` });
    expectOne(outside.problems, 'dictionary:6', /VALUE for 'Acme-Level', which is not defined in the standard space/);
  });

  test('VALUE problems: non-integer attribute, repeated name, repeated number', () => {
    expectOne(lint({ dictionary: 'ATTRIBUTE A 1 string\nVALUE A X 1\n' }).problems, 'dictionary:2', /type string; the loader maps names only for integer/);
    expectOne(lint({ dictionary: 'ATTRIBUTE A 1 integer\nVALUE A X 1\nVALUE A X 2\n' }).problems, 'dictionary:3', /value 'X' already defined/);
    expectOne(lint({ dictionary: 'ATTRIBUTE A 1 integer\nVALUE A X 1\nVALUE A Y 1\n' }).problems, 'dictionary:3', /value 1 already named 'X'/);
    expectOne(lint({ dictionary: 'ATTRIBUTE A 1 integer\nVALUE A X 0x10\n' }).problems, 'dictionary:2', /value '0x10' is not a decimal/);
  });

  test('types outside the allowed set, and vsa anywhere but Vendor-Specific', () => {
    expectOne(lint({ dictionary: 'ATTRIBUTE A 1 text\n' }).problems, 'dictionary:1', /type 'text' is not one of/);
    expectOne(lint({ dictionary: 'ATTRIBUTE A 1 tlv\n' }).problems, 'dictionary:1', /type 'tlv' is not one of/);
    expectOne(lint({ dictionary: 'ATTRIBUTE Vendor-Specific 27 vsa\n' }).problems, 'dictionary:1', /type vsa is only for the standard attribute 26/);
  });

  test('numbers the loader cannot read: hex, dotted, out of range', () => {
    expectOne(lint({ dictionary: 'ATTRIBUTE A 0x1a string\n' }).problems, 'dictionary:1', /must be a plain decimal between 1 and 255/);
    expectOne(lint({ dictionary: 'ATTRIBUTE A 241.1 string\n' }).problems, 'dictionary:1', /no dotted TLV numbers/);
    expectOne(lint({ dictionary: 'ATTRIBUTE A 256 string\n' }).problems, 'dictionary:1', /between 1 and 255/);
    expectOne(lint({ dictionary: 'ATTRIBUTE 3Com-Thing 1 string\n' }).problems, 'dictionary:1', /must start with a letter/);
  });

  test('flags: unknown ones, has_tag on an address, encryption of a number', () => {
    expectOne(lint({ dictionary: 'ATTRIBUTE A 1 string encrypt=3\n' }).problems, 'dictionary:1', /flag 'encrypt=3' is not one of/);
    expectOne(lint({ dictionary: 'ATTRIBUTE A 1 ipaddr has_tag\n' }).problems, 'dictionary:1', /has_tag on type ipaddr/);
    expectOne(lint({ dictionary: 'ATTRIBUTE A 1 integer encrypt=1\n' }).problems, 'dictionary:1', /encrypt=1 on type integer/);
  });

  test('vendor blocks: undeclared, format=, unclosed, mismatched, duplicated', () => {
    expectOne(lint({ dictionary: 'BEGIN-VENDOR Acme\n' }).problems, 'dictionary:1', /no earlier VENDOR line declares/);
    expectOne(lint({ dictionary: 'VENDOR Acme 99999 format=2,1\n' }).problems, 'dictionary:1', /format= and other options are not understood/);
    expectOne(lint({ dictionary: 'VENDOR Acme 99999\nBEGIN-VENDOR Acme\n' }).problems, 'dictionary:2', /BEGIN-VENDOR Acme is not closed in this file/);
    expectOne(lint({ dictionary: 'VENDOR Acme 1\nVENDOR Beta 2\nBEGIN-VENDOR Acme\nEND-VENDOR Beta\n' }).problems, 'dictionary:4', /closes the block of 'Acme'/);
    expectOne(lint({ dictionary: 'VENDOR Acme 1\nVENDOR Other 1\n' }).problems, 'dictionary:2', /vendor number 1 already declared as 'Acme'/);
  });

  test('includes: missing file, inside a block, twice, and files without a source line', () => {
    expectOne(lint({ dictionary: '$INCLUDE dictionary.gone\n' }).problems, 'dictionary:1', /dictionary\.gone does not exist/);
    const inBlock = lint({ dictionary: `${vendorFile('$INCLUDE dictionary.x\n')}`, 'dictionary.x': SOURCE });
    expectOne(inBlock.problems, 'dictionary:4', /\$INCLUDE inside the block/);
    const twice = lint({ dictionary: '$INCLUDE dictionary.x\n$INCLUDE dictionary.x\n', 'dictionary.x': SOURCE });
    expectOne(twice.problems, 'dictionary:2', /is included more than once/);
    const unsourced = lint({ dictionary: '$INCLUDE dictionary.x\n', 'dictionary.x': 'ATTRIBUTE A 1 string\n' });
    expectOne(unsourced.problems, 'dictionary.x:1', /no '# source:' line/);
  });

  test('non-ASCII text is reported, since the loader reads files as ASCII', () => {
    expectOne(lint({ dictionary: 'ATTRIBUTE A 1 string # caf\u00e9\n' }).problems, 'dictionary:1', /non-ASCII/);
  });

  test('files in the directory that nothing includes are listed', () => {
    const { dir } = lint({ dictionary: '$INCLUDE dictionary.used\n', 'dictionary.used': SOURCE, 'dictionary.orphan': SOURCE });
    const tree = readDictionaryTree(join(dir, 'dictionary'));
    const orphans = filesNotReached(tree, dir);
    assert.equal(orphans.length, 1);
    assert.match(orphans[0] ?? '', /dictionary\.orphan$/);
  });
});
