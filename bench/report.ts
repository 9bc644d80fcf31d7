// The bench's printed table and its JSON file.

import type { KdfResult, MemoryResult, Ratio, Verdict, WorkloadResult } from './results.ts';
import type { TimingPath } from './timing.ts';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  kernel: string;
}

export interface Report {
  startedAt: string;
  command: string;
  machine: Machine;
  settings: Record<string, unknown>;
  workloads: WorkloadResult[];
  kdf?: KdfResult;
  memory?: MemoryResult;
  /** The reject paths' answer times (`timing`). */
  timing?: { paths: TimingPath[]; text: string };
  targets: Verdict[];
  ratios: Ratio[];
  notes: string[];
}

const fmtRate = (n: number): string => (n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(1) : n === 0 ? '0' : n.toFixed(2));
const fmtMs = (n: number | null): string => (n === null ? '-' : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const fmtPct = (n: number): string => `${n.toFixed(0)}%`;

/** Rows of cells to aligned text; the first row is the header, numbers align right. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) for (const [i, c] of r.entries()) widths[i] = Math.max(widths[i] ?? 0, c.length);
  const numeric = (c: string): boolean => /^[-+]?[\d.]+%?$|^-$/.test(c);
  return rows
    .map((r, ri) =>
      r
        .map((c, i) => (ri > 0 && numeric(c) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** CPU the machine spent on neither the server nor the bench (other programs, kernel threads): a disturbed measurement shows here. */
export function otherCpu(w: WorkloadResult): number {
  return Math.max(0, w.cpu.host - w.cpu.server - w.cpu.bench);
}

/** CPU of each server process, busiest first, those above 1% of a core: "73/72/3". */
export function processSplit(w: WorkloadResult): string {
  const shown = w.cpu.processes.filter((p) => p.percent >= 1).map((p) => p.percent.toFixed(0));
  return shown.length > 0 ? shown.join('/') : '-';
}

/**
 * Whether the busy server processes (above 10% of a core: the workers, not the
 * supervisor) differ by more than a quarter: then the busiest one's queue,
 * not the machine, limits throughput and latency.
 */
export function unevenSplit(w: WorkloadResult): boolean {
  const busy = w.cpu.processes.filter((p) => p.percent >= 10).map((p) => p.percent);
  return busy.length >= 2 && Math.max(...busy) > 1.25 * Math.min(...busy);
}

export function workloadTable(all: readonly WorkloadResult[]): string {
  const rows: string[][] = [
    ['workload', 'server', 'load', 'answers/s', 'accepts/s', 'rejects/s', 'chall/s', 'timeouts', 'unexpected', 'p50 ms', 'p95 ms', 'p99 ms', 'server CPU', 'by process', 'bench CPU', 'other CPU'],
  ];
  for (const w of all) {
    rows.push([
      w.name,
      w.server,
      w.mode === 'open' ? `${fmtRate(w.offeredRate ?? 0)}/s` : `c=${w.concurrency ?? '?'}`,
      fmtRate(w.perSecond.answers),
      fmtRate(w.perSecond.accepts),
      fmtRate(w.perSecond.rejects),
      fmtRate(w.perSecond.challenges),
      String(w.counts.timeouts),
      String(w.counts.unexpected),
      fmtMs(w.latencyMs.p50),
      fmtMs(w.latencyMs.p95),
      fmtMs(w.latencyMs.p99),
      fmtPct(w.cpu.server),
      processSplit(w),
      fmtPct(w.cpu.bench),
      fmtPct(otherCpu(w)),
    ]);
  }
  return table(rows);
}

export function formatReport(r: Report): string {
  const out: string[] = [];
  out.push(`machine: ${r.machine.cpus} CPUs, ${r.machine.cpuModel}, ${r.machine.memoryGb} GB; node ${r.machine.node}; ${r.machine.kernel}`);
  out.push(`command: ${r.command}`);
  if (r.workloads.length > 0) out.push('', workloadTable(r.workloads));
  if (r.timing) out.push('', 'Reject paths, one request at a time (timing):', r.timing.text.trimEnd());
  out.push(
    '',
    'CPU: percent of one core over the measured window; by process = each server process, busiest first; bench = this process (generator threads included); other = the rest of the machine.',
  );
  if (r.kdf) {
    out.push(`KDF alone (${r.kdf.params}, ${r.kdf.threads} threads): ${fmtRate(r.kdf.perSecond)} PIN checks/s, ${r.kdf.msPerHash.toFixed(2)} ms each`);
  }
  if (r.memory) {
    const w = r.memory.workers.map((m) => `${m.label}: ${m.rssMb.toFixed(0)} MB (peak ${m.peakMb.toFixed(0)}; ${m.anonMb.toFixed(0)} private + ${m.fileMb.toFixed(0)} mapped files)`);
    out.push(`server RSS per worker after its workloads, ${r.memory.tokens} tokens in the store:`, ...w.map((x) => `  ${x}`));
  }
  if (r.ratios.length > 0) {
    out.push('', table([['otp-radius / FreeRADIUS', 'otp-radius/s', 'FreeRADIUS/s', 'ratio'], ...r.ratios.map((x) => [x.what, fmtRate(x.otpRadius), fmtRate(x.freeradius), x.ratio.toFixed(2)])]));
  }
  const judged = r.targets.filter((t) => t.value !== null);
  if (judged.length > 0) {
    out.push('', table([['target (issue 7)', 'value', 'goal', 'met'], ...judged.map((t) => [t.target, t.value! >= 100 ? t.value!.toFixed(0) : t.value!.toFixed(2), t.goal, t.met ? 'yes' : 'NO'])]));
  }
  for (const n of r.notes) out.push(`note: ${n}`);
  return out.join('\n');
}

/** JSON with the latency arrays already summarised; numbers rounded so the file stays readable. */
export function reportJson(r: Report): string {
  return `${JSON.stringify(r, (_k, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 1000) / 1000 : v), 2)}\n`;
}
