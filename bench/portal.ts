/**
 * `npm run bench:portal`: the portal's speed figures from issue 12, measured in Debian's
 * chromium against a real Haven on the embedded default, and written to docs/benchmarks-portal.md:
 * - the first load's JavaScript, compressed as sent (the target is under 400 KB);
 * - the projects page with 1,000 projects, from navigation to the first page of rows;
 * - the artifact list with 10,000 artifacts in one repository, the same way.
 * Figures, never a pass/fail: the run prints them and the report keeps them.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { chromiumPath } from '../test/helpers/browser.js';
import { startHaven } from '../test/helpers/haven.js';
import { asAdmin, imageManifest, pushBlob, putManifest, sha256 } from '../test/helpers/oci.js';

const log = (line: string) => process.stdout.write(`${line}\n`);
const projects = Number(process.env.BENCH_PORTAL_PROJECTS ?? 1000);
const artifacts = Number(process.env.BENCH_PORTAL_ARTIFACTS ?? 10_000);
const runs = 5;

async function pool<T>(items: T[], width: number, f: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await f(items[next++]!);
  }));
}

/** Median of `runs` timings of `measure` (the first, cold one included: caches are warm after it). */
async function median(measure: () => Promise<number>): Promise<{ median: number; all: number[] }> {
  const all: number[] = [];
  for (let i = 0; i < runs; i++) all.push(await measure());
  const sorted = [...all].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)]!, all };
}

/**
 * From navigation start to the moment `ready` first matches, in ms, read off the page's own clock
 * by a MutationObserver the page runs from its start. (Reading the clock after Playwright's wait
 * returned added its polling interval, up to 500 ms: the earlier figures swung between two modes.)
 */
async function timeToRows(page: Page, path: string, ready: string): Promise<number> {
  await page.goto('about:blank');
  await page.goto(path, { waitUntil: 'commit' });
  await page.locator(ready).first().waitFor({ timeout: 60_000 });
  return page.evaluate((selector) => (window as unknown as { __seen: Record<string, number> }).__seen[selector] ?? Number.NaN, ready);
}

/** Notes, in every page the context opens, when each watched selector first matches. */
async function watchFor(context: BrowserContext, selectors: string[]): Promise<void> {
  await context.addInitScript((watched: string[]) => {
    const seen: Record<string, number> = {};
    (window as unknown as { __seen: Record<string, number> }).__seen = seen;
    // Inline and anonymous: tsx wraps named functions in a helper the page does not have.
    new MutationObserver(() => {
      for (const s of watched) if (seen[s] === undefined && document.querySelector(s)) seen[s] = performance.now();
    }).observe(document, { childList: true, subtree: true });
  }, selectors);
}

async function main(): Promise<void> {
  const h = await startHaven({ projects: ['big'] });
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    log(`creating ${projects} projects…`);
    await pool(Array.from({ length: projects - 1 }, (_, i) => `p${String(i).padStart(4, '0')}`), 8, (name) => h.createProject(name));

    log(`pushing ${artifacts} artifacts into big/app…`);
    const reg = asAdmin(h);
    const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
    const layer = Buffer.from('one shared layer');
    await pushBlob(reg, 'big/app', config);
    await pushBlob(reg, 'big/app', layer);
    const base = { digest: sha256(config), size: config.length };
    const layerRef = { digest: sha256(layer), size: layer.length };
    await pool(Array.from({ length: artifacts }, (_, i) => i), 16, async (i) => {
      const m = imageManifest(base, [layerRef], { annotations: { 'bench.n': String(i) } });
      const r = await putManifest(reg, 'big/app', i % 10 === 0 ? `t${i}` : sha256(m), m);
      if (r.status !== 201) throw new Error(`push ${i}: ${r.status} ${await r.text()}`);
    });

    const context = await browser.newContext({ baseURL: h.url, viewport: { width: 1366, height: 860 } });
    await watchFor(context, ['.ant-table-row']);
    const page = await context.newPage();
    const transferred = new Map<string, number>();
    page.on('response', async (r) => {
      if (!r.url().includes('/assets/') || !r.url().endsWith('.js')) return;
      const size = Number((await r.allHeaders())['content-length'] ?? (await r.body()).length);
      transferred.set(r.url(), size);
    });
    await page.goto('/login');
    await page.getByLabel('Username').waitFor();
    const loginJs = [...transferred.values()].reduce((a, b) => a + b, 0);
    await page.getByLabel('Username').fill(h.admin.username);
    await page.getByLabel('Password').fill(h.admin.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/projects/);
    await page.locator('.ant-table-row').first().waitFor();
    const projectsJs = [...transferred.values()].reduce((a, b) => a + b, 0);
    log(`first load: ${(loginJs / 1024).toFixed(0)} KiB of compressed JavaScript for the sign-in page, ${(projectsJs / 1024).toFixed(0)} KiB with the projects page`);

    const list = await median(() => timeToRows(page, '/projects', '.ant-table-row'));
    log(`projects page, ${projects} projects: ${list.median.toFixed(0)} ms to the first rows (runs ${list.all.map((x) => x.toFixed(0)).join(', ')})`);

    const id = ((await (await h.adminFetch(`${h.url}/api/v2.0/projects?name=big`)).json()) as Array<{ project_id: number }>)[0]!.project_id;
    const artifactPath = `/projects/${id}/repositories/${encodeURIComponent('app')}/artifacts`;
    const art = await median(() => timeToRows(page, artifactPath, '.ant-table-row'));
    log(`artifact list, ${artifacts} artifacts: ${art.median.toFixed(0)} ms to the first rows (runs ${art.all.map((x) => x.toFixed(0)).join(', ')})`);

    const report = `# Portal speed

Measured by \`npm run bench:portal\` (bench/portal.ts) on ${new Date().toISOString().slice(0, 10)}: Debian's chromium
against Haven on the embedded default on this 2-core machine; each page timing is the median of
${runs} loads, from navigation start to the first table rows, as the page's own clock reads it.

| What | Figure | Target (issue 12) |
|---|---|---|
| JavaScript of the first load (sign-in page), compressed as sent | ${(loginJs / 1024).toFixed(0)} KiB | < 400 KB |
| ... with the projects page after signing in | ${(projectsJs / 1024).toFixed(0)} KiB | |
| Projects page with ${projects.toLocaleString('en-US')} projects | ${list.median.toFixed(0)} ms | < 1 s |
| Artifact list with ${artifacts.toLocaleString('en-US')} artifacts in the repository | ${art.median.toFixed(0)} ms | < 1 s |

Every table pages on the server: the pages ask for one page (15 rows) and the total, whatever
the size of the project or repository. The first rows are timed by a MutationObserver inside
the page (reading the clock after Playwright's wait added its polling, up to 500 ms, which made
the first figures of 2026-12-02, 1065 and 1130 ms, swing between two modes). The opened page's
code and first requests start beside the session check (web/src/app/route-prefetch.ts); what
is left is the browser's own work: parsing the shell and rendering Ant Design's table.
`;
    writeFileSync(resolve(import.meta.dirname, '../docs/benchmarks-portal.md'), report);
    log('wrote docs/benchmarks-portal.md');
  } finally {
    await browser.close();
    await h.cleanup();
  }
}

await main();
