// The `sql` resolver: users from a table (or view) in SQLite or PostgreSQL,
// through a column map. Every value from outside (login, id, search text) is
// a bound parameter; only the admin's names and `where` fragment are part of
// the SQL text. The password hash is read only to check a password, never
// into a User or the cache.

import type { Logger } from 'pino';
import { LookupCache } from './cache.ts';
import { checkPasswordHash, verifyPasswordHash } from './password-hash.ts';
import { isDataException, isSqlMistake, PostgresBackend, SqliteBackend, type Row, type SqlBackend } from './sql-backend.ts';
import { quoteIdentifier, sqlSettings, type SqlResolverOptions, type SqlSettings } from './sql-options.ts';
import { ResolverConfigError, ResolverUnavailableError, type ResolverRuntime, type User, type UserResolver } from './types.ts';

const MAX_LOGIN_LENGTH = 256;

/** Fields of User read from the table (login and id always). */
const FIELDS = ['login', 'id', 'email', 'phone', 'givenName', 'surname', 'groups'] as const;

function text(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

function groupList(v: unknown): string[] {
  const parts = Array.isArray(v) ? v.map(text) : (text(v) ?? '').split(',');
  return [...new Set(parts.map((g) => g?.trim() ?? '').filter((g) => g !== ''))];
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export class SqlResolver implements UserResolver {
  readonly type = 'sql';
  readonly name: string;
  readonly #settings: SqlSettings;
  readonly #db: SqlBackend;
  readonly #byLogin: LookupCache;
  readonly #byId: LookupCache;
  readonly #logger: Logger | undefined;
  readonly #select: string;
  readonly #where: string;
  #failing = false;
  #closed = false;

  private constructor(name: string, settings: SqlSettings, db: SqlBackend, runtime: ResolverRuntime) {
    this.name = name;
    this.#settings = settings;
    this.#db = db;
    this.#logger = runtime.logger;
    const now = runtime.now ?? Date.now;
    this.#byLogin = new LookupCache({ ttlMs: settings.cacheTtlMs, now });
    this.#byId = new LookupCache({ ttlMs: settings.cacheTtlMs, now });
    const cols = settings.columns;
    const list = FIELDS.filter((f) => cols[f] !== undefined).map((f) => `${quoteIdentifier(cols[f]!)} AS "${f}"`);
    list.push(...settings.extraColumns.map((c, i) => `${quoteIdentifier(c)} AS "x${i}"`));
    this.#select = `SELECT ${list.join(', ')} FROM ${quoteIdentifier(settings.table)}`;
    this.#where = settings.where === undefined ? '' : ` AND (${settings.where})`;
  }

  /**
   * Checks the options and opens the database. SQLite: a missing file, table
   * or column is a ResolverConfigError now. PostgreSQL: the same when the
   * server answers; a server that is down is logged and tried again per lookup.
   */
  static async open(name: string, options: SqlResolverOptions, runtime: ResolverRuntime = {}): Promise<SqlResolver> {
    const s = sqlSettings(name, options);
    const db: SqlBackend =
      s.driver === 'sqlite'
        ? SqliteBackend.open(name, s.path!, s.timeoutMs)
        : new PostgresBackend({ resolver: name, url: s.url!, password: s.password, timeoutMs: s.timeoutMs, connectTimeoutMs: s.connectTimeoutMs, poolSize: s.poolSize, logger: runtime.logger });
    const resolver = new SqlResolver(name, s, db, runtime);
    try {
      await resolver.#probe();
    } catch (err) {
      await db.close().catch(() => undefined);
      throw err;
    }
    return resolver;
  }

  /** Compiles each query once against the real table, so a misspelt name stops start-up. */
  async #probe(): Promise<void> {
    const probes = [this.#select, ...(this.#settings.columns.password ? [this.#passwordSelect()] : [])].map((q) => `${q} WHERE 1 = 0${this.#where}`);
    for (const sql of probes) {
      try {
        await this.#db.query(sql, []);
      } catch (err) {
        if (this.#db instanceof SqliteBackend || isSqlMistake(err)) {
          throw new ResolverConfigError([`resolvers.${this.name}: the table, a column or the where clause does not work: ${(err as Error).message}`], ['resolvers', this.name]);
        }
        this.#logger?.warn({ resolver: this.name, cause: (err as Error).message }, 'database not reachable at start-up; lookups will retry');
        this.#failing = true;
        return;
      }
    }
  }

  #ensureOpen(): void {
    if (this.#closed) throw new ResolverUnavailableError(this.name, new Error('the resolver has been closed'));
  }

  #p(n: number): string {
    return this.#db.placeholder(n);
  }

  #matchLogin(): string {
    const col = quoteIdentifier(this.#settings.columns.login);
    return this.#settings.caseInsensitive ? `lower(${col}) = lower(${this.#p(1)})` : `${col} = ${this.#p(1)}`;
  }

  #passwordSelect(): string {
    return `SELECT ${quoteIdentifier(this.#settings.columns.password!)} AS "password" FROM ${quoteIdentifier(this.#settings.table)}`;
  }

  /** Runs a query; any failure is "unavailable", logged once until the database answers again. */
  async #query(sql: string, params: unknown[], noMatchOnDataError = false): Promise<Row[]> {
    try {
      const rows = await this.#db.query(sql, params);
      if (this.#failing) {
        this.#failing = false;
        this.#logger?.info({ resolver: this.name }, 'database answers again');
      }
      return rows;
    } catch (err) {
      if (noMatchOnDataError && isDataException(err)) return [];
      if (!this.#failing) {
        this.#failing = true;
        this.#logger?.error({ resolver: this.name, cause: (err as Error).message }, 'resolver database query failed');
      }
      throw new ResolverUnavailableError(this.name, err);
    }
  }

  #toUser(row: Row): User {
    const id = text(row.id);
    const login = text(row.login);
    if (id === undefined || id === '' || login === undefined || login === '') {
      throw new ResolverUnavailableError(this.name, new Error(`a row has an empty ${id ? 'login' : 'id'} column`), 'unusable row');
    }
    const user: User = { resolver: this.name, id, login, groups: groupList(row.groups), attributes: {} };
    for (const f of ['email', 'phone', 'givenName', 'surname'] as const) {
      const v = text(row[f]);
      if (v !== undefined && v !== '') user[f] = v;
    }
    this.#settings.extraColumns.forEach((c, i) => {
      const v = row[`x${i}`];
      if (Array.isArray(v)) user.attributes[c] = v.map((x) => text(x) ?? '');
      else {
        const t = text(v);
        if (t !== undefined) user.attributes[c] = t;
      }
    });
    return user;
  }

  #one(rows: Row[], what: string): User | undefined {
    const row = rows[0];
    if (!row) return undefined;
    if (rows.length > 1) throw new ResolverUnavailableError(this.name, new Error(`${what} matches more than one row; make the column unique`), 'ambiguous');
    return this.#toUser(row);
  }

  async findUser(login: string): Promise<User | undefined> {
    this.#ensureOpen();
    if (login === '' || login.length > MAX_LOGIN_LENGTH) return undefined;
    return this.#byLogin.get(this.#settings.caseInsensitive ? login.toLowerCase() : login, async () => {
      const rows = await this.#query(`${this.#select} WHERE ${this.#matchLogin()}${this.#where} LIMIT 2`, [login], true);
      return this.#one(rows, `login ${JSON.stringify(login)}`);
    });
  }

  async getUserById(id: string): Promise<User | undefined> {
    this.#ensureOpen();
    if (id === '' || id.length > 4096) return undefined;
    return this.#byId.get(id, async () => {
      const rows = await this.#query(`${this.#select} WHERE ${quoteIdentifier(this.#settings.columns.id)} = ${this.#p(1)}${this.#where} LIMIT 2`, [id], true);
      return this.#one(rows, `id ${JSON.stringify(id)}`);
    });
  }

  async checkPassword(user: User, password: string): Promise<boolean> {
    this.#ensureOpen();
    if (user.resolver !== this.name || password === '' || this.#settings.columns.password === undefined) return false;
    const sql = `${this.#passwordSelect()} WHERE ${quoteIdentifier(this.#settings.columns.id)} = ${this.#p(1)}${this.#where} LIMIT 2`;
    const rows = await this.#query(sql, [user.id], true);
    if (rows.length !== 1) return false;
    const hash = text(rows[0]!.password);
    if (hash === undefined || hash === '') return false;
    try {
      if (await verifyPasswordHash(password, hash)) return true;
    } catch (err) {
      throw new ResolverUnavailableError(this.name, err, 'cannot check the password hash');
    }
    const problem = await checkPasswordHash(hash);
    if (problem) this.#logger?.warn({ resolver: this.name, user: user.login, problem }, 'password hash in the database cannot be used');
    return false;
  }

  async listUsers(search?: string, limit?: number): Promise<User[]> {
    this.#ensureOpen();
    const s = this.#settings;
    const max = Math.min(limit === undefined ? s.sizeLimit : Math.max(0, Math.floor(limit)), s.sizeLimit);
    if (max === 0) return [];
    const params: unknown[] = [];
    let condition = '1 = 1';
    if (search !== undefined && search !== '') {
      params.push(`%${escapeLike(search.toLowerCase())}%`);
      const cols = [s.columns.login, s.columns.email, s.columns.givenName, s.columns.surname].filter((c): c is string => c !== undefined);
      condition = `(${[...new Set(cols)].map((c) => `lower(CAST(${quoteIdentifier(c)} AS TEXT)) LIKE ${this.#p(1)} ESCAPE '\\'`).join(' OR ')})`;
    }
    params.push(max);
    const sql = `${this.#select} WHERE ${condition}${this.#where} ORDER BY ${quoteIdentifier(s.columns.login)} LIMIT ${this.#p(params.length)}`;
    const rows = await this.#query(sql, params);
    const users: User[] = [];
    for (const row of rows) {
      try {
        users.push(this.#toUser(row));
      } catch (err) {
        this.#logger?.warn({ resolver: this.name, cause: (err as Error).message }, 'row skipped');
      }
    }
    return users;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#byLogin.clear();
    this.#byId.clear();
    await this.#db.close();
  }
}
