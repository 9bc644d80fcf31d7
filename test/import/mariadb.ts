// A throwaway MariaDB server for the LinOTP import tests: Debian's
// mariadb-server binaries, a data directory in a temp dir, loopback TCP on a
// free port, no grant tables (any user connects). As root the server runs as
// the `mysql` system user the package creates. Stopped when the test file's
// process exits.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeTcpPort } from '../helpers/ports.ts';

export interface MariaDb {
  port: number;
  /** A new empty database; returns its mysql:// URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

const SERVER = '/usr/sbin/mariadbd';
const INSTALL = '/usr/bin/mariadb-install-db';

export function mariadbInstalled(): boolean {
  return existsSync(SERVER) && existsSync(INSTALL);
}

function mysqlIds(): { uid: number; gid: number } | undefined {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('mysql:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  return uid === undefined || gid === undefined ? undefined : { uid: Number(uid), gid: Number(gid) };
}

function run(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 60_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${file} failed: ${stderr || stdout || err.message}`)) : resolve()));
  });
}

export async function startMariaDb(): Promise<MariaDb> {
  if (!mariadbInstalled()) throw new Error(`${SERVER} not found: install Debian package mariadb-server (.ci/run does)`);
  const dir = mkdtempSync(join(tmpdir(), 'otp-radius-mariadb-'));
  const ids = process.getuid?.() === 0 ? mysqlIds() : undefined;
  if (ids) chownSync(dir, ids.uid, ids.gid);
  const user = ids ? ['--user=mysql'] : [];
  const data = join(dir, 'data');
  await run(INSTALL, ['--no-defaults', `--datadir=${data}`, ...user, '--auth-root-authentication-method=normal', '--skip-test-db']);
  const port = await freeTcpPort();
  const child: ChildProcess = spawn(
    SERVER,
    [
      '--no-defaults',
      `--datadir=${data}`,
      ...user,
      `--socket=${join(dir, 'sock')}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      '--skip-grant-tables',
      '--skip-log-bin',
      '--innodb-buffer-pool-size=16M',
      `--pid-file=${join(dir, 'pid')}`,
      `--log-error=${join(dir, 'error.log')}`,
    ],
    { stdio: 'ignore' },
  );
  const stopNow = (): void => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopNow);
  const mysql = await import('mysql2/promise');
  const connect = () => mysql.createConnection({ uri: `mysql://root@127.0.0.1:${port}/mysql` });
  for (let i = 0; ; i++) {
    try {
      await (await connect()).end();
      break;
    } catch (err) {
      if (i > 100 || child.exitCode !== null) {
        const log = existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8').slice(-2000) : '';
        stopNow();
        throw new Error(`MariaDB did not start: ${(err as Error).message}\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    port,
    async createDatabase(name) {
      const c = await connect();
      await c.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
      await c.end();
      return `mysql://root@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      }
      if (child.exitCode === null) child.kill('SIGKILL');
      process.removeListener('exit', stopNow);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
