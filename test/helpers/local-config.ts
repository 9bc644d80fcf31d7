// The part of a test's config most tests share: a SQLite store and a users
// file in the test's directory, the realm `default` and any others over it.

import { join } from 'node:path';

/** `store`, `resolvers` and `realms` for files in `dir` (users.yaml, tokens.db, tokens.key); ends with a line break. */
export function localConfigYaml(dir: string, otherRealms: readonly string[] = []): string {
  const lines = [
    'store:',
    `  sqlite: { path: ${join(dir, 'tokens.db')} }`,
    `  keyFile: ${join(dir, 'tokens.key')}`,
    'resolvers:',
    `  local: { type: file, path: ${join(dir, 'users.yaml')} }`,
    'realms:',
    '  default: { resolvers: [local], default: true }',
    ...otherRealms.map((realm) => `  ${realm}: { resolvers: [local] }`),
  ];
  return `${lines.join('\n')}\n`;
}
