// FreeRADIUS 3.2 (Debian `freeradius`) as the reference, set up the way
// /work/shared/bench/freeradius-anchor.sh does it: a private copy of
// /etc/freeradius/3.0 in the bench's temporary directory, a lean virtual
// server (files, a policy that sends users with a TOTP-Secret to rlm_totp,
// pap) listening on one loopback port, the stock thread pool, and run as a
// threaded foreground daemon. The eap module and the stock sites are left
// out: eap wants the snakeoil key and the inner-tunnel server, and the
// stock sites listen on the well-known ports. Nothing outside the temporary
// directory is touched; the system service is never started.

import { execFileSync, spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { base32Encode } from '../src/otp/base32.ts';
import { shaCrypt } from '../src/users/sha-crypt.ts';
import { ask, codeName } from './probe.ts';
import type { ServerProcess } from './server.ts';
import { memoryOf } from './procstat.ts';
import { loginOf } from './types.ts';

export const SOURCE_RADDB = '/etc/freeradius/3.0';
export const PAP_PASSWORD = 'bench-password';
/** Login prefixes of the four kinds of FreeRADIUS user. */
export const FR_PREFIX = { totp: 'u', ssha: 's', crypt: 'c', sqlRow: 'q' } as const;

/** Why FreeRADIUS cannot run here, or undefined when it can. */
export function freeradiusMissing(): string | undefined {
  try {
    execFileSync('freeradius', ['-v'], { stdio: 'ignore' });
  } catch {
    return 'freeradius is not installed (Debian package freeradius)';
  }
  if (!existsSync(join(SOURCE_RADDB, 'radiusd.conf'))) return `${SOURCE_RADDB}/radiusd.conf is missing or unreadable`;
  return undefined;
}

export function freeradiusVersion(): string {
  const text = execFileSync('freeradius', ['-v'], { encoding: 'utf8' });
  return /FreeRADIUS Version ([\d.]+)/.exec(text)?.[1] ?? 'unknown';
}

/** SSHA2-256-Password: base64 of SHA-256(password || salt) followed by the salt. */
export function ssha256(password: string, salt: Buffer): string {
  return Buffer.concat([createHash('sha256').update(password).update(salt).digest(), salt]).toString('base64');
}

export function usersFile(users: number, seeds: readonly Buffer[], sshaValue: string, cryptValue: string): string {
  const lines: string[] = [];
  for (let i = 0; i < users; i++) {
    lines.push(`${loginOf(FR_PREFIX.totp, i)}\tTOTP-Secret := "${base32Encode(seeds[i]!, false)}"\n`);
    lines.push(`${loginOf(FR_PREFIX.ssha, i)}\tSSHA2-256-Password := "${sshaValue}"\n`);
    lines.push(`${loginOf(FR_PREFIX.crypt, i)}\tCrypt-Password := "${cryptValue}"\n`);
    lines.push(`${loginOf(FR_PREFIX.sqlRow, i)}\tSSHA2-256-Password := "${sshaValue}"\n`);
  }
  return lines.join('\n');
}

function site(port: number): string {
  return `server bench {
	listen {
		type = auth
		ipaddr = 127.0.0.1
		port = ${port}
		recv_buff = 4194304
	}
	authorize {
		Autz-Type Status-Server {
			ok
		}
		files
		totp_from_password
		pap
	}
	authenticate {
		Auth-Type PAP {
			pap
		}
		Auth-Type totp {
			totp
		}
	}
	post-auth {
		if (&User-Name =~ /^${FR_PREFIX.sqlRow}/) {
			sql
		}
	}
}
`;
}

const TOTP_POLICY = `totp_from_password {
	if (&control:TOTP-Secret && &User-Password) {
		update request {
			&TOTP-Password := &User-Password
		}
		update control {
			&Auth-Type := totp
		}
	}
}
`;

export interface FreeradiusOptions {
  dir: string;
  port: number;
  secret: string;
  users: number;
  seeds: readonly Buffer[];
  /** Source ports the load comes from: sizes max_requests. */
  sourcePorts: number;
  log: (line: string) => void;
}

/**
 * FreeRADIUS keeps every answered request for cleanup_delay (5 s) to catch
 * duplicates, one per source port and identifier, and drops new ones beyond
 * max_requests ("Dropping request (16385 is too many)"). Its advice is 256 a
 * client; here every source port is a client in effect, and a port's new
 * request can arrive while its previous one with that identifier is still
 * held, so twice that. With the stock 16,384 and 256 source ports it lost one
 * request a port and fell to 1,600 answers/s; with exactly 256 a port it
 * still dropped some.
 */
export function maxRequests(sourcePorts: number): number {
  return Math.max(16_384, 2 * 256 * sourcePorts);
}

/**
 * The stock radiusd.conf pointed at the temporary directories, sized for the
 * load's source ports. raddbdir is fixed in it (-d alone is not enough); the
 * daemon stays root rather than switch to freerad, which could not write here.
 */
export function tuneRadiusdConf(text: string, raddb: string, varDir: string, sourcePorts: number): string {
  return setLines(text, `${SOURCE_RADDB}/radiusd.conf`, 'top-level', {
    raddbdir: raddb,
    logdir: join(varDir, 'log'),
    run_dir: join(varDir, 'run'),
    max_requests: String(maxRequests(sourcePorts)),
  }).replace(/^(\s*)(user|group) = freerad/gm, '$1#$2 = freerad');
}

/**
 * Sets `key = value` on the first uncommented line of each key (only an
 * unindented one when `where` is 'top-level'), keeping its indentation. A
 * key with no such line is an error naming `file`: the stock file changed.
 */
function setLines(text: string, file: string, where: 'top-level' | 'anywhere', values: Record<string, string>): string {
  let out = text;
  for (const [key, value] of Object.entries(values)) {
    const line = new RegExp(`^(${where === 'top-level' ? '' : '[ \\t]*'})${key} = .*$`, 'm');
    if (!line.test(out)) throw new Error(`${file}: no ${where === 'top-level' ? 'top-level ' : ''}"${key} = " line to set`);
    out = out.replace(line, `$1${key} = ${value}`);
  }
  return out;
}

/**
 * The stock sql module on the sqlite driver, writing its post-auth row (user,
 * reply, time) to `dbFile`: a durable write per accept, as otp-radius makes
 * one. The database is made beforehand in WAL mode, where SQLite's default
 * synchronous = FULL syncs the WAL at every commit, the cheapest durable
 * setting; the busy timeout is otp-radius's default.
 */
export function sqlModule(stock: string, dbFile: string): string {
  return setLines(stock, `${SOURCE_RADDB}/mods-available/sql`, 'anywhere', { driver: '"rlm_sql_sqlite"', filename: `"${dbFile}"`, busy_timeout: '5000' });
}

async function configure(o: FreeradiusOptions): Promise<{ raddb: string; logFile: string }> {
  const raddb = join(o.dir, 'raddb');
  const varDir = join(o.dir, 'fr-var');
  await rm(raddb, { recursive: true, force: true });
  execFileSync('cp', ['-a', SOURCE_RADDB, raddb]);
  await mkdir(join(varDir, 'log'), { recursive: true });
  await mkdir(join(varDir, 'run'), { recursive: true });
  const conf = join(raddb, 'radiusd.conf');
  await writeFile(conf, tuneRadiusdConf(await readFile(conf, 'utf8'), raddb, varDir, o.sourcePorts));
  await writeFile(join(raddb, 'clients.conf'), `client bench {\n\tipaddr = 127.0.0.1\n\tproto = *\n\tsecret = ${o.secret}\n\trequire_message_authenticator = no\n\tnas_type = other\n}\n`);
  for (const s of ['default', 'inner-tunnel']) await rm(join(raddb, 'sites-enabled', s), { force: true });
  await rm(join(raddb, 'mods-enabled', 'eap'), { force: true });
  await writeFile(join(raddb, 'sites-enabled', 'bench'), site(o.port));
  await symlink('../mods-available/totp', join(raddb, 'mods-enabled', 'totp'));
  const dbFile = join(o.dir, 'fr-postauth.db');
  await rm(dbFile, { force: true });
  const db = new Database(dbFile);
  try {
    db.pragma('journal_mode = WAL');
    db.exec(await readFile(join(raddb, 'mods-config', 'sql', 'main', 'sqlite', 'schema.sql'), 'utf8'));
  } finally {
    db.close();
  }
  await writeFile(join(raddb, 'mods-enabled', 'sql'), sqlModule(await readFile(join(raddb, 'mods-available', 'sql'), 'utf8'), dbFile));
  await writeFile(join(raddb, 'policy.d', 'totp_bench'), TOTP_POLICY);
  const crypt = await shaCrypt(
    PAP_PASSWORD,
    '6',
    randomBytes(12)
      .toString('base64')
      .replace(/[^A-Za-z0-9]/g, '')
      .slice(0, 16),
  );
  await writeFile(join(raddb, 'mods-config', 'files', 'authorize'), usersFile(o.users, o.seeds, ssha256(PAP_PASSWORD, randomBytes(8)), crypt));
  return { raddb, logFile: join(varDir, 'log', 'radiusd.log') };
}

/** Configures, checks and starts FreeRADIUS; ready once a PAP login is accepted. */
export async function startFreeradius(o: FreeradiusOptions): Promise<ServerProcess> {
  const { raddb, logFile } = await configure(o);
  try {
    execFileSync('freeradius', ['-C', '-d', raddb, '-l', 'stdout'], { encoding: 'utf8', stdio: 'pipe' });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(`FreeRADIUS config check failed:\n${`${e.stdout ?? ''}${e.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n')}`);
  }
  const child = spawn('freeradius', ['-f', '-d', raddb, '-l', logFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-16_384)));
  child.stderr.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-16_384)));
  const exited = once(child, 'exit');
  const lastLog = async (): Promise<string> => `${out}${await readFile(logFile, 'utf8').catch(() => '')}`.trim().split('\n').slice(-15).join('\n');
  const answer = await ask('127.0.0.1', o.port, o.secret, { userName: loginOf(FR_PREFIX.ssha, 0), password: PAP_PASSWORD }, 10_000);
  if (answer?.code !== 2) {
    child.kill('SIGKILL');
    throw new Error(`FreeRADIUS did not accept a PAP login (${codeName(answer?.code)}):\n${await lastLog()}`);
  }
  o.log(`FreeRADIUS ${freeradiusVersion()} on 127.0.0.1:${o.port} (pid ${child.pid}, stock thread pool)`);
  const pid = child.pid!;
  return {
    pid,
    workerPids: () => [pid],
    memory: () => {
      const memory = memoryOf(pid);
      return memory ? [{ pid, memory }] : [];
    },
    output: () => out,
    checkAlive() {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`FreeRADIUS exited (${child.exitCode ?? child.signalCode}) during the run:\n${out.trim().split('\n').slice(-20).join('\n')}`);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
