// A structural checker for the RADIUS dictionaries, written against the
// subset of the FreeRADIUS format that the npm `radius` package (1.1.x)
// really parses. That loader skips every line it does not recognise and
// never reports anything, so a typo silently loses an attribute; this
// checker makes the same walk and turns each such case into a message of the
// form "file:line: what is wrong".

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

export const ALLOWED_TYPES: ReadonlySet<string> = new Set([
  'string',
  'octets',
  'ipaddr',
  'ipv4prefix',
  'ipv6addr',
  'ipv6prefix',
  'ifid',
  'integer',
  'date',
  'byte',
  'short',
  'signed',
  'integer64',
  'ether',
  'abinary',
  'vsa',
]);

// The loader acts on encrypt=1 and has_tag; encrypt=2 is accepted and ignored.
const ALLOWED_FLAGS: ReadonlySet<string> = new Set(['has_tag', 'encrypt=1', 'encrypt=2']);
const TAGGABLE_TYPES: ReadonlySet<string> = new Set(['string', 'octets', 'integer']);

// Names start with a letter: the loader keys attributes by name and by number
// in one table, and its VALUE pattern would swallow leading digits of an
// attribute name as a vendor number.
const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9._/-]*$/;
const VALUE_NAME = /^[A-Za-z0-9][A-Za-z0-9._/+-]*$/;
const DECIMAL = /^(0|[1-9][0-9]*)$/;
const MAX_VENDOR_ID = 0xffffff; // the first octet of a Vendor-Id is zero
const MAX_UINT32 = 0xffffffff;

/** Attribute space: null for the standard space, else the vendor number. */
export type Space = number | null;

export interface DictVendor {
  name: string;
  id: number;
  where: string;
}
export interface DictAttribute {
  space: Space;
  name: string;
  id: number;
  type: string;
  flags: string[];
  where: string;
}
export interface DictValue {
  space: Space;
  attribute: string;
  name: string;
  value: number;
  where: string;
}

export interface DictionaryTree {
  /** Every file read, in the order the loader reads them. */
  files: string[];
  vendors: DictVendor[];
  attributes: DictAttribute[];
  values: DictValue[];
  /** "file:line: message" for everything the loader would mishandle. */
  problems: string[];
}

interface OpenBlock {
  vendor: DictVendor;
  where: string;
}

function spaceLabel(space: Space, vendors: DictVendor[]): string {
  if (space === null) return 'the standard space';
  const vendor = vendors.find((v) => v.id === space);
  return `vendor ${vendor ? vendor.name : space}`;
}

function parseDecimal(text: string, max: number): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const n = Number(text);
  return n <= max ? n : undefined;
}

/**
 * Reads the dictionary rooted at `topFile` the way the `radius` package does
 * (a file's own lines first, then its $INCLUDE lines in order) and checks it.
 */
export function readDictionaryTree(topFile: string): DictionaryTree {
  const tree: DictionaryTree = { files: [], vendors: [], attributes: [], values: [], problems: [] };
  const at = (file: string, line: number): string => `${relative(process.cwd(), file)}:${line}`;
  const problem = (where: string, message: string): void => {
    tree.problems.push(`${where}: ${message}`);
  };

  const attrByName = new Map<string, DictAttribute>();
  const attrById = new Map<string, DictAttribute>();
  const key = (space: Space, part: string | number): string => `${space ?? 'std'}/${part}`;

  const visit = (file: string, includedFrom: string | null): void => {
    if (tree.files.includes(file)) {
      problem(includedFrom ?? at(file, 0), `${relative(process.cwd(), file)} is included more than once`);
      return;
    }
    tree.files.push(file);
    const raw = readFileSync(file);
    const lines = raw.toString('latin1').split('\n');
    const includes: Array<{ path: string; where: string }> = [];
    const state: { block: OpenBlock | null; hasSource: boolean } = { block: null, hasSource: false };

    lines.forEach((original, index) => {
      const where = at(file, index + 1);
      if (/[^\p{ASCII}]/u.test(original)) problem(where, 'non-ASCII character (the loader reads files as ASCII)');
      if (/^#\s*source:\s*\S/.test(original)) state.hasSource = true;
      const text = original.replace(/#.*/, '').trim();
      if (text === '') return;
      const tokens = text.split(/\s+/);
      const keyword = tokens[0] ?? '';
      const block = state.block;
      const space: Space = block ? block.vendor.id : null;

      switch (keyword) {
        case 'VENDOR': {
          if (tokens.length !== 3) {
            problem(where, 'expected "VENDOR name number" (format= and other options are not understood by the loader)');
            return;
          }
          const [, name = '', num = ''] = tokens;
          const id = parseDecimal(num, MAX_VENDOR_ID);
          if (!ATTRIBUTE_NAME.test(name)) problem(where, `vendor name '${name}' must start with a letter`);
          if (id === undefined || id === 0) {
            problem(where, `vendor number '${num}' is not a decimal between 1 and ${MAX_VENDOR_ID}`);
            return;
          }
          if (block) problem(where, 'VENDOR inside a BEGIN-VENDOR block');
          const byName = tree.vendors.find((v) => v.name === name);
          const byId = tree.vendors.find((v) => v.id === id);
          if (byName) problem(where, `vendor '${name}' already declared at ${byName.where}`);
          else if (byId) problem(where, `vendor number ${id} already declared as '${byId.name}' at ${byId.where}`);
          else tree.vendors.push({ name, id, where });
          return;
        }
        case 'BEGIN-VENDOR': {
          if (tokens.length !== 2) {
            problem(where, 'expected "BEGIN-VENDOR name" (format= is not understood by the loader)');
            return;
          }
          const name = tokens[1] ?? '';
          if (block) {
            problem(where, `BEGIN-VENDOR ${name} inside the block opened at ${block.where}`);
            return;
          }
          const vendor = tree.vendors.find((v) => v.name === name);
          if (!vendor) {
            problem(where, `BEGIN-VENDOR names vendor '${name}', which no earlier VENDOR line declares`);
            return;
          }
          state.block = { vendor, where };
          return;
        }
        case 'END-VENDOR': {
          const name = tokens[1] ?? '';
          if (tokens.length !== 2) problem(where, 'expected "END-VENDOR name"');
          if (!block) problem(where, `END-VENDOR ${name} without BEGIN-VENDOR`);
          else if (block.vendor.name !== name) problem(where, `END-VENDOR ${name} closes the block of '${block.vendor.name}' opened at ${block.where}`);
          state.block = null;
          return;
        }
        case 'ATTRIBUTE': {
          if (tokens.length !== 4 && tokens.length !== 5) {
            problem(where, 'expected "ATTRIBUTE name number type [flags]"');
            return;
          }
          const [, name = '', num = '', type = '', flagText] = tokens;
          const id = parseDecimal(num, 255);
          if (!ATTRIBUTE_NAME.test(name)) problem(where, `attribute name '${name}' must start with a letter and use only letters, digits and . _ / -`);
          if (id === undefined || id === 0) {
            problem(where, `attribute number '${num}' must be a plain decimal between 1 and 255 (no hex, no dotted TLV numbers)`);
            return;
          }
          if (!ALLOWED_TYPES.has(type)) problem(where, `type '${type}' is not one of: ${[...ALLOWED_TYPES].join(', ')}`);
          if (type === 'vsa' && (space !== null || id !== 26 || name !== 'Vendor-Specific')) {
            problem(where, "type vsa is only for the standard attribute 26 named 'Vendor-Specific' (the loader matches that name)");
          }
          const flags = flagText === undefined ? [] : flagText.split(',');
          for (const flag of flags) {
            if (!ALLOWED_FLAGS.has(flag)) problem(where, `flag '${flag}' is not one of: ${[...ALLOWED_FLAGS].join(', ')}`);
          }
          if (flags.includes('has_tag') && !TAGGABLE_TYPES.has(type)) problem(where, `has_tag on type ${type}; only string, octets and integer can carry a tag`);
          if (flags.some((f) => f.startsWith('encrypt=')) && type !== 'string' && type !== 'octets') {
            problem(where, `${flags.find((f) => f.startsWith('encrypt='))} on type ${type}; only string and octets values can be hidden`);
          }
          const attribute: DictAttribute = { space, name, id, type, flags, where };
          const sameName = attrByName.get(key(space, name));
          const sameId = attrById.get(key(space, id));
          if (sameName) problem(where, `attribute '${name}' already defined in ${spaceLabel(space, tree.vendors)} at ${sameName.where}`);
          if (sameId) problem(where, `number ${id} already used in ${spaceLabel(space, tree.vendors)} by '${sameId.name}' at ${sameId.where}`);
          if (!sameName && !sameId) {
            attrByName.set(key(space, name), attribute);
            attrById.set(key(space, id), attribute);
            tree.attributes.push(attribute);
          }
          return;
        }
        case 'VALUE': {
          if (tokens.length !== 4) {
            problem(where, 'expected "VALUE attribute name number"');
            return;
          }
          const [, attribute = '', name = '', num = ''] = tokens;
          const value = parseDecimal(num, MAX_UINT32);
          if (!VALUE_NAME.test(name)) problem(where, `value name '${name}' uses characters other than letters, digits and . _ / + -`);
          if (value === undefined) {
            problem(where, `value '${num}' is not a decimal between 0 and ${MAX_UINT32}`);
            return;
          }
          tree.values.push({ space, attribute, name, value, where });
          return;
        }
        case '$INCLUDE': {
          if (tokens.length !== 2) {
            problem(where, 'expected "$INCLUDE file"');
            return;
          }
          if (block) problem(where, `$INCLUDE inside the block opened at ${block.where}; the loader reads includes only after the whole file`);
          const target = join(dirname(file), tokens[1] ?? '');
          if (!existsSync(target)) problem(where, `included file ${relative(process.cwd(), target)} does not exist`);
          else includes.push({ path: target, where });
          return;
        }
        default:
          problem(where, `unknown keyword '${keyword}' (the loader understands VENDOR, BEGIN-VENDOR, END-VENDOR, ATTRIBUTE, VALUE, $INCLUDE)`);
      }
    });

    if (state.block) problem(state.block.where, `BEGIN-VENDOR ${state.block.vendor.name} is not closed in this file`);
    if (includedFrom !== null && !state.hasSource) problem(at(file, 1), "no '# source:' line naming the document the numbers were checked against");
    for (const include of includes) visit(include.path, include.where);
  };

  visit(topFile, null);
  checkValues(tree, attrByName, key);
  return tree;
}

function checkValues(tree: DictionaryTree, attrByName: Map<string, DictAttribute>, key: (space: Space, part: string | number) => string): void {
  const seenName = new Map<string, DictValue>();
  const seenNumber = new Map<string, DictValue>();
  for (const value of tree.values) {
    const attribute = attrByName.get(key(value.space, value.attribute));
    if (!attribute) {
      tree.problems.push(`${value.where}: VALUE for '${value.attribute}', which is not defined in ${spaceLabel(value.space, tree.vendors)}`);
      continue;
    }
    if (attribute.type !== 'integer') {
      tree.problems.push(`${value.where}: VALUE for '${value.attribute}' of type ${attribute.type}; the loader maps names only for integer`);
    }
    const nameKey = `${key(value.space, value.attribute)}=${value.name}`;
    const numberKey = `${key(value.space, value.attribute)}#${value.value}`;
    const sameName = seenName.get(nameKey);
    const sameNumber = seenNumber.get(numberKey);
    if (sameName) tree.problems.push(`${value.where}: ${value.attribute} value '${value.name}' already defined at ${sameName.where}`);
    else seenName.set(nameKey, value);
    if (sameNumber) tree.problems.push(`${value.where}: ${value.attribute} value ${value.value} already named '${sameNumber.name}' at ${sameNumber.where}`);
    else seenNumber.set(numberKey, value);
  }
}

/** Files in `dir` that the tree never reads: dead weight or a missing $INCLUDE. */
export function filesNotReached(tree: DictionaryTree, dir: string): string[] {
  const read = new Set(tree.files);
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
    .map((entry) => join(dir, entry.name))
    .filter((file) => !read.has(file))
    .map((file) => relative(process.cwd(), file));
}
