// Robot accounts in a real browser: create one with the permission picker, copy its secret from
// the one-time dialog and download it as JSON, then pull with it through skopeo (a real client);
// disable it (skopeo is refused), refresh its secret (the old one stops working), delete it.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { apiClient } from '../helpers/api-client.js';
import { logIn, openPortal, requireBrowser, useBrowser } from '../helpers/browser.js';
import { useHaven, type RunningHaven } from '../helpers/haven.js';
import { writeTestLayout } from '../helpers/oci-layout.js';
import { describeRun, run } from '../helpers/run.js';
import { requireTool } from '../helpers/tools.js';
import { apiFailures, shot } from './project-helpers.js';

describe('portal: project robot accounts', { timeout: 170_000 }, () => {
  let h: RunningHaven;
  let browser: Browser;
  let c: ReturnType<typeof apiClient>;
  let projectId = 0;
  let work = '';
  useHaven({ projects: ['beta'] }, (x) => {
    h = x;
  });
  useBrowser((b) => {
    browser = b;
  });
  before(() => {
    c = apiClient(h);
    work = mkdtempSync(join(tmpdir(), 'haven-portal-robots-'));
  });
  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const skopeo = (args: string[]) => run('skopeo', ['--insecure-policy', ...args], { timeoutMs: 60_000, env: { REGISTRY_AUTH_FILE: join(work, 'no-auth.json') } });
  /** skopeo pulls beta/app:v1 with these credentials into a fresh directory. */
  const pullAs = (user: string, secret: string, into: string) => skopeo(['copy', '--src-tls-verify=false', '--src-creds', `${user}:${secret}`, `docker://${h.host}/beta/app:v1`, `dir:${join(work, into)}`]);

  test('create a robot with the picker, copy and download its secret, pull with it through skopeo; disable, refresh, delete', async (t) => {
    if (!requireBrowser(t) || !requireTool(t, 'skopeo')) return;
    projectId = (await c.api('GET', '/projects?name=beta')).json[0].project_id;
    const layout = writeTestLayout(join(work, 'layout'), { tag: 'v1' });
    const push = await skopeo(['copy', '--all', '--dest-tls-verify=false', '--dest-creds', `admin:${h.admin.password}`, `oci:${layout.dir}:v1`, `docker://${h.host}/beta/app:v1`]);
    assert.equal(push.code, 0, describeRun('skopeo', ['copy'], push));

    const s = await openPortal(browser, h);
    const failed = apiFailures(s.page);
    await s.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.url });
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.goto(`/projects/${projectId}/robots`);
      await s.page.getByText('No robot accounts yet').waitFor();
      await s.page.getByRole('button', { name: 'New robot account' }).click();
      const dialog = s.page.getByRole('dialog', { name: 'New robot account' });
      await dialog.getByLabel('Name', { exact: true }).fill('ci');
      await dialog.getByLabel('Description').fill('the build server <img src=x onerror=alert(1)>');
      // Select all grants everything; clearing it and ticking two boxes grants just those.
      await dialog.getByRole('checkbox', { name: 'Select all', exact: true }).check();
      assert.equal(await dialog.getByRole('checkbox', { name: 'Push Repository', exact: true }).isChecked(), true);
      assert.equal(await dialog.getByRole('checkbox', { name: 'Delete Artifact', exact: true }).isChecked(), true);
      await dialog.getByRole('checkbox', { name: 'Select all', exact: true }).uncheck();
      assert.equal(await dialog.getByRole('checkbox', { name: 'Pull Repository', exact: true }).isChecked(), false);
      await dialog.getByRole('checkbox', { name: 'Pull Repository', exact: true }).check();
      await dialog.getByRole('checkbox', { name: 'List Artifact', exact: true }).check();
      await dialog.getByRole('radio', { name: 'Never' }).check();
      await dialog.getByRole('button', { name: 'Create' }).click();

      const secretDialog = s.page.getByRole('dialog', { name: 'Secret of robot$beta+ci' });
      await secretDialog.getByText('it is shown only this once').waitFor();
      const shown = await secretDialog.getByLabel('Secret', { exact: true }).inputValue();
      assert.ok(shown.length >= 16, shown);
      await secretDialog.getByRole('button', { name: 'Copy secret' }).click();
      await s.page.getByText('Copied').waitFor();
      const secret = await s.page.evaluate(() => navigator.clipboard.readText());
      assert.equal(secret, shown);
      const [download] = await Promise.all([s.page.waitForEvent('download'), secretDialog.getByRole('button', { name: 'Download as JSON' }).click()]);
      assert.equal(download.suggestedFilename(), 'robot$beta+ci.json');
      assert.deepEqual(JSON.parse(readFileSync(await download.path(), 'utf8')), { name: 'robot$beta+ci', secret });
      await shot(s.page, 'project-robot-secret-en');
      await secretDialog.getByRole('button', { name: 'Close' }).last().click();

      // Listed, with what it may do; the API agrees: never expires, exactly the two permissions.
      const row = s.page.getByRole('row').filter({ hasText: 'robot$beta+ci' });
      await row.getByText('2 permissions').waitFor();
      await row.getByText('Never').waitFor();
      await row.getByText('the build server <img src=x onerror=alert(1)>', { exact: true }).waitFor();
      assert.equal(await s.page.locator('img[src="x"]').count(), 0);
      const robot = (await c.api('GET', `/projects/${projectId}/robots`)).json[0];
      assert.equal(robot.duration, -1);
      assert.deepEqual(robot.permissions[0].access.map((a: { resource: string; action: string }) => `${a.resource}:${a.action}`).sort(), ['artifact:list', 'repository:pull']);

      // The copied secret pulls through skopeo; the robot may not push.
      const pulled = await pullAs('robot$beta+ci', secret, 'pulled');
      assert.equal(pulled.code, 0, describeRun('skopeo', ['copy'], pulled));
      const pushed = await skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', `robot$beta+ci:${secret}`, `dir:${join(work, 'pulled')}`, `docker://${h.host}/beta/other:v1`]);
      assert.notEqual(pushed.code, 0, 'a pull-only robot pushed');

      // Disable: the API says so, and skopeo is refused.
      await row.getByRole('button', { name: 'Actions for robot$beta+ci' }).click();
      await s.page.getByRole('menuitem', { name: 'Disable' }).click();
      await s.page.getByText('robot$beta+ci disabled').waitFor();
      await row.getByText('Disabled').waitFor();
      assert.equal((await c.api('GET', `/robots/${robot.id}`)).json.disable, true);
      assert.notEqual((await pullAs('robot$beta+ci', secret, 'refused')).code, 0, 'a disabled robot pulled');
      await row.getByRole('button', { name: 'Actions for robot$beta+ci' }).click();
      await s.page.getByRole('menuitem', { name: 'Enable' }).click();
      await s.page.getByText('robot$beta+ci enabled').waitFor();
      assert.equal((await c.api('GET', `/robots/${robot.id}`)).json.disable, false);

      // Edit: the form holds the robot; one more permission and a 7-day expiry are saved.
      await row.getByRole('button', { name: 'Actions for robot$beta+ci' }).click();
      await s.page.getByRole('menuitem', { name: 'Edit' }).click();
      const edit = s.page.getByRole('dialog', { name: 'Edit robot$beta+ci' });
      assert.equal(await edit.getByRole('checkbox', { name: 'List Artifact', exact: true }).isChecked(), true);
      assert.equal(await edit.getByRole('radio', { name: 'Never' }).isChecked(), true);
      await edit.getByRole('checkbox', { name: 'Push Repository', exact: true }).check();
      await edit.getByRole('radio', { name: 'Expires after' }).check();
      await edit.getByLabel('Days until it expires').fill('7');
      await edit.getByRole('button', { name: 'Save' }).click();
      await s.page.getByText('robot$beta+ci saved').waitFor();
      await row.getByText('3 permissions').waitFor();
      const edited = (await c.api('GET', `/robots/${robot.id}`)).json;
      assert.equal(edited.duration, 7);
      assert.deepEqual(edited.permissions[0].access.map((a: { resource: string; action: string }) => `${a.resource}:${a.action}`).sort(), ['artifact:list', 'repository:pull', 'repository:push']);

      // Refresh: a new secret, shown once; the old one stops working.
      await row.getByRole('button', { name: 'Actions for robot$beta+ci' }).click();
      await s.page.getByRole('menuitem', { name: 'Refresh secret' }).click();
      await s.page.getByRole('dialog').getByRole('button', { name: 'Refresh secret' }).click();
      const again = s.page.getByRole('dialog', { name: 'Secret of robot$beta+ci' });
      await again.getByText('it is shown only this once').waitFor();
      const fresh = await again.getByLabel('Secret', { exact: true }).inputValue();
      assert.notEqual(fresh, secret);
      await again.getByRole('button', { name: 'Close' }).last().click();
      assert.equal((await c.token({ username: 'robot$beta+ci', password: secret }, 'repository:beta/app:pull')).status, 401);
      const access = await c.token({ username: 'robot$beta+ci', password: fresh }, 'repository:beta/app:pull');
      assert.deepEqual(access.access[0]?.actions, ['pull']);

      // Delete.
      await row.getByRole('button', { name: 'Actions for robot$beta+ci' }).click();
      await s.page.getByRole('menuitem', { name: 'Delete' }).click();
      await s.page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
      await s.page.getByText('robot$beta+ci deleted').waitFor();
      assert.equal((await c.api('GET', `/robots/${robot.id}`)).status, 404);
      assert.deepEqual(s.errors, []);
      assert.deepEqual(s.dialogs, []);
    } finally {
      if (failed.length) t.diagnostic(failed.join('\n'));
      if (process.env.HAVEN_DEBUG_SHOTS) await s.page.screenshot({ path: '/tmp/x/robots.png' });
      await s.close();
    }
  });

  test('a bad robot name is refused in the API\'s words', async (t) => {
    if (!requireBrowser(t)) return;
    const s = await openPortal(browser, h);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.goto(`/projects/${projectId}/robots`);
      await s.page.getByRole('button', { name: 'New robot account' }).click();
      const dialog = s.page.getByRole('dialog', { name: 'New robot account' });
      await dialog.getByLabel('Name', { exact: true }).fill('Bad Name!');
      await dialog.getByRole('button', { name: 'Create' }).click();
      const refusal = (await c.api('POST', `/projects/${projectId}/robots`, { body: { name: 'Bad Name!', duration: -1, level: 'project' } })).json.errors[0].message as string;
      await s.page.locator('.ant-message').getByText(refusal).waitFor();
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });
});
