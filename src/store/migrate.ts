// Store migration: copy a deployment from one store to another (usually the
// embedded SQLite file to a PostgreSQL database shared by several servers).
// Every token moves with its full state (counter, drift, PIN hash, fail
// counter, autosync state, owner, info, validity, flags) plus the challenges
// still open, in one transaction on the target: a failure writes nothing.
// Re-running updates what is there and never duplicates; a counter on the
// target never moves back, so an OTP the target already accepted stays used.
//
// Seeds are decrypted with the source's key and encrypted with the target's;
// PIN hashes are copied as they are, so both stores must use the same PIN
// pepper, i.e. the same key file. That is checked before anything is copied.

import { openStore, type KeyedTokenStore, type StoreOptions } from './index.ts';
import { StoreError } from './errors.ts';
import type { ImportResult } from './types.ts';
import type { Token } from '../model/token.ts';

export type StoreSpec = KeyedTokenStore | StoreOptions;

export interface MigrateOptions {
  /** Count and check everything, then roll back the target. */
  dryRun?: boolean;
  /** Challenges that expired before this (unix seconds) are left behind. Default: now. */
  now?: number;
  /** Tokens read from the source at a time. Default 1000. */
  batchSize?: number;
}

/** What the target's importTokens did, and what was left behind. */
export interface MigrateSummary extends ImportResult {
  from: string;
  to: string;
  /** Tokens copied: created on the target plus updated there. */
  tokens: number;
  /** Expired challenges not copied. */
  expiredChallenges: number;
  dryRun: boolean;
}

function isStore(spec: StoreSpec): spec is KeyedTokenStore {
  return typeof (spec as KeyedTokenStore).importTokens === 'function';
}

/** Opens options without creating a key file: migration needs the key the source was set up with. The source must exist. */
async function open(spec: StoreSpec, opened: KeyedTokenStore[], create: boolean): Promise<KeyedTokenStore> {
  if (isStore(spec)) return spec;
  const store = await openStore({ ...spec, createKeyFile: false, create });
  opened.push(store);
  return store;
}

const PROBE_PIN = 'otp-radius store migrate: pepper check';

async function checkSamePepper(from: KeyedTokenStore, to: KeyedTokenStore): Promise<void> {
  const hash = await from.pins.hash(PROBE_PIN);
  if (!(await to.pins.verify(PROBE_PIN, hash))) {
    throw new StoreError('key', `${to.description} uses another key file than ${from.description}: PIN hashes would not verify there; use the same key file for both`);
  }
}

async function* flatten(batches: AsyncIterable<Token[]>): AsyncGenerator<Token> {
  for await (const batch of batches) yield* batch;
}

export async function migrateStore(from: StoreSpec, to: StoreSpec, options: MigrateOptions = {}): Promise<MigrateSummary> {
  const opened: KeyedTokenStore[] = [];
  try {
    const source = await open(from, opened, false);
    const target = await open(to, opened, true);
    if (source.description === target.description) throw new StoreError('invalid', `source and target are the same store (${source.description})`);
    await checkSamePepper(source, target);
    const now = options.now ?? Math.floor(Date.now() / 1000);
    const all = await source.listChallenges();
    const openChallenges = all.filter((c) => c.expiresAt >= now);
    const result = await target.importTokens(flatten(source.exportTokens(options.batchSize ?? 1000)), {
      challenges: openChallenges,
      ...(options.dryRun ? { dryRun: true } : {}),
    });
    return {
      from: source.description,
      to: target.description,
      tokens: result.created + result.updated,
      created: result.created,
      updated: result.updated,
      challenges: result.challenges,
      expiredChallenges: all.length - openChallenges.length,
      dryRun: options.dryRun === true,
    };
  } finally {
    for (const s of opened) await s.close().catch(() => undefined);
  }
}
