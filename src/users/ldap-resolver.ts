// The `ldap` resolver: users from OpenLDAP, Active Directory or any LDAPv3
// directory. Lookups run on pooled service-bound connections; password
// checks bind as the user on a fresh connection of their own, so a user's
// bind never changes what the pooled connections may read. The login only
// ever reaches the server inside an EqualityFilter (encoded as a value, not
// as filter text), so `*)(uid=*` is a login like any other and finds nobody.

import type { Logger } from 'pino';
import { AndFilter, EqualityFilter, OrFilter, SubstringFilter, type Client, type Entry, type Filter } from 'ldapts';
import { LookupCache } from './cache.ts';
import { isServerAnswer, resultCode } from './ldap-connection.ts';
import { binaryAttributes, entryToUser, firstRdnValue, groupsFromEntry, guidToBytes, isUnderBase, requestedAttributes, UUID, values } from './ldap-entry.ts';
import { ldapSettings, type LdapResolverOptions, type LdapSettings } from './ldap-options.ts';
import { describeLdapError, LdapPool } from './ldap-pool.ts';
import { ResolverUnavailableError, type ResolverRuntime, type User, type UserResolver } from './types.ts';

/** Logins longer than this are not looked up (no directory has them; User-Name is at most 253 bytes). */
export const MAX_LOGIN_LENGTH = 256;

const NO_SUCH_OBJECT = 32;
const INVALID_CREDENTIALS = 49;

export class LdapResolver implements UserResolver {
  readonly type = 'ldap';
  readonly name: string;
  readonly #settings: LdapSettings;
  readonly #pool: LdapPool;
  readonly #byLogin: LookupCache;
  readonly #byId: LookupCache;
  readonly #logger: Logger | undefined;
  readonly #now: () => number;
  #closed = false;

  /** Checks the options (ResolverConfigError); opens no connection until the first lookup. */
  constructor(name: string, options: LdapResolverOptions, runtime: ResolverRuntime = {}) {
    this.name = name;
    this.#settings = ldapSettings(name, options);
    this.#logger = runtime.logger;
    this.#now = runtime.now ?? Date.now;
    const s = this.#settings;
    this.#pool = new LdapPool({
      resolver: name,
      uris: s.uris,
      bind: s.bind,
      poolSize: s.poolSize,
      logger: runtime.logger,
      now: this.#now,
      startTls: s.startTls,
      ca: s.ca,
      tlsVerify: s.tlsVerify,
      timeoutMs: s.timeoutMs,
      connectTimeoutMs: s.connectTimeoutMs,
    });
    this.#byLogin = new LookupCache({ ttlMs: s.cacheTtlMs, now: this.#now });
    this.#byId = new LookupCache({ ttlMs: s.cacheTtlMs, now: this.#now });
  }

  #ensureOpen(): void {
    if (this.#closed) throw new ResolverUnavailableError(this.name, new Error('the resolver has been closed'));
  }

  #deadline(): number {
    return this.#now() + this.#settings.timeoutMs;
  }

  /** Runs a search on a pooled connection; an LDAP refusal (wrong base DN, no access) is "unavailable" too. */
  async #search(base: string, options: Parameters<Client['search']>[1], deadline: number, what: string, missingBaseIsEmpty = false): Promise<Entry[]> {
    const timeLimit = Math.max(1, Math.ceil(this.#settings.timeoutMs / 1000));
    try {
      const result = await this.#pool.run((client) => client.search(base, { timeLimit, ...options }), deadline, what);
      return result.searchEntries;
    } catch (err) {
      if (err instanceof ResolverUnavailableError) throw err;
      if (missingBaseIsEmpty && resultCode(err) === NO_SUCH_OBJECT) return [];
      throw new ResolverUnavailableError(this.name, new Error(`${what} under "${base}": ${describeLdapError(err)}`), 'the directory refused the search');
    }
  }

  async #groupsOf(entry: Entry, login: string, deadline: number): Promise<string[]> {
    const g = this.#settings.group;
    if (!g) return groupsFromEntry(entry, this.#settings);
    const byLogin = g.memberAttribute.toLowerCase() === 'memberuid';
    const filter = new AndFilter({ filters: [g.filter, new EqualityFilter({ attribute: g.memberAttribute, value: byLogin ? login : entry.dn })] });
    const groups = await this.#search(g.baseDn, { scope: 'sub', filter, attributes: [g.nameAttribute], sizeLimit: this.#settings.sizeLimit }, deadline, 'group search');
    return [...new Set(groups.map((e) => values(e, g.nameAttribute)[0] ?? firstRdnValue(e.dn)).filter((n) => n !== ''))];
  }

  #toUser(entry: Entry, login: string | undefined, groups: string[]): User {
    try {
      return entryToUser(this.name, entry, this.#settings, login, groups);
    } catch (err) {
      throw new ResolverUnavailableError(this.name, err, 'unusable directory entry');
    }
  }

  /** The one entry `filter` finds under `base`, as a User; undefined for none, an error for several. */
  async #findOne(base: string, scope: 'sub' | 'one' | 'base', filter: Filter, login: string | undefined, what: string): Promise<User | undefined> {
    const deadline = this.#deadline();
    // For a DN id (scope base), a deleted entry means no such user, not a broken directory.
    const entries = await this.#search(
      base,
      { scope, filter, attributes: requestedAttributes(this.#settings), explicitBufferAttributes: binaryAttributes(this.#settings), sizeLimit: 2 },
      deadline,
      what,
      scope === 'base',
    );
    const entry = entries[0];
    if (!entry) return undefined;
    if (entries.length > 1) {
      const dns = entries.map((e) => e.dn).join('; ');
      throw new ResolverUnavailableError(this.name, new Error(`${what} matches more than one entry (${dns}); make userFilter or loginAttribute unique`), 'ambiguous');
    }
    const entryLogin = login ?? values(entry, this.#settings.loginAttribute)[0] ?? '';
    return this.#toUser(entry, login, await this.#groupsOf(entry, entryLogin, deadline));
  }

  async findUser(login: string): Promise<User | undefined> {
    this.#ensureOpen();
    if (login === '' || login.length > MAX_LOGIN_LENGTH) return undefined;
    const s = this.#settings;
    return this.#byLogin.get(login, () => {
      const filter = new AndFilter({ filters: [s.userFilter, new EqualityFilter({ attribute: s.loginAttribute, value: login })] });
      return this.#findOne(s.baseDn, s.scope, filter, login, `${s.loginAttribute}=${JSON.stringify(login)}`);
    });
  }

  async getUserById(id: string): Promise<User | undefined> {
    this.#ensureOpen();
    if (id === '' || id.length > 4096) return undefined;
    const s = this.#settings;
    const attr = s.uidAttribute.toLowerCase();
    return this.#byId.get(id, async () => {
      if (attr === 'dn') {
        if (!isUnderBase(id, s.baseDn)) return undefined;
        return this.#findOne(id, 'base', s.userFilter, undefined, `entry ${JSON.stringify(id)}`);
      }
      let value: string | Buffer = id;
      if (attr === 'objectguid') {
        const bytes = guidToBytes(id);
        if (!bytes) return undefined;
        value = bytes;
      } else if (attr === 'entryuuid' && !UUID.test(id)) {
        return undefined;
      }
      const filter = new AndFilter({ filters: [s.userFilter, new EqualityFilter({ attribute: s.uidAttribute, value })] });
      return this.#findOne(s.baseDn, s.scope, filter, undefined, `${s.uidAttribute}=${JSON.stringify(id)}`);
    });
  }

  /**
   * Binds as the user on a new connection (failover as for lookups). False
   * for an empty password (that bind would be anonymous and succeed), a user
   * no longer in the directory, and any refusal of the bind.
   */
  async checkPassword(user: User, password: string): Promise<boolean> {
    this.#ensureOpen();
    if (user.resolver !== this.name || password === '') return false;
    // The DN as the directory has it now (the cache keeps this cheap), not one a caller could have changed.
    const current = await this.getUserById(user.id);
    const dn = current?.attributes.dn;
    if (typeof dn !== 'string' || dn === '') return false;
    try {
      const conn = await this.#pool.connect({ dn, password }, this.#deadline(), true);
      void conn.close();
      return true;
    } catch (err) {
      if (err instanceof ResolverUnavailableError) throw err;
      if (isServerAnswer(err)) {
        const code = resultCode(err);
        if (code !== INVALID_CREDENTIALS) this.#logger?.info({ resolver: this.name, user: current?.login, cause: describeLdapError(err) }, 'LDAP refused the user bind');
        return false;
      }
      throw new ResolverUnavailableError(this.name, err);
    }
  }

  async listUsers(search?: string, limit?: number): Promise<User[]> {
    this.#ensureOpen();
    const s = this.#settings;
    const max = Math.min(limit === undefined ? s.sizeLimit : Math.max(0, Math.floor(limit)), s.sizeLimit);
    if (max === 0) return [];
    let filter: Filter = s.userFilter;
    if (search !== undefined && search !== '') {
      const attrs = [...new Set([s.loginAttribute, s.attributes.email, s.attributes.givenName, s.attributes.surname, 'cn'])];
      filter = new AndFilter({ filters: [s.userFilter, new OrFilter({ filters: attrs.map((attribute) => new SubstringFilter({ attribute, any: [search] })) })] });
    }
    const deadline = this.#deadline();
    const entries = await this.#search(
      s.baseDn,
      { scope: s.scope, filter, attributes: requestedAttributes(s), explicitBufferAttributes: binaryAttributes(s), sizeLimit: max },
      deadline,
      'user listing',
    );
    const users: User[] = [];
    for (const entry of entries.slice(0, max)) {
      const login = values(entry, s.loginAttribute)[0];
      if (login === undefined) continue;
      try {
        users.push(entryToUser(this.name, entry, s, login, await this.#groupsOf(entry, login, deadline)));
      } catch (err) {
        if (err instanceof ResolverUnavailableError) throw err;
        this.#logger?.warn({ resolver: this.name, dn: entry.dn, cause: (err as Error).message }, 'directory entry skipped');
      }
    }
    return users.sort((a, b) => a.login.localeCompare(b.login));
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#byLogin.clear();
    this.#byId.clear();
    await this.#pool.close();
  }
}
