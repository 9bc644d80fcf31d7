// `import linotp`: every token of a LinOTP database into our store, in one
// transaction. Re-running it updates what is there and never duplicates; a
// counter never moves back (the store keeps the higher one), so an OTP used
// here or in LinOTP stays used. A PIN whose LinOTP form did not change since
// the last run keeps the hash it has here (it may have been upgraded at
// login), so a second run against the same data changes nothing.

import type { KeyedTokenStore } from '../store/index.ts';
import type { Token, TokenOwner } from '../model/token.ts';
import { checkToken } from '../store/validate.ts';
import { Problems } from './errors.ts';
import { parseEncKey } from './linotp-crypto.ts';
import { describeSource, parseLinotpUrl, readLinotpDb } from './linotp-db.ts';
import { decodeLinotp, type LinotpToken, type NotImported } from './linotp-map.ts';
import { chooseRealm, mapLimit, ownerOf, UserCache, type Directory } from './owners.ts';
import type { ImportSummary } from './summary.ts';

export interface LinotpImportOptions {
  /** sqlite:PATH, postgres://..., mysql://... (SQLAlchemy spellings accepted). */
  db: string;
  /** The encKey file's content and name. */
  encKey: Buffer;
  encKeyFile: string;
  /** LinOTP realm name (lower case) -> our realm. */
  realmMap?: ReadonlyMap<string, string>;
  /** LinOTP resolver name -> our resolver. */
  resolverMap?: ReadonlyMap<string, string>;
  dryRun?: boolean;
  now?: number;
}

export interface LinotpImportSummary extends ImportSummary {
  notImported: NotImported[];
}

export const PIN_MARKER = 'linotp.pin';

function checkMaps(dir: Directory, options: LinotpImportOptions): void {
  const problems = new Problems();
  for (const [from, to] of options.resolverMap ?? []) {
    if (!dir.resolvers.has(to)) problems.add(`--resolver-map ${from}=${to}: no resolver "${to}" in the config (resolvers: ${[...dir.resolvers.keys()].join(', ') || 'none'})`);
  }
  for (const [from, to] of options.realmMap ?? []) {
    if (!(to.toLowerCase() in dir.realms)) problems.add(`--realm-map ${from}=${to}: no realm "${to}" in the config (realms: ${Object.keys(dir.realms).join(', ') || 'none'})`);
  }
  problems.throwIfAny();
}

interface Owned {
  owner: TokenOwner | null;
}

async function findOwners(tokens: readonly LinotpToken[], dir: Directory, options: LinotpImportOptions, warnings: string[]): Promise<Owned[]> {
  const problems = new Problems();
  const mapResolver = (name: string): string => options.resolverMap?.get(name) ?? name;
  const unknown = new Map<string, string[]>();
  const realmless = new Map<string, string[]>();
  const note = (map: Map<string, string[]>, name: string, serial: string): void => {
    map.set(name, [...(map.get(name) ?? []), serial]);
  };
  for (const t of tokens) {
    if (!t.owner) continue;
    const ours = mapResolver(t.owner.resolver);
    if (!dir.resolvers.has(ours)) note(unknown, t.owner.resolver, t.serial);
    else if (chooseRealm(dir, ours, []) === undefined) note(realmless, ours, t.serial);
  }
  const some = (serials: string[]): string => `${serials.length} token${serials.length === 1 ? '' : 's'}, e.g. ${serials[0]}`;
  for (const [name, serials] of unknown) {
    problems.add(`LinOTP resolver "${name}" (owner of ${some(serials)}) is not a resolver of the config: configure it under that name or give --resolver-map ${name}=NAME`);
  }
  for (const [name, serials] of realmless) problems.add(`resolver "${name}" (owner of ${some(serials)}) is in no realm of the config: add it to one`);
  problems.throwIfAny();

  const users = new UserCache(dir);
  return mapLimit(tokens, 8, async (t): Promise<Owned> => {
    if (!t.owner) return { owner: null };
    const resolver = mapResolver(t.owner.resolver);
    const preferred = t.owner.realms.map((r) => (options.realmMap?.get(r) ?? r).toLowerCase());
    const realm = chooseRealm(dir, resolver, preferred)!;
    if (preferred.length > 0 && !preferred.includes(realm)) {
      warnings.push(`${t.serial}: none of its realms (${preferred.join(', ')}) holds resolver "${resolver}" here; put in realm "${realm}"`);
    }
    const user = await users.byId(resolver, t.owner.userId);
    if (!user) {
      warnings.push(`${t.serial}: owner ${t.owner.userId} not found in resolver "${resolver}" (imported with the user id as login; does the resolver use the same user id attribute as LinOTP?)`);
      return { owner: { realm, resolver, userId: t.owner.userId, login: t.owner.userId } };
    }
    return { owner: ownerOf(user, realm) };
  });
}

async function pinHashOf(t: LinotpToken, prev: Token | undefined, store: KeyedTokenStore): Promise<string | null> {
  if (t.pin.kind === 'none') return null;
  if (prev && prev.pinHash !== null && prev.info[PIN_MARKER] === t.pin.fingerprint) return prev.pinHash;
  return t.pin.kind === 'hash' ? t.pin.hash : store.pins.hash(t.pin.pin);
}

function toToken(t: LinotpToken, owner: TokenOwner | null, pinHash: string | null, prev: Token | undefined, now: number): Token {
  const info = { ...t.info, ...(t.pin.kind === 'none' ? {} : { [PIN_MARKER]: t.pin.fingerprint }) };
  const lastAuth = Math.max(prev?.lastAuth ?? -1, t.lastAuth ?? -1);
  return {
    serial: t.serial,
    type: t.type,
    seed: t.seed,
    otpLength: t.otpLength,
    algorithm: t.algorithm,
    timeStep: t.timeStep,
    counter: t.counter,
    drift: t.drift,
    window: t.window,
    pending: false,
    syncWindow: t.syncWindow,
    pinHash,
    owner,
    active: t.active,
    revoked: prev?.revoked ?? false,
    locked: t.locked,
    failCount: t.failCount,
    maxFail: t.maxFail,
    authCount: t.authCount,
    maxAuth: t.maxAuth,
    successCount: t.successCount,
    maxSuccess: t.maxSuccess,
    validFrom: t.validFrom,
    validUntil: t.validUntil,
    lastAuth: lastAuth < 0 ? null : lastAuth,
    lastFail: prev?.lastFail ?? null,
    syncCounter: prev?.syncCounter ?? null,
    syncAt: prev?.syncAt ?? null,
    description: t.description,
    info,
    createdAt: t.createdAt ?? prev?.createdAt ?? now,
  };
}

export async function importLinotp(store: KeyedTokenStore, dir: Directory, options: LinotpImportOptions): Promise<LinotpImportSummary> {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  checkMaps(dir, options);
  const keys = parseEncKey(options.encKey, options.encKeyFile);
  const source = parseLinotpUrl(options.db);
  const data = await readLinotpDb(source);
  const decoded = decodeLinotp(data, keys, now);
  const warnings = [...decoded.warnings];
  const owners = await findOwners(decoded.tokens, dir, options, warnings);

  // The store checks every token too, but stops at the first; these checks name them all.
  const problems = new Problems();
  const tokens: Token[] = [];
  for (const [i, t] of decoded.tokens.entries()) {
    const prev = await store.getToken(t.serial);
    const token = toToken(t, owners[i]!.owner, await pinHashOf(t, prev, store), prev, now);
    // The store's messages name the token already.
    if (problems.guard('', () => checkToken(token))) tokens.push(token);
  }
  problems.throwIfAny();
  const result = await store.importTokens(tokens, { dryRun: options.dryRun === true });
  const byType: Record<string, number> = {};
  for (const t of tokens) byType[t.type] = (byType[t.type] ?? 0) + 1;
  return {
    source: describeSource(source),
    target: store.description,
    dryRun: options.dryRun === true,
    created: result.created,
    updated: result.updated,
    notImported: decoded.notImported,
    warnings,
    byType,
  };
}
