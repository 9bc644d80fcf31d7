// The npm `radius` package: the RADIUS implementation independent of ours
// that the dictionary and codec tests compare with. It ships no types; this
// is the part of it those tests use. Its dictionaries are module state, so
// each test file (a process of its own under node --test) loads its own.

import { createRequire } from 'node:module';

export interface DecodedPacket {
  code: string;
  identifier: number;
  attributes: Record<string, unknown>;
}

export interface RadiusPackage {
  unload_dictionaries(): void;
  add_dictionary(path: string): void;
  load_dictionaries(): void;
  load_dictionary(path: string): void;
  attr_name_to_id(name: string, vendorId?: number): string | undefined;
  attr_id_to_name(id: number, vendorId?: number): string | undefined;
  vendor_name_to_id(name: string): string | undefined;
  encode_attributes(packet: Buffer, attributes: unknown[], vendor: number): number;
  decode_attributes(data: Buffer, hash: Record<string, unknown>, vendor: number): void;
  encode(args: { code: string; secret: string; identifier?: number; attributes: unknown[] }): Buffer;
  decode(args: { packet: Buffer; secret: string }): DecodedPacket;
}

export const radius = createRequire(import.meta.url)('radius') as RadiusPackage;

/** The vendor argument of encode_attributes and decode_attributes for attributes outside any Vendor-Specific. */
export const NO_VENDOR = -1;
