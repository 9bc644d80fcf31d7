// The whole server in-process on a loopback port, with its own temporary
// store, users file and config; radclient and the CLI talk to it from outside.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { start, type Running } from '../../src/server/start.ts';
import { captureLogs, radclient, SECRET, type LogCapture } from './radius.ts';

// Password "alice-password" (sha512-crypt), as in config/users.yaml.
const ALICE_HASH = '$6$xDhLHe.WbSuwP3G0$vvr38JkhB.FwRl6gqmr.mGZnP4AI/RFVYB985d2.SaU.2NKOKE9EK767/J4pgaKlwW6ftVojwpKyFxc4yl7ON0';
const CLI = resolve(import.meta.dirname, '../../src/cli/main.ts');

export interface StackOptions {
  /** Extra top-level YAML (policy:, tokens:, challenges: ...). */
  yaml?: string;
  /** Replaces the default `resolvers:` and `realms:` sections (a users.yaml resolver "local", realm "default"). */
  users?: string;
  /** Reuse this directory (a second server on the same store). */
  dir?: string;
  /** More keys of the `listen:` mapping, as flow-style YAML (`radsec: { ... }`). */
  listen?: string;
  /** More entries of the `clients:` list, each line indented as a list item (`  - { name: ... }`). */
  clients?: string;
  now?: () => number;
}

export interface Stack {
  running: Running;
  port: number;
  dir: string;
  configFile: string;
  logs: LogCapture;
  /** One Access-Request through radclient; `extra` adds attribute lines. */
  auth(user: string, password: string, extra?: string): Promise<Reply>;
  /** `otp-radius ARGS --config FILE` as a child process. */
  cli(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  audits(): Record<string, unknown>[];
  stop(): Promise<void>;
}

export interface Reply {
  code: 'accept' | 'reject' | 'challenge' | 'none';
  stdout: string;
  state?: string;
  replyMessage?: string;
}

export function parseRadclient(stdout: string): Reply {
  const code = /Received Access-Accept/.test(stdout) ? 'accept' : /Received Access-Reject/.test(stdout) ? 'reject' : /Received Access-Challenge/.test(stdout) ? 'challenge' : 'none';
  const state = /State = 0x([0-9a-f]+)/.exec(stdout)?.[1];
  const replyMessage = /Reply-Message = "([^"]*)"/.exec(stdout)?.[1];
  return { code, stdout, ...(state ? { state } : {}), ...(replyMessage !== undefined ? { replyMessage } : {}) };
}

/** Writes a config for a server on `port` over the store and users in `dir`. */
export async function writeStackConfig(dir: string, port: number, yaml = '', users?: string, more: { listen?: string; clients?: string } = {}): Promise<string> {
  const usersFile = join(dir, 'users.yaml');
  await writeFile(usersFile, `users:\n  - login: alice\n    id: "1001"\n    password: "${ALICE_HASH}"\n    email: alice@example.org\n    groups: [vpn-users]\n  - login: bob\n    id: "1002"\n`);
  const configFile = join(dir, `otp-radius-${process.pid}-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(
    configFile,
    `
listen: { address: 127.0.0.1, port: ${port}${more.listen ? `, ${more.listen}` : ''} }
clients:
  - name: local
    address: 127.0.0.1
    secret: ${SECRET}
    requireMessageAuthenticator: false
${more.clients ?? ''}
log: { level: info, audit: stdout }
store:
  sqlite: { path: ${join(dir, 'tokens.db')} }
  keyFile: ${join(dir, 'tokens.key')}
${users ?? `resolvers:\n  local: { type: file, path: ${usersFile} }\nrealms:\n  default: { resolvers: [local], default: true }`}
${yaml}
`,
  );
  return configFile;
}

/** A new directory under `prefix` with a config by writeStackConfig and its store made by `store init`, as an admin starts out. */
export async function initStackDir(prefix: string): Promise<{ dir: string; config: string }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const config = await writeStackConfig(dir, 0);
  const init = await runCli(['store', 'init', '--config', config]);
  if (init.code !== 0) throw new Error(`store init exited with ${init.code}: ${init.stderr}`);
  return { dir, config };
}

/** `otp-radius ARGS` as a child process, in `cwd` (default: this process's working directory). */
export function runCli(args: string[], stdin = '', cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(process.execPath, [CLI, ...args], { timeout: 30_000, ...(cwd ? { cwd } : {}) }, (err, stdout, stderr) => {
      done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin?.end(stdin);
  });
}

/** `otp-radius serve` as a child process; resolves once it listens. */
export function spawnServe(configFile: string): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`serve did not start: ${out}`)), 10_000);
    const onData = (b: Buffer): void => {
      out += b.toString();
      if (out.includes('otp-radius started')) {
        clearTimeout(timer);
        done({ child, output: () => out });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => fail(new Error(`serve exited with ${code}: ${out}`)));
  });
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'otp-radius-e2e-')));
  const configFile = await writeStackConfig(dir, 0, options.yaml, options.users, { ...(options.listen ? { listen: options.listen } : {}), ...(options.clients ? { clients: options.clients } : {}) });
  const logs = captureLogs('info');
  const running = await start(configFile, { logger: logs.logger, ...(options.now ? { now: options.now } : {}) });
  const port = running.radius.port();
  return {
    running,
    port,
    dir,
    configFile,
    logs,
    async auth(user, password, extra = '') {
      const lines = `User-Name = "${user}"\nUser-Password = "${password}"\n${extra}`;
      const r = await radclient(['-x', '-r', '1', '-t', '3', `127.0.0.1:${port}`, 'auth', SECRET], lines);
      return parseRadclient(r.stdout + r.stderr);
    },
    cli: (args, stdin) => runCli([...args, '--config', configFile], stdin),
    audits: () => logs.lines.filter((l) => l.event === 'auth'),
    async stop() {
      await running.stop();
      if (!options.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A code from oathtool (Debian package oathtool): the independent generator. */
export function oathtool(args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    execFile('oathtool', args, (err, stdout) => {
      if (err) fail((err as NodeJS.ErrnoException).code === 'ENOENT' ? new Error('oathtool not found: install Debian package oathtool (.ci/run does)') : err);
      else done(stdout.trim());
    });
  });
}
