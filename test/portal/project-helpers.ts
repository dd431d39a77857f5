import { screenshot } from '../helpers/browser.js';
import type { Page } from 'playwright-core';

/** The API calls the page made that failed (status, path, body), for a failing test's diagnostics. */
export function apiFailures(page: Page): string[] {
  const out: string[] = [];
  page.on('response', (r) => {
    if (r.status() < 400 || !r.url().includes('/api/v2.0/') || r.url().endsWith('/users/current')) return;
    void r
      .text()
      .catch(() => '')
      .then((body) => out.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}: ${body.slice(0, 300)}`));
  });
  return out;
}

export { seriousViolations } from '../helpers/axe.js';

/** Waits until no dialog or dropdown is mid-animation (for screenshots that show the end state). */
export async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => !document.querySelector('[class*="-appear-active"], [class*="-enter-active"], [class*="-leave-active"]'));
}

/** `screenshot` once the page has settled (only when screenshots are being made). */
export async function shot(page: Page, name: string): Promise<void> {
  if (process.env.HAVEN_SCREENSHOTS !== '1') return;
  await settled(page);
  await screenshot(page, name);
}

/** The portal's own byte format, so a test reads sizes as the page writes them. */
export { formatBytes } from '../../web/src/components/format.js';
