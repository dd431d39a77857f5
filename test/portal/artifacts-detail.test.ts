// The artifact pages beyond images: a Helm chart's README and values, accessories as a tree (an
// SBOM of an image, signed in turn), and axe-core over the artifact list and detail pages.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { seriousViolations as violations } from '../helpers/axe.js';
import type { Browser } from 'playwright-core';
import { helmChart, imageParts, pushManifest, referrerParts, type Pushed } from '../helpers/artifacts.js';
import { logIn, openPortal, requireBrowser, screenshot, useBrowser } from '../helpers/browser.js';
import { useHaven, type RunningHaven } from '../helpers/haven.js';
import { asAdmin } from '../helpers/oci.js';

const short = (d: string) => `sha256:${d.slice(7, 19)}`;

describe('portal artifact detail', { timeout: 150_000 }, () => {
  let h: RunningHaven;
  let browser: Browser;
  let projectId = 0;
  let chart: Pushed;
  let image: Pushed;
  let sbom: Pushed;
  let signature: Pushed;
  useHaven({ projects: ['det'] }, (x) => {
    h = x;
  });
  useBrowser((b) => {
    browser = b;
  });

  /** Pushes the data once, for whichever test runs first. */
  async function data(): Promise<void> {
    if (projectId) return;
    const reg = asAdmin(h);
    chart = await pushManifest(reg, 'det/charts/demo-chart', '1.2.3', helmChart().parts);
    image = await pushManifest(reg, 'det/signed', 'v1', imageParts({ layers: 2 }));
    sbom = await pushManifest(reg, 'det/signed', null, referrerParts('application/vnd.goharbor.harbor.sbom.v1', 'application/spdx+json', Buffer.from('{"spdxVersion":"SPDX-2.3"}'), image));
    signature = await pushManifest(reg, 'det/signed', null, referrerParts('application/vnd.dev.cosign.artifact.sig.v1+json', 'application/vnd.dev.cosign.simplesigning.v1+json', Buffer.from('{"critical":{}}'), sbom));
    projectId = ((await (await h.adminFetch(`${h.url}/api/v2.0/projects/det`)).json()) as { project_id: number }).project_id;
  }

  test("a Helm chart shows its icon, its README rendered and its values", async (t) => {
    if (!requireBrowser(t)) return;
    await data();
    const s = await openPortal(browser, h);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.goto(`/projects/${projectId}/repositories/${encodeURIComponent('charts/demo-chart')}/artifacts`);
      const row = s.page.getByRole('table', { name: 'Artifacts' }).locator('tr.ant-table-row').filter({ hasText: '1.2.3' });
      await row.getByRole('img', { name: 'Helm chart' }).waitFor();
      await row.getByRole('link', { name: short(chart.digest) }).click();
      await s.page.getByRole('tab', { name: 'README' }).click();
      const readme = s.page.getByRole('region', { name: 'README' });
      await readme.getByRole('heading', { name: 'demo-chart' }).waitFor();
      await readme.getByText('A chart for tests.').waitFor();
      await screenshot(s.page, 'artifact-chart-en');
      await s.page.getByRole('tab', { name: 'Values' }).click();
      await s.page.locator('pre[aria-label="Values"]').getByText('replicaCount: 2', { exact: false }).waitFor();
      // A chart has no image config: no build history to show.
      assert.equal(await s.page.getByRole('tab', { name: 'Build history' }).count(), 0);
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });

  test('accessories are a tree under their subject: the SBOM, and under it its signature', async (t) => {
    if (!requireBrowser(t)) return;
    await data();
    const s = await openPortal(browser, h);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.goto(`/projects/${projectId}/repositories/signed/artifacts`);
      const table = s.page.getByRole('table', { name: 'Artifacts' });
      // Only the subject is a row: its accessories are not artifacts of their own in the list.
      await table.locator('tr.ant-table-row').filter({ hasText: 'v1' }).waitFor();
      assert.equal(await table.locator('tr.ant-table-row').count(), 1);
      await table.locator('tr.ant-table-row').getByRole('button', { name: 'Expand row' }).click();
      const tree = s.page.getByRole('tree', { name: `Accessories of ${short(image.digest)}` });
      const sbomNode = s.page.locator('.ant-tree-treenode').filter({ hasText: short(sbom.digest) });
      await sbomNode.getByText('SBOM', { exact: true }).waitFor();
      assert.equal(await tree.count(), 1);
      await sbomNode.locator('.ant-tree-switcher').click();
      const sigNode = s.page.locator('.ant-tree-treenode').filter({ hasText: short(signature.digest) });
      await sigNode.getByText('Signature (cosign)').waitFor();
      await screenshot(s.page, 'artifacts-accessories-en');
      assert.deepEqual(await violations(s.page), [], 'the artifact list with an open accessory tree');
      // The signature's own page names it by digest.
      await sigNode.getByRole('link', { name: short(signature.digest) }).click();
      await s.page.getByRole('heading', { name: `det/signed@${short(signature.digest)}` }).waitFor();
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });

  test('axe finds no serious or critical violation on the artifact pages, in both languages', async (t) => {
    if (!requireBrowser(t)) return;
    await data();
    for (const locale of ['en-US', 'zh-CN']) {
      const s = await openPortal(browser, h, { locale });
      try {
        await logIn(s.page, h.admin.username, h.admin.password);
        const found: string[] = [];
        const pages = [
          `/projects/${projectId}/repositories/signed/artifacts`,
          `/projects/${projectId}/repositories/signed/artifacts/${encodeURIComponent(image.digest)}`,
          `/projects/${projectId}/repositories/${encodeURIComponent('charts/demo-chart')}/artifacts/${encodeURIComponent(chart.digest)}`,
        ];
        for (const path of pages) {
          await s.page.goto(path);
          await s.page.locator('main').first().waitFor();
          await s.page.getByRole('link', { name: /sha256:/ }).first().or(s.page.getByRole('heading', { name: /@sha256:/ })).first().waitFor();
          await s.page.locator('.ant-spin-spinning').first().waitFor({ state: 'detached', timeout: 15_000 }).catch(() => {});
          found.push(...(await violations(s.page)).map((v) => `${locale} ${path}: ${v}`));
        }
        // Every tab of the image's page, too.
        await s.page.goto(pages[1]!);
        // The project's tabs are the first tab list; the artifact's are the second.
        const tabs = s.page.getByRole('tablist').nth(1).getByRole('tab');
        await tabs.first().waitFor();
        for (const tab of await tabs.all()) {
          const name = (await tab.textContent()) ?? '';
          await tab.click();
          found.push(...(await violations(s.page)).map((v) => `${locale} ${pages[1]} tab ${name}: ${v}`));
        }
        assert.deepEqual(found, []);
        assert.deepEqual(s.errors, []);
      } finally {
        await s.close();
      }
    }
  });
});
