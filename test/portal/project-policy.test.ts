// The Policy tab in a real browser: an immutability rule set in the portal makes the tag immutable
// (the API says so, and refuses to delete it); a tag retention rule, its schedule, a dry run, the
// run's history and a repository's task log read in the portal, while nothing is deleted.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { apiClient } from '../helpers/api-client.js';
import { logIn, openPortal, requireBrowser, useBrowser } from '../helpers/browser.js';
import { useHaven, type RunningHaven } from '../helpers/haven.js';
import { asAdmin, pushImage } from '../helpers/oci.js';
import { apiFailures, shot } from './project-helpers.js';

describe('portal: project policy (immutability, tag retention)', { timeout: 170_000 }, () => {
  let h: RunningHaven;
  let browser: Browser;
  let c: ReturnType<typeof apiClient>;
  let projectId = 0;
  useHaven({ projects: ['gamma'] }, (x) => {
    h = x;
  });
  useBrowser((b) => {
    browser = b;
  });
  before(async () => {
    c = apiClient(h);
    projectId = (await c.api('GET', '/projects?name=gamma')).json[0].project_id;
    for (const tag of ['v1', 'v2', 'v3']) await pushImage(asAdmin(h), 'gamma/app', tag, 1, 256);
  });

  const option = (page: Page, text: string) =>
    page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: new RegExp(`^${text}$`) }).first();
  /** Tag name → immutable, as the artifact list reports it. */
  const immutableTags = async () => {
    const arts = (await c.api('GET', '/projects/gamma/repositories/app/artifacts?with_tag=true&with_immutable_status=true&page_size=50')).json as Array<{ tags: Array<{ name: string; immutable: boolean }> }>;
    return Object.fromEntries(arts.flatMap((a) => a.tags.map((t) => [t.name, t.immutable])));
  };

  test('an immutability rule made in the portal makes the tag immutable; disabled, it no longer is', async (t) => {
    if (!requireBrowser(t)) return;
    const s = await openPortal(browser, h);
    const failed = apiFailures(s.page);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.goto(`/projects/${projectId}/policy`);
      await s.page.getByRole('tab', { name: 'Immutability' }).click();
      await s.page.getByText('No immutability rules').waitFor();
      await s.page.getByRole('button', { name: 'Add immutability rule' }).click();
      const dialog = s.page.getByRole('dialog', { name: 'Add immutability rule' });
      await dialog.getByLabel('Repository pattern').fill('app');
      await dialog.getByLabel('Tag pattern').fill('v1');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await s.page.getByText('Immutability rule saved').waitFor();
      const row = s.page.getByRole('row').filter({ hasText: 'v1' });
      await row.getByText('Enabled').waitFor();
      // The artifacts page with the badge is another area's; the API that feeds it says immutable.
      assert.deepEqual(await immutableTags(), { v1: true, v2: false, v3: false });
      const del = await c.api('DELETE', '/projects/gamma/repositories/app/artifacts/v1/tags/v1');
      assert.ok(del.status >= 400, `deleting an immutable tag answered ${del.status}`);
      await shot(s.page, 'project-immutability-en');

      await row.getByRole('button', { name: 'Disable' }).click();
      await row.getByText('Disabled').waitFor();
      assert.deepEqual(await immutableTags(), { v1: false, v2: false, v3: false });
      await row.getByRole('button', { name: 'Enable' }).click();
      await row.getByText('Enabled').waitFor();
      assert.equal((await immutableTags()).v1, true);

      // Edit: the form holds the rule; widening the tag pattern widens immutability.
      await row.getByRole('button', { name: 'Edit' }).click();
      const edit = s.page.getByRole('dialog', { name: 'Edit immutability rule' });
      assert.equal(await edit.getByLabel('Tag pattern').inputValue(), 'v1');
      await edit.getByLabel('Tag pattern').fill('v{1,2}');
      await edit.getByRole('button', { name: 'Save' }).click();
      await s.page.getByRole('row').filter({ hasText: 'v{1,2}' }).waitFor();
      assert.deepEqual(await immutableTags(), { v1: true, v2: true, v3: false });

      await s.page.getByRole('row').filter({ hasText: 'v{1,2}' }).getByRole('button', { name: 'Delete' }).click();
      await s.page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
      await s.page.getByText('No immutability rules').waitFor();
      assert.equal((await c.api('GET', `/projects/${projectId}/immutabletagrules`)).json.length, 0);
      assert.deepEqual(s.errors, []);
    } finally {
      if (failed.length) t.diagnostic(failed.join('\n'));
      if (process.env.HAVEN_DEBUG_SHOTS) await s.page.screenshot({ path: '/tmp/x/immutable.png' });
      await s.close();
    }
  });

  test('a retention rule and schedule saved in the portal; a dry run, its history and its task log, nothing deleted', async (t) => {
    if (!requireBrowser(t)) return;
    const s = await openPortal(browser, h);
    const failed = apiFailures(s.page);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.goto(`/projects/${projectId}/policy`);
      await s.page.getByText('No retention rules').waitFor();
      await s.page.getByRole('button', { name: 'Add rule' }).click();
      const dialog = s.page.getByRole('dialog', { name: 'Add rule' });
      await dialog.getByLabel('Number of artifacts').fill('1');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await s.page.getByText('Retention policy saved').waitFor();
      await s.page.getByText('the most recently pushed 1 artifacts').waitFor();
      const retentionId = Number((await c.api('GET', `/projects/${projectId}`)).json.metadata.retention_id);
      assert.ok(retentionId > 0);
      let policy = (await c.api('GET', `/retentions/${retentionId}`)).json;
      assert.equal(policy.rules.length, 1);
      assert.equal(policy.rules[0].template, 'latestPushedK');
      assert.deepEqual(policy.rules[0].params, { latestPushedK: 1 });
      assert.equal(policy.rules[0].scope_selectors.repository[0].pattern, '**');

      // Schedule: daily.
      await s.page.getByRole('combobox', { name: 'Schedule' }).click();
      await option(s.page, 'Daily').click();
      await s.page.getByRole('button', { name: 'Save', exact: true }).click();
      await s.page.getByText('Retention policy saved').first().waitFor();
      await eventuallyEqual(async () => (await c.api('GET', `/retentions/${retentionId}`)).json.trigger.settings.cron, '0 0 0 * * *');

      // Dry run: listed with its kind, finishes, and its task log tells what would go.
      await s.page.getByRole('button', { name: 'Dry run' }).click();
      await s.page.getByText('Dry run started').waitFor();
      const run = s.page.getByRole('row').filter({ hasText: 'Dry run' }).filter({ hasText: 'Manual' });
      await run.getByText('Success').waitFor({ timeout: 60_000 });
      await run.getByRole('button', { name: /expand row/i }).click();
      const logButton = s.page.getByRole('button', { name: /^Log of .*app$/ });
      await logButton.waitFor();
      await s.page.getByText('1 of 3 retained').waitFor();
      // Progress: the run's and its repository task's bars, at the two it would delete.
      const bar = run.getByRole('progressbar', { name: '2 of 2 (100%)' });
      await bar.waitFor();
      assert.equal(await bar.getAttribute('aria-valuenow'), '100');
      assert.equal(await s.page.getByRole('progressbar', { name: '2 of 2 (100%)' }).count(), 2);
      await logButton.click();
      const log = s.page.getByRole('dialog', { name: /^Log of .*app$/ });
      await log.getByText(/Dry Run: true/).waitFor();
      const text = await log.getByLabel('Log').innerText();
      assert.match(text, /RETAIN/);
      assert.equal((text.match(/\bDEL\b/g) ?? []).length, 2, text);
      await shot(s.page, 'project-retention-log-en');
      await log.getByRole('button', { name: 'Close' }).click();

      // The API agrees: one dry run, and every artifact still there.
      const runs = (await c.api('GET', `/retentions/${retentionId}/executions`)).json;
      assert.equal(runs.length, 1);
      assert.equal(runs[0].dry_run, true);
      assert.equal((await c.api('GET', '/projects/gamma/repositories/app/artifacts')).headers.get('x-total-count'), '3');

      // Disable the rule: saved as disabled.
      await s.page.getByRole('table', { name: 'Retention rules' }).getByRole('button', { name: 'Disable' }).click();
      await s.page.getByRole('table', { name: 'Retention rules' }).getByText('Disabled').waitFor();
      policy = (await c.api('GET', `/retentions/${retentionId}`)).json;
      assert.equal(policy.rules[0].disabled, true);

      // Enabled again and run for real (confirmed): two of the three artifacts go.
      await s.page.getByRole('table', { name: 'Retention rules' }).getByRole('button', { name: 'Enable' }).click();
      await s.page.getByRole('table', { name: 'Retention rules' }).getByText('Enabled').waitFor();
      await s.page.getByRole('button', { name: 'Run now' }).click();
      await s.page.getByRole('dialog', { name: 'Run the retention policy now?' }).getByRole('button', { name: 'Run now' }).click();
      await s.page.getByText('Retention run started').waitFor();
      const real = s.page.getByRole('row').filter({ hasText: 'Manual' }).filter({ hasNotText: 'Dry run' });
      await real.getByText('Success').waitFor({ timeout: 60_000 });
      assert.equal((await c.api('GET', '/projects/gamma/repositories/app/artifacts')).headers.get('x-total-count'), '1');
      const after = (await c.api('GET', `/retentions/${retentionId}/executions`)).json as Array<{ dry_run: boolean; status: string }>;
      assert.deepEqual(after.map((e) => e.dry_run).sort(), [false, true]);

      // Delete the rule (confirmed): the policy stays, with no rules.
      await s.page.getByRole('table', { name: 'Retention rules' }).getByRole('button', { name: 'Delete' }).click();
      await s.page.getByRole('dialog', { name: 'Delete this retention rule?' }).getByRole('button', { name: 'Delete' }).click();
      await s.page.getByText('No retention rules').waitFor();
      assert.equal((await c.api('GET', `/retentions/${retentionId}`)).json.rules.length, 0);
      assert.deepEqual(s.errors, []);
      assert.deepEqual(s.dialogs, []);
    } finally {
      if (failed.length) t.diagnostic(failed.join('\n'));
      if (process.env.HAVEN_DEBUG_SHOTS) await s.page.screenshot({ path: '/tmp/x/retention.png' });
      await s.close();
    }
  });
});

async function eventuallyEqual<T>(read: () => Promise<T>, want: T): Promise<void> {
  const { eventually } = await import('../helpers/eventually.js');
  await eventually(async () => assert.deepEqual(await read(), want));
}
