// A workload's figures, the KDF-alone rate, memory, and how they compare
// with issue 7's targets and with FreeRADIUS. Pure: numbers in, numbers out.

import type { LoadOutcome } from './load.ts';
import type { CpuUse } from './procstat.ts';
import { summarize, type LatencySummary } from './stats.ts';
import type { Counts } from './types.ts';

export interface WorkloadResult {
  name: string;
  server: 'otp-radius' | 'freeradius';
  description: string;
  mode: 'closed' | 'open';
  /** Closed loop: requests outstanding. Open loop: requests per second offered. */
  concurrency?: number;
  offeredRate?: number;
  durationS: number;
  counts: Counts;
  perSecond: { answers: number; accepts: number; rejects: number; challenges: number };
  latencyMs: LatencySummary;
  /** Percent of one core: the server's processes, this bench process, the whole machine. */
  cpu: CpuUse;
  /** CPU of the generator threads alone, percent of one core. */
  generatorCpu: number;
  /** TOTP steps ahead of the clock that the furthest user reached. */
  stepLead: number;
}

export interface KdfResult {
  threads: number;
  hashes: number;
  seconds: number;
  perSecond: number;
  /** Core-milliseconds per hash (threads x seconds / hashes). */
  msPerHash: number;
  params: string;
}

export interface MemoryResult {
  tokens: number;
  workers: { label: string; pid: number; rssMb: number; peakMb: number; anonMb: number; fileMb: number }[];
}

export interface Verdict {
  target: string;
  value: number | null;
  goal: string;
  met: boolean | null;
}

export interface Ratio {
  what: string;
  otpRadius: number;
  freeradius: number;
  ratio: number;
}

export function toResult(base: Pick<WorkloadResult, 'name' | 'server' | 'description' | 'mode' | 'concurrency' | 'offeredRate'>, outcome: LoadOutcome, cpu: CpuUse): WorkloadResult {
  const seconds = outcome.windowMs / 1000;
  const rate = (n: number): number => (seconds > 0 ? n / seconds : 0);
  const { latencies, windowMs, cpuMs, stepLead, ...counts } = outcome;
  const answers = counts.accepts + counts.rejects + counts.challenges + counts.other;
  return {
    ...base,
    durationS: seconds,
    counts,
    perSecond: { answers: rate(answers), accepts: rate(counts.accepts), rejects: rate(counts.rejects), challenges: rate(counts.challenges) },
    latencyMs: summarize(latencies),
    cpu,
    generatorCpu: seconds > 0 ? (cpuMs / windowMs) * 100 : 0,
    stepLead,
  };
}

/** Issue 7's TOTP accepts/s; its p99 target holds at 80% of it (read as the rate named, see judgeTargets). */
export const TOTP_TARGET = 5000;

const find = (all: readonly WorkloadResult[], name: string): WorkloadResult | undefined => all.find((w) => w.name === name);

/** Issue 7's targets, judged on what ran; a target whose workload did not run has value null. */
export function judgeTargets(all: readonly WorkloadResult[], kdf: KdfResult | undefined, memory: MemoryResult | undefined): Verdict[] {
  const v: Verdict[] = [];
  const totp = find(all, 'totp');
  v.push({ target: 'TOTP accepts/s without the KDF (otppin none)', value: totp?.perSecond.accepts ?? null, goal: `>= ${TOTP_TARGET}`, met: totp ? totp.perSecond.accepts >= TOTP_TARGET : null });
  // "p99 below 20 ms at 80% of that rate" read both ways: 80% of the 5,000/s
  // named, and the stricter 80% of the rate this machine reached.
  for (const [name, what] of [
    ['totp-4000', `p99 ms at ${0.8 * TOTP_TARGET}/s (80% of ${TOTP_TARGET}/s)`],
    ['totp-80', 'p99 ms at 80% of the measured totp rate'],
  ] as const) {
    const open = find(all, name);
    v.push({ target: what, value: open?.latencyMs.p99 ?? null, goal: '< 20', met: open && open.latencyMs.p99 !== null ? open.latencyMs.p99 < 20 : null });
  }
  const pin = find(all, 'pin-totp');
  const share = pin && kdf && kdf.perSecond > 0 ? pin.perSecond.accepts / kdf.perSecond : null;
  v.push({ target: 'PIN+TOTP accepts/s / KDF-alone rate', value: share, goal: '>= 0.8', met: share === null ? null : share >= 0.8 });
  for (const [reject, accept] of [
    ['totp-reject', totp],
    ['pin-reject', pin],
  ] as const) {
    const r = find(all, reject);
    const value = r && accept && accept.perSecond.accepts > 0 ? r.perSecond.rejects / accept.perSecond.accepts : null;
    v.push({ target: `${reject} rejects/s / ${accept?.name ?? (reject === 'totp-reject' ? 'totp' : 'pin-totp')} accepts/s`, value, goal: '>= 1', met: value === null ? null : value >= 1 });
  }
  const status = find(all, 'status');
  v.push({ target: 'Status-Server answers/s', value: status?.perSecond.answers ?? null, goal: '>= 20000', met: status ? status.perSecond.answers >= 20000 : null });
  const frPap = find(all, 'fr-pap');
  const papRatio = totp && frPap && frPap.perSecond.accepts > 0 ? totp.perSecond.accepts / frPap.perSecond.accepts : null;
  v.push({ target: 'TOTP accepts/s / FreeRADIUS PAP accepts/s', value: papRatio, goal: '>= 0.5', met: papRatio === null ? null : papRatio >= 0.5 });
  const peak = memory && memory.workers.length > 0 ? Math.max(...memory.workers.map((w) => w.peakMb)) : null;
  v.push({ target: `peak RSS MB per worker (${memory?.tokens ?? '?'} tokens)`, value: peak, goal: '< 150', met: peak === null ? null : peak < 150 });
  return v;
}

/** otp-radius / FreeRADIUS for the pairs that do the same work (or, for PAP, the work the issue compares with). */
export const RATIO_PAIRS: readonly { what: string; ours: string; theirs: string; field: 'accepts' | 'answers' }[] = [
  { what: 'TOTP accepts (otppin none) vs FreeRADIUS totp', ours: 'totp', theirs: 'fr-totp', field: 'accepts' },
  { what: 'TOTP accepts (otppin none) vs FreeRADIUS PAP, salted SHA-256', ours: 'totp', theirs: 'fr-pap', field: 'accepts' },
  { what: 'TOTP accepts (otppin none) vs FreeRADIUS PAP + post-auth row in SQLite', ours: 'totp', theirs: 'fr-pap-sql', field: 'accepts' },
  { what: 'PIN+TOTP accepts (scrypt) vs FreeRADIUS PAP, sha512-crypt', ours: 'pin-totp', theirs: 'fr-pap-crypt', field: 'accepts' },
  { what: 'Status-Server answers', ours: 'status', theirs: 'fr-status', field: 'answers' },
];

export function ratios(all: readonly WorkloadResult[]): Ratio[] {
  const out: Ratio[] = [];
  for (const p of RATIO_PAIRS) {
    const a = find(all, p.ours);
    const b = find(all, p.theirs);
    if (!a || !b || b.perSecond[p.field] === 0) continue;
    out.push({ what: p.what, otpRadius: a.perSecond[p.field], freeradius: b.perSecond[p.field], ratio: a.perSecond[p.field] / b.perSecond[p.field] });
  }
  return out;
}
