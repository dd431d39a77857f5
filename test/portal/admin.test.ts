// The administration pages in a real browser against a real Haven: GC run from the page with its
// status changing live and its log, the dry run's figures, audit purge, the job service
// dashboard's pause/resume (the API agrees), users (create, admin, reset password, log in as
// them; XSS payloads shown as text; a non-admin refused), the audit log filter and CSV export,
// and the read-only switch.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { seriousViolations } from '../helpers/axe.js';
import type { Browser, Page } from 'playwright-core';
import { apiClient } from '../helpers/api-client.js';
import { logIn, openPortal, requireBrowser, screenshot, useBrowser } from '../helpers/browser.js';
import { eventually } from '../helpers/eventually.js';
import { havenSql } from '../helpers/haven-db.js';
import { useHaven, type RunningHaven } from '../helpers/haven.js';
import { asAdmin, pushImage } from '../helpers/oci.js';

const hour = 3_600_000;

/** A portal session whose waits give up after 15 s (a failure says where, well inside the file's budget). */
async function open(browser: Browser, h: RunningHaven, opts: { locale?: string } = {}) {
  const s = await openPortal(browser, h, opts);
  s.page.setDefaultTimeout(15_000);
  return s;
}

/** An option of the open antd select (its listbox options are hidden a11y copies). */
const option = (page: Page, label: string) => page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: new RegExp(`^${label}$`) });
const xss = '<img src=x onerror=alert(1)>';

describe('portal administration', { timeout: 170_000 }, () => {
  let h: RunningHaven;
  let browser: Browser;
  useHaven({ projects: ['gcp'], env: { HAVEN_JOBS_POLL_INTERVAL: '100', HAVEN_GC_MIN_AGE: '1h' } }, (x) => {
    h = x;
  });
  useBrowser((b) => {
    browser = b;
  });
  /** An API call below /api/v2.0, as the admin unless `as` says otherwise. */
  const call = (method: string, path: string, opts: Parameters<ReturnType<typeof apiClient>['api']>[2] = {}) => apiClient(h).api(method, path, opts);

  test('GC: a dry run shows what it would free; a run waits in a paused queue and turns to Success live; its log reads', async (t) => {
    if (!requireBrowser(t)) return;
    const reg = asAdmin(h);
    const gone = await pushImage(reg, 'gcp/gone', 'v1', 2, 3000);
    assert.equal((await fetch(`${h.url}/v2/gcp/gone/manifests/${gone.digest}`, { method: 'DELETE', headers: reg.headers })).status, 202);
    // Old enough for the 1 h window: the config and both layers are garbage.
    await havenSql(h, 'update blobs set created_at = ?', [Date.now() - 2 * hour]);
    const s = await open(browser, h);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.getByRole('link', { name: 'Clean up' }).click();
      await s.page.getByRole('heading', { name: 'Clean up' }).waitFor();
      await s.page.getByText('No garbage collection has run yet').waitFor();
      await s.page.getByLabel('Workers').fill('2');
      await s.page.getByRole('button', { name: 'Dry run' }).click();
      const history = s.page.getByRole('table', { name: 'History' });
      const dryRow = history.getByRole('row').filter({ hasText: 'would be freed' });
      await dryRow.waitFor();
      await dryRow.getByText('Success').waitFor();
      await dryRow.getByText('Yes').waitFor();
      assert.match(await dryRow.innerText(), /5\.\d+ KiB would be freed \(3 blobs, 0 manifests\)/);

      // Paused, the run stays Pending; resumed through the API, the page shows it finish.
      const pause = await call('PUT', '/jobservice/queues/GARBAGE_COLLECTION', { body: { action: 'pause' } });
      assert.equal(pause.status, 200, pause.text);
      await s.page.getByRole('button', { name: 'GC now' }).click();
      const runRow = history.getByRole('row').nth(1);
      await runRow.getByText('Pending').waitFor();
      await runRow.getByRole('button', { name: /^Stop job \d+$/ }).waitFor();
      await screenshot(s.page, 'admin-gc-en');
      assert.equal((await call('PUT', '/jobservice/queues/GARBAGE_COLLECTION', { body: { action: 'resume' } })).status, 200);
      await runRow.getByText('Success').waitFor({ timeout: 20_000 });
      assert.match(await runRow.innerText(), /5\.\d+ KiB freed \(3 blobs, 0 manifests\)/);
      assert.equal(await runRow.getByRole('button', { name: /^Stop job/ }).count(), 0, 'a finished run cannot be stopped');
      const runs = await call('GET', '/system/gc?page=1&page_size=10');
      assert.equal(runs.json[0].job_status, 'Success');
      assert.equal(JSON.parse(runs.json[0].job_parameters).workers, 2);
      assert.equal(JSON.parse(runs.json[0].job_parameters).dry_run, false);

      await runRow.getByRole('button', { name: /^Log of job \d+$/ }).click();
      const dialog = s.page.getByRole('dialog', { name: /^Log of job \d+$/ });
      await dialog.getByText(/3 blobs and 0 manifests are actually deleted/).waitFor();
      await dialog.getByRole('button', { name: 'Close' }).click();

      // Stop: a run held in the paused queue is stopped from the page; the API agrees.
      assert.equal((await call('PUT', '/jobservice/queues/GARBAGE_COLLECTION', { body: { action: 'pause' } })).status, 200);
      await s.page.getByRole('button', { name: 'GC now' }).click();
      const held = history.getByRole('row').nth(1);
      await held.getByText('Pending').waitFor();
      const heldId = Number((await held.getByRole('cell').first().innerText()).trim());
      await held.getByRole('button', { name: `Stop job ${heldId}` }).click();
      await s.page.getByRole('dialog', { name: `Stop job ${heldId}?` }).getByRole('button', { name: 'Stop' }).click();
      await held.getByText('Stopped').waitFor();
      assert.equal((await call('GET', `/system/gc/${heldId}`)).json.job_status, 'Stopped');
      assert.equal((await call('PUT', '/jobservice/queues/GARBAGE_COLLECTION', { body: { action: 'resume' } })).status, 200);

      // A schedule: Daily, saved and shown with its next run; the API agrees.
      await s.page.getByRole('combobox', { name: 'Schedule' }).click();
      await option(s.page, 'Daily').click();
      await s.page.getByRole('button', { name: 'Save schedule' }).click();
      await s.page.getByText(/^Next run: /).waitFor();
      const schedule = await call('GET', '/system/gc/schedule');
      assert.equal(schedule.json.schedule.type, 'Daily');
      assert.equal(schedule.json.schedule.cron, '0 0 0 * * *');

      // Log rotation: a dry run counts, deletes nothing.
      await s.page.getByRole('tab', { name: 'Log rotation' }).click();
      await s.page.getByLabel('Keep records of the last (hours)').fill('0');
      await s.page.getByRole('button', { name: 'Dry run' }).click();
      const purgeRow = s.page.getByRole('table', { name: 'History' }).getByRole('row').filter({ hasText: 'would be purged' });
      await purgeRow.getByText('Success').waitFor();
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });

  test('job service: pause and resume a queue from the page, the API agrees; pools show their workers', async (t) => {
    if (!requireBrowser(t)) return;
    const s = await open(browser, h);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.goto('/admin/jobservice');
      await s.page.getByRole('heading', { name: 'Job service' }).waitFor();
      const queues = s.page.getByRole('table', { name: 'Job queues' });
      const row = queues.getByRole('row').filter({ hasText: 'GARBAGE_COLLECTION' });
      await row.getByText('Running').waitFor();
      await s.page.getByRole('table', { name: /^Workers of / }).waitFor();
      await screenshot(s.page, 'admin-jobservice-en');
      await row.getByRole('button', { name: 'Pause queue GARBAGE_COLLECTION' }).click();
      await row.getByText('Paused').waitFor();
      const paused = await call('GET', '/jobservice/queues');
      assert.equal(paused.json.find((q: { job_type: string }) => q.job_type === 'GARBAGE_COLLECTION').paused, true);
      await row.getByRole('button', { name: 'Resume queue GARBAGE_COLLECTION' }).click();
      await row.getByText('Running').waitFor();
      const resumed = await call('GET', '/jobservice/queues');
      assert.equal(resumed.json.find((q: { job_type: string }) => q.job_type === 'GARBAGE_COLLECTION').paused, false);
      // This instance's pool, with its host.
      const pools = await call('GET', '/jobservice/pools');
      await s.page.getByRole('table', { name: 'Worker pools' }).getByText(pools.json[0].worker_pool_id).waitFor();
      // The GC schedule from the first test is listed; pausing all schedules shows it.
      await s.page.getByRole('table', { name: 'Schedules' }).getByText('GARBAGE_COLLECTION').waitFor();
      await s.page.getByRole('button', { name: 'Pause all schedules' }).click();
      await s.page.getByRole('button', { name: 'Resume all schedules' }).waitFor();
      assert.equal((await call('GET', '/schedules/all/paused')).json.paused, true);
      await s.page.getByRole('button', { name: 'Resume all schedules' }).click();
      await s.page.getByRole('button', { name: 'Pause all schedules' }).waitFor();
      assert.equal((await call('GET', '/schedules/all/paused')).json.paused, false);
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });

  test('users: create one whose name and comment hold markup (shown as text), make them admin, reset their password, log in as them', async (t) => {
    if (!requireBrowser(t)) return;
    const s = await open(browser, h);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.getByRole('link', { name: 'Users' }).click();
      await s.page.getByRole('heading', { name: 'Users' }).waitFor();
      // Yourself: no delete, no revoke.
      const me = s.page.getByRole('row').filter({ hasText: h.admin.username });
      await me.getByRole('button', { name: `Reset the password of ${h.admin.username}` }).waitFor();
      assert.equal(await me.getByRole('button', { name: /^Delete user/ }).count(), 0);

      await s.page.getByRole('button', { name: 'New user' }).click();
      const dialog = s.page.getByRole('dialog', { name: 'New user' });
      await dialog.getByLabel('Username').fill('alice');
      await dialog.getByLabel('Email').fill('alice@example.com');
      await dialog.getByLabel('Full name').fill(xss);
      await dialog.getByLabel('Password', { exact: true }).fill('short');
      await dialog.getByRole('button', { name: 'Create' }).click();
      await dialog.locator('.ant-form-item-explain-error', { hasText: '8 to 128 characters' }).waitFor();
      await dialog.getByLabel('Password', { exact: true }).fill('Alice12345');
      await dialog.getByLabel('Confirm password').fill('Alice12345');
      await dialog.getByLabel('Comment').fill(`<script>alert(2)</script>${xss}`);
      await dialog.getByRole('button', { name: 'Create' }).click();
      await s.page.getByText('User alice created').waitFor();
      const row = s.page.getByRole('row').filter({ hasText: 'alice@example.com' });
      await row.getByText(xss, { exact: true }).waitFor();
      await row.getByText(`<script>alert(2)</script>${xss}`).waitFor();
      assert.equal(await s.page.locator('img[src="x"]').count(), 0);
      await dialog.waitFor({ state: 'hidden' });
      await screenshot(s.page, 'admin-users-en');

      // A second create of the same name: the API's words.
      await s.page.getByRole('button', { name: 'New user' }).click();
      await dialog.getByLabel('Username').fill('alice');
      await dialog.getByLabel('Email').fill('alice2@example.com');
      await dialog.getByLabel('Full name').fill('Alice Two');
      await dialog.getByLabel('Password', { exact: true }).fill('Alice12345');
      await dialog.getByLabel('Confirm password').fill('Alice12345');
      await dialog.getByRole('button', { name: 'Create' }).click();
      await s.page.getByText('username alice is already taken').waitFor();
      await dialog.getByRole('button', { name: 'Cancel' }).click();

      await row.getByRole('button', { name: 'Set alice as administrator' }).click();
      await row.getByText('Administrator').waitFor();
      const users = await call('GET', '/users?q=username%3Dalice');
      assert.equal(users.json[0].sysadmin_flag, true);
      assert.equal(users.json[0].realname, xss);

      await row.getByRole('button', { name: 'Reset the password of alice' }).click();
      const reset = s.page.getByRole('dialog', { name: 'Reset the password of alice' });
      await reset.getByLabel('New password').fill('NewAlice999');
      await reset.getByLabel('Confirm password').fill('NewAlice999');
      await reset.getByRole('button', { name: 'Save' }).click();
      await s.page.getByText('Password of alice changed').waitFor();
      assert.deepEqual(s.dialogs, []);
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
    const as = await open(browser, h);
    try {
      await logIn(as.page, 'alice', 'NewAlice999');
      // An administrator now: the administration menu is there.
      await as.page.getByRole('link', { name: 'Users' }).click();
      await as.page.getByRole('heading', { name: 'Users' }).waitFor();
      assert.deepEqual(as.dialogs, []);
    } finally {
      await as.close();
    }
    assert.equal((await call('GET', '/users/current', { as: { username: 'alice', password: 'Alice12345' } })).status, 401, 'the old password no longer works');
  });

  test('a non-admin opening /admin/users sees "Not allowed", and the API refuses them', async (t) => {
    if (!requireBrowser(t)) return;
    assert.equal((await call('POST', '/users', { body: { username: 'bob', email: 'bob@example.com', realname: 'Bob', password: 'Bob12345678' } })).status, 201);
    const bob = { username: 'bob', password: 'Bob12345678' };
    const s = await open(browser, h);
    try {
      await logIn(s.page, bob.username, bob.password);
      assert.equal(await s.page.getByRole('link', { name: 'Clean up' }).count(), 0);
      await s.page.goto('/admin/users');
      await s.page.getByText('Not allowed').waitFor();
      await s.page.getByText('Only system administrators can open this page.').waitFor();
      assert.equal(await s.page.getByRole('button', { name: 'New user' }).count(), 0);
    } finally {
      await s.close();
    }
    assert.equal((await call('GET', '/users', { as: bob })).status, 403);
    assert.equal((await call('POST', '/system/gc/schedule', { as: bob, body: { schedule: { type: 'Manual' } } })).status, 403);
    assert.equal((await call('PUT', '/jobservice/queues/all', { as: bob, body: { action: 'pause' } })).status, 403);
    assert.equal((await call('PUT', '/configurations', { as: bob, body: { read_only: true } })).status, 403);

    // The admin deletes bob, after a confirmation; his login stops working.
    const a = await open(browser, h);
    try {
      await logIn(a.page, h.admin.username, h.admin.password);
      await a.page.goto('/admin/users');
      await a.page.getByRole('searchbox', { name: 'Search users by name' }).fill('bo');
      await a.page.getByRole('searchbox', { name: 'Search users by name' }).press('Enter');
      await a.page.getByText('1 item', { exact: true }).waitFor();
      await a.page.getByRole('button', { name: 'Delete user bob' }).click();
      await a.page.getByRole('dialog', { name: 'Delete user bob?' }).getByRole('button', { name: 'Delete' }).click();
      await a.page.getByText('User bob deleted').waitFor();
      await a.page.getByText('No user matches this name.').waitFor();
      assert.deepEqual(a.errors, []);
    } finally {
      await a.close();
    }
    assert.equal((await call('GET', '/users/current', { as: bob })).status, 401);
  });

  test('audit log: filters narrow the rows on the server; the CSV export downloads exactly the filtered rows, escaped', async (t) => {
    if (!requireBrowser(t)) return;
    // Records with a comma, quotes and markup in them (no API writes such a resource name).
    const now = Date.now();
    for (const [i, resource] of ['a,"b" c', xss, '=cmd|calc'].entries()) {
      await havenSql(h, 'insert into audit_logs (project_id, operation, resource_type, resource, username, client_ip, success, op_time) values (?, ?, ?, ?, ?, ?, ?, ?)', [null, 'delete', 'project', resource, 'csvuser', '127.0.0.1', 1, now - i * 1000]);
    }
    await havenSql(h, 'insert into audit_logs (project_id, operation, resource_type, resource, username, client_ip, success, op_time) values (?, ?, ?, ?, ?, ?, ?, ?)', [null, 'create', 'project', 'other', 'csvuser', '127.0.0.1', 1, now - 3 * hour]);
    const s = await open(browser, h);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.getByRole('link', { name: 'Audit log' }).click();
      await s.page.getByRole('heading', { name: 'Audit log' }).waitFor();
      const table = s.page.getByRole('table', { name: 'Audit log' });
      await table.getByText('csvuser').first().waitFor();
      const before = Number((await s.page.getByText(/^\d+ items$/).innerText()).split(' ')[0]);
      assert.ok(before > 4, String(before));
      const filters = s.page.getByRole('form', { name: 'Audit log filters' });
      await filters.getByLabel('User').fill('csvuser');
      await filters.getByLabel('Operation').click();
      await option(s.page, 'Delete').click();
      await filters.getByRole('button', { name: 'Filter' }).click();
      await s.page.getByText('3 items').waitFor();
      await table.getByText(xss, { exact: true }).waitFor();
      assert.equal(await table.getByText('other', { exact: true }).count(), 0);
      assert.equal(await table.getByText('alice').count(), 0);

      const [download] = await Promise.all([s.page.waitForEvent('download'), filters.getByRole('button', { name: 'Export CSV' }).click()]);
      assert.match(download.suggestedFilename(), /^audit-log-.*\.csv$/);
      const csv = await readFile((await download.path())!, 'utf8');
      const lines = csv.trimEnd().split('\r\n');
      assert.equal(lines[0], 'id,op_time,username,operation,resource_type,resource,operation_result');
      assert.equal(lines.length, 4, csv);
      const apiRows = (await call('GET', `/audit-logs?q=${encodeURIComponent('username=~csvuser,operation=delete')}&page_size=100`)).json as Array<{ id: number; op_time: string }>;
      assert.deepEqual(lines.slice(1).map((l) => Number(l.split(',')[0])), apiRows.map((r) => r.id));
      assert.equal(lines[1], `${apiRows[0]!.id},${apiRows[0]!.op_time},csvuser,delete,project,"a,""b"" c",true`);
      assert.equal(lines[2]!.split(',').slice(5, 6)[0], xss);
      // A spreadsheet would run "=cmd|calc": the export defuses it.
      assert.ok(lines[3]!.includes(",'=cmd|calc,"), lines[3]);

      // The time range: only the record three hours old.
      await filters.getByRole('button', { name: 'Reset' }).click();
      await filters.getByLabel('User').fill('csvuser');
      const start = s.page.getByPlaceholder('Start date');
      const fmt = (ms: number) => {
        const d = new Date(ms);
        const p = (n: number) => String(n).padStart(2, '0');
        return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
      };
      await start.click();
      await start.fill(fmt(now - 4 * hour));
      await start.press('Enter');
      const end = s.page.getByPlaceholder('End date');
      await end.fill(fmt(now - 2 * hour));
      await end.press('Enter');
      await filters.getByRole('button', { name: 'Filter' }).click();
      await s.page.getByText('1 item', { exact: true }).waitFor();
      await table.getByText('other', { exact: true }).waitFor();
      await screenshot(s.page, 'admin-audit-en');
      assert.deepEqual(s.dialogs, []);
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });

  test('configuration: read-only mode switched on shows the banner and the API refuses a push; switched off, it goes', async (t) => {
    if (!requireBrowser(t)) return;
    const s = await open(browser, h);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.getByRole('link', { name: 'Configuration' }).click();
      await s.page.getByRole('heading', { name: 'Configuration' }).waitFor();
      // The token lifetime is offered in minutes, 30 as auth.tokenTtl says, and saved with the rest.
      const lifetime = s.page.getByLabel('Token expiration');
      assert.equal(await lifetime.inputValue(), '30');
      await lifetime.fill('45');
      await s.page.getByRole('switch', { name: 'Allow self-registration' }).click();
      await s.page.getByRole('switch', { name: 'Repository read-only' }).click();
      await s.page.getByRole('radio', { name: 'Limit', exact: true }).check();
      await s.page.getByLabel('Default quota of new projects').fill('5');
      await s.page.getByRole('button', { name: 'Save' }).click();
      await s.page.getByText('Configuration saved').waitFor();
      await s.page.getByText('Read-only mode', { exact: true }).waitFor();
      const c = (await call('GET', '/configurations')).json;
      assert.equal(c.read_only.value, true);
      assert.equal(c.self_registration.value, true);
      assert.equal(c.storage_per_project.value, 5 * 1024 ** 3);
      assert.equal(c.token_expiration.value, 45);
      assert.equal((await apiClient(h).call('GET', '/service/token?service=haven')).json.expires_in, 45 * 60);
      assert.equal((await call('POST', '/projects', { body: { project_name: 'refused' } })).status, 403);
      await s.page.reload();
      await s.page.getByText('Read-only mode', { exact: true }).waitFor();
      await s.page.getByRole('switch', { name: 'Repository read-only' }).waitFor();
      await screenshot(s.page, 'admin-configuration-en');
      await s.page.getByRole('switch', { name: 'Repository read-only' }).click();
      await s.page.getByRole('button', { name: 'Save' }).click();
      await s.page.getByText('Configuration saved').waitFor();
      await s.page.getByText('Read-only mode', { exact: true }).waitFor({ state: 'detached' });
      assert.equal((await call('GET', '/configurations')).json.read_only.value, false);
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });

  test('system robots and global labels: create both; a label name with markup stays text', async (t) => {
    if (!requireBrowser(t)) return;
    const s = await open(browser, h, { locale: 'en-US' });
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.getByRole('link', { name: 'Labels' }).click();
      await s.page.getByRole('heading', { name: 'Labels' }).waitFor();
      await s.page.getByText('No global label yet').waitFor();
      await s.page.getByRole('button', { name: 'New label' }).click();
      const dialog = s.page.getByRole('dialog', { name: 'New label' });
      await dialog.getByLabel('Name').fill(xss);
      await dialog.getByLabel('Description').fill('for everyone');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await s.page.getByRole('table', { name: 'Labels' }).getByText(xss, { exact: true }).waitFor();
      const labels = await call('GET', '/labels?scope=g');
      assert.equal(labels.json[0].name, xss);

      await s.page.getByRole('link', { name: 'Robot accounts' }).click();
      await s.page.getByRole('button', { name: 'New robot account' }).click();
      const rd = s.page.getByRole('dialog', { name: 'New robot account' });
      await rd.getByLabel('Name').fill('ci');
      // The picker of the project robots: every permission, a sysadmin holds them all.
      await rd.getByLabel('Push Repository', { exact: true }).check();
      await rd.getByLabel('Create Tag', { exact: true }).check();
      await rd.getByRole('button', { name: 'Create' }).click();
      const secretDialog = s.page.getByRole('dialog', { name: 'Secret of robot$ci' });
      await secretDialog.waitFor();
      const secret = await secretDialog.getByLabel('Secret', { exact: true }).inputValue();
      await secretDialog.getByRole('button', { name: 'Close' }).last().click();
      const robots = s.page.getByRole('table', { name: 'Robot accounts' });
      await robots.getByText('robot$ci').waitFor();
      // The secret works: the robot reads the project list over the API.
      assert.equal((await call('GET', '/projects', { as: { username: 'robot$ci', password: secret } })).status, 200);
      const ci = (await call('GET', '/robots?q=Level=system')).json.find((r: { name: string }) => r.name === 'robot$ci');
      assert.deepEqual(ci.permissions.map((p: { namespace: string; access: Array<{ resource: string; action: string }> }) => [p.namespace, p.access.map((a) => `${a.resource}:${a.action}`).sort()]), [['*', ['repository:pull', 'repository:push', 'tag:create']]]);

      // A robot for chosen projects only: picked from the server's list as the name is typed.
      await s.page.getByRole('button', { name: 'New robot account' }).click();
      await rd.getByLabel('Name').fill('gcp-only');
      await rd.getByLabel('Selected projects').check();
      await rd.getByRole('button', { name: 'Create' }).click();
      await rd.getByText('Name at least one project').waitFor();
      await rd.getByRole('combobox', { name: 'Projects' }).fill('gc');
      await option(s.page, 'gcp').click();
      await screenshot(s.page, 'admin-robot-new');
      await rd.getByRole('button', { name: 'Create' }).click();
      const second = s.page.getByRole('dialog', { name: 'Secret of robot$gcp-only' });
      const firstSecret = await second.getByLabel('Secret', { exact: true }).inputValue();
      await second.getByRole('button', { name: 'Close' }).last().click();
      await robots.getByRole('row').filter({ hasText: 'robot$gcp-only' }).getByRole('cell', { name: 'gcp', exact: true }).waitFor();
      const only = (await call('GET', '/robots?q=Level=system')).json.find((r: { name: string }) => r.name === 'robot$gcp-only');
      assert.deepEqual(only.permissions.map((p: { namespace: string }) => p.namespace), ['gcp']);

      // Refreshing its secret shows the new one once; the old one stops working.
      await s.page.getByRole('button', { name: 'Actions for robot$gcp-only' }).click();
      await s.page.getByRole('menuitem', { name: 'Refresh secret' }).click();
      await s.page.getByRole('dialog', { name: 'Refresh the secret of robot$gcp-only?' }).getByRole('button', { name: 'Refresh secret' }).click();
      const refreshed = s.page.getByRole('dialog', { name: 'Secret of robot$gcp-only' });
      const newSecret = await refreshed.getByLabel('Secret', { exact: true }).inputValue();
      assert.notEqual(newSecret, firstSecret);
      await refreshed.getByRole('button', { name: 'Close' }).last().click();
      assert.equal((await call('GET', '/users/current', { as: { username: 'robot$gcp-only', password: firstSecret } })).status, 401);
      assert.equal((await call('GET', '/projects', { as: { username: 'robot$gcp-only', password: newSecret } })).status, 200);
      assert.deepEqual(s.dialogs, []);
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });

  test('the administration pages in 简体中文', async (t) => {
    if (!requireBrowser(t)) return;
    const s = await open(browser, h, { locale: 'zh-CN' });
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.goto('/admin/gc');
      await s.page.getByRole('heading', { name: '清理服务' }).waitFor();
      await s.page.getByRole('button', { name: '立即清理垃圾' }).waitFor();
      // The options start from the saved schedule's (2 workers, from the first test).
      await eventually(async () => assert.equal(await s.page.getByLabel('工作者数量').inputValue(), '2'));
      await s.page.getByRole('table', { name: '历史任务' }).getByText('成功').first().waitFor();
      await screenshot(s.page, 'admin-gc-zh');
      await s.page.goto('/admin/jobservice');
      await s.page.getByRole('heading', { name: '任务中心' }).waitFor();
      await s.page.getByRole('table', { name: '任务栈' }).getByText('GARBAGE_COLLECTION').waitFor();
      await screenshot(s.page, 'admin-jobservice-zh');
      await s.page.goto('/admin/users');
      await s.page.getByRole('button', { name: '创建用户' }).waitFor();
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });

  test('axe finds no serious or critical violation on the main administration pages', async (t) => {
    if (!requireBrowser(t)) return;
    const s = await open(browser, h);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      const problems: string[] = [];
      for (const [path, heading] of [
        ['/admin/gc', 'Clean up'],
        ['/admin/users', 'Users'],
        ['/admin/audit-logs', 'Audit log'],
        ['/admin/configuration', 'Configuration'],
      ] as const) {
        await s.page.goto(path);
        await s.page.getByRole('heading', { name: heading }).waitFor();
        await s.page.locator('.ant-spin-spinning').first().waitFor({ state: 'detached' }).catch(() => {});
        problems.push(...(await seriousViolations(s.page)).map((v) => `${path}: ${v}`));
      }
      assert.deepEqual(problems, []);
    } finally {
      await s.close();
    }
  });
});
