// `npm run bench`: set up, measure, print a table, write JSON, clean up.
// otp-radius runs from dist/ as a child process (once per PIN policy), the
// load comes from worker threads of this process, FreeRADIUS (with
// --vs-freeradius) gets the same load in the same run.

import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, release, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { freeradiusMissing, startFreeradius } from './freeradius.ts';
import { measureKdf } from './kdf.ts';
import { LoadGenerator } from './load.ts';
import { runLookupScale } from './lookup-scale.ts';
import { runTiming } from './timing.ts';
import { OptionError, parseOptions, selected, USAGE, type BenchOptions } from './options.ts';
import { formatReport, otherCpu, processSplit, reportJson, unevenSplit, type Machine, type Report } from './report.ts';
import { judgeTargets, ratios, type KdfResult, type MemoryResult, type WorkloadResult } from './results.ts';
import { freePort, prepare, SECRET, type BenchEnv, type PinPolicy } from './setup.ts';
import { startServer, type ServerProcess } from './server.ts';
import { runWorkload, socketsPerThread, WORKLOADS, type WorkloadDef } from './workloads.ts';

const RESULTS = resolve(import.meta.dirname, 'results');
const log = (line: string): void => void process.stderr.write(`${line}\n`);

export function machine(): Machine {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.*)$/m.exec(execFileSync('cat', ['/proc/cpuinfo'], { encoding: 'utf8' }))?.[1] ?? cpuModel;
  } catch {
    // not Linux: keep os.cpus()'s name
  }
  return { cpus: availableParallelism(), cpuModel, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version, kernel: `Linux ${release()}` };
}

function fileSystemOf(path: string): string {
  try {
    return execFileSync('findmnt', ['-n', '-o', 'FSTYPE', '--target', path], { encoding: 'utf8' }).trim().split('\n')[0] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** What Ctrl-C or an error must undo: the running server and the temporary directory. */
let current: ServerProcess | undefined;
let currentEnv: BenchEnv | undefined;

async function abandon(): Promise<void> {
  await current?.stop().catch(() => {});
  await currentEnv?.cleanup().catch(() => {});
}

async function runServerGroup(o: BenchOptions, env: BenchEnv, generator: LoadGenerator, policy: PinPolicy, defs: WorkloadDef[], results: WorkloadResult[], memory: MemoryResult): Promise<void> {
  const cpuProfDir = o.cpuProf ? join(RESULTS, 'profiles') : undefined;
  if (cpuProfDir) await mkdir(cpuProfDir, { recursive: true });
  const server = await startServer({ configFile: env.configFor(policy), port: env.port, secret: SECRET, workers: o.workers, ...(cpuProfDir ? { cpuProfDir } : {}) });
  current = server;
  log(`otp-radius (otppin ${policy}): pid ${server.pid}, ${server.workerPids().length} worker process(es)`);
  try {
    for (const def of defs) {
      log(`  ${def.name}: ${def.description}`);
      results.push(await runWorkload(def, { options: o, generator, port: env.port, serverPid: server.pid, done: results }));
      server.checkAlive();
    }
    for (const { pid, memory: m } of server.memory()) {
      memory.workers.push({ label: `otppin ${policy}`, pid, rssMb: m.rssKb / 1024, peakMb: m.peakKb / 1024, anonMb: m.anonKb / 1024, fileMb: m.fileKb / 1024 });
    }
  } finally {
    await server.stop();
    current = undefined;
  }
}

async function runFreeradius(o: BenchOptions, env: BenchEnv, generator: LoadGenerator, defs: WorkloadDef[], results: WorkloadResult[], notes: string[]): Promise<void> {
  const missing = freeradiusMissing();
  if (missing) {
    notes.push(`--vs-freeradius skipped: ${missing}`);
    log(`FreeRADIUS: skipped, ${missing}`);
    return;
  }
  const port = await freePort();
  const sourcePorts = generator.threads * socketsPerThread(o.concurrency, generator.threads);
  const fr = await startFreeradius({ dir: env.dir, port, secret: SECRET, users: o.users, seeds: env.seeds, sourcePorts, log });
  current = fr;
  try {
    for (const def of defs) {
      log(`  ${def.name}: ${def.description}`);
      results.push(await runWorkload(def, { options: o, generator, port, serverPid: fr.pid, done: results }));
      fr.checkAlive();
    }
  } finally {
    await fr.stop();
    current = undefined;
  }
}

async function bench(o: BenchOptions, command: string): Promise<Report> {
  const startedAt = new Date().toISOString();
  const notes: string[] = [];
  const results: WorkloadResult[] = [];
  const memory: MemoryResult = { tokens: o.tokens, workers: [] };
  let kdf: KdfResult | undefined;
  const chosen = WORKLOADS.filter((w) => selected(o, w.name));
  // The open-loop run needs the closed-loop rate it is a share of.
  for (const w of [...chosen]) {
    const base = w.openLoopOf && WORKLOADS.find((d) => d.name === w.openLoopOf!.workload);
    if (base && !chosen.includes(base)) chosen.splice(chosen.indexOf(w), 0, base);
  }
  // The PIN workloads are judged against the KDF alone: measured right before them, for as long as one of them,
  // so that both readings come from the same minute of a machine whose speed drifts (a 3 s reading at the start
  // of the run differed from the same session's others by up to 30%).
  const kdfFirst = chosen.every((w) => w.server !== 'otp-radius' || w.policy !== 'token');
  const measureKdfAlone = async (): Promise<void> => {
    log(`KDF alone: ${availableParallelism()} threads, ${o.durationS} s`);
    kdf = await measureKdf(availableParallelism(), o.durationS * 1000);
  };
  if (selected(o, 'kdf') && kdfFirst) await measureKdfAlone();
  if (chosen.length > 0) {
    const env = await prepare({ parent: o.dir, users: o.users, tokens: o.tokens, keep: o.keep, auditTable: o.auditTable, log });
    currentEnv = env;
    notes.push(`store on ${fileSystemOf(env.dir)} (${env.dir}); every SQLite commit is fsynced before its answer leaves`);
    const generator = LoadGenerator.start(o.clients, env.seeds);
    try {
      for (const policy of ['none', 'token'] as const) {
        const defs = chosen.filter((w) => w.server === 'otp-radius' && w.policy === policy);
        if (defs.length === 0) continue;
        if (policy === 'token' && selected(o, 'kdf')) await measureKdfAlone();
        await runServerGroup(o, env, generator, policy, defs, results, memory);
      }
      const fr = chosen.filter((w) => w.server === 'freeradius');
      if (fr.length > 0) await runFreeradius(o, env, generator, fr, results, notes);
    } finally {
      await generator.close();
      await env.cleanup();
      currentEnv = undefined;
      if (o.keep) log(`kept ${env.dir}`);
    }
    const disturbed = results.filter((r) => otherCpu(r) > 25).map((r) => `${r.name} ${otherCpu(r).toFixed(0)}%`);
    if (disturbed.length > 0) notes.push(`other processes used CPU during ${disturbed.join(', ')}: those figures are lower than this machine allows`);
    const uneven = results.filter(unevenSplit).map((r) => `${r.name} (${processSplit(r)}%)`);
    if (uneven.length > 0) notes.push(`the kernel spread the load unevenly over the server's processes during ${uneven.join(', ')}: the busiest one limited those figures`);
    const cpuCount = availableParallelism();
    const saturated = results.filter((r) => r.cpu.server + r.cpu.bench >= 90 * cpuCount).map((r) => r.name);
    if (saturated.length > 0) notes.push(`server and generator together kept every CPU busy during ${saturated.join(', ')}: there the generator's share limits the figure too`);
    const lucky = results.filter((r) => r.name === 'totp-reject' && r.counts.accepts > 0);
    for (const r of lucky) {
      notes.push(
        `${r.counts.accepts} wrong code(s) in ${r.name} were the right code of another step inside the window (about 13 in a million are); ` +
          "each accept moved that user's counter ahead, so a later workload may see the same number of its codes rejected as used",
      );
    }
    const lead = Math.max(0, ...results.map((r) => r.stepLead));
    if (lead > 6) notes.push(`users were handed TOTP codes up to ${lead} steps ahead of the clock (${o.users} users, one code per step each); the server follows through the drift it learns`);
  }
  // Last, on a server of its own: the reject paths' answer times.
  const timing = selected(o, 'timing') ? await runTiming(o, machine(), log) : undefined;
  return {
    startedAt,
    command,
    machine: machine(),
    ...(timing ? { timing } : {}),
    settings: { ...o, only: o.only ?? 'all', workers: o.workers ?? `server default (${availableParallelism()})` },
    workloads: results,
    ...(kdf ? { kdf } : {}),
    ...(memory.workers.length > 0 ? { memory } : {}),
    targets: judgeTargets(results, kdf, memory.workers.length > 0 ? memory : undefined),
    ratios: ratios(results),
    notes,
  };
}

async function main(): Promise<number> {
  let o: BenchOptions;
  try {
    o = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (err instanceof OptionError) {
      log(`bench: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
  if (o.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  process.on('SIGINT', () => {
    log('interrupted: stopping the server, removing the temporary directory');
    void abandon().finally(() => process.exit(130));
  });
  if (o.lookupScale) {
    const text = await runLookupScale(o, command, machine(), log);
    process.stdout.write(text);
    return 0;
  }
  const report = await bench(o, command);
  process.stdout.write(`${formatReport(report)}\n`);
  const out = o.out ?? join(RESULTS, `bench-${report.startedAt.replace(/[:.]/g, '-')}.json`);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, reportJson(report));
  log(`results written to ${out}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`bench: ${err instanceof Error ? err.message : String(err)}`);
    void abandon().finally(() => process.exit(1));
  },
);
