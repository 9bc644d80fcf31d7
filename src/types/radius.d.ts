// The parts of the `radius` package we use: its dictionary parser and its
// attribute value codec. Its packet-level functions are not used (see
// src/radius/codec.ts for why).
declare module 'radius' {
  interface RadiusModule {
    unload_dictionaries(): void;
    load_dictionary(file: string): void;
    _load_dictionary(content: string): string[];
    attr_name_to_id(name: string, vendor?: number): string | undefined;
    decode_attributes(data: Buffer, hash: Record<string, unknown>, vendor: number, raw?: unknown[]): void;
    encode_attributes(buf: Buffer, attrs: unknown[], vendor: number): number;
    no_secret: boolean;
    secret: unknown;
    authenticator: unknown;
  }
  const radius: RadiusModule;
  export default radius;
}
