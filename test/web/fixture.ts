// The whole server with one loopback listener serving the admin API and the
// admin console, admin accounts of every role (from the admin fixture), and
// browser steps that log in through the console's form (in English, or then
// switched to German).

import type { Page } from 'playwright-core';
import { PASSWORD, startAdminStack, type AdminStack } from '../http/admin-fixture.ts';

export { PASSWORD };

export function startConsoleStack(yaml = ''): Promise<AdminStack> {
  return startAdminStack(yaml, 'validate, admin, health, console');
}

/** Fills in the console's login form and waits for the page after it. */
export async function logIn(page: Page, base: string, username: string, password = PASSWORD): Promise<void> {
  await page.goto(`${base}/console/login`);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await Promise.all([page.waitForURL((url) => url.pathname !== '/console/login'), page.getByRole('button', { name: 'Log in' }).click()]);
}

/** Logs in through the form, then turns the pages German with the header's switch. */
export async function logInGerman(page: Page, base: string, username: string): Promise<void> {
  await logIn(page, base, username);
  await page.getByRole('button', { name: 'Deutsch' }).click();
  await page.locator('html[lang="de"]').waitFor();
}
