// A config with a users file (alice 1001, bob 1002; realms default and
// corp), the services over it, and a way to read a whole store for
// comparisons.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { pino } from 'pino';
import type { AccessRequest } from '../../src/model/access-request.ts';
import { loadConfig } from '../../src/config/load.ts';
import { openServices, type Services } from '../../src/server/services.ts';
import type { TokenStore } from '../../src/store/types.ts';

export const NOW = 1_800_000_000;

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'otp-radius-import-'));
  after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes users.yaml and a config into `dir`; returns the config file. */
export async function writeConfig(dir: string, name = 'otp-radius.yaml', storeFile = 'tokens.db'): Promise<string> {
  const users = join(dir, 'users.yaml');
  await writeFile(users, 'users:\n  - login: alice\n    id: "1001"\n  - login: bob\n    id: "1002"\n');
  const file = join(dir, name);
  await writeFile(
    file,
    `
clients:
  - name: local
    address: 127.0.0.1
    secret: a-long-enough-test-secret
store:
  sqlite: { path: ${join(dir, storeFile)} }
  keyFile: ${join(dir, 'tokens.key')}
resolvers:
  local: { type: file, path: ${users} }
realms:
  default: { resolvers: [local], default: true }
  corp: { resolvers: [local] }
`,
  );
  return file;
}

/** The services over a fresh config in a fresh directory, closed after the test file. */
export async function services(now = NOW): Promise<{ s: Services; dir: string; configFile: string }> {
  const dir = await tempDir();
  const configFile = await writeConfig(dir);
  const s = await openServices(loadConfig(configFile).config, pino({ level: 'silent' }), { now: () => now, create: true });
  after(() => s.close());
  return { s, dir, configFile };
}

export function request(userName: string, password: string): AccessRequest {
  return { userName, password: Buffer.from(password, 'utf8'), nas: { client: 'local', address: '127.0.0.1' } };
}

/** Every token as plain JSON (seeds as hex), sorted by serial. */
export async function dump(store: TokenStore): Promise<unknown[]> {
  const all: unknown[] = [];
  for await (const batch of store.exportTokens()) for (const t of batch) all.push({ ...t, seed: t.seed.toString('hex') });
  return all.sort((a, b) => String((a as { serial: string }).serial).localeCompare(String((b as { serial: string }).serial)));
}
