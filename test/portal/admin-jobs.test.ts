// The administration's long-running work in a real browser: a GC of thousands of blobs whose
// progress bar grows in the history while it runs, the job service dashboard's Stop (a paused
// queue's pending work, every queue's, a running worker's GC), the audit log's resource filters
// against the API's answer to the same q, axe on the dashboard and the global labels in both
// languages, and the pages that had English screenshots only, shot in 简体中文.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { apiClient } from '../helpers/api-client.js';
import { seriousViolations } from '../helpers/axe.js';
import { logIn, openPortal, requireBrowser, useBrowser } from '../helpers/browser.js';
import { eventually } from '../helpers/eventually.js';
import { runGc, seedGarbage } from '../helpers/gc.js';
import { useHaven, type RunningHaven } from '../helpers/haven.js';
import { asAdmin, pushImage } from '../helpers/oci.js';
import { shot } from './project-helpers.js';

/** Garbage blob rows a GC takes seconds over (12 000 take two on an idle machine: too few values to see the bar move). */
const garbage = 30_000;

/** A portal session whose waits give up after 15 s (a failure says where, well inside the file's budget). */
async function open(browser: Browser, h: RunningHaven, opts: { locale?: string } = {}) {
  const s = await openPortal(browser, h, opts);
  s.page.setDefaultTimeout(15_000);
  return s;
}

/** An option of the open antd select (its listbox options are hidden a11y copies). */
const option = (page: Page, label: string) => page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: new RegExp(`^${label}$`) });

/** How the page words an operation (en). */
const words = { operation: { create: 'Create', delete: 'Delete', update: 'Update', pull: 'Pull', login: 'Log in' } as Record<string, string> };

/** An HTTP endpoint on loopback that answers every delivery 200. */
async function webhookReceiver(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

interface SeenBar {
  value: number;
  label: string;
  row: string;
}

/**
 * Records every value a progress bar on the page takes, with its label and its row's text, as
 * the page renders it: a poll from the test could miss a value that stayed less than its period.
 */
async function watchProgressBars(page: Page): Promise<() => Promise<SeenBar[]>> {
  // A string, not a function: tsx would wrap the named closures in a helper the page lacks.
  await page.evaluate(`(() => {
    const seen = (window.seenBars = []);
    new MutationObserver(() => {
      for (const bar of document.querySelectorAll('[role="progressbar"]')) {
        const value = Number(bar.getAttribute('aria-valuenow'));
        const label = bar.getAttribute('aria-label') ?? '';
        const last = seen[seen.length - 1];
        if (last && last.value === value && last.label === label) continue;
        seen.push({ value, label, row: bar.closest('tr')?.textContent ?? '' });
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow', 'aria-label'] });
  })()`);
  return () => page.evaluate<SeenBar[]>('window.seenBars');
}

describe('portal: administration jobs, audit filters, accessibility and Chinese screenshots', { timeout: 400_000 }, () => {
  let h: RunningHaven;
  let browser: Browser;
  // A short lease: the heartbeat that carries a running job's progress to the API comes every ~0.7 s.
  useHaven({ env: { HAVEN_JOBS_POLL_INTERVAL: '100', HAVEN_GC_MIN_AGE: '1h', HAVEN_JOBS_LEASE_TIME: '2s', HAVEN_WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', HAVEN_WEBHOOK_TIMEOUT: '2000' } }, (x) => {
    h = x;
  });
  useBrowser((b) => {
    browser = b;
  });
  const call = (method: string, path: string, opts: Parameters<ReturnType<typeof apiClient>['api']>[2] = {}) => apiClient(h).api(method, path, opts);
  let projectId = 0;
  let single = '';
  /**
   * The project the later pages show: two repositories, three artifacts, a tag made and deleted
   * through the API and a pull, each of them an audit record; once, for whichever test comes first.
   */
  const withProject = async () => {
    if (projectId) return;
    await h.createProject('shop');
    const reg = asAdmin(h);
    single = (await pushImage(reg, 'shop/app', 'v1', 2, 4096)).digest;
    await pushImage(reg, 'shop/app', 'v2', 2, 4096);
    await pushImage(reg, 'shop/tools/cli', 'latest', 1, 2048);
    assert.equal((await call('POST', '/projects/shop/repositories/app/artifacts/v1/tags', { body: { name: 'stable' } })).status, 201);
    assert.equal((await call('DELETE', '/projects/shop/repositories/app/artifacts/v1/tags/stable')).status, 200);
    assert.equal((await fetch(`${h.url}/v2/shop/tools/cli/manifests/latest`, { headers: { ...reg.headers, Accept: 'application/vnd.oci.image.manifest.v1+json' } })).status, 200);
    projectId = (await call('GET', '/projects?name=shop')).json[0].project_id;
    // Audit records are written in the background: the page is opened once they are all there.
    await eventually(async () => {
      const r = await call('GET', `/audit-logs?q=${encodeURIComponent('resource_type=tag')}`);
      assert.equal(r.json.length, 2);
      const pulls = await call('GET', `/audit-logs?q=${encodeURIComponent('operation=pull')}`);
      assert.equal(pulls.json.length, 1);
    });
  };

  test('GC now: the run\'s progress bar grows while it is Running, then the row turns to Success with what was freed', async (t) => {
    if (!requireBrowser(t)) return;
    await seedGarbage(h, garbage);
    const s = await open(browser, h);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.goto('/admin/gc');
      await s.page.getByText('No garbage collection has run yet').waitFor();
      const seen = await watchProgressBars(s.page);
      await s.page.getByRole('button', { name: 'GC now' }).click();
      const row = s.page.getByRole('table', { name: 'History' }).getByRole('row').nth(1);
      await row.getByText('Running').waitFor();
      await row.getByRole('progressbar').waitFor();
      const id = Number((await row.getByRole('cell').first().innerText()).trim());
      await row.getByText('Success').waitFor({ timeout: 90_000 });
      assert.ok((await row.innerText()).includes(`${(garbage / 1024).toFixed(1)} KiB freed (${garbage} blobs, 0 manifests)`), await row.innerText());
      assert.equal(await row.getByRole('progressbar').count(), 0, 'a finished run shows what it did, not a bar');

      const bars = await seen();
      const run = (await call('GET', `/system/gc/${id}`)).json;
      assert.deepEqual(run.progress, { done: run.progress.total, total: run.progress.total, percent: 100 });
      // Each bar names its figures, the same as its value, out of every blob row the run scanned.
      for (const b of bars) {
        const m = /^(\d+) of (\d+) \((\d+)%\)$/.exec(b.label);
        assert.ok(m, b.label);
        assert.equal(Number(m[2]), run.progress.total, b.label);
        assert.equal(Number(m[3]), b.value, b.label);
        assert.match(b.row, /Running/, 'a bar only while the run is Running');
      }
      const values = bars.map((b) => b.value);
      t.diagnostic(`bar values seen: ${values.join(', ')}`);
      assert.ok(new Set(values).size >= 2, `the bar moved while the page was open: ${values.join(', ')}`);
      assert.deepEqual([...values].sort((a, b) => a - b), values, 'the bar never goes back');
      assert.ok(values[0]! < 50, `the first value shown is early in the run: ${values.join(', ')}`);
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });
  test('job service: Stop on a paused queue and Stop all end the pending work; Stop on a worker ends a running GC', async (t) => {
    if (!requireBrowser(t)) return;
    const s = await open(browser, h);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.goto('/admin/jobservice');
      const queues = s.page.getByRole('table', { name: 'Job queues' });
      const queue = (type: string) => queues.getByRole('row').filter({ has: s.page.getByRole('cell', { name: type, exact: true }) });
      const pending = (type: string) => queue(type).getByRole('cell').nth(1);
      for (const type of ['GARBAGE_COLLECTION', 'PURGE_AUDIT_LOG']) {
        await queue(type).getByRole('button', { name: `Pause queue ${type}` }).click();
        await queue(type).getByText('Paused').waitFor();
      }
      // Held in their paused queues: a GC and an audit purge wait, Pending.
      const gc = await call('POST', '/system/gc/schedule', { body: { schedule: { type: 'Manual' }, parameters: { workers: 1 } } });
      assert.equal(gc.status, 201, gc.text);
      const gcId = Number(gc.headers.get('location')!.split('/').pop());
      const purge = await call('POST', '/system/purgeaudit/schedule', { body: { schedule: { type: 'Manual' }, parameters: { audit_retention_hour: 1, include_event_types: 'create', dry_run: true } } });
      assert.equal(purge.status, 201, purge.text);
      const purgeId = Number(purge.headers.get('location')!.split('/').pop());
      const status = async (path: string) => (await call('GET', path)).json.job_status;
      // The dashboard refreshes on its own: the counts come without a reload.
      await eventually(async () => assert.equal(await pending('GARBAGE_COLLECTION').innerText(), '1'), { timeoutMs: 15_000 });
      assert.equal(await pending('PURGE_AUDIT_LOG').innerText(), '1');

      await queue('GARBAGE_COLLECTION').getByRole('button', { name: 'Stop the pending jobs of GARBAGE_COLLECTION' }).click();
      await s.page.getByRole('dialog', { name: 'Stop and drop the pending jobs of GARBAGE_COLLECTION?' }).getByRole('button', { name: 'Stop' }).click();
      await s.page.getByText('Stopped the pending jobs of GARBAGE_COLLECTION').waitFor();
      await eventually(async () => assert.equal(await pending('GARBAGE_COLLECTION').innerText(), '0'));
      assert.equal(await status(`/system/gc/${gcId}`), 'Stopped');
      assert.equal(await status(`/system/purgeaudit/${purgeId}`), 'Pending', 'another queue\'s work is left alone');

      await s.page.getByRole('button', { name: 'Stop all pending' }).click();
      await s.page.getByRole('dialog', { name: 'Stop and drop the pending jobs of all queues?' }).getByRole('button', { name: 'Stop' }).click();
      await s.page.getByText('Stopped the pending jobs of all queues').waitFor();
      await eventually(async () => assert.equal(await pending('PURGE_AUDIT_LOG').innerText(), '0'));
      assert.equal(await status(`/system/purgeaudit/${purgeId}`), 'Stopped');

      for (const type of ['GARBAGE_COLLECTION', 'PURGE_AUDIT_LOG']) {
        await queue(type).getByRole('button', { name: `Resume queue ${type}` }).click();
        await queue(type).getByText('Running').waitFor();
      }
      assert.ok((await call('GET', '/jobservice/queues')).json.every((q: { paused: boolean }) => !q.paused));
      // Dropped, not held: once the resumed queues have run new work, the stopped jobs are still Stopped.
      assert.equal((await runGc(h, { workers: 1 })).job_status, 'Success');
      const next = await call('POST', '/system/purgeaudit/schedule', { body: { schedule: { type: 'Manual' }, parameters: { audit_retention_hour: 1, include_event_types: 'create', dry_run: true } } });
      await eventually(async () => assert.equal(await status(`/system/purgeaudit/${next.headers.get('location')!.split('/').pop()}`), 'Success'));
      assert.equal(await status(`/system/gc/${gcId}`), 'Stopped');
      assert.equal(await status(`/system/purgeaudit/${purgeId}`), 'Stopped');

      // A GC long enough to be caught running: its worker's Stop ends it between batches.
      await seedGarbage(h, 1.5 * garbage);
      const long = await call('POST', '/system/gc/schedule', { body: { schedule: { type: 'Manual' }, parameters: { workers: 1 } } });
      assert.equal(long.status, 201, long.text);
      const longId = Number(long.headers.get('location')!.split('/').pop());
      // Shown as soon as it runs (the table's own refresh every 3 s could come after a fast GC's end).
      await eventually(async () => assert.equal((await call('GET', `/system/gc/${longId}`)).json.job_status, 'Running'), { timeoutMs: 30_000 });
      await s.page.reload();
      const workers = s.page.getByRole('table', { name: /^Workers of / });
      const worker = workers.getByRole('row').filter({ hasText: 'GARBAGE_COLLECTION' });
      const stop = worker.getByRole('button', { name: /^Stop job \d+$/ });
      await stop.waitFor();
      // Its progress is there as it goes: rows scanned of the total.
      await worker.getByText(/^\d+\/\d+$/).waitFor();
      const jobId = (await stop.getAttribute('aria-label'))!.replace('Stop job ', '');
      await stop.click();
      // Asked first: a stopped job does not resume.
      await s.page.getByRole('dialog', { name: `Stop GARBAGE_COLLECTION job ${jobId}? It ends where it is and does not resume.` }).getByRole('button', { name: 'Stop' }).click();
      await s.page.getByText(`Job ${jobId} is stopping`).waitFor();
      const stopped = await eventually(async () => {
        const run = (await call('GET', `/system/gc/${longId}`)).json;
        assert.ok(!['Pending', 'Running'].includes(run.job_status), run.job_status);
        return run;
      }, { timeoutMs: 30_000 });
      assert.equal(stopped.job_status, 'Stopped');
      assert.ok(stopped.progress.done < stopped.progress.total, `stopped short of the end: ${JSON.stringify(stopped.progress)}`);
      await worker.waitFor({ state: 'detached' });
      assert.deepEqual(s.errors, []);
    } finally {
      await call('PUT', '/jobservice/queues/all', { body: { action: 'resume' } });
      await s.close();
    }
  });
  test('audit log: the resource type and resource filters list what the API returns for the same q', async (t) => {
    if (!requireBrowser(t)) return;
    await withProject();
    const s = await open(browser, h);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.goto('/admin/audit-logs');
      const table = s.page.getByRole('table', { name: 'Audit log' });
      const filters = s.page.getByRole('form', { name: 'Audit log filters' });
      await table.getByText('shop/app:stable').first().waitFor();
      /** Type, resource and operation of each row the page shows. */
      const shown = () => table.locator('tbody tr.ant-table-row').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(2, 5).map((td) => td.textContent ?? '')));
      const filterBy = async (f: { operation?: string; resourceType?: string; resource?: string }) => {
        await filters.getByRole('button', { name: 'Reset' }).click();
        for (const [label, value] of [['Operation', f.operation], ['Resource type', f.resourceType]] as const) {
          if (value === undefined) continue;
          await filters.getByLabel(label).click();
          await option(s.page, value).click();
        }
        await filters.getByLabel('Resource', { exact: true }).fill(f.resource ?? '');
        await filters.getByRole('button', { name: 'Filter' }).click();
      };
      // Each filter as a person picks it, and the q it stands for.
      const cases: Array<[Parameters<typeof filterBy>[0], string]> = [
        [{ resourceType: 'artifact' }, 'resource_type=artifact'],
        [{ resourceType: 'tag' }, 'resource_type=tag'],
        [{ resourceType: 'tag', resource: 'app' }, 'resource_type=tag,resource=~app'],
        [{ resource: 'tools' }, 'resource=~tools'],
        [{ resourceType: 'project', resource: 'shop' }, 'resource_type=project,resource=~shop'],
        [{ operation: 'Log in', resourceType: 'user', resource: 'adm' }, 'operation=login,resource_type=user,resource=~adm'],
      ];
      for (const [f, q] of cases) {
        await filterBy(f);
        const api = await call('GET', `/audit-logs?q=${encodeURIComponent(q)}&sort=-op_time&page=1&page_size=15`);
        assert.equal(api.status, 200, api.text);
        const total = Number(api.headers.get('x-total-count'));
        assert.ok(total > 0, `${q}: the fixture has records for it`);
        await s.page.getByText(total === 1 ? '1 item' : `${total} items`, { exact: true }).waitFor();
        const want = (api.json as Array<{ resource_type: string; resource: string; operation: string }>).map((r) => [words.operation[r.operation] ?? r.operation, r.resource_type, r.resource]);
        await eventually(async () => assert.deepEqual(await shown(), want, q));
      }
      // The filters narrowed the list: the tag records are not every record.
      const all = Number((await call('GET', '/audit-logs?page_size=1')).headers.get('x-total-count'));
      const tags = Number((await call('GET', `/audit-logs?q=${encodeURIComponent('resource_type=tag')}&page_size=1`)).headers.get('x-total-count'));
      assert.ok(tags < all, `${tags} of ${all}`);
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });
  /** Every colour the label editor offers, one global label each: the names must stay readable on all of them. */
  const palette = ['#0065AB', '#343DAC', '#781DA0', '#9B0D54', '#C92100', '#CD3517', '#C25400', '#D28F00', '#006668', '#006690', '#004A70', '#48960C', '#314351', '#000000', '#A5A5A5', '#FFFFFF'];
  let labelled = false;
  const withLabels = async () => {
    if (labelled) return;
    for (const [i, color] of palette.entries()) {
      const r = await call('POST', '/labels', { body: { name: `tone-${i}`, description: `colour ${color}`, color, scope: 'g' } });
      assert.equal(r.status, 201, r.text);
    }
    labelled = true;
  };

  for (const [locale, heading] of [
    ['en-US', { jobs: 'Job service', labels: 'Labels' }],
    ['zh-CN', { jobs: '任务中心', labels: '标签' }],
  ] as const) {
    test(`axe: no serious or critical violation on the job service dashboard and the global labels, with data (${locale})`, async (t) => {
      if (!requireBrowser(t)) return;
      await withLabels();
      // A paused queue holding a job: the dashboard's tags and counts are on it.
      assert.equal((await call('PUT', '/jobservice/queues/PURGE_AUDIT_LOG', { body: { action: 'pause' } })).status, 200);
      const held = await call('POST', '/system/purgeaudit/schedule', { body: { schedule: { type: 'Manual' }, parameters: { audit_retention_hour: 1, include_event_types: 'create', dry_run: true } } });
      assert.equal(held.status, 201, held.text);
      const s = await open(browser, h, { locale });
      try {
        await logIn(s.page, h.admin.username, h.admin.password);
        const found: string[] = [];
        await s.page.goto('/admin/jobservice');
        await s.page.getByRole('heading', { name: heading.jobs }).waitFor();
        await s.page.getByRole('row').filter({ hasText: 'PURGE_AUDIT_LOG' }).getByRole('cell', { name: '1', exact: true }).waitFor();
        await s.page.getByRole('row').filter({ hasText: 'UPLOAD_PURGE' }).first().waitFor();
        found.push(...(await seriousViolations(s.page)).map((v) => `/admin/jobservice: ${v}`));
        await s.page.goto('/admin/labels');
        await s.page.getByRole('heading', { name: heading.labels }).waitFor();
        // Sixteen colours: the last comes on the second page.
        for (const page of ['1', '2']) {
          if (page === '2') await s.page.locator('.ant-pagination').getByTitle('2', { exact: true }).click();
          await s.page.getByText(page === '1' ? 'tone-0' : 'tone-15', { exact: true }).waitFor();
          found.push(...(await seriousViolations(s.page)).map((v) => `/admin/labels page ${page}: ${v}`));
        }
        assert.deepEqual(found, []);
        assert.deepEqual(s.errors, []);
      } finally {
        await call('PUT', '/jobservice/queues/PURGE_AUDIT_LOG', { body: { action: 'stop' } });
        await call('PUT', '/jobservice/queues/PURGE_AUDIT_LOG', { body: { action: 'resume' } });
        await s.close();
      }
    });
  }
  test('the pages that had English screenshots only, in 简体中文 (docs/screenshots/*-zh.png)', async (t) => {
    if (!requireBrowser(t)) return;
    await withProject();
    const receiver = await webhookReceiver();
    const s = await open(browser, h, { locale: 'zh-CN' });
    try {
      // Summary: the quota chart against a 1 MiB limit.
      const quota = (await call('GET', `/quotas?reference=project&reference_id=${projectId}`)).json[0];
      assert.equal((await call('PUT', `/quotas/${quota.id}`, { body: { hard: { storage: 1024 * 1024 } } })).status, 200);
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.goto(`/projects/${projectId}/summary`);
      await s.page.getByText('各角色成员数').waitFor();
      await s.page.getByRole('img', { name: /1\.00 MiB/ }).waitFor();
      await shot(s.page, 'project-summary-zh');

      // Artifact detail, with a label on it, at its layers.
      const label = await call('POST', '/labels', { body: { name: 'release', description: '已发布的构建', color: '#48960C', scope: 'p', project_id: projectId } });
      assert.equal(label.status, 201, label.text);
      assert.equal((await call('POST', '/labels', { body: { name: 'nightly', color: '#D28F00', scope: 'p', project_id: projectId } })).status, 201);
      const labelId = Number(label.headers.get('location')!.split('/').pop());
      assert.equal((await call('POST', '/projects/shop/repositories/app/artifacts/v1/labels', { body: { id: labelId } })).status, 200);
      await s.page.goto(`/projects/${projectId}/repositories/app/artifacts/${encodeURIComponent(single)}`);
      await s.page.getByRole('tab', { name: '层' }).click();
      await s.page.getByRole('table', { name: '层' }).getByRole('row').nth(2).waitFor();
      await s.page.getByRole('button', { name: '移除标签 release' }).waitFor();
      await shot(s.page, 'artifact-detail-zh');

      // Labels of the project.
      await s.page.goto(`/projects/${projectId}/labels`);
      await s.page.getByText('已发布的构建').waitFor();
      await shot(s.page, 'project-labels-zh');

      // Tag retention: a dry run of "keep the latest pushed" (v1 would go), and a repository's log.
      const policy = await call('POST', '/retentions', {
        body: {
          algorithm: 'or',
          rules: [{ action: 'retain', template: 'latestPushedK', params: { latestPushedK: 1 }, tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: '**' }], scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }] } }],
          trigger: { kind: 'Schedule', settings: { cron: '' } },
          scope: { level: 'project', ref: projectId },
        },
      });
      assert.equal(policy.status, 201, policy.text);
      const policyId = Number(policy.headers.get('location')!.split('/').pop());
      assert.equal((await call('POST', `/retentions/${policyId}/executions`, { body: { dry_run: true } })).status, 201);
      await s.page.goto(`/projects/${projectId}/policy`);
      const run = s.page.getByRole('row').filter({ hasText: '模拟运行' }).filter({ hasText: '手动' });
      await run.getByText('成功').waitFor({ timeout: 60_000 });
      await run.getByRole('button', { name: '展开行' }).click();
      await s.page.getByRole('button', { name: 'app 的日志' }).click();
      const retentionLog = s.page.getByRole('dialog', { name: 'app 的日志' });
      await retentionLog.getByText(/Dry Run: true/).waitFor();
      assert.match(await retentionLog.innerText(), /would delete 1/);
      await shot(s.page, 'project-retention-log-zh');
      await retentionLog.getByRole('button', { name: '关闭' }).click();

      // Immutability: a rule on app's v1.
      const rule = await call('POST', `/projects/${projectId}/immutabletagrules`, {
        body: { disabled: false, action: 'immutable', template: 'immutable_template', tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: 'v1' }], scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: 'app' }] } },
      });
      assert.equal(rule.status, 201, rule.text);
      await s.page.getByRole('tab', { name: '不可变的Tag' }).click();
      await s.page.getByRole('row').filter({ hasText: 'v1' }).getByText('已启用').waitFor();
      await shot(s.page, 'project-immutability-zh');

      // A webhook delivered to a receiver here, its task log.
      const hook = await call('POST', `/projects/${projectId}/webhook/policies`, { body: { name: 'ci', event_types: ['PUSH_ARTIFACT', 'DELETE_ARTIFACT'], targets: [{ type: 'http', address: `${receiver.url}/hook` }] } });
      assert.equal(hook.status, 201, hook.text);
      const hookId = Number(hook.headers.get('location')!.split('/').pop());
      await pushImage(asAdmin(h), 'shop/tools/cli', 'v2', 1, 256);
      await eventually(async () => assert.equal((await call('GET', `/projects/${projectId}/webhook/policies/${hookId}/executions`)).json[0]?.status, 'Success'), { timeoutMs: 30_000 });
      await s.page.goto(`/projects/${projectId}/webhooks`);
      await s.page.getByRole('row').filter({ hasText: `${receiver.url}/hook` }).getByRole('button', { name: '展开行' }).click();
      const delivery = s.page.getByRole('row').filter({ hasText: '推送制品' }).filter({ hasText: '成功' }).first();
      await delivery.getByRole('button', { name: '展开行' }).click();
      await s.page.getByRole('button', { name: /^任务 \d+ 的日志$/ }).click();
      const hookLog = s.page.getByRole('dialog', { name: /^任务 \d+ 的日志$/ });
      await hookLog.getByText(/start to run/).waitFor();
      await shot(s.page, 'project-webhook-log-zh');
      await hookLog.getByRole('button', { name: '关闭' }).click();

      // Users, one made here besides the admin.
      assert.equal((await call('POST', '/users', { body: { username: 'lihua', email: 'lihua@example.com', realname: '李华', password: 'Lihua12345', comment: '运维' } })).status, 201);
      await s.page.goto('/admin/users');
      await s.page.getByRole('row').filter({ hasText: '李华' }).waitFor();
      await shot(s.page, 'admin-users-zh');

      // The audit log filtered to the tag records.
      await s.page.goto('/admin/audit-logs');
      const filters = s.page.getByRole('form', { name: '审计日志过滤条件' });
      await filters.getByLabel('资源类型').click();
      await option(s.page, 'tag').click();
      await filters.getByRole('button', { name: '过 滤' }).or(filters.getByRole('button', { name: '过滤' })).click();
      await s.page.getByText('共 2 条').waitFor();
      await shot(s.page, 'admin-audit-zh');

      // Configuration, in read-only mode: the banner too.
      assert.equal((await call('PUT', '/configurations', { body: { read_only: true } })).status, 200);
      await s.page.goto('/admin/configuration');
      await s.page.getByText('只读模式', { exact: true }).waitFor();
      await s.page.getByRole('heading', { name: '配置管理' }).waitFor();
      await shot(s.page, 'admin-configuration-zh');
      assert.deepEqual(s.errors, []);
      assert.deepEqual(s.dialogs, []);
    } finally {
      if (process.env.HAVEN_DEBUG_SHOTS) await s.page.screenshot({ path: '/tmp/wt-c-scratch/fail.png' });
      await call('PUT', '/configurations', { body: { read_only: false } });
      await s.close();
      await receiver.close();
    }
  });
});
