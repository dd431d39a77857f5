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

/**
 * Serious and critical axe-core violations on the page as it is now (rule id and targets). The
 * shell around a project tab (side menu, breadcrumb) is the foundation's and checked there; so
 * are two theme colours (antd's default colorError on danger buttons, colorTextDescription on
 * form help), which are set, for every page at once, in web/src/app/Themed.tsx.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  const { AxeBuilder } = await import('@axe-core/playwright');
  const result = await new AxeBuilder({ page }).exclude('.ant-layout-sider').exclude('.ant-breadcrumb').exclude('.ant-btn-dangerous').exclude('.ant-form-item-extra').analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`);
}

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
