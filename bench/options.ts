// `npm run bench -- [options]`: parsing, checks with clear errors, defaults
// sized so that a plain run takes about two minutes on a 2-core machine.

import { availableParallelism, tmpdir } from 'node:os';
import { parseArgs } from 'node:util';

export const OTP_WORKLOADS = ['totp', 'totp-reject', 'status', 'totp-80', 'totp-4000', 'pin-totp', 'pin-reject', 'challenge', 'kdf', 'timing'] as const;
export const FREERADIUS_WORKLOADS = ['fr-pap', 'fr-pap-sql', 'fr-pap-crypt', 'fr-totp', 'fr-status'] as const;
export type WorkloadName = (typeof OTP_WORKLOADS)[number] | (typeof FREERADIUS_WORKLOADS)[number];

export interface BenchOptions {
  durationS: number;
  warmupS: number;
  /** Server worker processes; undefined = the server's default (the number of CPUs). */
  workers: number | undefined;
  clients: number;
  concurrency: number;
  only: WorkloadName[] | undefined;
  users: number;
  tokens: number;
  out: string | undefined;
  vsFreeradius: boolean;
  lookupScale: boolean;
  lookupTokens: number;
  dir: string;
  timeoutMs: number;
  messageAuthenticator: boolean;
  cpuProf: boolean;
  keep: boolean;
  /** Audit events go to the store's audit table too (the server's default). */
  auditTable: boolean;
  help: boolean;
}

export const USAGE = `usage: npm run bench -- [options]

Starts otp-radius (dist/, built first) on a loopback port over a temporary
store of TOTP tokens and drives it with worker-thread load generators.

  --duration S        measured seconds per workload (default 10)
  --warmup S          unmeasured seconds before each (default 1)
  --workers N         server worker processes (default: the server's, = CPUs)
  --clients N         generator threads (default: min(2, CPUs))
  --concurrency N     requests outstanding over all threads (default 64)
  --only LIST         comma-separated workloads: ${OTP_WORKLOADS.join(', ')},
                      and with --vs-freeradius ${FREERADIUS_WORKLOADS.join(', ')}
  --users N           distinct users the workloads cycle through (default 10000)
  --tokens N          tokens (and users) in the store, >= --users (default = --users)
  --out FILE          JSON results (default bench/results/bench-TIMESTAMP.json)
  --vs-freeradius     also run FreeRADIUS 3.2 (Debian freeradius) with the same load
  --lookup-scale      instead: time tokensOfUser at 10,000 and at --lookup-tokens tokens
  --lookup-tokens N   tokens for --lookup-scale (default 1000000)
  --dir PATH          where the temporary directory goes (default ${tmpdir()});
                      the store's fsyncs cost what this file system's cost
  --timeout MS        a request unanswered this long is a timeout (default 2000)
  --no-msg-auth       send Access-Requests without Message-Authenticator
  --cpu-prof          run the server with --cpu-prof; profiles kept in the results folder
  --no-audit-table    audit events to the audit log file only, not also to the store's audit table
  --keep              keep the temporary directory
`;

export class OptionError extends Error {}

function count(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new OptionError(`--${name}: expected a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new OptionError(`--${name}: expected ${min} to ${max}, got ${n}`);
  return n;
}

function seconds(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || n < min || n > 3600) throw new OptionError(`--${name}: expected seconds from ${min} to 3600, got "${raw}"`);
  return n;
}

export function parseWorkloads(raw: string): WorkloadName[] {
  const known: readonly string[] = [...OTP_WORKLOADS, ...FREERADIUS_WORKLOADS];
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0) throw new OptionError('--only: expected at least one workload name');
  for (const n of names) if (!known.includes(n)) throw new OptionError(`--only: unknown workload "${n}" (known: ${known.join(', ')})`);
  return [...new Set(names)] as WorkloadName[];
}

/** The arguments as node:util reads them; what it refuses becomes an OptionError. */
function readArgs(args: string[]) {
  try {
    return parseArgs({
      args,
      allowNegative: true,
      options: {
        duration: { type: 'string' },
        warmup: { type: 'string' },
        workers: { type: 'string' },
        clients: { type: 'string' },
        concurrency: { type: 'string' },
        only: { type: 'string' },
        users: { type: 'string' },
        tokens: { type: 'string' },
        out: { type: 'string' },
        'vs-freeradius': { type: 'boolean', default: false },
        'lookup-scale': { type: 'boolean', default: false },
        'lookup-tokens': { type: 'string' },
        dir: { type: 'string' },
        timeout: { type: 'string' },
        'msg-auth': { type: 'boolean', default: true },
        'cpu-prof': { type: 'boolean', default: false },
        keep: { type: 'boolean', default: false },
        'audit-table': { type: 'boolean', default: true },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    throw new OptionError((err as Error).message);
  }
}

export function parseOptions(args: string[]): BenchOptions {
  const v = readArgs(args).values;
  const users = count('users', v.users, 10_000, 1, 999_999);
  const tokens = count('tokens', v.tokens, users, 1, 999_999);
  if (tokens < users) throw new OptionError(`--tokens (${tokens}) must be at least --users (${users}): every bench user has a token`);
  const clients = count('clients', v.clients, Math.min(2, availableParallelism()), 1, 64);
  const concurrency = count('concurrency', v.concurrency, 64, 1, 50_000);
  if (concurrency < clients) throw new OptionError(`--concurrency (${concurrency}) must be at least --clients (${clients})`);
  const only = v.only !== undefined ? parseWorkloads(v.only) : undefined;
  if (only && !v['vs-freeradius'] && only.some((w) => w.startsWith('fr-'))) throw new OptionError('--only: fr-* workloads need --vs-freeradius');
  return {
    durationS: seconds('duration', v.duration, 10, 1),
    warmupS: seconds('warmup', v.warmup, 1, 0),
    workers: v.workers !== undefined ? count('workers', v.workers, 1, 1, 256) : undefined,
    clients,
    concurrency,
    only,
    users,
    tokens,
    out: v.out,
    vsFreeradius: v['vs-freeradius'] ?? false,
    lookupScale: v['lookup-scale'] ?? false,
    lookupTokens: count('lookup-tokens', v['lookup-tokens'], 1_000_000, 10_000, 10_000_000),
    dir: v.dir ?? tmpdir(),
    timeoutMs: count('timeout', v.timeout, 2000, 10, 60_000),
    messageAuthenticator: v['msg-auth'] ?? true,
    cpuProf: v['cpu-prof'] ?? false,
    keep: v.keep ?? false,
    auditTable: v['audit-table'] ?? true,
    help: v.help ?? false,
  };
}

/** Whether a workload runs: in --only, or everything of the runs asked for. */
export function selected(options: Pick<BenchOptions, 'only' | 'vsFreeradius'>, name: WorkloadName): boolean {
  if (name.startsWith('fr-') && !options.vsFreeradius) return false;
  return options.only ? options.only.includes(name) : true;
}
