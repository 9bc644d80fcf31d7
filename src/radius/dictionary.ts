// A loaded RADIUS dictionary: attributes by name (any case) and by
// (vendor, number), vendors, and the VALUE names of integer attributes. It is
// read-only once built; dictionary-reader.ts builds it from the files.

/** The value types the codec knows, as FreeRADIUS names them (`time` is RFC 8044's name for `date`). */
export const ATTRIBUTE_TYPES = [
  'string',
  'octets',
  'ipaddr',
  'ipv4prefix',
  'ipv6addr',
  'ipv6prefix',
  'ifid',
  'combo-ip',
  'integer',
  'byte',
  'short',
  'signed',
  'integer64',
  'date',
  'time',
  'ether',
  'abinary',
  'vsa',
] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

/** Types whose values may be given VALUE names. */
export const NAMED_VALUE_TYPES: ReadonlySet<AttributeType> = new Set(['integer', 'byte', 'short', 'signed']);

/** The whole numbers an integer type holds; a tagged integer gives its top octet to the tag. */
export function integerRange(def: Pick<AttributeDef, 'type' | 'hasTag'>): { min: bigint; max: bigint } | undefined {
  switch (def.type) {
    case 'byte':
      return { min: 0n, max: 0xffn };
    case 'short':
      return { min: 0n, max: 0xffffn };
    case 'integer':
      return { min: 0n, max: def.hasTag ? 0xffffffn : 0xffffffffn };
    case 'signed':
      return { min: -0x80000000n, max: 0x7fffffffn };
    case 'integer64':
      return { min: 0n, max: 0xffffffffffffffffn };
    default:
      return undefined;
  }
}

export interface VendorDef {
  name: string;
  /** The IANA private enterprise number. */
  id: number;
}

export interface AttributeDef {
  name: string;
  id: number;
  type: AttributeType;
  /** Vendor number for a VSA, undefined for a standard attribute. */
  vendorId?: number;
  vendorName?: string;
  /** RFC 2868 tag: one octet before the value (integers give up their top octet for it). */
  hasTag: boolean;
  /** Hidden with the shared secret and an authenticator (encrypt=1, 2 or 3); the codec does not handle these values. */
  encrypted: boolean;
  /** file:line of the definition, for messages. */
  where: string;
}

/** The VALUE names of one attribute. */
export interface NamedValues {
  /** Lower-cased name -> number. */
  readonly numbers: ReadonlyMap<string, number>;
  /** Number -> the first name given to it. */
  readonly names: ReadonlyMap<number, string>;
}

/** The parts dictionary-reader.ts fills in. */
export interface DictionaryTables {
  vendors: VendorDef[];
  attributes: AttributeDef[];
  values: Map<AttributeDef, NamedValues>;
  files: string[];
}

function codeKey(vendorId: number | undefined, id: number): number {
  // Vendor numbers are below 2^24 and attribute numbers below 2^8: the pair fits one safe integer.
  return (vendorId ?? 0) * 256 + id;
}

export class Dictionary {
  readonly #byName = new Map<string, AttributeDef>();
  readonly #byCode = new Map<number, AttributeDef>();
  readonly #vendorsByName = new Map<string, VendorDef>();
  readonly #vendorsById = new Map<number, VendorDef>();
  readonly #values: ReadonlyMap<AttributeDef, NamedValues>;
  /** Every file read, in order. */
  readonly files: readonly string[];

  constructor(tables: DictionaryTables) {
    for (const v of tables.vendors) {
      this.#vendorsByName.set(v.name.toLowerCase(), v);
      this.#vendorsById.set(v.id, v);
    }
    for (const a of tables.attributes) {
      this.#byName.set(a.name.toLowerCase(), a);
      this.#byCode.set(codeKey(a.vendorId, a.id), a);
    }
    this.#values = tables.values;
    this.files = tables.files;
  }

  /** By name, in any case (admins write `class` as often as `Class`). */
  attribute(name: string): AttributeDef | undefined {
    return this.#byName.get(name.toLowerCase());
  }

  /** By number; `vendorId` undefined for the standard space. */
  attributeByCode(vendorId: number | undefined, id: number): AttributeDef | undefined {
    return this.#byCode.get(codeKey(vendorId, id));
  }

  vendor(nameOrId: string | number): VendorDef | undefined {
    return typeof nameOrId === 'number' ? this.#vendorsById.get(nameOrId) : this.#vendorsByName.get(nameOrId.toLowerCase());
  }

  /** The VALUE names of an attribute, if it has any. */
  namedValues(def: AttributeDef): NamedValues | undefined {
    return this.#values.get(def);
  }

  attributes(): IterableIterator<AttributeDef> {
    return this.#byName.values();
  }

  vendors(): IterableIterator<VendorDef> {
    return this.#vendorsById.values();
  }
}
