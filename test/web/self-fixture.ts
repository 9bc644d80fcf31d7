// The whole server with one loopback listener serving the self-service
// portal (and validate, health), users with directory passwords in a users
// file (realms default and lab), the server's clock movable, and browser
// steps for the portal: log in, read the key off the enrollment page.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { oathtool, startStack, type Stack } from '../helpers/stack.ts';

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
  await writeFile(
    join(dir, 'people.yaml'),
    `users:\n${SELF_USERS.map((u, i) => `  - { login: ${u}, id: "${2000 + i}", password: "${HASH}"${u === 'alice' ? ', groups: [vpn-users]' : ''} }\n`).join('')}`,
  );
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

/** The TOTP code of `key` at the server's time now (oathtool, the independent generator). */
export function codeNow(s: SelfStack, key: string): Promise<string> {
  return oathtool(['--totp', '-b', key, '-N', `@${Math.floor(s.now())}`]);
}

/**
 * Enrolls a TOTP token through the pages of a logged-in portal page: the
 * form (a PIN where asked), the key read off the page, oathtool's code typed
 * in; waits for the page that says the token is ready. Returns the key and
 * the serial; the server's clock is moved to the next time step, so the
 * code used here is not the next one to log in with.
 */
export async function enrollTotp(page: Page, s: SelfStack, options: { pin?: string; code?: string; description?: string } = {}): Promise<{ key: string; serial: string }> {
  await page.goto(`${s.base}/self/enroll`);
  if (options.description !== undefined) await page.getByLabel('Name (optional)').fill(options.description);
  if (options.code !== undefined) await page.getByLabel('Enrollment code').fill(options.code);
  if (options.pin !== undefined) {
    await page.getByLabel('PIN', { exact: true }).fill(options.pin);
    await page.getByLabel('PIN again').fill(options.pin);
  }
  await page.getByRole('button', { name: 'Create the token' }).click();
  await page.getByRole('heading', { name: 'Add the token to your app', level: 1 }).waitFor();
  const key = await keyOnPage(page);
  const serial = /\/tokens\/([^/]+)\/verify$/.exec((await page.locator('#verify-form').getAttribute('action'))!)![1]!;
  await page.getByLabel('Code from your app').fill(await codeNow(s, key));
  await page.getByRole('button', { name: 'Check the code' }).click();
  await page.getByRole('heading', { name: 'Your token is ready', level: 1 }).waitFor();
  s.ahead.seconds += 30;
  return { key, serial: decodeURIComponent(serial) };
}
