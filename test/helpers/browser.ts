import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, type TestContext } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { RunningHaven } from './haven.js';

/** Debian's chromium: the portal tests drive the browser our users have. */
export const chromiumPath = '/usr/bin/chromium';

// No sandbox (CI runs as root); and nothing leaves the machine: no updates, sync or DNS
// look-ups beyond loopback, so a page that tried to load from a CDN would visibly break.
const flags = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-default-apps',
  '--disable-sync',
  '--no-first-run',
  '--metrics-recording-only',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

/** Whether the browser is here: in CI a missing one fails the test, elsewhere it skips. */
export function requireBrowser(t: TestContext): boolean {
  if (existsSync(chromiumPath)) return true;
  if (process.env.CI) throw new Error(`${chromiumPath} is required in CI but is not installed`);
  t.skip('chromium is not installed');
  return false;
}

/** One browser for a test file, closed after its last test. */
export function useBrowser(ready: (b: Browser) => void): void {
  let browser: Browser | undefined;
  before(async () => {
    if (!existsSync(chromiumPath)) {
      if (process.env.CI) throw new Error(`${chromiumPath} is required in CI but is not installed`);
      return;
    }
    browser = await chromium.launch({ executablePath: chromiumPath, args: flags, headless: true });
    ready(browser);
  });
  after(async () => {
    await browser?.close();
  });
}

export interface PortalSession {
  context: BrowserContext;
  page: Page;
  /** Errors the page threw or logged: a test asserts there are none. */
  errors: string[];
  /** Every dialog (alert/confirm) the page opened: an XSS payload that ran shows up here. */
  dialogs: string[];
  close(): Promise<void>;
}

/**
 * A fresh browser profile on the Haven, in `locale` (the portal picks its language from it).
 * It asks for reduced motion unless `motion` is set: on a loaded machine a click on a dialog
 * that is still zooming in can miss, and the portal honours the preference (shell.test checks).
 */
export async function openPortal(browser: Browser, h: RunningHaven, opts: { locale?: string; motion?: boolean } = {}): Promise<PortalSession> {
  const context = await browser.newContext({ baseURL: h.url, locale: opts.locale ?? 'en-US', viewport: { width: 1366, height: 860 }, reducedMotion: opts.motion ? 'no-preference' : 'reduce' });
  const page = await context.newPage();
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // A 401 on /users/current is how the portal learns nobody is signed in.
    if (m.type() === 'error' && !/401|Failed to load resource/.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return { context, page, errors, dialogs, close: () => context.close() };
}

/** Signs in through the login form, as a person does, and waits for the projects page. */
export async function logIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel(/^(Username|用户名)$/).fill(username);
  await page.getByLabel(/^(Password|密码)$/).fill(password);
  await page.getByRole('button', { name: /^(Log in|登 ?录)$/ }).click();
  await page.waitForURL(/\/projects/);
}

/**
 * Waits until no popup or dialog is mid-animation. With motion on, a menu item moves while its
 * menu zooms in, and a click aimed at it from one frame can land on its neighbour in the next.
 */
export async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => !document.querySelector('[class*="-appear-active"], [class*="-enter-active"], [class*="-leave-active"]'));
}

const screenshotDir = resolve(import.meta.dirname, '../../docs/screenshots');

/** Writes docs/screenshots/<name>.png when HAVEN_SCREENSHOTS=1 (how the docs' pictures are made). */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.HAVEN_SCREENSHOTS !== '1') return;
  mkdirSync(screenshotDir, { recursive: true });
  // The end state a person looks at: no table still loading, no toast, dialog or menu mid-animation.
  await page.locator('.ant-spin-spinning').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => {});
  await settled(page);
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: false });
}
