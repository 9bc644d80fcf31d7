// The users layer as the rest of the server sees it: the resolver contract,
// the resolver factory, realms and password-hash helpers.

import { FileResolver, type FileResolverOptions } from './file-resolver.ts';
import { ResolverConfigError, type UserResolver } from './types.ts';

export { AmbiguousUserError, ResolverConfigError, ResolverUnavailableError } from './types.ts';
export type { User, UserResolver } from './types.ts';
export { FileResolver } from './file-resolver.ts';
export type { FileResolverOptions } from './file-resolver.ts';
export { parseUsersFile } from './users-file.ts';
export type { FileUserEntry, UsersFileOptions } from './users-file.ts';
export { Realms, UnknownRealmError } from './realms.ts';
export type { Realm, RealmOptions } from './realms.ts';
export {
  checkPasswordHash,
  hashPasswordForFile,
  identifyHash,
  UnsupportedHashError,
  verifyPasswordHash,
} from './password-hash.ts';
export type { HashScheme } from './password-hash.ts';

/** Options of one resolver, already validated by the config loader (ldap and sql join this union later). */
export type ResolverOptions = { type: 'file' } & FileResolverOptions;

/**
 * Builds and opens the resolver `name` (a file resolver reads its file now).
 * Throws ResolverConfigError when it cannot be used.
 */
export async function createResolver(name: string, options: ResolverOptions): Promise<UserResolver> {
  switch (options.type) {
    case 'file':
      return FileResolver.open(name, options);
    default: {
      const type: unknown = (options as { type?: unknown }).type;
      throw new ResolverConfigError([`resolver "${name}": unknown type ${JSON.stringify(type)} (expected file)`], ['resolvers', name, 'type']);
    }
  }
}
