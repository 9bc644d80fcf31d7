// Tokens from an import file (OATH CSV, PSKC) into the store, all or
// nothing. New tokens get the configured defaults (windows, max fail) and
// are checked like an enrollment. A serial that exists already is updated
// only when it is the same token (same type and seed): its PIN, owner, state
// and counters stay, its parameters follow the file, and the counter never
// moves back. A different token under an existing serial is refused.

import type { TokenDefaults } from '../model/token-defaults.ts';
import type { TokenStore } from '../store/types.ts';
import type { Token, TokenOwner } from '../model/token.ts';
import { buildToken, type EnrollOptions } from '../tokens/enroll.ts';
import { AmbiguousUserError, type User } from '../users/types.ts';
import { Problems } from './errors.ts';
import type { FileToken } from './file-token.ts';
import type { ImportedToken, ImportSummary } from './summary.ts';

/** What the file importer needs from the realms: finding a user by login. */
export interface UserFinder {
  readonly defaultRealm: string | undefined;
  hasRealm(name: string): boolean;
  findUser(realm: string, login: string): Promise<User | undefined>;
}

export interface FileImportOptions {
  /** For messages and the summary: the file name. */
  source: string;
  /** Owner of every token whose file entry names none: LOGIN or LOGIN@REALM. */
  user?: string;
  realm?: string;
  dryRun?: boolean;
  now?: number;
}

interface Wanted {
  login: string;
  realm?: string;
  resolver?: string;
}

function splitLogin(users: UserFinder, login: string, realm: string | undefined): { login: string; realm: string | undefined } {
  const at = login.lastIndexOf('@');
  if (realm === undefined && at > 0 && users.hasRealm(login.slice(at + 1))) return { login: login.slice(0, at), realm: login.slice(at + 1) };
  return { login, realm };
}

async function findOwner(users: UserFinder, wanted: Wanted): Promise<TokenOwner | string> {
  const { login, realm: given } = splitLogin(users, wanted.login, wanted.realm);
  const realm = (given || users.defaultRealm)?.toLowerCase();
  if (realm === undefined) return `user ${login}: no realm given and no default realm configured`;
  if (!users.hasRealm(realm)) return `user ${login}: unknown realm "${realm}"`;
  let user: User | undefined;
  try {
    user = await users.findUser(realm, login);
  } catch (err) {
    if (err instanceof AmbiguousUserError) return err.message;
    throw err;
  }
  if (!user) return `user "${login}" not found in realm "${realm}"`;
  if (wanted.resolver && wanted.resolver !== user.resolver) return `user "${login}" is in resolver "${user.resolver}" of realm "${realm}", not "${wanted.resolver}"`;
  return { realm, resolver: user.resolver, userId: user.id, login: user.login };
}

function fresh(t: FileToken, owner: TokenOwner | null, defaults: TokenDefaults, now: number): Token {
  const options: EnrollOptions = { type: t.type, serial: t.serial, seed: t.seed, owner };
  if (t.description !== undefined) options.description = t.description;
  if (t.type === 'ocra') {
    if (t.ocrasuite !== undefined) options.ocrasuite = t.ocrasuite;
  } else {
    if (t.otpLength !== undefined) options.digits = t.otpLength;
    if (t.algorithm !== undefined) options.algorithm = t.algorithm;
    if (t.type === 'totp' && t.timeStep !== undefined) options.period = t.timeStep;
  }
  const built = buildToken(options, defaults).token;
  return {
    ...built,
    counter: t.counter ?? 0,
    drift: t.drift ?? 0,
    pinHash: null,
    owner,
    active: true,
    pending: false,
    revoked: false,
    locked: false,
    failCount: 0,
    authCount: 0,
    maxAuth: null,
    successCount: 0,
    maxSuccess: null,
    validFrom: t.validFrom ?? null,
    validUntil: t.validUntil ?? null,
    lastAuth: null,
    lastFail: null,
    syncCounter: null,
    syncAt: null,
    description: built.description ?? '',
    info: built.info ?? {},
    createdAt: now,
  };
}

/** The stored token with what the file says about it; its PIN, owner (unless given), state and history stay. */
function merged(prev: Token, t: FileToken, owner: TokenOwner | null, defaults: TokenDefaults, now: number): Token {
  const next = fresh(t, owner, defaults, now);
  return {
    ...prev,
    otpLength: next.otpLength,
    algorithm: next.algorithm,
    timeStep: next.timeStep,
    info: { ...prev.info, ...next.info },
    counter: t.counter ?? prev.counter,
    drift: t.drift ?? prev.drift,
    description: t.description ?? prev.description,
    validFrom: t.validFrom ?? prev.validFrom,
    validUntil: t.validUntil ?? prev.validUntil,
    owner: owner ?? prev.owner,
  };
}

export async function importFileTokens(
  store: Pick<TokenStore, 'getToken' | 'importTokens' | 'description'>,
  users: UserFinder,
  defaults: TokenDefaults,
  list: readonly FileToken[],
  options: FileImportOptions,
): Promise<ImportSummary> {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const problems = new Problems();
  const first = new Map<string, string>();
  for (const t of list) {
    const earlier = first.get(t.serial);
    if (earlier !== undefined) problems.add(`${options.source}: ${t.where}: serial ${t.serial} again (first at ${earlier})`);
    else first.set(t.serial, t.where);
  }
  problems.throwIfAny();

  const owners = new Map<string, Promise<TokenOwner | string>>();
  const ownerFor = (w: Wanted): Promise<TokenOwner | string> => {
    const key = JSON.stringify(w);
    if (!owners.has(key)) owners.set(key, findOwner(users, w));
    return owners.get(key)!;
  };
  const tokens: Token[] = [];
  const listed: ImportedToken[] = [];
  for (const t of list) {
    const where = `${options.source}: ${t.where}`;
    const wanted: Wanted | undefined = t.user ?? (options.user !== undefined ? { login: options.user, ...(options.realm !== undefined ? { realm: options.realm } : {}) } : undefined);
    let owner: TokenOwner | null = null;
    if (wanted) {
      const found = await ownerFor(wanted);
      if (typeof found === 'string') {
        problems.add(`${where}: ${found}`);
        continue;
      }
      owner = found;
    }
    const prev = await store.getToken(t.serial);
    if (prev && (prev.type !== t.type || !prev.seed.equals(t.seed))) {
      problems.add(
        `${where}: serial ${t.serial} is already a ${prev.type === t.type ? 'token with another seed' : `${prev.type} token`}; to replace it, delete it first (otp-radius token delete ${t.serial})`,
      );
      continue;
    }
    const token = problems.guard(where, () => (prev ? merged(prev, t, owner, defaults, now) : fresh(t, owner, defaults, now)));
    if (!token) continue;
    tokens.push(token);
    listed.push({ serial: token.serial, type: token.type, owner: token.owner ? `${token.owner.login}@${token.owner.realm}` : null, change: prev ? 'update' : 'create' });
  }
  problems.throwIfAny();
  const result = await store.importTokens(tokens, { dryRun: options.dryRun === true });
  return { source: options.source, target: store.description, dryRun: options.dryRun === true, created: result.created, updated: result.updated, warnings: [], tokens: listed };
}
