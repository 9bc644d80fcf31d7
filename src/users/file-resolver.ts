// The `file` resolver: users from a YAML file held in memory, re-read on
// reload() (SIGHUP). A reload that fails keeps the users it had, so a typo
// in the file does not lock everybody out of a running server.

import { readFile } from 'node:fs/promises';
import { verifyPasswordHash } from './password-hash.ts';
import { ResolverConfigError, ResolverUnavailableError, type User, type UserResolver } from './types.ts';
import type { Logger } from 'pino';
import { loginKey, type FileUserEntry } from './users-file.ts';
import { loadUsersFile } from './users-file-apart.ts';

export interface FileResolverOptions {
  /** Path of the users file; also the name used in error messages. */
  path: string;
  /** Match logins regardless of case (as Active Directory does). Default false. */
  caseInsensitive?: boolean;
}

interface Loaded {
  byLogin: Map<string, FileUserEntry>;
  byId: Map<string, FileUserEntry>;
  /** In file order, for listUsers. */
  all: FileUserEntry[];
}

function describeReadError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return (e as Error).message;
}

export class FileResolver implements UserResolver {
  readonly type = 'file';
  readonly name: string;
  readonly path: string;
  readonly caseInsensitive: boolean;
  readonly #logger: Logger | undefined;
  #loaded: Loaded = { byLogin: new Map(), byId: new Map(), all: [] };
  #closed = false;
  /** Ends a child process still parsing the file when the resolver is closed. */
  readonly #closing = new AbortController();
  /** Reloads run one after another so an older read never replaces a newer one. */
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(name: string, options: FileResolverOptions, logger: Logger | undefined) {
    this.name = name;
    this.#logger = logger;
    this.path = options.path;
    this.caseInsensitive = options.caseInsensitive ?? false;
  }

  /**
   * Reads and validates the file; throws ResolverConfigError (file, line, key)
   * when it cannot be used. `logger` hears when a large file could not be
   * parsed in a child process (users-file-apart.ts).
   */
  static async open(name: string, options: FileResolverOptions, logger?: Logger): Promise<FileResolver> {
    const resolver = new FileResolver(name, options, logger);
    await resolver.reload();
    return resolver;
  }

  /** Number of users currently loaded. */
  get size(): number {
    return this.#loaded.all.length;
  }

  /**
   * Re-reads the file. On any problem the users loaded before stay in place
   * and the error (ResolverConfigError) is thrown for the caller to log.
   */
  reload(): Promise<void> {
    const run = this.#queue.then(() => this.#load());
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #load(): Promise<void> {
    let source: string;
    try {
      source = await readFile(this.path, 'utf8');
    } catch (e) {
      throw new ResolverConfigError([`${this.path}: cannot read the users file: ${describeReadError(e)}`]);
    }
    let entries: FileUserEntry[];
    try {
      entries = await loadUsersFile(source, this.path, { caseInsensitive: this.caseInsensitive, logger: this.#logger, signal: this.#closing.signal });
    } catch (err) {
      // Closed meanwhile (the server is stopping): there is nobody left to load the users for.
      if (this.#closing.signal.aborted && err === this.#closing.signal.reason) return;
      throw err;
    }
    const loaded: Loaded = { byLogin: new Map(), byId: new Map(), all: entries };
    for (const e of entries) {
      loaded.byLogin.set(loginKey(e.user.login, this.caseInsensitive), e);
      loaded.byId.set(e.user.id, e);
    }
    this.#loaded = loaded;
  }

  #ensureOpen(): void {
    if (this.#closed) throw new ResolverUnavailableError(this.name, new Error('the resolver has been closed'));
  }

  /** A fresh copy, so callers cannot change what the resolver holds. */
  #toUser(e: FileUserEntry): User {
    const u = e.user;
    const attributes: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(u.attributes)) attributes[k] = Array.isArray(v) ? [...v] : v;
    return { ...u, resolver: this.name, groups: [...u.groups], attributes };
  }

  async findUser(login: string): Promise<User | undefined> {
    this.#ensureOpen();
    const e = this.#loaded.byLogin.get(loginKey(login, this.caseInsensitive));
    return e && this.#toUser(e);
  }

  async getUserById(id: string): Promise<User | undefined> {
    this.#ensureOpen();
    const e = this.#loaded.byId.get(id);
    return e && this.#toUser(e);
  }

  async checkPassword(user: User, password: string): Promise<boolean> {
    this.#ensureOpen();
    if (user.resolver !== this.name || password === '') return false;
    // Look the user up again: the file may have been reloaded since they were found.
    const hash = this.#loaded.byId.get(user.id)?.passwordHash;
    if (hash === undefined) return false;
    return verifyPasswordHash(password, hash);
  }

  async listUsers(search?: string, limit?: number): Promise<User[]> {
    this.#ensureOpen();
    const needle = search?.toLowerCase() ?? '';
    const max = limit === undefined ? Infinity : Math.max(0, Math.floor(limit));
    const out: User[] = [];
    for (const e of this.#loaded.all) {
      if (out.length >= max) break;
      const u = e.user;
      const haystack = [u.login, u.email, u.givenName, u.surname].filter((s) => s !== undefined).map((s) => s.toLowerCase());
      if (needle === '' || haystack.some((s) => s.includes(needle))) out.push(this.#toUser(e));
    }
    return out;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#closing.abort(new ResolverUnavailableError(this.name, new Error('the resolver has been closed')));
    this.#loaded = { byLogin: new Map(), byId: new Map(), all: [] };
  }
}
