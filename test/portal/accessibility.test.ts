// axe-core over the portal's main pages, in both languages: no serious or critical violation.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { seriousViolations as violations } from '../helpers/axe.js';
import type { Browser } from 'playwright-core';
import { logIn, openPortal, requireBrowser, useBrowser } from '../helpers/browser.js';
import { useHaven, type RunningHaven } from '../helpers/haven.js';
import { asAdmin, pushImage } from '../helpers/oci.js';

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

  for (const locale of ['en-US', 'zh-CN']) {
    test(`the main pages have no serious or critical axe violation (${locale})`, async (t) => {
      if (!requireBrowser(t)) return;
      if (!projectId) {
        await pushImage(asAdmin(h), 'a11y/app', 'v1');
        const projects = (await (await h.adminFetch(`${h.url}/api/v2.0/projects?name=a11y`)).json()) as Array<{ project_id: number }>;
        projectId = projects[0]!.project_id;
      }
      const s = await openPortal(browser, h, { locale });
      try {
        const found: string[] = [];
        await s.page.goto('/login');
        await s.page.locator('form').waitFor();
        found.push(...(await violations(s.page)).map((v) => `/login: ${v}`));
        await logIn(s.page, h.admin.username, h.admin.password);
        const pages = ['/projects', `/projects/${projectId}/summary`, `/projects/${projectId}/repositories`, `/projects/${projectId}/logs`, `/projects/${projectId}/configuration`, '/admin/users'];
        for (const path of pages) {
          await s.page.goto(path);
          await s.page.locator('main').waitFor();
          // Tables and cards fill in after their queries: let the spinners go first.
          await s.page.locator('.ant-spin-spinning').first().waitFor({ state: 'detached', timeout: 15_000 }).catch(() => {});
          found.push(...(await violations(s.page)).map((v) => `${path}: ${v}`));
        }
        assert.deepEqual(found, []);
      } finally {
        await s.close();
      }
    });
  }

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
