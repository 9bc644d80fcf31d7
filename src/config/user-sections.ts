// Config sections `resolvers` (where users live) and `realms` (named groups
// of resolvers). LDAP and SQL resolver types slot into resolverEntry.

import type { Node } from 'yaml';
import { resolvePath } from './secret.ts';
import { bool, INVALID, nodeAt, object, oneOf, optional, record, str, stringOrList, withDefault, type Check } from './schema.ts';

export interface FileResolverConfig {
  type: 'file';
  path: string;
  caseInsensitive: boolean;
}

export type ResolverConfig = FileResolverConfig;

export interface RealmConfig {
  resolvers: string[];
  default: boolean;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const fileResolver = object({
  type: oneOf(['file'] as const),
  path: str({ nonEmpty: true }),
  caseInsensitive: withDefault(bool(), false),
});

const resolverEntry: Check<ResolverConfig> = (node, ctx, path) => {
  const type = nodeAt(node, ['type']);
  const kind = oneOf(['file'] as const)(type, ctx, `${path}.type`);
  if (kind === INVALID) return INVALID;
  const v = fileResolver(node, ctx, path);
  if (v === INVALID) return INVALID;
  return { type: 'file', path: resolvePath(ctx, v.path), caseInsensitive: v.caseInsensitive };
};

const realmEntry = object({
  resolvers: stringOrList({ nonEmpty: true }),
  default: withDefault(bool(), false),
});

export const userSections = {
  resolvers: optional(record(resolverEntry, { namePattern: NAME })),
  realms: optional(record(realmEntry, { namePattern: NAME })),
};

/** Cross-section checks: realms name existing resolvers, at most one default. */
export function checkRealms(
  resolvers: Record<string, ResolverConfig> | undefined,
  realms: Record<string, RealmConfig> | undefined,
  root: Node | undefined,
  error: (node: Node | undefined, path: string, message: string) => void,
): void {
  if (!realms) return;
  const defaults: string[] = [];
  for (const [name, realm] of Object.entries(realms)) {
    realm.resolvers.forEach((r, i) => {
      if (!resolvers || !(r in resolvers)) {
        const known = resolvers ? Object.keys(resolvers).join(', ') : 'none configured';
        error(nodeAt(root, ['realms', name, 'resolvers', i]) ?? nodeAt(root, ['realms', name, 'resolvers']), `realms.${name}.resolvers`, `unknown resolver "${r}" (resolvers: ${known})`);
      }
    });
    if (realm.default) defaults.push(name);
  }
  if (defaults.length > 1) error(nodeAt(root, ['realms', defaults[1]!, 'default']), `realms.${defaults[1]}.default`, `only one realm can be the default; ${defaults[0]} already is`);
}
