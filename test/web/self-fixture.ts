// The whole server with one loopback listener serving the self-service
// portal (and validate, health), users with directory passwords in a users
// file (realms default and lab), the server's clock movable, and browser
// steps for the portal: log in, read the key off the enrollment page.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startStack, type Stack } from '../helpers/stack.ts';

/** "alice-password" (sha512-crypt), as in config/users.yaml: every user of the fixture has it. */
const HASH = '$6$xDhLHe.WbSuwP3G0$vvr38JkhB.FwRl6gqmr.mGZnP4AI/RFVYB985d2.SaU.2NKOKE9EK767/J4pgaKlwW6ftVojwpKyFxc4yl7ON0';
export const USER_PASSWORD = 'alice-password';

export const SELF_USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy'];

export interface SelfStack {
  stack: Stack;
  base: string;
  dir: string;
  /** Seconds the server's clock is ahead of the real one. */
  ahead: { seconds: number };
  /** Unix seconds on the server's clock. */
  now(): number;
  stop(): Promise<void>;
}

/** `yaml`: more top-level config (selfService:, policy: ...); `users`: another resolver/realm section. */
export async function startSelfStack(yaml = '', users?: (dir: string) => string): Promise<SelfStack> {
  const ahead = { seconds: 0 };
  const dir = await mkdtemp(join(tmpdir(), 'otp-radius-self-web-'));
  await writeFile(join(dir, 'people.yaml'), `users:\n${SELF_USERS.map((u, i) => `  - { login: ${u}, id: "${2000 + i}", password: "${HASH}"${u === 'alice' ? ', groups: [vpn-users]' : ''} }\n`).join('')}`);
  const stack = await startStack({
    dir,
    users: users?.(dir) ?? `resolvers:\n  people: { type: file, path: ${join(dir, 'people.yaml')} }\nrealms:\n  default: { resolvers: [people], default: true }\n  lab: { resolvers: [people] }`,
    now: () => Date.now() / 1000 + ahead.seconds,
    yaml: `http:\n  listeners:\n    - { name: main, address: 127.0.0.1, port: 0, serve: [validate, health, self] }\n${yaml}`,
  });
  return {
    stack,
    base: `http://127.0.0.1:${stack.running.http!.port('main')}`,
    dir,
    ahead,
    now: () => Date.now() / 1000 + ahead.seconds,
    async stop() {
      await stack.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Fills in the portal's login form (the code too, when given) and waits for the page after it. */
export async function selfLogIn(page: Page, base: string, username: string, otp?: string, password = USER_PASSWORD): Promise<void> {
  await page.goto(`${base}/self/login`);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  if (otp !== undefined) await page.getByLabel('Code from your token').fill(otp);
  await Promise.all([page.waitForURL((url) => url.pathname !== '/self/login'), page.getByRole('button', { name: 'Log in' }).click()]);
}

/** The key the enrollment page shows, as one base32 string (the groups joined). */
export async function keyOnPage(page: Page): Promise<string> {
  return ((await page.getByTestId('secret').textContent()) ?? '').replace(/\s/g, '');
}
