// axe-core over the portal's main pages, in both languages and in dark mode: no serious or
// critical violation.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { seriousViolations as violations } from '../helpers/axe.js';
import type { Browser, Page } from 'playwright-core';
import { logIn, openPortal, requireBrowser, useBrowser } from '../helpers/browser.js';
import { useHaven, type RunningHaven } from '../helpers/haven.js';
import { asAdmin, pushImage } from '../helpers/oci.js';

/** Each page's violations, prefixed with its path, once its tables and cards have filled in. */
async function pagesViolations(page: Page, paths: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const path of paths) {
    await page.goto(path);
    await page.locator('main').waitFor();
    // Tables and cards fill in after their queries: let the spinners go first.
    await page.locator('.ant-spin-spinning').first().waitFor({ state: 'detached', timeout: 15_000 }).catch(() => {});
    found.push(...(await violations(page)).map((v) => `${path}: ${v}`));
  }
  return found;
}

describe('portal accessibility', { timeout: 240_000 }, () => {
  let h: RunningHaven;
  let browser: Browser;
  let projectId = 0;
  useHaven({ projects: ['a11y'] }, (x) => {
    h = x;
  });
  useBrowser((b) => {
    browser = b;
  });
  // The system robots are none here: their page shows an empty table's placeholder text.
  const mainPages = () => ['/projects', `/projects/${projectId}/summary`, `/projects/${projectId}/repositories`, `/projects/${projectId}/logs`, `/projects/${projectId}/configuration`, '/admin/users', '/admin/robots'];
  const withImage = async () => {
    if (projectId) return;
    await pushImage(asAdmin(h), 'a11y/app', 'v1');
    const projects = (await (await h.adminFetch(`${h.url}/api/v2.0/projects?name=a11y`)).json()) as Array<{ project_id: number }>;
    projectId = projects[0]!.project_id;
  };

  for (const locale of ['en-US', 'zh-CN']) {
    test(`the main pages have no serious or critical axe violation (${locale})`, async (t) => {
      if (!requireBrowser(t)) return;
      await withImage();
      const s = await openPortal(browser, h, { locale });
      try {
        const found: string[] = [];
        await s.page.goto('/login');
        await s.page.locator('form').waitFor();
        found.push(...(await violations(s.page)).map((v) => `/login: ${v}`));
        await logIn(s.page, h.admin.username, h.admin.password);
        found.push(...(await pagesViolations(s.page, mainPages())));
        assert.deepEqual(found, []);
      } finally {
        await s.close();
      }
    });
  }

  test('the main pages have no serious or critical axe violation in dark mode', async (t) => {
    if (!requireBrowser(t)) return;
    await withImage();
    const s = await openPortal(browser, h);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      // As a user does: the user menu's switch, which the browser then remembers for every page.
      await s.page.getByRole('button', { name: 'User menu' }).click();
      await s.page.getByRole('menuitem', { name: 'Dark mode' }).click();
      const bg = await s.page.evaluate(() => getComputedStyle(document.querySelector('.ant-layout') as Element).backgroundColor);
      const channels = (bg.match(/\d+/g) ?? []).slice(0, 3).map(Number);
      assert.ok(channels.every((c) => c < 80), `the layout is not dark after the switch: ${bg}`);
      const found = await pagesViolations(s.page, mainPages());
      // The sign-in page too, as the user finds it after logging out in dark mode.
      await s.page.getByRole('button', { name: 'User menu' }).click();
      await s.page.getByRole('menuitem', { name: 'Log out' }).click();
      await s.page.waitForURL(/\/login/);
      await s.page.locator('form').waitFor();
      found.push(...(await violations(s.page)).map((v) => `/login: ${v}`));
      assert.deepEqual(found, [], 'dark mode has serious or critical axe violations');
      assert.deepEqual(s.errors, [], 'the pages logged errors');
    } finally {
      await s.close();
    }
  });

  test('the sign-in form works from the keyboard alone', async (t) => {
    if (!requireBrowser(t)) return;
    const s = await openPortal(browser, h);
    try {
      await s.page.goto('/login');
      await s.page.getByLabel('Username').waitFor();
      // The username field has focus on arrival; Tab moves to the password; Enter submits.
      await s.page.keyboard.type(h.admin.username);
      await s.page.keyboard.press('Tab');
      await s.page.keyboard.type(h.admin.password);
      await s.page.keyboard.press('Enter');
      await s.page.waitForURL(/\/projects/);
      await s.page.getByRole('heading', { name: 'Projects' }).waitFor();
    } finally {
      await s.close();
    }
  });
});
