// A throwaway PostgreSQL cluster for tests: Debian's server binaries, initdb
// into a temp dir, listening on 127.0.0.1 on a free port and on a unix
// socket inside the temp dir, trust auth, durability off for speed. Each
// test file (a process of its own under `node --test`) starts what it needs;
// clusters still running when the process exits are stopped then, so a
// failing test does not leave a postmaster behind.
//
// PostgreSQL refuses to run as root; as root the commands run as the
// `postgres` system user the Debian package creates.

import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeTcpPort } from './ports.ts';

export interface PostgresCluster {
  /** Superuser connection URL to the `postgres` database over TCP loopback. */
  url: string;
  /** Directory holding the unix socket (for `host=` in libpq terms). */
  socketDir: string;
  port: number;
  /** A new empty database on this cluster; returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server (fast shutdown) and removes its files. Harmless twice. */
  stop(): Promise<void>;
}

const PG_ROOT = '/usr/lib/postgresql';
const INSTALL_HINT = 'install the Debian package `postgresql` (apt-get install postgresql; .ci/run does this) to run the PostgreSQL tests';

/** The newest installed server's bin directory; OTP_RADIUS_PG_BIN overrides. */
export function postgresBinDir(root: string = PG_ROOT): string {
  const override = process.env.OTP_RADIUS_PG_BIN;
  if (override) {
    if (!existsSync(join(override, 'initdb'))) throw new Error(`OTP_RADIUS_PG_BIN=${override} has no initdb`);
    return override;
  }
  let versions: string[] = [];
  try {
    versions = readdirSync(root).filter((v) => /^\d+(\.\d+)?$/.test(v) && existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')));
  } catch {
    // no such directory: not installed
  }
  versions.sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error(`PostgreSQL server not found (no ${root}/*/bin/initdb): ${INSTALL_HINT}`);
  return join(root, versions[0]!, 'bin');
}

const asRoot = process.getuid?.() === 0;

function postgresIds(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error(`running as root, but there is no \`postgres\` system user to run PostgreSQL as: ${INSTALL_HINT}`);
  return { uid: Number(uid), gid: Number(gid) };
}

/** argv for a server command, as the postgres user when we are root. */
function command(bin: string, args: string[]): [string, string[]] {
  return asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

function run(bin: string, args: string[]): Promise<string> {
  const [file, argv] = command(bin, args);
  return new Promise((resolve, reject) => {
    execFile(file, argv, { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${bin} ${args.join(' ')} failed: ${stderr.trim() || stdout.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

const running = new Set<{ pgCtl: string; data: string; dir: string }>();
let exitHookInstalled = false;

function stopNow(c: { pgCtl: string; data: string; dir: string }): void {
  const [file, argv] = command(c.pgCtl, ['stop', '-D', c.data, '-m', 'immediate', '-w', '-t', '10']);
  spawnSync(file, argv, { stdio: 'ignore', timeout: 15_000 });
  rmSync(c.dir, { recursive: true, force: true });
  running.delete(c);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of [...running]) stopNow(c);
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      for (const c of [...running]) stopNow(c);
      process.kill(process.pid, signal);
    });
  }
}

let dbCounter = 0;

/** Starts a fresh cluster; takes about a second. */
export async function startPostgres(): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  const ids = asRoot ? postgresIds() : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'otp-radius-pg-'));
  const data = join(dir, 'data');
  const socketDir = join(dir, 'sock');
  mkdirSync(socketDir);
  if (ids) {
    chownSync(dir, ids.uid, ids.gid);
    chownSync(socketDir, ids.uid, ids.gid);
  }
  const pgCtl = join(bin, 'pg_ctl');
  const entry = { pgCtl, data, dir };
  installExitHook();
  try {
    await run(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freeTcpPort();
      const settings = [
        `-p ${port}`,
        "-c listen_addresses='127.0.0.1'",
        `-c unix_socket_directories='${socketDir}'`,
        '-c fsync=off',
        '-c synchronous_commit=off',
        '-c full_page_writes=off',
        '-c max_connections=200',
        '-c shared_buffers=32MB',
        '-c log_min_messages=warning',
        '-c logging_collector=off',
      ].join(' ');
      running.add(entry);
      try {
        await run(pgCtl, ['start', '-D', data, '-w', '-t', '30', '-l', join(dir, 'server.log'), '-o', settings]);
        break;
      } catch (err) {
        running.delete(entry);
        // Another process may have taken the port between our probe and the server's bind.
        const log = existsSync(join(dir, 'server.log')) ? readFileSync(join(dir, 'server.log'), 'utf8') : '';
        if (attempt >= 3 || !/could not bind|Address already in use/.test(log)) throw new Error(`${(err as Error).message}\n${log.slice(-2000)}`);
      }
    }
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    return {
      url,
      socketDir,
      port,
      async createDatabase(name?: string): Promise<string> {
        const db = name ?? `t${process.pid}_${++dbCounter}`;
        if (!/^[a-z_][a-z0-9_]*$/.test(db)) throw new Error(`createDatabase: "${db}" is not a plain lower-case identifier`);
        const { default: pg } = await import('pg');
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          // FILE_COPY (PostgreSQL 15+) is the quicker way to copy a small template with fsync off.
          const version = Number((await client.query('SHOW server_version_num')).rows[0].server_version_num);
          await client.query(`CREATE DATABASE ${db} TEMPLATE template0${version >= 150000 ? ' STRATEGY FILE_COPY' : ''}`);
        } finally {
          await client.end();
        }
        return `postgres://postgres@127.0.0.1:${port}/${db}`;
      },
      async stop(): Promise<void> {
        if (!running.has(entry)) return;
        running.delete(entry);
        try {
          await run(pgCtl, ['stop', '-D', data, '-m', 'fast', '-w', '-t', '30']);
        } catch {
          stopNow(entry);
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (running.has(entry)) stopNow(entry);
    else rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** True when a server answers on the cluster's port (to check that stop() stopped it). */
export function isReady(cluster: PostgresCluster): boolean {
  const isReadyBin = join(postgresBinDir(), 'pg_isready');
  try {
    execFileSync(isReadyBin, ['-h', '127.0.0.1', '-p', String(cluster.port), '-q'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
