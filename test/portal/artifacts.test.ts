// The repositories and artifacts pages in a real browser, on data pushed by skopeo: a nested
// repository holding a multi-arch index (with a referrer as its accessory), a single image, tag
// and artifact actions, pull commands that really pull, a guest's view, XSS payloads and paging.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { apiClient } from '../helpers/api-client.js';
import { logIn, openPortal, requireBrowser, screenshot, useBrowser } from '../helpers/browser.js';
import { useHaven, type RunningHaven } from '../helpers/haven.js';
import { asAdmin, imageManifest, pushBlob, pushImage, putManifest, randomBlob, sha256 } from '../helpers/oci.js';
import { writeTestLayout, type TestLayout } from '../helpers/oci-layout.js';
import { describeRun, run } from '../helpers/run.js';
import { formatBytes } from './project-helpers.js';

const short = (d: string) => `sha256:${d.slice(7, 19)}`;

interface ApiArtifact {
  digest: string;
  size: number;
  tags: Array<{ name: string }> | null;
  references: Array<{ child_digest: string; platform: { os: string; architecture: string } }> | null;
}

describe('portal repositories and artifacts', { timeout: 170_000 }, () => {
  let h: RunningHaven;
  let browser: Browser;
  let work: string;
  let authFile: string;
  let layout: TestLayout;
  let projectId: number;
  let single: ApiArtifact;
  const guest = { username: 'gina', password: 'Guest12345678' };
  useHaven({ projects: ['shop', 'bare'] }, (x) => {
    h = x;
  });
  useBrowser((b) => {
    browser = b;
  });

  async function skopeo(args: string[]): Promise<void> {
    const r = await run('skopeo', args, { timeoutMs: 60_000, env: { REGISTRY_AUTH_FILE: authFile } });
    assert.equal(r.code, 0, describeRun('skopeo', args, r));
  }

  const api = () => apiClient(h);
  const artifactsOf = async (repo: string, q = '') =>
    (await api().api('GET', `/projects/shop/repositories/${encodeURIComponent(encodeURIComponent(repo))}/artifacts?with_tag=true&page_size=100${q}`)).json as ApiArtifact[];

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'haven-portal-artifacts-'));
    layout = writeTestLayout(join(work, 'layout'), { tag: 'v1', artifactTag: 'sbom' });
    authFile = join(work, 'auth.json');
    writeFileSync(authFile, JSON.stringify({ auths: { [h.host]: { auth: Buffer.from(`admin:${h.admin.password}`).toString('base64') } } }));
    // The index with both platforms into a nested repository; its referrer by digest; and one
    // platform alone (skopeo without --all picks one) as a plain image.
    await skopeo(['copy', '--all', '--dest-tls-verify=false', `oci:${layout.dir}:v1`, `docker://${h.host}/shop/team/app/web:v1`]);
    await skopeo(['copy', '--dest-tls-verify=false', `oci:${layout.dir}:sbom`, `docker://${h.host}/shop/team/app/web@${layout.artifact.manifestDigest}`]);
    await skopeo(['copy', '--dest-tls-verify=false', '--override-arch', 'arm64', `oci:${layout.dir}:v1`, `docker://${h.host}/shop/single:1.0`]);
    const c = api();
    projectId = ((await c.api('GET', '/projects/shop')).json as { project_id: number }).project_id;
    single = (await artifactsOf('single'))[0]!;
    assert.equal((await c.api('POST', '/users', { body: { ...guest, email: 'gina@example.com', realname: 'Gina' } })).status, 201);
    assert.equal((await c.api('POST', '/projects/shop/members', { body: { role_id: 3, member_user: { username: guest.username } } })).status, 201);
  });
  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** The row of the artifact table that shows `text` (a tag or a short digest). */
  const artifactRow = (page: Page, text: string) => page.getByRole('table', { name: 'Artifacts' }).locator('tr.ant-table-row').filter({ hasText: text });

  test('the repositories tab lists what was pushed with counts; search narrows on the server; a nested name opens its artifacts', async (t) => {
    if (!requireBrowser(t)) return;
    const s = await openPortal(browser, h);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.goto(`/projects/${projectId}/repositories`);
      const repos = (await api().api('GET', '/projects/shop/repositories')).json as Array<{ name: string; artifact_count: number }>;
      const web = repos.find((r) => r.name === 'shop/team/app/web');
      assert.ok(web, JSON.stringify(repos));
      const row = s.page.getByRole('row').filter({ has: s.page.getByRole('link', { name: 'shop/team/app/web' }) });
      await row.waitFor();
      assert.equal((await row.getByRole('cell').nth(2).textContent())?.trim(), String(web.artifact_count));
      await s.page.getByRole('link', { name: 'shop/single' }).waitFor();
      await screenshot(s.page, 'repositories-en');
      await s.page.getByRole('searchbox', { name: 'Search repositories by name' }).fill('team');
      await s.page.getByRole('searchbox', { name: 'Search repositories by name' }).press('Enter');
      await s.page.getByRole('link', { name: 'shop/single' }).waitFor({ state: 'detached' });
      await row.getByRole('link', { name: 'shop/team/app/web' }).click();
      // The nested name is one encoded path segment and comes back whole.
      await s.page.waitForURL(`**/projects/${projectId}/repositories/team%2Fapp%2Fweb/artifacts`);
      await s.page.getByRole('heading', { name: 'shop/team/app/web' }).waitFor();
      await s.page.reload();
      await artifactRow(s.page, 'v1').waitFor();
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });

  test('the index shows its platforms with sizes, its referrer as an accessory, and the image its type and size', async (t) => {
    if (!requireBrowser(t)) return;
    const [index] = (await artifactsOf('team/app/web')).filter((a) => a.tags?.some((x) => x.name === 'v1'));
    assert.ok(index?.references?.length === 2);
    const children = (await api().api('GET', `/projects/shop/repositories/team%252Fapp%252Fweb/artifacts?q=${encodeURIComponent(`base=*,digest={${index.references.map((r) => r.child_digest).join(' ')}}`)}`)).json as ApiArtifact[];
    const s = await openPortal(browser, h);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.goto(`/projects/${projectId}/repositories/${encodeURIComponent('team/app/web')}/artifacts`);
      const row = artifactRow(s.page, 'v1');
      await row.getByRole('img', { name: 'Image index (multi-arch)' }).waitFor();
      await row.getByText(formatBytes(index.size), { exact: true }).waitFor();
      await row.getByRole('button', { name: 'Expand row' }).click();
      const platforms = s.page.getByRole('table', { name: `Platforms of ${short(index.digest)}` });
      for (const ref of index.references) {
        const child = children.find((c) => c.digest === ref.child_digest);
        assert.ok(child, `child ${ref.child_digest} listed`);
        const prow = platforms.getByRole('row').filter({ hasText: `${ref.platform.os}/${ref.platform.architecture}` });
        await prow.getByText(formatBytes(child.size), { exact: true }).waitFor();
        await prow.getByRole('link', { name: short(ref.child_digest) }).waitFor();
      }
      // The referrer pushed by digest hangs under its subject, not in the list.
      const tree = s.page.getByRole('tree', { name: `Accessories of ${short(index.digest)}` });
      await tree.getByText(short(layout.artifact.manifestDigest)).waitFor();
      assert.equal(await s.page.locator(`tr[data-row-key="${layout.artifact.manifestDigest}"]`).count(), 0);
      await screenshot(s.page, 'artifacts-en');

      // The index's own page lists the same platforms, and its manifest names the children.
      await row.getByRole('link', { name: short(index.digest) }).click();
      await s.page.getByRole('heading', { name: `shop/team/app/web@${short(index.digest)}` }).waitFor();
      await s.page.getByRole('tab', { name: 'Platforms' }).click();
      const detailPlatforms = s.page.getByRole('tabpanel').getByRole('table', { name: `Platforms of ${short(index.digest)}` });
      for (const ref of index.references) await detailPlatforms.getByRole('row').filter({ hasText: `${ref.platform.os}/${ref.platform.architecture}` }).waitFor();
      assert.equal(await s.page.getByRole('tab', { name: 'Layers' }).count(), 0);
      await s.page.getByRole('tab', { name: 'Manifest' }).click();
      const indexManifest = JSON.parse((await s.page.locator('pre[aria-label="Manifest"]').textContent()) ?? '') as { manifests: Array<{ digest: string }> };
      assert.deepEqual(indexManifest.manifests.map((m) => m.digest).sort(), index.references.map((r) => r.child_digest).sort());

      await s.page.goto(`/projects/${projectId}/repositories/single/artifacts`);
      const img = artifactRow(s.page, '1.0');
      await img.getByRole('img', { name: 'Image', exact: true }).waitFor();
      await img.getByText(formatBytes(single.size), { exact: true }).waitFor();
      assert.equal(await img.getByRole('button', { name: 'Expand row' }).count(), 0);
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });

  test('the copied pull command is exact for this server: skopeo runs it and gets the image', async (t) => {
    if (!requireBrowser(t)) return;
    const s = await openPortal(browser, h);
    await s.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const clipboard = () => s.page.evaluate(() => navigator.clipboard.readText());
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.goto(`/projects/${projectId}/repositories/single/artifacts`);
      // From the keyboard: focus the button, Enter opens the commands.
      await artifactRow(s.page, '1.0').getByRole('button', { name: 'Pull command' }).focus();
      await s.page.keyboard.press('Enter');
      const pop = s.page.getByRole('tooltip').filter({ hasText: 'By digest' });
      await pop.getByRole('button', { name: 'Copy the pull command By tag 1.0' }).click();
      assert.equal(await clipboard(), `podman pull --tls-verify=false ${h.host}/shop/single:1.0`);
      await s.page.getByText(`Copied: podman pull --tls-verify=false ${h.host}/shop/single:1.0`).waitFor();
      await pop.getByText('docker', { exact: true }).click();
      await pop.getByRole('button', { name: 'Copy the pull command By digest' }).click();
      assert.equal(await clipboard(), `docker pull ${h.host}/shop/single@${single.digest}`);
      await pop.getByText('skopeo', { exact: true }).click();
      await pop.getByRole('button', { name: 'Copy the pull command By digest' }).click();
      const command = await clipboard();
      assert.equal(command, `skopeo copy --src-tls-verify=false docker://${h.host}/shop/single@${single.digest} oci:single`);
      // Run what the page gave, with the destination in the scratch directory.
      const args = command.split(' ').slice(1);
      args[args.length - 1] = `oci:${join(work, 'pulled')}:1.0`;
      await skopeo(args);
      const index = JSON.parse(readFileSync(join(work, 'pulled', 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
      assert.equal(index.manifests[0]?.digest, single.digest);
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });

  test('add a tag and delete it; an immutable tag shows its badge and no delete button; the API agrees each time', async (t) => {
    if (!requireBrowser(t)) return;
    const c = api();
    const s = await openPortal(browser, h);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.goto(`/projects/${projectId}/repositories/single/artifacts`);
      await artifactRow(s.page, '1.0').getByRole('button', { name: 'Add tag' }).click();
      const dialog = s.page.getByRole('dialog', { name: 'Add a tag to 1.0' });
      await dialog.getByLabel('Tag name').fill('.bad tag');
      await dialog.getByRole('button', { name: 'Add tag' }).click();
      await dialog.getByText('Letters, digits').waitFor();
      const tagPosts: string[] = [];
      s.page.on('request', (r) => {
        if (r.method() === 'POST' && /\/artifacts\/[^/]+\/tags$/.test(new URL(r.url()).pathname)) tagPosts.push(r.url());
      });
      await dialog.getByLabel('Tag name').fill('release');
      // Enter in the field adds it, once: the dialog's Enter, not the browser's form submission too.
      await dialog.getByLabel('Tag name').press('Enter');
      await s.page.getByText('Tag release added').waitFor();
      const row = artifactRow(s.page, '1.0');
      await row.getByText('release', { exact: true }).waitFor();
      assert.equal(tagPosts.length, 1, `one POST of the tag: ${tagPosts.join(', ')}`);
      const tagged = await c.api('GET', '/projects/shop/repositories/single/artifacts/release');
      assert.equal(tagged.status, 200);
      assert.equal(tagged.json.digest, single.digest);

      // A tag already there: the API's words. The newest tag now names the artifact.
      await row.getByRole('button', { name: 'Add tag' }).click();
      const again = s.page.getByRole('dialog', { name: 'Add a tag to release' });
      await again.getByLabel('Tag name').fill('release');
      await again.getByRole('button', { name: 'Add tag' }).click();
      await again.getByRole('alert').filter({ hasText: 'tag release already exists' }).waitFor();
      await again.getByRole('button', { name: 'Cancel' }).click();

      await row.getByRole('button', { name: 'Delete tag release' }).click();
      await s.page.getByRole('dialog', { name: 'Delete tag release?' }).getByRole('button', { name: 'Delete' }).click();
      await s.page.getByText('Tag release deleted').waitFor();
      await row.getByText('release', { exact: true }).waitFor({ state: 'detached' });
      assert.equal((await c.api('GET', '/projects/shop/repositories/single/artifacts/release')).status, 404);

      const rule = await c.api('POST', '/projects/shop/immutabletagrules', {
        body: {
          priority: 0,
          action: 'immutable',
          template: 'immutable_template',
          tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: '1.0' }],
          scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: 'single' }] },
        },
      });
      assert.equal(rule.status, 201, rule.text);
      await s.page.reload();
      await artifactRow(s.page, '1.0').getByText('Immutable').waitFor();
      assert.equal(await artifactRow(s.page, '1.0').getByRole('button', { name: 'Delete tag 1.0' }).count(), 0);
      const refused = await c.api('DELETE', `/projects/shop/repositories/single/artifacts/${single.digest}/tags/1.0`);
      assert.notEqual(refused.status, 200, 'the API refuses to delete an immutable tag');
      await screenshot(s.page, 'artifacts-immutable-en');
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });

  test('copy an artifact into another repository with its tag, then delete the copy with confirmation', async (t) => {
    if (!requireBrowser(t)) return;
    const c = api();
    const s = await openPortal(browser, h);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.goto(`/projects/${projectId}/repositories/single/artifacts`);
      await artifactRow(s.page, '1.0').getByRole('button', { name: 'Copy to another repository' }).click();
      const dialog = s.page.getByRole('dialog', { name: 'Copy 1.0 to another repository' });
      // The target project is offered from the projects the user sees, as the name is typed.
      await dialog.getByLabel('Target project').fill('sho');
      await s.page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: /^shop$/ }).click();
      assert.equal(await dialog.getByLabel('Target project').inputValue(), 'shop');
      await dialog.getByLabel('Target repository').fill('copies/one');
      await dialog.getByRole('button', { name: 'Copy', exact: true }).click();
      await s.page.getByText('Copied to shop/copies/one').waitFor();
      const copied = await c.api('GET', '/projects/shop/repositories/copies%252Fone/artifacts/1.0');
      assert.equal(copied.status, 200, copied.text);
      assert.equal(copied.json.digest, single.digest);

      await s.page.goto(`/projects/${projectId}/repositories/${encodeURIComponent('copies/one')}/artifacts`);
      await artifactRow(s.page, '1.0').getByRole('button', { name: 'Delete artifact' }).click();
      const confirm = s.page.getByRole('dialog', { name: 'Delete artifact 1.0?' });
      await confirm.getByText('Its 1 tag is deleted with it').waitFor();
      await confirm.getByRole('button', { name: 'Delete' }).click();
      await s.page.getByText('Artifact 1.0 deleted').waitFor();
      // It was the repository's only artifact: the repository went with it, and the page says so.
      await s.page.getByText('shop/copies/one had no other artifact and is gone with it').waitFor();
      await s.page.waitForURL(`**/projects/${projectId}/repositories`);
      await s.page.getByRole('link', { name: 'shop/single' }).waitFor();
      assert.equal(await s.page.getByRole('link', { name: 'shop/copies/one' }).count(), 0);
      assert.equal((await c.api('GET', `/projects/shop/repositories/copies%252Fone/artifacts/${single.digest}`)).status, 404);
      // The source is untouched.
      assert.equal((await c.api('GET', `/projects/shop/repositories/single/artifacts/${single.digest}`)).status, 200);
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });

  test('a guest sees no delete, tag, copy or edit buttons, and the API refuses them anyway', async (t) => {
    if (!requireBrowser(t)) return;
    const c = api();
    const s = await openPortal(browser, h);
    try {
      await logIn(s.page, guest.username, guest.password);
      await s.page.goto(`/projects/${projectId}/repositories`);
      const row = s.page.getByRole('row').filter({ has: s.page.getByRole('link', { name: 'shop/single' }) });
      await row.waitFor();
      assert.equal(await row.getByRole('button').count(), 0, 'no edit or delete on a repository');
      await row.getByRole('link', { name: 'shop/single' }).click();
      const art = artifactRow(s.page, '1.0');
      await art.getByRole('button', { name: 'Pull command' }).waitFor();
      for (const name of ['Delete artifact', 'Add tag', 'Copy to another repository', 'Delete tag 1.0']) assert.equal(await art.getByRole('button', { name }).count(), 0, name);
      assert.equal(await s.page.getByRole('button', { name: 'Edit description' }).count(), 0);
      await art.getByRole('link', { name: short(single.digest) }).click();
      await s.page.getByRole('tab', { name: 'Layers' }).waitFor();
      assert.equal(await s.page.getByRole('button', { name: 'Add label' }).count(), 0);

      const as = guest;
      assert.equal((await c.api('DELETE', `/projects/shop/repositories/single/artifacts/${single.digest}`, { as })).status, 403);
      assert.equal((await c.api('POST', `/projects/shop/repositories/single/artifacts/${single.digest}/tags`, { as, body: { name: 'guest-tag' } })).status, 403);
      assert.equal((await c.api('DELETE', '/projects/shop/repositories/single', { as })).status, 403);
      assert.equal((await c.api('PUT', '/projects/shop/repositories/single', { as, body: { description: 'x' } })).status, 403);
      assert.equal((await c.api('GET', `/projects/shop/repositories/single/artifacts/${single.digest}`)).status, 200);
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });

  test('the detail page shows layers with sizes, build history, annotations and the manifest', async (t) => {
    if (!requireBrowser(t)) return;
    const img = layout.images.find((i) => i.manifestDigest === single.digest);
    assert.ok(img, 'the single image is one of the layout platforms');
    const s = await openPortal(browser, h);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.goto(`/projects/${projectId}/repositories/single/artifacts/${encodeURIComponent(single.digest)}`);
      await s.page.getByRole('heading', { name: `shop/single@${short(single.digest)}` }).waitFor();
      await s.page.getByRole('cell', { name: `haven-e2e-${img.platform.architecture}` }).waitFor();
      await s.page.getByRole('tab', { name: 'Layers' }).click();
      const layers = s.page.getByRole('table', { name: 'Layers' });
      for (const l of img.layers) {
        const r = layers.getByRole('row').filter({ hasText: short(l.digest) });
        await r.getByText(formatBytes(l.size), { exact: true }).waitFor();
      }
      await layers.getByText('haven test layer 2', { exact: false }).waitFor();
      await s.page.getByRole('tab', { name: 'Build history' }).click();
      await s.page.getByRole('table', { name: 'Build history' }).getByText('haven test layer 0', { exact: false }).waitFor();
      await s.page.getByRole('tab', { name: 'Manifest' }).click();
      const manifest = await s.page.locator('pre[aria-label="Manifest"]').textContent();
      assert.deepEqual(JSON.parse(manifest ?? ''), JSON.parse(img.manifest.toString('utf8')));
      await screenshot(s.page, 'artifact-detail-en');
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });

  test('XSS: payloads in a description, an annotation and a label name show as text and run nothing', async (t) => {
    if (!requireBrowser(t)) return;
    const c = api();
    const payload = '<img src=x onerror=alert(1)>';
    const described = await c.api('PUT', '/projects/shop/repositories/single', { body: { description: `# Single image\n\nSee **this**. ${payload}\n\n<script>alert(2)</script>` } });
    assert.equal(described.status, 200, described.text);
    // An image whose manifest carries the payload as an annotation.
    const reg = asAdmin(h);
    const config = randomBlob(64);
    await pushBlob(reg, 'shop/xss', config.bytes);
    const layer = randomBlob(512);
    await pushBlob(reg, 'shop/xss', layer.bytes);
    const manifest = imageManifest(config, [layer], { annotations: { 'org.haven.note': '<img src=y onerror=alert(3)>', '<b onmouseover=alert(4)>key': 'v' } });
    assert.equal((await putManifest(reg, 'shop/xss', 'x1', manifest)).status, 201);
    const label = await c.api('POST', '/labels', { body: { name: '<img src=z onerror=alert(5)>', color: '#ff0000', scope: 'p', project_id: projectId } });
    assert.equal(label.status, 201, label.text);

    const s = await openPortal(browser, h);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.goto(`/projects/${projectId}/repositories/single/artifacts`);
      const description = s.page.getByRole('region', { name: 'Description' });
      await description.getByRole('heading', { name: 'Single image' }).waitFor();
      await description.getByText(payload, { exact: false }).waitFor();
      await description.getByText('<script>alert(2)</script>').waitFor();
      assert.equal(await description.locator('img, script').count(), 0);

      await s.page.goto(`/projects/${projectId}/repositories/xss/artifacts/${encodeURIComponent(sha256(manifest))}`);
      await s.page.getByRole('cell', { name: '<img src=y onerror=alert(3)>' }).waitFor();
      await s.page.getByRole('cell', { name: '<b onmouseover=alert(4)>key' }).waitFor();
      // The label goes on through the page, and shows as its literal name.
      await s.page.getByRole('button', { name: 'Add label' }).click();
      await s.page.locator('.ant-select-item-option').filter({ hasText: '<img src=z onerror=alert(5)>' }).click();
      await s.page.getByRole('button', { name: 'Remove label <img src=z onerror=alert(5)>' }).waitFor();
      const attached = await c.api('GET', `/projects/shop/repositories/xss/artifacts/${sha256(manifest)}?with_label=true`);
      assert.deepEqual((attached.json.labels as Array<{ name: string }>).map((l) => l.name), ['<img src=z onerror=alert(5)>']);
      await s.page.goto(`/projects/${projectId}/repositories/xss/artifacts`);
      await artifactRow(s.page, 'x1').getByText('<img src=z onerror=alert(5)>').waitFor();
      assert.equal(await s.page.locator('main img, [role="main"] img').count(), 0);
      assert.deepEqual(s.dialogs, []);
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });

  test('the description is edited in the page and the API agrees', async (t) => {
    if (!requireBrowser(t)) return;
    const s = await openPortal(browser, h);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.goto(`/projects/${projectId}/repositories/${encodeURIComponent('team/app/web')}/artifacts`);
      await s.page.getByText('No description yet.').waitFor();
      await s.page.getByRole('button', { name: 'Edit description' }).click();
      const dialog = s.page.getByRole('dialog', { name: 'Edit the description of shop/team/app/web' });
      await dialog.getByLabel('Description').fill('## Web front end\n\n- built nightly');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await s.page.getByRole('region', { name: 'Description' }).getByRole('heading', { name: 'Web front end' }).waitFor();
      await s.page.getByRole('region', { name: 'Description' }).getByRole('listitem').filter({ hasText: 'built nightly' }).waitFor();
      const repo = await api().api('GET', '/projects/shop/repositories/team%252Fapp%252Fweb');
      assert.equal(repo.json.description, '## Web front end\n\n- built nightly');
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });

  test('paging: a repository with more artifacts than a page shows the total and pages through the server', async (t) => {
    if (!requireBrowser(t)) return;
    const reg = asAdmin(h);
    for (let i = 0; i < 17; i++) await pushImage(reg, 'shop/many', `t${String(i).padStart(2, '0')}`, 1, 128);
    const s = await openPortal(browser, h);
    const listed: URL[] = [];
    s.page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname === '/api/v2.0/projects/shop/repositories/many/artifacts') listed.push(u);
    });
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.goto(`/projects/${projectId}/repositories/many/artifacts`);
      await s.page.getByText('17 items').waitFor();
      const rows = s.page.getByRole('table', { name: 'Artifacts' }).locator('tbody tr.ant-table-row');
      await artifactRow(s.page, 't16').waitFor();
      assert.equal(await rows.count(), 15);
      await s.page.getByRole('listitem', { name: '2' }).click();
      await artifactRow(s.page, 't00').waitFor();
      assert.equal(await rows.count(), 2);
      assert.ok(listed.some((u) => u.searchParams.get('page') === '2' && u.searchParams.get('page_size') === '15'), listed.map(String).join('\n'));
      assert.ok(listed.every((u) => Number(u.searchParams.get('page_size')) <= 100));
      // The tag filter goes to the server too.
      await s.page.getByRole('searchbox', { name: 'Filter by tag' }).fill('t0');
      await s.page.getByRole('searchbox', { name: 'Filter by tag' }).press('Enter');
      await s.page.getByText('10 items').waitFor();
      assert.ok(listed.some((u) => u.searchParams.get('q') === 'tags=~t0'));
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });

  test('an empty project shows the exact login and push commands for this server, with copy buttons; delete a repository', async (t) => {
    if (!requireBrowser(t)) return;
    const s = await openPortal(browser, h);
    await s.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      const bare = ((await api().api('GET', '/projects/bare')).json as { project_id: number }).project_id;
      await s.page.goto(`/projects/${bare}/repositories`);
      await s.page.getByText('This project has no repositories yet').waitFor();
      await s.page.getByText(`podman login --tls-verify=false ${h.host}`, { exact: true }).waitFor();
      await s.page.getByText(`podman push --tls-verify=false ${h.host}/bare/<image>:<tag>`, { exact: true }).waitFor();
      await s.page.getByRole('button', { name: 'Copy the push command' }).click();
      assert.equal(await s.page.evaluate(() => navigator.clipboard.readText()), `podman push --tls-verify=false ${h.host}/bare/<image>:<tag>`);
      await screenshot(s.page, 'repositories-empty-en');

      await s.page.goto(`/projects/${projectId}/repositories`);
      await s.page.getByRole('button', { name: 'Delete repository shop/xss' }).click();
      await s.page.getByRole('dialog', { name: 'Delete repository shop/xss?' }).getByRole('button', { name: 'Delete' }).click();
      await s.page.getByText('Repository shop/xss deleted').waitFor();
      await s.page.getByRole('link', { name: 'shop/xss' }).waitFor({ state: 'detached' });
      assert.equal((await api().api('GET', '/projects/shop/repositories/xss')).status, 404);
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });

  test('in 简体中文 the pages use Harbor’s words', async (t) => {
    if (!requireBrowser(t)) return;
    const s = await openPortal(browser, h, { locale: 'zh-CN' });
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.goto(`/projects/${projectId}/repositories`);
      await s.page.getByRole('columnheader', { name: '制品数' }).waitFor();
      await screenshot(s.page, 'repositories-zh');
      await s.page.goto(`/projects/${projectId}/repositories/${encodeURIComponent('team/app/web')}/artifacts`);
      await s.page.getByRole('columnheader', { name: '推送时间' }).waitFor();
      await s.page.getByRole('img', { name: '镜像索引（多架构）' }).waitFor();
      await screenshot(s.page, 'artifacts-zh');
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });
});
