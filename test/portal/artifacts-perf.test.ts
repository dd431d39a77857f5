// The artifact list with 10,000 artifacts in the repository: how long the page takes to show its
// first page, and to turn to another, on this box. Reported as figures (t.diagnostic), not
// asserted against a time: the issue asks for under 1 s, the figures say whether it is met.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { logIn, openPortal, requireBrowser, useBrowser } from '../helpers/browser.js';
import { useHaven, type RunningHaven } from '../helpers/haven.js';
import { asAdmin, imageManifest, pushBlob, putManifest, randomBlob } from '../helpers/oci.js';

const count = Number(process.env.HAVEN_PERF_ARTIFACTS ?? 2_000);

// The push dominates (about 15 ms an artifact here): the default run uses 2,000 to stay short;
// HAVEN_PERF_ARTIFACTS=10000 gives the figure.
describe('portal artifact list at scale', { timeout: 90_000 + count * 30 }, () => {
  let h: RunningHaven;
  let browser: Browser;
  useHaven({ projects: ['perf'] }, (x) => {
    h = x;
  });
  useBrowser((b) => {
    browser = b;
  });

  test(`${count} artifacts: the first page shows in well under a second, and paging stays on the server`, async (t) => {
    if (!requireBrowser(t)) return;
    const reg = asAdmin(h);
    // One config and one layer shared by all; each manifest differs by an annotation and has a tag.
    const config = randomBlob(64);
    const layer = randomBlob(256);
    await pushBlob(reg, 'perf/big', config.bytes);
    await pushBlob(reg, 'perf/big', layer.bytes);
    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (next < count) {
          const i = next++;
          const r = await putManifest(reg, 'perf/big', `t${String(i).padStart(5, '0')}`, imageManifest(config, [layer], { annotations: { n: String(i) } }));
          if (r.status !== 201) throw new Error(`push ${i}: ${r.status} ${await r.text()}`);
        }
      }),
    );
    t.diagnostic(`pushed ${count} artifacts in ${Date.now() - started} ms`);
    const projectId = ((await (await h.adminFetch(`${h.url}/api/v2.0/projects/perf`)).json()) as { project_id: number }).project_id;

    const s = await openPortal(browser, h);
    const sizes: number[] = [];
    const apiTimes: string[] = [];
    s.page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname === '/api/v2.0/projects/perf/repositories/big/artifacts') sizes.push(Number(u.searchParams.get('page_size')));
    });
    s.page.on('requestfinished', (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith('/api/')) apiTimes.push(`${u.pathname}${u.search.slice(0, 60)} ${Math.round(r.timing().responseEnd)} ms`);
    });
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.goto(`/projects/${projectId}/repositories`);
      const link = s.page.getByRole('link', { name: 'perf/big' });
      await link.waitFor();
      const rows = s.page.getByRole('table', { name: 'Artifacts' }).locator('tr.ant-table-row');
      // In-app navigation, as a person clicks: from the click to the first page of rows.
      const t0 = Date.now();
      await link.click();
      await s.page.getByText(`${count.toLocaleString('en-US').replace(/,/g, '')} items`).or(s.page.getByText(`${count} items`)).first().waitFor();
      await rows.nth(14).waitFor();
      const firstPage = Date.now() - t0;
      // A full load of the page's URL: HTML, scripts, session and the list.
      const t1 = Date.now();
      await s.page.reload();
      await rows.nth(14).waitFor();
      const fullLoad = Date.now() - t1;
      // Turning to the last page.
      const last = Math.ceil(count / 15);
      // Timed inside the page (click to rows drawn), so the figure is the portal's, not the driver's.
      // Newest first: the oldest push is on the last page.
      // (A string: the test runner's transform would add helpers the page does not have.)
      const lastPage = (await s.page.evaluate(`(async () => {
        const t = performance.now();
        document.querySelector('li.ant-pagination-item[title="${last}"]').click();
        while (![...document.querySelectorAll('tr.ant-table-row')].some((r) => r.textContent.includes('t00000'))) await new Promise((r) => requestAnimationFrame(r));
        const done = performance.now();
        const list = performance.getEntriesByType('resource').filter((e) => e.name.includes('/artifacts?') && e.startTime >= t).pop();
        return { total: Math.round(done - t), response: list ? Math.round(list.responseEnd - t) : -1 };
      })()`)) as { total: number; response: number };
      t.diagnostic(`artifact list, ${count} artifacts: first page ${firstPage} ms after the click, ${fullLoad} ms on a full reload, last page ${lastPage.total} ms (its API answer in after ${lastPage.response} ms, drawn ${lastPage.total - lastPage.response} ms later)`);
      t.diagnostic(`API calls: ${apiTimes.join('; ')}`);
      assert.equal(await rows.count(), count % 15 || 15);
      assert.ok(sizes.length > 0 && sizes.every((n) => n === 15), `every list request asks for one page: ${sizes.join(',')}`);
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });
});
