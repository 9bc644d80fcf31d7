// The bench's temporary world: a directory with a users file, a store of one
// TOTP token per user (all with the same PIN), and one server config per PIN
// policy, listening on a free loopback port.

import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createStore, fillTokens, type StorePaths } from './fill.ts';
import { loginOf } from './types.ts';

export const SECRET = 'bench-secret-of-a-decent-length';
export const PIN = '1234';
export const USER_PREFIX = 'u';
/** Above the config's limit of 1000 on purpose: the reject workload fails each token many times without locking it. */
export const BENCH_MAX_FAIL = 1_000_000;

export type PinPolicy = 'none' | 'token';

export interface BenchEnv extends StorePaths {
  dir: string;
  port: number;
  /** Seeds of the users the workloads use (the first `users` tokens). */
  seeds: Buffer[];
  usersFile: string;
  auditFile: string;
  configFor(policy: PinPolicy): string;
  cleanup(): Promise<void>;
}

/** A UDP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export function serverConfig(env: Pick<BenchEnv, 'port' | 'dbPath' | 'keyFile' | 'usersFile' | 'auditFile'>, policy: PinPolicy, auditTable = true): string {
  return `# otp-radius bench config (generated)
listen: { address: 127.0.0.1, port: ${env.port} }
clients:
  - name: bench
    address: 127.0.0.1
    secret: ${SECRET}
    requireMessageAuthenticator: false
log: { level: info, audit: ${JSON.stringify(env.auditFile)} }
store:
  sqlite: { path: ${JSON.stringify(env.dbPath)} }
  keyFile: ${JSON.stringify(env.keyFile)}
resolvers:
  local: { type: file, path: ${JSON.stringify(env.usersFile)} }
realms:
  default: { resolvers: [local], default: true }
${policy === 'none' ? 'policy: { otppin: none }\n' : ''}${auditTable ? '' : 'audit: { table: false }\n'}`;
}

async function writeUsers(path: string, count: number): Promise<void> {
  const out = createWriteStream(path);
  out.write('users:\n');
  for (let i = 0; i < count; i++) {
    if (!out.write(`  - login: ${loginOf(USER_PREFIX, i)}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

export interface PrepareOptions {
  parent: string;
  users: number;
  tokens: number;
  keep: boolean;
  /** See BenchOptions.auditTable. */
  auditTable?: boolean;
  log: (line: string) => void;
}

export async function prepare(opts: PrepareOptions): Promise<BenchEnv> {
  const dir = await mkdtemp(join(opts.parent, 'otp-radius-bench-'));
  const env = {
    dir,
    port: await freePort(),
    dbPath: join(dir, 'tokens.db'),
    keyFile: join(dir, 'tokens.key'),
    usersFile: join(dir, 'users.yaml'),
    auditFile: join(dir, 'audit.log'),
  };
  const seeds = Array.from({ length: opts.users }, () => randomBytes(20));
  const started = Date.now();
  // Tokens beyond --users belong to users the file does not list (as if another resolver held them):
  // the file resolver keeps its users in memory, and the memory figure is about tokens.
  await writeUsers(env.usersFile, opts.users);
  const pinHash = await createStore(env, PIN);
  await fillTokens(env, {
    from: 0,
    to: opts.tokens,
    // Tokens beyond the workload users (--tokens) only need to exist.
    seedOf: (n) => seeds[n] ?? randomBytes(20),
    ownerOf: (n) => ({ realm: 'default', resolver: 'local', userId: loginOf(USER_PREFIX, n), login: loginOf(USER_PREFIX, n) }),
    pinHash,
    maxFail: BENCH_MAX_FAIL,
  });
  opts.log(`set-up: ${opts.users} users in the users file, ${opts.tokens} TOTP tokens (PIN ${PIN}, maxFail ${BENCH_MAX_FAIL}) in ${dir} (${Date.now() - started} ms)`);
  const configs = new Map<PinPolicy, string>();
  for (const policy of ['none', 'token'] as const) {
    const file = join(dir, `otp-radius-${policy}.yaml`);
    await writeFile(file, serverConfig(env, policy, opts.auditTable ?? true));
    configs.set(policy, file);
  }
  return {
    ...env,
    seeds,
    configFor: (policy) => configs.get(policy)!,
    cleanup: async () => {
      if (!opts.keep) await rm(dir, { recursive: true, force: true });
    },
  };
}
