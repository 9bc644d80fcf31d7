// The fuzz targets by name: `npm run fuzz -- --list` prints this table.

export interface TargetInfo {
  name: string;
  /** Module path relative to this file. */
  module: string;
  about: string;
}

export const TARGETS: readonly TargetInfo[] = [
  { name: 'radius-request', module: './targets/radius-request.ts', about: 'datagrams into RadiusServer: client table, framing, authenticity, password, duplicate cache, signed answers' },
  { name: 'radius-codec', module: './targets/radius-codec.ts', about: 'dictionary-driven attribute codec: decodeAttributes and encodeAttribute round trips' },
  { name: 'users-file', module: './targets/users-file.ts', about: 'users file parser (parseUsersFile)' },
  { name: 'pskc', module: './targets/pskc.ts', about: 'RFC 6030 PSKC importer, plain and encrypted (parsePskc)' },
  { name: 'oath-csv', module: './targets/oath-csv.ts', about: 'OATH CSV importer and its export line round trip (parseOathCsv)' },
  { name: 'config', module: './targets/config.ts', about: 'config loader (parseConfig): file:line:key problems or a config' },
];

export function findTarget(name: string): TargetInfo | undefined {
  return TARGETS.find((t) => t.name === name);
}
