// Debian's Chromium driven by playwright-core (which downloads nothing):
// one headless browser per test file, a fresh context (cookies, storage)
// per page a test opens. Every console error, uncaught page error and
// Content-Security-Policy violation fails the test that caused it, unless
// the test said it expects that console line. shot() saves a screenshot
// under test-artifacts/screenshots/ (gitignored; CI keeps the folder), and
// expectAccessible() runs axe-core's WCAG 2.1 A/AA rules over a page.

import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { after, afterEach, before } from 'node:test';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { requirePeer } from './peers.ts';

export const CHROMIUM = process.env.OTP_RADIUS_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts');

/** Reports CSP violations the page sees as console errors, which fail the test; runs before any script of the page. */
const CSP_LISTENER = `document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber));`;

export type OpenOptions = BrowserContextOptions;

export interface Browsing {
  /** A page in a new context; closed, and checked for problems, after the test. */
  open(options?: OpenOptions): Promise<Page>;
  /** A console error line the current test causes on purpose (an answer with an error status, say). */
  expectConsole(pattern: RegExp): void;
}

interface Watched {
  context: BrowserContext;
  problems: string[];
}

/**
 * Registers the browser's hooks in the calling file (or describe): launch
 * before, close after, and after each test close its contexts and fail it
 * on any unexpected console error, page error or CSP violation.
 */
export function useBrowser(): Browsing {
  let browser: Browser | undefined;
  let open: Watched[] = [];
  let expected: RegExp[] = [];

  before(async () => {
    requirePeer(CHROMIUM, 'chromium');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  });

  afterEach(async () => {
    const watched = open;
    const allowed = expected;
    open = [];
    expected = [];
    await Promise.all(watched.map((w) => w.context.close()));
    const problems = watched.flatMap((w) => w.problems).filter((p) => p.startsWith('CSP violation') || p.startsWith('page error') || !allowed.some((re) => re.test(p)));
    if (problems.length > 0) throw new Error(`the browser reported:\n${problems.join('\n')}`);
  });

  after(async () => {
    await browser?.close();
  });

  return {
    async open(options = {}) {
      if (!browser) throw new Error('useBrowser: the browser is not running (call open() inside a test)');
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
      const watched: Watched = { context, problems: [] };
      open.push(watched);
      // A page of ours answers in well under a second: a step that waits longer has failed.
      context.setDefaultTimeout(10_000);
      await context.addInitScript({ content: CSP_LISTENER });
      const page = await context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error') watched.problems.push(m.text().startsWith('CSP violation') ? m.text() : `console error: ${m.text()} (${m.location().url})`);
      });
      page.on('pageerror', (err) => watched.problems.push(`page error: ${err.message}`));
      return page;
    },
    expectConsole(pattern) {
      expected.push(pattern);
    },
  };
}

/** Saves a full-page screenshot as test-artifacts/screenshots/NAME.png; returns the file. */
export async function shot(page: Page, name: string): Promise<string> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`shot: "${name}" is not a name of a-z, 0-9 and -`);
  const dir = join(ARTIFACTS, 'screenshots');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Whether the page is wider than its viewport (a horizontal scroll bar). */
export async function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
}

/** axe-core's source, evaluated into a page over the DevTools protocol (the page's CSP would refuse it as a script tag). */
let axeSource: string | undefined;

interface AxeViolation {
  id: string;
  help: string;
  nodes: { target: string[] }[];
}

/** Fails with every WCAG 2.1 A/AA rule the page breaks (contrast, labels, landmarks, names ...), as axe-core finds them. */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  if (violations.length > 0) {
    throw new Error(`${where}: accessibility rules broken:\n${violations.map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`).join('\n')}`);
  }
}
