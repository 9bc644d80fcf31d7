// `otp-radius serve` as a real process for the CLI tests: its JSON log lines,
// its exit code, and logins from a fresh socket.

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { buildRequest, RadiusClient } from '../../src/radius/client.ts';
import { delay, SECRET } from './radius.ts';

const CLI = join(import.meta.dirname, '../../src/cli/main.ts');

export interface ServeProcess {
  child: ChildProcess;
  /** The JSON log lines from stdout and stderr so far. */
  lines: () => Record<string, unknown>[];
  exited: Promise<number | null>;
}

export function serveProcess(config: string, workers: number): ServeProcess {
  const child = spawn(process.execPath, [CLI, 'serve', '--config', config, '--workers', String(workers)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const lines = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { child, lines, exited };
}

/** Resolves once `count` log lines match, or throws after 15 s with the log. */
export async function waitForLines(server: ServeProcess, what: (l: Record<string, unknown>) => boolean, count = 1): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (server.lines().filter(what).length >= count) return;
    await delay(50);
  }
  throw new Error(
    `timed out waiting; log:\n${server
      .lines()
      .map((l) => JSON.stringify(l))
      .join('\n')}`,
  );
}

/** One login as alice from a fresh socket each time, so the kernel may pick any worker: the answer's code, or undefined. */
export async function askAlice(port: number, password: string, identifier = 1): Promise<number | undefined> {
  const client = new RadiusClient('127.0.0.1', port);
  try {
    return (await client.send(buildRequest({ identifier, secret: SECRET, userName: 'alice', password }), SECRET, 5000))?.packet.code;
  } finally {
    client.close();
  }
}
