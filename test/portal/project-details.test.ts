// What the project pages show about a project, on data pushed and pulled through /v2 by its own
// members: the list's role and repository count, a deletion refused for a project that still holds
// repositories, the summary's member counts and quota, pull counts and pull times, the immutable
// badge of a rule made in the portal (and the refusals it causes), and the configuration switches.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { apiClient, basic, type Creds } from '../helpers/api-client.js';
import { logIn, openPortal, requireBrowser, useBrowser } from '../helpers/browser.js';
import { eventually } from '../helpers/eventually.js';
import { useHaven, type RunningHaven } from '../helpers/haven.js';
import { asAdmin, mediaType, pushImage, type Registry } from '../helpers/oci.js';
import { apiFailures, formatBytes } from './project-helpers.js';

const exactly = (text: string) => new RegExp(`^${text.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&')}$`);
const user = (username: string): Creds => ({ username, password: `${username[0]!.toUpperCase()}${username.slice(1)}-Details1` });
const owner = user('olga');
const dev = user('dave');
const maintainer = user('max');
// Every role a different count, so a count shown under another role's name cannot pass.
const members: Array<[Creds, number]> = [
  [user('pam'), 1],
  [maintainer, 4],
  [dev, 2],
  [user('dan'), 2],
  [user('dina'), 2],
  ...['lena', 'lina', 'lola', 'luna'].map((n): [Creds, number] => [user(n), 5]),
];

interface ApiArtifact {
  digest: string;
  pull_time: string;
  tags: Array<{ name: string; immutable?: boolean }> | null;
}

describe('portal: project list, deletion, summary, pulls, immutability and configuration', { timeout: 240_000 }, () => {
  let h: RunningHaven;
  let browser: Browser;
  let c: ReturnType<typeof apiClient>;
  let projectId = 0;
  /** Bytes of every manifest, config and layer pushed into `details` (all distinct). */
  let pushed = 0;
  const digests: Record<string, string> = {};
  useHaven({}, (x) => {
    h = x;
  });
  useBrowser((b) => {
    browser = b;
  });

  before(async () => {
    c = apiClient(h);
    for (const u of [owner, ...members.map(([m]) => m)]) {
      const r = await c.api('POST', '/users', { body: { ...u, email: `${u.username}@example.com`, realname: u.username } });
      assert.equal(r.status, 201, r.text);
    }
    // Created by a user, not the system admin: every role the list shows comes from a membership.
    const created = await c.api('POST', '/projects', { as: owner, body: { project_name: 'details', metadata: { public: 'false' } } });
    assert.equal(created.status, 201, created.text);
    projectId = (await c.api('GET', '/projects/details')).json.project_id;
    for (const [m, role_id] of members) {
      const r = await c.api('POST', '/projects/details/members', { as: owner, body: { role_id, member_user: { username: m.username } } });
      assert.equal(r.status, 201, r.text);
    }
    const reg: Registry = { url: h.url, headers: { Authorization: basic(owner) } };
    for (const [repo, tag, layers, size] of [['app', 'v1', 2, 3000], ['app', 'v2', 1, 5000], ['tools/cli', 'latest', 3, 2048]] as const) {
      const img = await pushImage(reg, `details/${repo}`, tag, layers, size);
      digests[`${repo}:${tag}`] = img.digest;
      // pushImage's config is 64 random bytes.
      pushed += img.manifest.length + 64 + img.layers.reduce((n, l) => n + l.size, 0);
    }
  });

  /** `row`'s cell in the column headed `header` of `table` (found by its header, not a fixed index). */
  async function cellOf(table: Locator, row: Locator, header: string): Promise<Locator> {
    await row.waitFor();
    const headers = (await table.locator('thead th').allTextContents()).map((x) => x.trim());
    const i = headers.indexOf(header);
    assert.ok(i >= 0, `no column "${header}" in ${JSON.stringify(headers)}`);
    return row.locator(':scope > td').nth(i);
  }
  /** Waits until the cell shows exactly `text`. */
  const shows = (cell: Locator, text: string) => cell.filter({ hasText: exactly(text) }).waitFor();
  const projectRow = (page: Page, name: string) => page.getByRole('table').locator('tr.ant-table-row').filter({ has: page.getByRole('link', { name, exact: true }) });
  const artifactRow = (page: Page, tag: string) => page.getByRole('table', { name: 'Artifacts' }).locator('tr.ant-table-row').filter({ hasText: tag });
  const artifacts = async (repo: string) =>
    (await c.api('GET', `/projects/details/repositories/${encodeURIComponent(encodeURIComponent(repo))}/artifacts?with_tag=true&with_immutable_status=true`)).json as ApiArtifact[];
  const byTag = (list: ApiArtifact[], tag: string) => list.find((a) => a.tags?.some((x) => x.name === tag));

  test('a project that still holds repositories is not deleted and the portal gives the API\'s reason; an empty one is deleted', async (t) => {
    if (!requireBrowser(t)) return;
    await h.createProject('crowded');
    await h.createProject('hollow');
    await pushImage(asAdmin(h), 'crowded/one', 'v1', 1, 256);
    await pushImage(asAdmin(h), 'crowded/two', 'v1', 1, 256);
    const check = (await c.api('GET', '/projects/crowded/_deletable')).json as { deletable: boolean; message: string };
    assert.equal(check.deletable, false);
    assert.ok(check.message, 'the API says why');
    const s = await openPortal(browser, h);
    const failed = apiFailures(s.page);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await projectRow(s.page, 'crowded').getByRole('button', { name: 'Delete project crowded' }).click();
      const refusal = s.page.getByRole('dialog').filter({ hasText: 'Project crowded cannot be deleted' });
      await refusal.getByText(check.message, { exact: true }).waitFor();
      // Refused before asking: there is nothing to confirm.
      assert.equal(await s.page.getByRole('dialog').filter({ hasText: 'Delete project crowded?' }).count(), 0);
      await refusal.getByRole('button', { name: 'OK' }).click();
      await refusal.waitFor({ state: 'detached' });
      await s.page.reload();
      await projectRow(s.page, 'crowded').waitFor();
      assert.equal((await c.api('GET', '/projects/crowded')).status, 200);
      assert.equal((await c.api('GET', '/projects/crowded/repositories')).headers.get('x-total-count'), '2');

      await projectRow(s.page, 'hollow').getByRole('button', { name: 'Delete project hollow' }).click();
      await s.page.getByRole('dialog').filter({ hasText: 'Delete project hollow?' }).getByRole('button', { name: 'Delete' }).click();
      await s.page.getByText('Project hollow deleted').waitFor();
      await projectRow(s.page, 'hollow').waitFor({ state: 'detached' });
      assert.equal((await c.api('GET', '/projects/hollow')).status, 404);
      await projectRow(s.page, 'crowded').waitFor();
      assert.deepEqual(s.errors, []);
    } finally {
      if (failed.length) t.diagnostic(failed.join('\n'));
      await s.close();
    }
  });

  test('the project list shows each member their own role and the project\'s repository count', async (t) => {
    if (!requireBrowser(t)) return;
    const repos = (await c.api('GET', '/projects/details/repositories')).headers.get('x-total-count');
    assert.equal(repos, '2');
    for (const [who, role] of [[dev, 'Developer'], [maintainer, 'Maintainer'], [owner, 'Project admin']] as const) {
      const s = await openPortal(browser, h);
      try {
        await logIn(s.page, who.username, who.password);
        const table = s.page.getByRole('table');
        const row = projectRow(s.page, 'details');
        await row.waitFor();
        await shows(await cellOf(table, row, 'My role'), role);
        await shows(await cellOf(table, row, 'Repositories'), '2');
        // A private project of someone else's is not listed at all.
        assert.equal(await projectRow(s.page, 'crowded').count(), 0, who.username);
        assert.deepEqual(s.errors, [], who.username);
      } finally {
        await s.close();
      }
    }
  });

  test('the summary counts the members of each role and charts the storage that was pushed', async (t) => {
    if (!requireBrowser(t)) return;
    const quota = (await c.api('GET', `/quotas?reference=project&reference_id=${projectId}`)).json[0] as { id: number; used: { storage: number } };
    assert.equal(quota.used.storage, pushed, 'the quota counts every manifest, config and layer once');
    const hard = 50 * 1024 ** 2;
    assert.equal((await c.api('PUT', `/quotas/${quota.id}`, { body: { hard: { storage: hard } } })).status, 200);
    const s = await openPortal(browser, h);
    const failed = apiFailures(s.page);
    try {
      await logIn(s.page, owner.username, owner.password);
      await s.page.goto(`/projects/${projectId}/summary`);
      const card = s.page.locator('.ant-card').filter({ has: s.page.getByText('Members by role', { exact: true }) });
      await card.locator('.ant-descriptions-item').first().waitFor();
      const counts = await card.locator('.ant-descriptions-item').evaluateAll((items) =>
        Object.fromEntries(items.map((i) => [i.querySelector('.ant-descriptions-item-label')?.textContent?.trim(), i.querySelector('.ant-descriptions-item-content')?.textContent?.trim()])),
      );
      // The owner and pam are its admins; nobody was made a guest.
      assert.deepEqual(counts, { 'Project admin': '2', Maintainer: '1', Developer: '3', Guest: '0', 'Limited guest': '4' });
      const used = s.page.locator('.ant-statistic').filter({ has: s.page.getByText('Storage used', { exact: true }) });
      await used.getByText(formatBytes(pushed), { exact: true }).waitFor();
      await s.page.getByRole('img', { name: `${formatBytes(pushed)} of ${formatBytes(hard)}` }).waitFor();
      await s.page.getByText(`${formatBytes(pushed)} of ${formatBytes(hard)}`, { exact: true }).waitFor();
      assert.deepEqual(s.errors, []);
    } finally {
      if (failed.length) t.diagnostic(failed.join('\n'));
      await s.close();
    }
  });

  test('pulls through /v2 show as pull counts in the repositories tab and a pull time in the artifact list, none before', async (t) => {
    if (!requireBrowser(t)) return;
    const s = await openPortal(browser, h);
    const failed = apiFailures(s.page);
    try {
      await logIn(s.page, owner.username, owner.password);
      await s.page.goto(`/projects/${projectId}/repositories`);
      const repoTable = s.page.getByRole('table');
      const appRow = repoTable.locator('tr.ant-table-row').filter({ has: s.page.getByRole('link', { name: 'details/app', exact: true }) });
      const cliRow = repoTable.locator('tr.ant-table-row').filter({ has: s.page.getByRole('link', { name: 'details/tools/cli', exact: true }) });
      await shows(await cellOf(repoTable, appRow, 'Pulls'), '0');
      await shows(await cellOf(repoTable, cliRow, 'Pulls'), '0');
      await appRow.getByRole('link', { name: 'details/app' }).click();
      const artTable = s.page.getByRole('table', { name: 'Artifacts' });
      await shows(await cellOf(artTable, artifactRow(s.page, 'v1'), 'Pull time'), '-');
      await shows(await cellOf(artTable, artifactRow(s.page, 'v2'), 'Pull time'), '-');

      // As a client pulls: a token for the repository, then the manifest by tag or digest. A HEAD
      // (a client checking for a change) is not a pull, in Harbor's count either.
      const token = async (repo: string) => (await c.token(dev, `repository:details/${repo}:pull`)).token;
      const pull = async (repo: string, reference: string, method = 'GET') => {
        const r = await fetch(`${h.url}/v2/details/${repo}/manifests/${reference}`, { method, headers: { Authorization: `Bearer ${await token(repo)}`, Accept: mediaType.ociManifest } });
        const text = await r.text();
        assert.equal(r.status, 200, `${method} ${repo}:${reference}: ${text}`);
      };
      await pull('app', 'v1');
      await pull('app', 'v1');
      await pull('app', digests['app:v1']!);
      await pull('app', 'v2', 'HEAD');
      await pull('tools/cli', 'latest');
      const pulls = async () => Object.fromEntries(((await c.api('GET', '/projects/details/repositories')).json as Array<{ name: string; pull_count: number }>).map((r) => [r.name, r.pull_count]));
      await eventually(async () => assert.deepEqual(await pulls(), { 'details/app': 3, 'details/tools/cli': 1 }), { timeoutMs: 15_000 });
      const app = await artifacts('app');
      const pulledAt = byTag(app, 'v1')?.pull_time ?? '';
      assert.ok(pulledAt && !pulledAt.startsWith('0001-'), `v1 was pulled at ${pulledAt}`);
      assert.ok(!byTag(app, 'v2')?.pull_time || byTag(app, 'v2')!.pull_time.startsWith('0001-'), 'a HEAD is no pull');

      await s.page.reload();
      // The time as the portal formats it, in the browser's own time zone.
      const shown = await s.page.evaluate((iso) => new Date(iso).toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' }), pulledAt);
      await shows(await cellOf(artTable, artifactRow(s.page, 'v1'), 'Pull time'), shown);
      await shows(await cellOf(artTable, artifactRow(s.page, 'v2'), 'Pull time'), '-');
      await s.page.getByRole('link', { name: 'Repositories' }).first().click();
      await s.page.waitForURL(`**/projects/${projectId}/repositories`);
      await shows(await cellOf(repoTable, appRow, 'Pulls'), '3');
      await shows(await cellOf(repoTable, cliRow, 'Pulls'), '1');
      assert.deepEqual(s.errors, []);
    } finally {
      if (failed.length) t.diagnostic(failed.join('\n'));
      await s.close();
    }
  });

  test('an immutability rule made in the policy tab puts the badge on its tag; deleting the tag or its artifact is refused with the API\'s words', async (t) => {
    if (!requireBrowser(t)) return;
    const s = await openPortal(browser, h);
    try {
      await logIn(s.page, owner.username, owner.password);
      // One tab on the artifacts, opened before the rule exists, so it still offers the delete.
      await s.page.goto(`/projects/${projectId}/repositories/app/artifacts`);
      await artifactRow(s.page, 'v2').getByRole('button', { name: 'Delete tag v2' }).waitFor();
      assert.equal(await artifactRow(s.page, 'v2').getByText('Immutable').count(), 0);

      const policy = await s.context.newPage();
      await policy.goto(`/projects/${projectId}/policy`);
      await policy.getByRole('tab', { name: 'Immutability' }).click();
      await policy.getByRole('button', { name: 'Add immutability rule' }).click();
      const dialog = policy.getByRole('dialog', { name: 'Add immutability rule' });
      await dialog.getByLabel('Repository pattern').fill('app');
      await dialog.getByLabel('Tag pattern').fill('v2');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await policy.getByText('Immutability rule saved').waitFor();
      await policy.close();
      assert.deepEqual(Object.fromEntries((await artifacts('app')).flatMap((a) => (a.tags ?? []).map((x) => [x.name, x.immutable]))), { v1: false, v2: true });

      /** Confirms what `click` asks and returns the API's refusal of the DELETE it sends. */
      const refusedDelete = async (click: () => Promise<void>, title: string) => {
        // An earlier refusal's message must be gone first, or the one awaited below could be it.
        await s.page.locator('.ant-message-error').first().waitFor({ state: 'detached', timeout: 15_000 });
        const answer = s.page.waitForResponse((r) => r.request().method() === 'DELETE' && r.url().includes('/api/v2.0/projects/details/repositories/app/artifacts/'));
        await click();
        await s.page.getByRole('dialog', { name: title }).getByRole('button', { name: 'Delete' }).click();
        const r = await answer;
        assert.ok(r.status() >= 400, `the DELETE answered ${r.status()}`);
        const message = ((await r.json()) as { errors: Array<{ message: string }> }).errors[0]?.message ?? '';
        assert.ok(message, 'the API says why');
        await s.page.locator('.ant-message-error').filter({ hasText: message }).waitFor();
        return message;
      };
      const tagMessage = await refusedDelete(() => artifactRow(s.page, 'v2').getByRole('button', { name: 'Delete tag v2' }).click(), 'Delete tag v2?');
      assert.match(tagMessage, /v2/);
      assert.equal(byTag(await artifacts('app'), 'v2')?.digest, digests['app:v2']);

      // The refusal refreshed the page: it marks the tag now and no longer offers to delete it
      // (no reload needed); v1 is untouched.
      await artifactRow(s.page, 'v2').getByText('Immutable').waitFor();
      assert.equal(await artifactRow(s.page, 'v2').getByRole('button', { name: 'Delete tag v2' }).count(), 0);
      assert.equal(await artifactRow(s.page, 'v1').getByText('Immutable').count(), 0);
      await artifactRow(s.page, 'v1').getByRole('button', { name: 'Delete tag v1' }).waitFor();

      // The artifact would take the tag with it: refused too.
      await refusedDelete(() => artifactRow(s.page, 'v2').getByRole('button', { name: 'Delete artifact' }).click(), 'Delete artifact v2?');
      assert.equal(byTag(await artifacts('app'), 'v2')?.digest, digests['app:v2']);
      await artifactRow(s.page, 'v2').getByText('Immutable').waitFor();
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });

  test('configuration: the scanning, signing and SBOM switches and the severity are saved, and the API and a reload agree', async (t) => {
    if (!requireBrowser(t)) return;
    const labels = {
      auto_scan: 'Scan images on push',
      prevent_vul: 'Prevent vulnerable images from running',
      enable_content_trust_cosign: 'Only allow signed images (cosign)',
      auto_sbom_generation: 'Generate an SBOM on push',
    } as const;
    const severityLabel = 'Prevent images with vulnerability severity of and above';
    const metadata = async () => (await c.api('GET', '/projects/details')).json.metadata as Record<string, string>;
    const s = await openPortal(browser, h);
    const failed = apiFailures(s.page);
    const toggle = (key: keyof typeof labels) => s.page.getByRole('switch', { name: labels[key] });
    const checked = async () => Object.fromEntries(await Promise.all(Object.keys(labels).map(async (k) => [k, await toggle(k as keyof typeof labels).getAttribute('aria-checked')])));
    const chooseSeverity = async (name: string) => {
      await s.page.getByRole('combobox', { name: severityLabel }).click();
      await s.page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: new RegExp(`^${name}$`) }).click();
    };
    const severityShown = () => s.page.locator('.ant-form-item').filter({ has: s.page.getByRole('combobox', { name: severityLabel }) }).locator('.ant-form-item-control');
    const save = async () => {
      await s.page.getByRole('button', { name: 'Save' }).click();
      await s.page.getByText('Configuration saved').last().waitFor();
    };
    try {
      await logIn(s.page, owner.username, owner.password);
      await s.page.goto(`/projects/${projectId}/configuration`);
      await toggle('auto_scan').waitFor();
      assert.deepEqual(await checked(), { auto_scan: 'false', prevent_vul: 'false', enable_content_trust_cosign: 'false', auto_sbom_generation: 'false' });
      // The severity belongs to prevent_vul and is offered only with it.
      assert.equal(await s.page.getByRole('combobox', { name: severityLabel }).count(), 0);
      for (const k of Object.keys(labels) as Array<keyof typeof labels>) await toggle(k).click();
      await chooseSeverity('High');
      await save();
      const on = await metadata();
      assert.deepEqual(
        [on.public, on.auto_scan, on.prevent_vul, on.severity, on.enable_content_trust_cosign, on.auto_sbom_generation],
        ['false', 'true', 'true', 'high', 'true', 'true'],
        JSON.stringify(on),
      );
      await s.page.reload();
      await toggle('auto_scan').waitFor();
      assert.deepEqual(await checked(), { auto_scan: 'true', prevent_vul: 'true', enable_content_trust_cosign: 'true', auto_sbom_generation: 'true' });
      assert.equal((await severityShown().innerText()).trim(), 'High');

      // Back off, two of them, and a stricter severity: each saved as it was set.
      await toggle('auto_scan').click();
      await toggle('enable_content_trust_cosign').click();
      await chooseSeverity('Critical');
      await save();
      const some = await metadata();
      assert.deepEqual(
        [some.public, some.auto_scan, some.prevent_vul, some.severity, some.enable_content_trust_cosign, some.auto_sbom_generation],
        ['false', 'false', 'true', 'critical', 'false', 'true'],
        JSON.stringify(some),
      );
      await s.page.reload();
      await toggle('auto_scan').waitFor();
      assert.deepEqual(await checked(), { auto_scan: 'false', prevent_vul: 'true', enable_content_trust_cosign: 'false', auto_sbom_generation: 'true' });
      assert.equal((await severityShown().innerText()).trim(), 'Critical');
      // The project stayed private through both saves.
      await s.page.locator('.ant-tag').filter({ hasText: 'Private' }).first().waitFor();
      assert.deepEqual(s.errors, []);
    } finally {
      if (failed.length) t.diagnostic(failed.join('\n'));
      await s.close();
    }
  });
});
