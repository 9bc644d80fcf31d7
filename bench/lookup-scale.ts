// `--lookup-scale`: does a big store slow the authentication path's lookup?
// Fills one SQLite store to 10,000 tokens, times tokensOfUser (the indexed
// query plus seed decryption) for random users, fills it on to a million and
// times it again. No server, no network: the store alone.

import Database from 'better-sqlite3';
import { randomBytes, randomInt } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { openStore } from '../src/store/index.ts';
import { createStore, fillTokens, type StorePaths } from './fill.ts';
import type { BenchOptions } from './options.ts';
import { table, type Machine } from './report.ts';
import { summarize, type LatencySummary } from './stats.ts';
import { loginOf } from './types.ts';

const SMALL = 10_000;
const LOOKUPS = 20_000;

export interface LookupPoint {
  tokens: number;
  what: string;
  fillSeconds: number;
  dbMb: number;
  lookups: number;
  /** Milliseconds per tokensOfUser. */
  latencyMs: LatencySummary;
  perSecond: number;
}

/** Times `lookup` for LOOKUPS random users of `tokens`. */
async function timeLookups(tokens: number, lookup: (login: string) => Promise<number> | number): Promise<{ latencyMs: LatencySummary; perSecond: number }> {
  const samples = new Float64Array(LOOKUPS);
  const started = performance.now();
  for (let i = 0; i < LOOKUPS; i++) {
    const login = loginOf('u', randomInt(tokens));
    const t0 = performance.now();
    const found = await lookup(login);
    samples[i] = performance.now() - t0;
    if (found !== 1) throw new Error(`lookup-scale: ${login} has ${found} tokens, expected 1`);
  }
  return { latencyMs: summarize([samples]), perSecond: LOOKUPS / ((performance.now() - started) / 1000) };
}

/**
 * The store's lookup, and its SQL alone (as the store runs it, and without
 * the ORDER BY, which SQLite answers with a temporary B-tree per query):
 * which part grows with the store, and which part is there at any size.
 */
async function measure(paths: StorePaths, tokens: number): Promise<Omit<LookupPoint, 'tokens' | 'fillSeconds' | 'dbMb'>[]> {
  const store = await openStore({ sqlite: { path: paths.dbPath }, keyFile: paths.keyFile, createKeyFile: false });
  const db = new Database(paths.dbPath, { readonly: true });
  try {
    const asStore = db.prepare('SELECT * FROM tokens WHERE owner_resolver = ? AND owner_user_id = ? ORDER BY serial');
    const unsorted = db.prepare('SELECT * FROM tokens WHERE owner_resolver = ? AND owner_user_id = ?');
    const out: Omit<LookupPoint, 'tokens' | 'fillSeconds' | 'dbMb'>[] = [];
    for (const [what, lookup] of [
      ['store.tokensOfUser', async (login: string) => (await store.tokensOfUser('local', login)).length],
      ['SQL as the store runs it', (login: string) => asStore.all('local', login).length],
      ['SQL without ORDER BY', (login: string) => unsorted.all('local', login).length],
    ] as const) {
      out.push({ what, lookups: LOOKUPS, ...(await timeLookups(tokens, lookup)) });
    }
    return out;
  } finally {
    db.close();
    await store.close();
  }
}

function dbSizeMb(path: string): number {
  let bytes = 0;
  for (const f of [path, `${path}-wal`]) {
    try {
      bytes += statSync(f).size;
    } catch {
      // no WAL file
    }
  }
  return bytes / 2 ** 20;
}

export async function runLookupScale(o: BenchOptions, command: string, machine: Machine, log: (line: string) => void): Promise<string> {
  const dir = await mkdtemp(join(o.dir, 'otp-radius-lookup-'));
  const paths = { dbPath: join(dir, 'tokens.db'), keyFile: join(dir, 'tokens.key') };
  const points: LookupPoint[] = [];
  try {
    const pinHash = await createStore(paths, '1234');
    const spec = {
      seedOf: () => randomBytes(20),
      ownerOf: (n: number) => ({ realm: 'default', resolver: 'local', userId: loginOf('u', n), login: loginOf('u', n) }),
      pinHash,
      maxFail: 10,
    };
    let filled = 0;
    let fillSeconds = 0;
    for (const target of [SMALL, o.lookupTokens]) {
      const t0 = performance.now();
      await fillTokens(paths, { ...spec, from: filled, to: target }, (n) => {
        if ((filled + n) % 100_000 === 0) log(`  ${filled + n} tokens`);
      });
      fillSeconds += (performance.now() - t0) / 1000;
      filled = target;
      log(`lookup-scale: ${target} tokens (filled in ${fillSeconds.toFixed(1)} s); ${LOOKUPS} lookups of random users`);
      for (const m of await measure(paths, target)) points.push({ tokens: target, fillSeconds, dbMb: dbSizeMb(paths.dbPath), ...m });
    }
  } finally {
    if (!o.keep) await rm(dir, { recursive: true, force: true });
  }
  const fmt = (n: number | null): string => (n === null ? '-' : (n * 1000).toFixed(1));
  const text = [
    `machine: ${machine.cpus} CPUs, ${machine.cpuModel}; node ${machine.node}`,
    `command: ${command}`,
    '',
    table([
      ['tokens', 'store MB', 'lookup', 'lookups/s', 'p50 us', 'p95 us', 'p99 us', 'max us'],
      ...points.map((p) => [String(p.tokens), p.dbMb.toFixed(0), p.what, p.perSecond.toFixed(0), fmt(p.latencyMs.p50), fmt(p.latencyMs.p95), fmt(p.latencyMs.p99), fmt(p.latencyMs.max)]),
    ]),
    '',
    'tokensOfUser(resolver, user id) = the indexed SELECT plus row checks and AES-GCM seed decryption; one process, warm page cache.',
    '',
  ].join('\n');
  const out = o.out ?? join(resolve(import.meta.dirname, 'results'), `lookup-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify({ command, machine, points }, null, 2)}\n`);
  log(`results written to ${out}`);
  return text;
}
