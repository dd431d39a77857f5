// The project's Members and Labels tabs in a real browser: an admin adds members and gives them
// roles; a developer and a guest see only what they may use (and the API refuses the rest); labels
// are created, edited and deleted, and a label named like HTML shows as text and runs nothing.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { apiClient, type Creds } from '../helpers/api-client.js';
import { apiFailures, shot, seriousViolations } from './project-helpers.js';
import { logIn, openPortal, requireBrowser, useBrowser } from '../helpers/browser.js';
import { useHaven, type RunningHaven } from '../helpers/haven.js';

const dev: Creds = { username: 'dana', password: 'Dana12345' };
const guest: Creds = { username: 'gus', password: 'Gus123456' };
const xss = '<img src=x onerror=alert(1)>';

describe('portal: project members and labels', { timeout: 170_000 }, () => {
  let h: RunningHaven;
  let browser: Browser;
  let c: ReturnType<typeof apiClient>;
  let projectId = 0;
  useHaven({ projects: ['alpha'] }, (x) => {
    h = x;
  });
  useBrowser((b) => {
    browser = b;
  });
  before(async () => {
    c = apiClient(h);
    for (const u of [dev, guest, { username: 'other', password: 'Other1234' }]) {
      const r = await c.api('POST', '/users', { body: { ...u, email: `${u.username}@example.com`, realname: u.username } });
      assert.equal(r.status, 201, r.text);
    }
    projectId = (await c.api('GET', '/projects?name=alpha')).json[0].project_id;
  });

  /** The dropdown option of an antd Select or AutoComplete that is open now. */
  const option = (page: Page, text: string) =>
    page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: new RegExp(`^${text}$`) }).first();

  test('the admin adds a member by searching, sets a role, changes it and removes another; the API agrees', async (t) => {
    if (!requireBrowser(t)) return;
    const s = await openPortal(browser, h);
    const failed = apiFailures(s.page);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.goto(`/projects/${projectId}/members`);
      await s.page.getByRole('tab', { name: 'Members' }).waitFor();
      // The project's creator is its admin and the only member so far.
      await s.page.getByRole('cell', { name: 'admin', exact: true }).waitFor();

      await s.page.getByRole('button', { name: 'Add member' }).click();
      const dialog = s.page.getByRole('dialog', { name: 'Add member' });
      await dialog.getByLabel('Username').fill('dan');
      // Harbor's /users/search suggests as the name is typed.
      await option(s.page, 'dana').click();
      await dialog.getByLabel('Role').click();
      await option(s.page, 'Guest').click();
      await dialog.getByRole('button', { name: 'Save' }).click();
      await s.page.getByText('dana added to the project').waitFor();
      const row = s.page.getByRole('row').filter({ hasText: 'dana' });
      await row.getByRole('combobox', { name: 'Role of dana' }).waitFor();
      let members = (await c.api('GET', `/projects/${projectId}/members?entityname=dana`)).json;
      assert.equal(members[0]?.role_id, 3);

      // Change the role in the table.
      await row.getByRole('combobox', { name: 'Role of dana' }).click();
      await option(s.page, 'Developer').click();
      await s.page.getByText('dana is now Developer').waitFor();
      members = (await c.api('GET', `/projects/${projectId}/members?entityname=dana`)).json;
      assert.equal(members[0]?.role_id, 2);

      // An unknown user: the API's words.
      await s.page.getByRole('button', { name: 'Add member' }).click();
      await dialog.getByLabel('Username').fill('nobody-here');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await s.page.locator('.ant-message').getByText(/must name an existing user/).waitFor();
      await dialog.getByRole('button', { name: 'Cancel' }).click();

      // Add "other" through the API, then remove them in the portal.
      assert.equal((await c.api('POST', `/projects/${projectId}/members`, { body: { role_id: 3, member_user: { username: 'other' } } })).status, 201);
      assert.equal((await c.api('POST', `/projects/${projectId}/members`, { body: { role_id: 3, member_user: { username: guest.username } } })).status, 201);
      await s.page.reload();
      await s.page.getByRole('button', { name: 'Remove member other' }).click();
      await s.page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
      await s.page.getByText('other removed from the project').waitFor();
      assert.equal((await c.api('GET', `/projects/${projectId}/members?entityname=other`)).headers.get('x-total-count'), '0');

      // Search narrows on the server.
      await s.page.getByRole('searchbox', { name: 'Search members by name' }).fill('gus');
      await s.page.getByRole('searchbox', { name: 'Search members by name' }).press('Enter');
      await s.page.getByRole('cell', { name: 'dana', exact: true }).waitFor({ state: 'detached' });
      await s.page.getByRole('cell', { name: 'gus', exact: true }).waitFor();
      await shot(s.page, 'project-members-en');
      assert.deepEqual(s.errors, []);
      assert.deepEqual(s.dialogs, []);
    } finally {
      if (failed.length) t.diagnostic(failed.join('\n'));
      if (process.env.HAVEN_DEBUG_SHOTS) await s.page.screenshot({ path: `/tmp/x/${t.name.slice(0, 20)}.png` });
      await s.close();
    }
  });

  test('labels: create with a colour, edit, delete; an HTML-looking name shows as text and runs nothing', async (t) => {
    if (!requireBrowser(t)) return;
    const made = await c.api('POST', '/labels', { body: { name: xss, description: '<script>alert(2)</script>', color: '#C92100', scope: 'p', project_id: projectId } });
    assert.equal(made.status, 201, made.text);
    assert.equal((await c.api('POST', '/labels', { body: { name: 'snow', color: '#FFFFFF', scope: 'p', project_id: projectId } })).status, 201);
    const s = await openPortal(browser, h);
    const failed = apiFailures(s.page);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.goto(`/projects/${projectId}/labels`);
      await s.page.getByText(xss, { exact: true }).waitFor();
      await s.page.getByText('<script>alert(2)</script>', { exact: true }).waitFor();
      assert.equal(await s.page.locator('img[src="x"]').count(), 0);
      // A white label keeps its name readable: dark text on it.
      const ink = await s.page.getByText('snow', { exact: true }).evaluate((e) => getComputedStyle(e).color);
      assert.equal(ink, 'rgb(0, 0, 0)');

      await s.page.getByRole('button', { name: 'New label' }).click();
      const dialog = s.page.getByRole('dialog', { name: 'New label' });
      await dialog.getByLabel('Name').fill('release');
      await dialog.getByLabel('Description').fill('shipped builds');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await s.page.getByText('Label release created').waitFor();
      let labels = (await c.api('GET', `/labels?scope=p&project_id=${projectId}&name=release`)).json;
      assert.equal(labels[0]?.description, 'shipped builds');
      assert.match(labels[0]?.color, /^#[0-9A-F]{6}$/);

      await s.page.getByRole('button', { name: 'Edit label release' }).click();
      const edit = s.page.getByRole('dialog', { name: 'Edit label' });
      await edit.getByLabel('Description').fill('only what we ship');
      await edit.getByRole('button', { name: 'Save' }).click();
      await s.page.getByText('Label release saved').waitFor();
      labels = (await c.api('GET', `/labels?scope=p&project_id=${projectId}&name=release`)).json;
      assert.equal(labels[0]?.description, 'only what we ship');

      await s.page.getByRole('button', { name: 'Delete label release' }).click();
      await s.page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
      await s.page.getByText('Label release deleted').waitFor();
      assert.equal((await c.api('GET', `/labels?scope=p&project_id=${projectId}&name=release`)).json.length, 0);
      await shot(s.page, 'project-labels-en');
      assert.deepEqual(s.errors, []);
      assert.deepEqual(s.dialogs, []);
    } finally {
      if (failed.length) t.diagnostic(failed.join('\n'));
      if (process.env.HAVEN_DEBUG_SHOTS) await s.page.screenshot({ path: `/tmp/x/${t.name.slice(0, 20)}.png` });
      await s.close();
    }
  });

  test('a developer sees no admin buttons, and the API refuses them anyway', async (t) => {
    if (!requireBrowser(t)) return;
    const s = await openPortal(browser, h);
    const failed = apiFailures(s.page);
    try {
      await logIn(s.page, dev.username, dev.password);
      await s.page.goto(`/projects/${projectId}/members`);
      await s.page.getByRole('cell', { name: 'gus', exact: true }).waitFor();
      assert.equal(await s.page.getByRole('button', { name: 'Add member' }).count(), 0);
      assert.equal(await s.page.getByRole('button', { name: /^Remove member/ }).count(), 0);
      assert.equal(await s.page.getByRole('combobox', { name: /^Role of/ }).count(), 0);
      // Developers do not manage webhooks: no tab.
      await s.page.getByRole('tab', { name: 'Policy' }).waitFor();
      assert.equal(await s.page.getByRole('tab', { name: 'Webhooks' }).count(), 0);
      await s.page.getByRole('tab', { name: 'Labels' }).click();
      await s.page.getByText(xss, { exact: true }).waitFor();
      assert.equal(await s.page.getByRole('button', { name: 'New label' }).count(), 0);
      assert.equal(await s.page.getByRole('button', { name: /^Delete label/ }).count(), 0);
      await s.page.getByRole('tab', { name: 'Robot accounts' }).click();
      await s.page.getByText('No robot accounts yet').waitFor();
      assert.equal(await s.page.getByRole('button', { name: 'New robot account' }).count(), 0);

      assert.equal((await c.api('POST', `/projects/${projectId}/members`, { as: dev, body: { role_id: 1, member_user: { username: 'other' } } })).status, 403);
      assert.equal((await c.api('POST', '/labels', { as: dev, body: { name: 'sneaky', scope: 'p', project_id: projectId } })).status, 403);
      assert.equal((await c.api('POST', `/projects/${projectId}/robots`, { as: dev, body: { name: 'sneaky', duration: -1 } })).status, 403);
      assert.equal((await c.api('GET', `/projects/${projectId}/webhook/policies`, { as: dev })).status, 403);
      assert.deepEqual(s.errors, []);
      assert.deepEqual(s.dialogs, []);
    } finally {
      if (failed.length) t.diagnostic(failed.join('\n'));
      if (process.env.HAVEN_DEBUG_SHOTS) await s.page.screenshot({ path: `/tmp/x/${t.name.slice(0, 20)}.png` });
      await s.close();
    }
  });

  test('a guest sees fewer tabs still, and the API refuses what they lack', async (t) => {
    if (!requireBrowser(t)) return;
    const s = await openPortal(browser, h);
    const failed = apiFailures(s.page);
    try {
      await logIn(s.page, guest.username, guest.password);
      await s.page.goto(`/projects/${projectId}/members`);
      await s.page.getByRole('cell', { name: 'dana', exact: true }).waitFor();
      assert.equal(await s.page.getByRole('button', { name: 'Add member' }).count(), 0);
      assert.equal(await s.page.getByRole('combobox', { name: /^Role of/ }).count(), 0);
      await s.page.getByRole('tab', { name: 'Labels' }).waitFor();
      assert.equal(await s.page.getByRole('tab', { name: 'Policy' }).count(), 0);
      assert.equal(await s.page.getByRole('tab', { name: 'Webhooks' }).count(), 0);
      // Typed in by hand, the policy page is not there for a guest.
      await s.page.goto(`/projects/${projectId}/policy`);
      await s.page.getByText('Page not found').waitFor();

      assert.equal((await c.api('PUT', `/projects/${projectId}/members/1`, { as: guest, body: { role_id: 1 } })).status, 403);
      assert.equal((await c.api('GET', `/projects/${projectId}/immutabletagrules`, { as: guest })).status, 403);
      assert.equal((await c.api('POST', `/projects/${projectId}/immutabletagrules`, { as: guest, body: { action: 'immutable', template: 'immutable_template', tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: '**' }], scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }] } } })).status, 403);
      assert.deepEqual(s.errors, []);
      assert.deepEqual(s.dialogs, []);
    } finally {
      if (failed.length) t.diagnostic(failed.join('\n'));
      if (process.env.HAVEN_DEBUG_SHOTS) await s.page.screenshot({ path: `/tmp/x/${t.name.slice(0, 20)}.png` });
      await s.close();
    }
  });

  test('in 简体中文 the project tabs speak Chinese, and axe finds no serious violation on them', async (t) => {
    if (!requireBrowser(t)) return;
    const s = await openPortal(browser, h, { locale: 'zh-CN' });
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      const problems: string[] = [];
      const visit = async (tab: string, ready: string) => {
        await s.page.goto(`/projects/${projectId}/${tab}`);
        await s.page.getByText(ready, { exact: true }).first().waitFor();
        for (const v of await seriousViolations(s.page)) problems.push(`${tab}: ${v}`);
      };
      await visit('members', '添加成员');
      await shot(s.page, 'project-members-zh');
      await visit('labels', '新建标签');
      await visit('robots', '新建机器人账户');
      await s.page.getByRole('button', { name: '新建机器人账户' }).click();
      await s.page.getByRole('dialog', { name: '新建机器人账户' }).getByText('全选').waitFor();
      for (const v of await seriousViolations(s.page)) problems.push(`robot dialog: ${v}`);
      await shot(s.page, 'project-robot-new-zh');
      await visit('policy', 'Tag保留');
      await s.page.getByRole('tab', { name: '不可变的Tag' }).click();
      await s.page.getByText('没有不可变的Tag规则', { exact: false }).waitFor();
      for (const v of await seriousViolations(s.page)) problems.push(`immutability: ${v}`);
      await visit('webhooks', '新建 Webhook');
      assert.deepEqual(problems, []);
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });
});
