// The workloads: what each sends, to which server under which PIN policy,
// and one run of a workload with the CPU of everything involved measured over
// the same window.

import { availableParallelism } from 'node:os';
import { FR_PREFIX, PAP_PASSWORD } from './freeradius.ts';
import type { LoadGenerator, LoadSpec } from './load.ts';
import type { BenchOptions, WorkloadName } from './options.ts';
import { cpuBetween, snapshot, type CpuSnapshot } from './procstat.ts';
import { TOTP_TARGET, toResult, type WorkloadResult } from './results.ts';
import { PIN, SECRET, USER_PREFIX, type PinPolicy } from './setup.ts';
import type { JobKind } from './types.ts';

export interface WorkloadDef {
  name: WorkloadName;
  server: 'otp-radius' | 'freeradius';
  /** otp-radius: the PIN policy of the server config it runs against. */
  policy?: PinPolicy;
  kind: JobKind;
  description: string;
  loginPrefix: string;
  pin: string;
  steps: 'unique' | 'current';
  /** Open loop at this share of another workload's answers/s. */
  openLoopOf?: { workload: WorkloadName; share: number };
  /** Open loop at this many requests per second. */
  openLoopRate?: number;
}

export const WORKLOADS: readonly WorkloadDef[] = [
  {
    name: 'totp',
    server: 'otp-radius',
    policy: 'none',
    kind: 'accept',
    loginPrefix: USER_PREFIX,
    pin: '',
    steps: 'unique',
    description: 'TOTP accepts, OTP alone (otppin none): the pipeline without the KDF',
  },
  {
    name: 'totp-80',
    server: 'otp-radius',
    policy: 'none',
    kind: 'accept',
    loginPrefix: USER_PREFIX,
    pin: '',
    steps: 'unique',
    openLoopOf: { workload: 'totp', share: 0.8 },
    description: 'the same, open loop at 80% of the totp rate: latency below saturation',
  },
  {
    name: 'totp-4000',
    server: 'otp-radius',
    policy: 'none',
    kind: 'accept',
    loginPrefix: USER_PREFIX,
    pin: '',
    steps: 'unique',
    openLoopRate: 0.8 * TOTP_TARGET,
    description: `the same, open loop at ${0.8 * TOTP_TARGET}/s: 80% of the ${TOTP_TARGET}/s target`,
  },
  {
    name: 'totp-reject',
    server: 'otp-radius',
    policy: 'none',
    kind: 'reject',
    loginPrefix: USER_PREFIX,
    pin: '',
    steps: 'unique',
    description: 'wrong OTP (otppin none): window and sync-window search, fail counter',
  },
  { name: 'status', server: 'otp-radius', policy: 'none', kind: 'status', loginPrefix: USER_PREFIX, pin: '', steps: 'unique', description: 'Status-Server with Message-Authenticator' },
  {
    name: 'pin-totp',
    server: 'otp-radius',
    policy: 'token',
    kind: 'accept',
    loginPrefix: USER_PREFIX,
    pin: PIN,
    steps: 'unique',
    description: 'PIN+TOTP accepts, token PIN checked with scrypt (the default policy)',
  },
  {
    name: 'pin-reject',
    server: 'otp-radius',
    policy: 'token',
    kind: 'reject',
    loginPrefix: USER_PREFIX,
    pin: PIN,
    steps: 'unique',
    description: 'right PIN, wrong OTP (default policy): one scrypt, as the password might be a PIN alone',
  },
  {
    name: 'challenge',
    server: 'otp-radius',
    policy: 'token',
    kind: 'challenge',
    loginPrefix: USER_PREFIX,
    pin: PIN,
    steps: 'unique',
    description: 'PIN alone -> Access-Challenge with State, then the OTP with that State -> Access-Accept',
  },
  { name: 'fr-pap', server: 'freeradius', kind: 'pap', loginPrefix: FR_PREFIX.ssha, pin: '', steps: 'current', description: 'FreeRADIUS PAP, SSHA2-256-Password (salted SHA-256)' },
  {
    name: 'fr-pap-sql',
    server: 'freeradius',
    kind: 'pap',
    loginPrefix: FR_PREFIX.sqlRow,
    pin: '',
    steps: 'current',
    description: 'FreeRADIUS PAP, then its sql module writes the post-auth row to SQLite (WAL, synchronous FULL): a durable write per accept',
  },
  { name: 'fr-pap-crypt', server: 'freeradius', kind: 'pap', loginPrefix: FR_PREFIX.crypt, pin: '', steps: 'current', description: 'FreeRADIUS PAP, Crypt-Password sha512-crypt (5000 rounds)' },
  {
    name: 'fr-totp',
    server: 'freeradius',
    kind: 'accept',
    loginPrefix: FR_PREFIX.totp,
    pin: '',
    steps: 'current',
    description: 'FreeRADIUS rlm_totp: current step only (no look-back: a code sent at a step boundary can be rejected), no replay check, so users repeat within a step',
  },
  { name: 'fr-status', server: 'freeradius', kind: 'status', loginPrefix: FR_PREFIX.totp, pin: '', steps: 'current', description: 'FreeRADIUS Status-Server with Message-Authenticator' },
];

export interface RunContext {
  options: BenchOptions;
  generator: LoadGenerator;
  port: number;
  serverPid: number;
  /** Results so far, for open-loop rates. */
  done: readonly WorkloadResult[];
}

/**
 * Sockets per generator thread. The kernel picks a server worker by a hash of
 * the source port, and the generator sends round-robin over its sockets, so a
 * worker's share of the load is its share of the sockets. With 16 a thread
 * (32 in all) the two workers of a 2-core machine were measured at 53% and 85%
 * CPU; with 128 (256 in all) at 72% and 73%, as many NASes would spread them.
 * `concurrency`: requests outstanding over all `threads`.
 */
export function socketsPerThread(concurrency: number, threads: number): number {
  // More for a high --concurrency: at most 128 requests outstanding a socket (of its 256 identifiers).
  return Math.max(128, Math.ceil(concurrency / threads / 128));
}

export async function runWorkload(def: WorkloadDef, ctx: RunContext): Promise<WorkloadResult> {
  const { options, generator } = ctx;
  let rate = def.openLoopRate ?? 0;
  if (def.openLoopOf) {
    const base = ctx.done.find((w) => w.name === def.openLoopOf!.workload);
    if (!base || base.perSecond.answers === 0) throw new Error(`${def.name}: needs the ${def.openLoopOf.workload} rate, which did not run or got no answers`);
    rate = Math.round(base.perSecond.answers * def.openLoopOf.share);
  }
  const spec: LoadSpec = {
    kind: def.kind,
    host: '127.0.0.1',
    port: ctx.port,
    secret: SECRET,
    loginPrefix: def.loginPrefix,
    pin: def.pin,
    password: PAP_PASSWORD,
    steps: def.steps,
    warmupMs: options.warmupS * 1000,
    durationMs: options.durationS * 1000,
    concurrency: options.concurrency,
    rate,
    timeoutMs: options.timeoutMs,
    messageAuthenticator: options.messageAuthenticator,
    sockets: socketsPerThread(options.concurrency, generator.threads),
  };
  const at = (ms: number): Promise<CpuSnapshot> => new Promise((resolve) => setTimeout(() => resolve(snapshot(ctx.serverPid)), ms));
  const before = at(spec.warmupMs);
  const after = at(spec.warmupMs + spec.durationMs);
  const outcome = await generator.run(spec);
  const cpu = cpuBetween(await before, await after, availableParallelism());
  return toResult(
    {
      name: def.name,
      server: def.server,
      description: def.description,
      mode: rate > 0 ? 'open' : 'closed',
      ...(rate > 0 ? { offeredRate: rate } : { concurrency: options.concurrency }),
    },
    outcome,
    cpu,
  );
}
