// The users layer as the rest of the server sees it: the resolver contract,
// the resolver factory, realms and password-hash helpers.

import { FileResolver, type FileResolverOptions } from './file-resolver.ts';
import { LdapResolver } from './ldap-resolver.ts';
import type { LdapResolverOptions } from './ldap-options.ts';
import { SqlResolver } from './sql-resolver.ts';
import type { SqlResolverOptions } from './sql-options.ts';
import { ResolverConfigError, type ResolverRuntime, type UserResolver } from './types.ts';

export { AmbiguousUserError, ResolverConfigError, ResolverUnavailableError } from './types.ts';
export type { ResolverRuntime, User, UserResolver } from './types.ts';
export { FileResolver } from './file-resolver.ts';
export type { FileResolverOptions } from './file-resolver.ts';
export { LdapResolver } from './ldap-resolver.ts';
export { LDAP_DEFAULTS } from './ldap-options.ts';
export type { LdapAttributeMap, LdapResolverOptions, LdapScope } from './ldap-options.ts';
export { SqlResolver } from './sql-resolver.ts';
export { SQL_DEFAULTS } from './sql-options.ts';
export type { SqlColumns, SqlResolverOptions } from './sql-options.ts';
export { LookupCache } from './cache.ts';
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

/** Options of one resolver, as the config loader gives them. */
export type ResolverOptions = ({ type: 'file' } & FileResolverOptions) | ({ type: 'ldap' } & LdapResolverOptions) | ({ type: 'sql' } & SqlResolverOptions);

/**
 * Builds and opens the resolver `name`: a file resolver reads its file, an
 * sql resolver opens its database (SQLite) or checks its table when the
 * server answers (PostgreSQL); an ldap resolver connects on first use, so a
 * directory that is down at start-up does not stop the server. Throws
 * ResolverConfigError when it cannot be used. `runtime.logger` receives
 * server failures (one error per failing server, not per request).
 */
export async function createResolver(name: string, options: ResolverOptions, runtime: ResolverRuntime = {}): Promise<UserResolver> {
  switch (options.type) {
    case 'file':
      return FileResolver.open(name, options, runtime.logger);
    case 'ldap':
      return new LdapResolver(name, options, runtime);
    case 'sql':
      return SqlResolver.open(name, options, runtime);
    default: {
      const type: unknown = (options as { type?: unknown }).type;
      throw new ResolverConfigError([`resolver "${name}": unknown type ${JSON.stringify(type)} (expected file, ldap or sql)`], ['resolvers', name, 'type']);
    }
  }
}
