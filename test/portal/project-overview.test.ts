// A project's summary, configuration and log tabs in a real browser, on data pushed through /v2.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { logIn, openPortal, requireBrowser, screenshot, useBrowser } from '../helpers/browser.js';
import { useHaven, type RunningHaven } from '../helpers/haven.js';
import { asAdmin, pushImage } from '../helpers/oci.js';

describe('portal: project summary, configuration and logs', { timeout: 180_000 }, () => {
  let h: RunningHaven;
  let browser: Browser;
  let projectId = 0;
  useHaven({ projects: ['overview'] }, (x) => {
    h = x;
  });
  useBrowser((b) => {
    browser = b;
  });

  test('the summary counts repositories and artifacts and charts the quota, as the API reports them', async (t) => {
    if (!requireBrowser(t)) return;
    const reg = asAdmin(h);
    await pushImage(reg, 'overview/app', 'v1', 2, 4096);
    await pushImage(reg, 'overview/app', 'v2', 2, 4096);
    await pushImage(reg, 'overview/tools/cli', 'latest', 1, 2048);
    const projects = (await (await h.adminFetch(`${h.url}/api/v2.0/projects?name=overview`)).json()) as Array<{ project_id: number }>;
    projectId = projects[0]!.project_id;
    const quotas = (await (await h.adminFetch(`${h.url}/api/v2.0/quotas?reference=project&reference_id=${projectId}`)).json()) as Array<{ id: number; used: { storage: number } }>;
    assert.equal((await h.adminFetch(`${h.url}/api/v2.0/quotas/${quotas[0]!.id}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ hard: { storage: 1024 * 1024 } }) })).status, 200);
    const summary = (await (await h.adminFetch(`${h.url}/api/v2.0/projects/${projectId}/summary`)).json()) as { repo_count: number; artifact_count: number };
    assert.deepEqual([summary.repo_count, summary.artifact_count], [2, 3]);

    const s = await openPortal(browser, h);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.goto(`/projects/${projectId}/summary`);
      const card = (title: string) => s.page.locator('.ant-statistic').filter({ has: s.page.getByText(title, { exact: true }) });
      await card('Repositories').getByText('2', { exact: true }).waitFor();
      await card('Artifacts').getByText('3', { exact: true }).waitFor();
      // The chart names what it shows; the same words are printed under it.
      await s.page.getByRole('img', { name: /of 1\.00 MiB$/ }).waitFor();
      await s.page.getByText('Members by role').waitFor();
      await screenshot(s.page, 'project-summary-en');
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });

  test('configuration: making the project public is saved, and anonymous users can then see it', async (t) => {
    if (!requireBrowser(t)) return;
    const s = await openPortal(browser, h);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.goto(`/projects/${projectId}/configuration`);
      const anonymousBefore = await fetch(`${h.url}/api/v2.0/projects/${projectId}`);
      assert.equal(anonymousBefore.status, 404, 'a private project is invisible to anonymous users');
      await s.page.getByRole('switch', { name: 'Public' }).click();
      await s.page.getByRole('button', { name: 'Save' }).click();
      await s.page.getByText('Configuration saved').waitFor();
      const p = (await (await h.adminFetch(`${h.url}/api/v2.0/projects/${projectId}`)).json()) as { metadata: Record<string, string> };
      assert.equal(p.metadata.public, 'true');
      assert.equal((await fetch(`${h.url}/api/v2.0/projects/${projectId}`)).status, 200);
      // The header's badge follows.
      await s.page.locator('.ant-tag').filter({ hasText: 'Public' }).waitFor();
    } finally {
      await s.close();
    }
  });

  test('the log tab pages the project\'s audit log on the server and filters it', async (t) => {
    if (!requireBrowser(t)) return;
    const s = await openPortal(browser, h);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.goto(`/projects/${projectId}/logs`);
      await s.page.getByRole('cell', { name: 'overview/tools/cli:latest' }).waitFor();
      const total = await h.adminFetch(`${h.url}/api/v2.0/projects/overview/logs?page_size=1`);
      await s.page.getByText(`${total.headers.get('x-total-count')} items`).waitFor();
      await s.page.getByRole('combobox', { name: 'Filter by' }).click();
      await s.page.getByTitle('Resource', { exact: true }).click();
      await s.page.getByRole('searchbox', { name: 'Filter the log' }).fill('tools');
      await s.page.getByRole('searchbox', { name: 'Filter the log' }).press('Enter');
      await s.page.getByRole('cell', { name: 'overview/app:v1' }).waitFor({ state: 'detached' });
      await s.page.getByRole('cell', { name: 'overview/tools/cli:latest' }).waitFor();
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });
});
