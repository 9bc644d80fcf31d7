// CPU and memory of the server's processes, from Linux /proc: what each
// workload cost the server, the generator and the machine, and the resident
// memory of each worker.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime, in clock ticks. */
  ticks: number;
}

/** Parses /proc/PID/stat; the command name may contain spaces and parentheses, so fields count from the last ')'. */
export function parseStat(text: string): ProcStat {
  const close = text.lastIndexOf(')');
  const open = text.indexOf('(');
  if (open < 1 || close < open) throw new Error(`/proc stat: no "(comm)" in "${text.slice(0, 60)}"`);
  const pid = Number(text.slice(0, open).trim());
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
  const ppid = Number(rest[1]);
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (![pid, ppid, utime, stime].every(Number.isFinite)) throw new Error(`/proc stat: unexpected fields in "${text.slice(0, 80)}"`);
  return { pid, ppid, ticks: utime + stime };
}

export interface Memory {
  /** Resident set now, and its peak (VmHWM), in KiB. */
  rssKb: number;
  peakKb: number;
  /** Of the resident set: private memory (heap, stacks), and mapped files (the node binary, shared by the workers). */
  anonKb: number;
  fileKb: number;
}

export function parseStatus(text: string): Memory {
  const field = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(text);
    if (!m) throw new Error(`/proc status: no ${name} line`);
    return Number(m[1]);
  };
  return { rssKb: field('VmRSS'), peakKb: field('VmHWM'), anonKb: field('RssAnon'), fileKb: field('RssFile') };
}

/** Total and idle jiffies from the first line of /proc/stat. */
export function parseCpuLine(text: string): { total: number; idle: number } {
  const line = text.split('\n', 1)[0] ?? '';
  const parts = line.trim().split(/\s+/);
  if (parts[0] !== 'cpu') throw new Error(`/proc/stat: expected a "cpu" line first, got "${line.slice(0, 40)}"`);
  const nums = parts.slice(1).map(Number);
  const total = nums.reduce((a, b) => a + b, 0);
  // idle + iowait
  return { total, idle: (nums[3] ?? 0) + (nums[4] ?? 0) };
}

let clockTicks: number | undefined;
export function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The process and all its descendants, alive now. */
export function processTree(root: number): ProcStat[] {
  const all: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) all.push(s);
  }
  const tree: ProcStat[] = [];
  const wanted = new Set([root]);
  // Parents come before children often enough; repeat until nothing is added.
  for (let added = true; added; ) {
    added = false;
    for (const s of all) {
      if ((s.pid === root || wanted.has(s.ppid)) && !tree.includes(s)) {
        tree.push(s);
        wanted.add(s.pid);
        added = true;
      }
    }
  }
  return tree;
}

export function memoryOf(pid: number): Memory | undefined {
  try {
    return parseStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return undefined;
  }
}

export interface CpuSnapshot {
  at: number;
  serverTicks: number;
  /** Ticks of each process of the server's tree (supervisor, workers), by pid. */
  processTicks: Map<number, number>;
  system: { total: number; idle: number };
  self: NodeJS.CpuUsage;
}

export function snapshot(serverPid: number | undefined): CpuSnapshot {
  const tree = serverPid === undefined ? [] : processTree(serverPid);
  return {
    at: performance.now(),
    serverTicks: tree.reduce((n, s) => n + s.ticks, 0),
    processTicks: new Map(tree.map((s) => [s.pid, s.ticks])),
    system: parseCpuLine(readFileSync('/proc/stat', 'utf8')),
    self: process.cpuUsage(),
  };
}

export interface CpuUse {
  /** Percent of one core, over the interval (200 = two cores busy). */
  server: number;
  /**
   * Each server process that ran through the whole interval, busiest first:
   * how evenly the kernel's SO_REUSEPORT hash spread the load over the workers.
   */
  processes: { pid: number; percent: number }[];
  /** This bench process: the generator threads and the main thread. */
  bench: number;
  /** Every CPU of the machine that was not idle, percent of one core. */
  host: number;
}

export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot, cpus: number): CpuUse {
  const seconds = (b.at - a.at) / 1000;
  const percent = (ticks: number): number => (ticks / ticksPerSecond() / seconds) * 100;
  const server = percent(b.serverTicks - a.serverTicks);
  const processes: CpuUse['processes'] = [];
  for (const [pid, end] of b.processTicks) {
    const start = a.processTicks.get(pid);
    if (start !== undefined) processes.push({ pid, percent: percent(end - start) });
  }
  processes.sort((x, y) => y.percent - x.percent);
  const bench = ((b.self.user - a.self.user + b.self.system - a.self.system) / 1e6 / seconds) * 100;
  const total = b.system.total - a.system.total;
  const host = total > 0 ? (1 - (b.system.idle - a.system.idle) / total) * 100 * cpus : 0;
  return { server, processes, bench, host };
}
