// otp-radius under test: `node dist/cli/main.js serve` as a child process,
// ready once it has logged "otp-radius started" and answers a Status-Server;
// stopped with SIGTERM like an init system would.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { probeStatus } from './probe.ts';
import { memoryOf, processTree, type Memory } from './procstat.ts';

export const CLI = resolve(import.meta.dirname, '../dist/cli/main.js');

export interface ServerProcess {
  pid: number;
  /** The processes answering requests: the workers under a supervisor, or the one process. */
  workerPids(): number[];
  memory(): { pid: number; memory: Memory }[];
  /** The last lines it wrote, for error messages. */
  output(): string;
  /** Throws, with its last output, when the process has exited. */
  checkAlive(): void;
  stop(): Promise<void>;
}

export interface StartOptions {
  configFile: string;
  port: number;
  secret: string;
  workers: number | undefined;
  /** Directory for --cpu-prof profiles; none = no profiling. */
  cpuProfDir?: string;
}

const MAX_OUTPUT = 64 * 1024;

export async function startServer(opts: StartOptions): Promise<ServerProcess> {
  const args = [
    ...(opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : []),
    CLI,
    'serve',
    '--config',
    opts.configFile,
    ...(opts.workers !== undefined ? ['--workers', String(opts.workers)] : []),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let started = false;
  let onStarted: () => void = () => {};
  const ready = new Promise<void>((r) => (onStarted = r));
  const onData = (b: Buffer): void => {
    out += b.toString();
    if (out.length > MAX_OUTPUT) out = out.slice(-MAX_OUTPUT / 2);
    if (!started && out.includes('otp-radius started')) {
      started = true;
      onStarted();
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = once(child, 'exit');

  const failed = exited.then(([code, signal]) => {
    throw new Error(`otp-radius exited (${code ?? signal}) before it was ready:\n${out.trim()}`);
  });
  const timer = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`otp-radius did not start within 30 s:\n${out.trim()}`)), 30_000).unref());
  try {
    await Promise.race([ready, failed, timer]);
    // Every worker has logged its start; one answered Status-Server shows the port is served.
    if (!(await probeStatus('127.0.0.1', opts.port, opts.secret, 5000))) throw new Error(`otp-radius is not answering Status-Server on 127.0.0.1:${opts.port}:\n${out.trim()}`);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  failed.catch(() => {});
  return serverHandle(child, () => out, exited);
}

function serverHandle(child: ChildProcess, output: () => string, exited: Promise<unknown[]>): ServerProcess {
  const pid = child.pid!;
  const workerPids = (): number[] => {
    const tree = processTree(pid);
    const kids = tree.filter((s) => s.ppid === pid).map((s) => s.pid);
    return kids.length > 0 ? kids : [pid];
  };
  return {
    pid,
    workerPids,
    memory: () =>
      workerPids().flatMap((p) => {
        const memory = memoryOf(p);
        return memory ? [{ pid: p, memory }] : [];
      }),
    output,
    checkAlive() {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`otp-radius exited (${child.exitCode ?? child.signalCode}) during the run:\n${output().trim().split('\n').slice(-20).join('\n')}`);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
