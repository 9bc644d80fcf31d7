// Reads dictionary files in the FreeRADIUS format: VENDOR, BEGIN-VENDOR /
// END-VENDOR, ATTRIBUTE name number type [flags], VALUE, $INCLUDE (relative
// to the including file) and # comments. Every mistake is collected as
// "file:line: what is wrong" and reported together, so one start-up shows
// all of them; nothing is skipped silently.

import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { ATTRIBUTE_TYPES, Dictionary, integerRange, NAMED_VALUE_TYPES, type AttributeDef, type AttributeType, type NamedValues, type VendorDef } from './dictionary.ts';

export class DictionaryError extends Error {
  /** One "file:line: message" per problem. */
  readonly problems: readonly string[];

  constructor(problems: string[]) {
    super(problems.length === 1 ? problems[0] : `${problems.length} problems in the RADIUS dictionaries:\n${problems.join('\n')}`);
    this.name = 'DictionaryError';
    this.problems = problems;
  }
}

const KEYWORDS = ['VENDOR', 'BEGIN-VENDOR', 'END-VENDOR', 'ATTRIBUTE', 'VALUE', '$INCLUDE', '$INCLUDE-'];
const NAME = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;
const NUMBER = /^(?:[0-9]+|0x[0-9a-f]+)$/i;
const MAX_VENDOR_ID = 0xffffff;
const FLAGS = ['has_tag', 'encrypt=1', 'encrypt=2', 'encrypt=3'];
const TAGGABLE: ReadonlySet<string> = new Set(['string', 'octets', 'integer']);
const ENCRYPTABLE: ReadonlySet<string> = new Set(['string', 'octets']);
const TYPES: ReadonlySet<string> = new Set(ATTRIBUTE_TYPES);

function parseNumber(text: string): number | undefined {
  return NUMBER.test(text) ? Number(text) : undefined;
}

/** A path as short as it stays unambiguous: relative to the working directory when under it. */
function shown(path: string): string {
  const r = relative(process.cwd(), path);
  return r !== '' && !r.startsWith('..') && !isAbsolute(r) ? r : path;
}

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return (e as Error).message;
}

function spaceOf(vendor: VendorDef | undefined): string {
  return vendor ? `vendor ${vendor.name}` : 'the standard space';
}

interface PendingValue {
  attribute: string;
  name: string;
  number: string;
  where: string;
}
interface Block {
  vendor: VendorDef;
  where: string;
}

class Reader {
  readonly problems: string[] = [];
  readonly files: string[] = [];
  readonly #read = new Set<string>();
  readonly #vendors = new Map<string, VendorDef & { where: string }>();
  readonly #vendorIds = new Map<number, VendorDef & { where: string }>();
  readonly #attributes = new Map<string, AttributeDef>();
  readonly #codes = new Map<string, AttributeDef>();
  readonly #pending: PendingValue[] = [];

  problem(where: string, message: string): void {
    this.problems.push(`${where}: ${message}`);
  }

  /** Reads one file, following its $INCLUDEs where they stand. */
  readFile(path: string, includedAt: string | undefined, stack: readonly string[]): void {
    let real: string;
    let text: string;
    try {
      real = realpathSync(path);
      if (stack.includes(real)) {
        const loop = [...stack.slice(stack.indexOf(real)), real].map(shown).join(' -> ');
        this.problem(includedAt ?? shown(path), `$INCLUDE loop: ${loop}`);
        return;
      }
      if (this.#read.has(real)) return;
      text = readFileSync(real, 'utf8');
    } catch (e) {
      if (includedAt) this.problem(includedAt, `cannot read ${shown(path)}: ${reason(e)}`);
      else this.problem(shown(path), `cannot read the dictionary file: ${reason(e)}`);
      return;
    }
    this.#read.add(real);
    this.files.push(real);
    const state: { block: Block | undefined } = { block: undefined };
    const inner = [...stack, real];
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const words = lines[i]!.replace(/#.*/, '').trim().split(/\s+/);
      if (words[0] === '') continue;
      this.#line(words, `${shown(real)}:${i + 1}`, real, state, inner);
    }
    if (state.block) this.problem(state.block.where, `BEGIN-VENDOR ${state.block.vendor.name} is not closed by END-VENDOR in this file`);
  }

  #line(words: string[], where: string, file: string, state: { block: Block | undefined }, stack: readonly string[]): void {
    const [keyword = '', a = '', b = '', c = ''] = words;
    switch (keyword) {
      case 'VENDOR':
        if (words.length < 3 || words.length > 4) return this.problem(where, 'expected "VENDOR name number"');
        if (!this.#format(words[3], where)) return;
        return this.#vendor(a, b, where);
      case 'BEGIN-VENDOR': {
        if (words.length < 2 || words.length > 3) return this.problem(where, 'expected "BEGIN-VENDOR name"');
        if (!this.#format(words[2], where)) return;
        if (state.block) return this.problem(where, `BEGIN-VENDOR ${a} inside the block of ${state.block.vendor.name} opened at ${state.block.where}`);
        const vendor = this.#vendors.get(a.toLowerCase());
        if (!vendor) return this.problem(where, `BEGIN-VENDOR ${a}: no VENDOR line before it declares ${a}`);
        state.block = { vendor, where };
        return;
      }
      case 'END-VENDOR':
        if (words.length !== 2) return this.problem(where, 'expected "END-VENDOR name"');
        if (!state.block) return this.problem(where, `END-VENDOR ${a} without BEGIN-VENDOR`);
        if (state.block.vendor.name.toLowerCase() !== a.toLowerCase()) {
          this.problem(where, `END-VENDOR ${a} closes the block of ${state.block.vendor.name} opened at ${state.block.where}`);
        }
        state.block = undefined;
        return;
      case 'ATTRIBUTE':
        if (words.length < 4 || words.length > 5) return this.problem(where, 'expected "ATTRIBUTE name number type [flags]"');
        return this.#attribute(a, b, c, words[4], state.block?.vendor, where);
      case 'VALUE':
        if (words.length !== 4) return this.problem(where, 'expected "VALUE attribute name number"');
        if (NUMBER.test(b)) return this.problem(where, `VALUE name "${b}" is a number; give the name first, then the number`);
        this.#pending.push({ attribute: a, name: b, number: c, where });
        return;
      case '$INCLUDE':
      case '$INCLUDE-': {
        if (words.length !== 2) return this.problem(where, `expected "${keyword} file"`);
        const target = resolve(dirname(file), a);
        // "$INCLUDE-" is FreeRADIUS's include-if-present, for optional site files.
        if (keyword === '$INCLUDE-' && !existsSync(target)) return;
        this.readFile(target, where, stack);
        return;
      }
      default:
        this.problem(where, `unknown keyword "${keyword}" (known: ${KEYWORDS.join(', ')})`);
    }
  }

  /** Only the common vendor format (one-octet type and length) is read. */
  #format(option: string | undefined, where: string): boolean {
    if (option === undefined || option === 'format=1,1') return true;
    this.problem(where, `"${option}" is not supported: only vendors with one-octet type and length (format=1,1)`);
    return false;
  }

  #vendor(name: string, num: string, where: string): void {
    const id = parseNumber(num);
    if (!NAME.test(name)) return this.problem(where, `vendor name "${name}" must be letters, digits and . _ / -`);
    if (id === undefined || id < 1 || id > MAX_VENDOR_ID) return this.problem(where, `vendor number "${num}" must be 1..${MAX_VENDOR_ID}`);
    const sameName = this.#vendors.get(name.toLowerCase());
    if (sameName) {
      if (sameName.id !== id) this.problem(where, `vendor ${name} is already number ${sameName.id} (at ${sameName.where})`);
      return;
    }
    const sameId = this.#vendorIds.get(id);
    if (sameId) return this.problem(where, `vendor number ${id} is already ${sameId.name} (at ${sameId.where})`);
    const vendor = { name, id, where };
    this.#vendors.set(name.toLowerCase(), vendor);
    this.#vendorIds.set(id, vendor);
  }

  #attribute(name: string, num: string, typeText: string, extra: string | undefined, block: VendorDef | undefined, where: string): void {
    if (!NAME.test(name) || NUMBER.test(name)) return this.problem(where, `attribute name "${name}" must be letters, digits and . _ / - (and not a number)`);
    if (num.includes('.')) return this.problem(where, `attribute number "${num}": TLV and extended attributes (dotted numbers) are not supported`);
    const id = parseNumber(num);
    if (id === undefined || id < 1 || id > 255) return this.problem(where, `attribute number "${num}" must be 1..255`);
    const type = typeText.toLowerCase();
    if (!TYPES.has(type)) return this.problem(where, `unknown type "${typeText}" (known: ${ATTRIBUTE_TYPES.join(', ')})`);
    let vendor = block;
    let flags: string[] = [];
    // The older form names the vendor as a fifth word instead of using a block.
    const oldVendor = extra !== undefined && !block ? this.#vendors.get(extra.toLowerCase()) : undefined;
    if (oldVendor) vendor = oldVendor;
    else if (extra !== undefined) flags = extra.split(',');
    let ok = true;
    for (const flag of flags) {
      if (!FLAGS.includes(flag)) {
        this.problem(where, `unknown flag "${flag}" (known: ${FLAGS.join(', ')})`);
        ok = false;
      }
    }
    const hasTag = flags.includes('has_tag');
    const encrypted = flags.some((f) => f.startsWith('encrypt='));
    if (hasTag && !TAGGABLE.has(type)) {
      this.problem(where, `has_tag on type ${type}: only string, octets and integer carry a tag`);
      ok = false;
    }
    if (encrypted && !ENCRYPTABLE.has(type)) {
      this.problem(where, `encryption on type ${type}: only string and octets values can be hidden`);
      ok = false;
    }
    if (type === 'vsa' && (vendor || id !== 26)) {
      this.problem(where, 'type vsa belongs to Vendor-Specific, the standard attribute 26');
      ok = false;
    }
    if (!ok) return;
    const def: AttributeDef = {
      name,
      id,
      type: type as AttributeType,
      ...(vendor ? { vendorId: vendor.id, vendorName: vendor.name } : {}),
      hasTag,
      encrypted,
      where,
    };
    this.#addAttribute(def, vendor);
  }

  #addAttribute(def: AttributeDef, vendor: VendorDef | undefined): void {
    const sameName = this.#attributes.get(def.name.toLowerCase());
    if (sameName) {
      const same = sameName.vendorId === def.vendorId && sameName.id === def.id && sameName.type === def.type && sameName.hasTag === def.hasTag && sameName.encrypted === def.encrypted;
      // A file may repeat a definition word for word; only a different one is a conflict.
      if (!same) this.problem(def.where, `attribute ${def.name} is already defined differently at ${sameName.where}`);
      return;
    }
    const code = `${def.vendorId ?? 0}/${def.id}`;
    const sameCode = this.#codes.get(code);
    if (sameCode) return this.problem(def.where, `number ${def.id} in ${spaceOf(vendor)} is already ${sameCode.name} (at ${sameCode.where})`);
    this.#attributes.set(def.name.toLowerCase(), def);
    this.#codes.set(code, def);
  }

  /** VALUE lines may come before their ATTRIBUTE, so they are resolved once every file is read. */
  #values(): Map<AttributeDef, NamedValues> {
    const out = new Map<AttributeDef, { numbers: Map<string, number>; names: Map<number, string> }>();
    const firstAt = new Map<string, string>();
    for (const v of this.#pending) {
      const def = this.#attributes.get(v.attribute.toLowerCase());
      if (!def) {
        this.problem(v.where, `VALUE for ${v.attribute}, which no ATTRIBUTE defines`);
        continue;
      }
      const range = integerRange(def);
      if (!range || !NAMED_VALUE_TYPES.has(def.type)) {
        this.problem(v.where, `VALUE for ${def.name} of type ${def.type}: only integer, byte, short and signed values have names`);
        continue;
      }
      const n = parseNumber(v.number);
      if (n === undefined || BigInt(n) < range.min || BigInt(n) > range.max) {
        this.problem(v.where, `VALUE ${v.name} of ${def.name}: number "${v.number}" must be 0..${range.max}`);
        continue;
      }
      let named = out.get(def);
      if (!named) {
        named = { numbers: new Map(), names: new Map() };
        out.set(def, named);
      }
      const key = v.name.toLowerCase();
      const earlier = named.numbers.get(key);
      if (earlier !== undefined) {
        if (earlier !== n) this.problem(v.where, `VALUE ${v.name} of ${def.name} is already ${earlier} (at ${firstAt.get(`${def.name}/${key}`)})`);
        continue;
      }
      named.numbers.set(key, n);
      firstAt.set(`${def.name}/${key}`, v.where);
      // A second name for a number is an alias: it encodes, and the first name is what decoding shows.
      if (!named.names.has(n)) named.names.set(n, v.name);
    }
    return out;
  }

  dictionary(): Dictionary {
    const values = this.#values();
    if (this.problems.length > 0) throw new DictionaryError(this.problems);
    return new Dictionary({
      vendors: [...this.#vendorIds.values()].map(({ name, id }) => ({ name, id })),
      attributes: [...this.#attributes.values()],
      values,
      files: this.files,
    });
  }
}

/**
 * Reads the dictionary whose top file is `file` (with everything it
 * includes). Throws a DictionaryError listing every problem with its file
 * and line.
 */
export function readDictionary(file: string): Dictionary {
  const reader = new Reader();
  reader.readFile(resolve(file), undefined, []);
  return reader.dictionary();
}
