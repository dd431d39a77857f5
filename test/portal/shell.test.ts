// The portal's shell in a real browser: sign-in, the project list, language, theme and sign-out,
// and how the server delivers it (history fallback, caching, compression, CSP).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { logIn, openPortal, requireBrowser, screenshot, settled, useBrowser } from '../helpers/browser.js';
import { useHaven, type RunningHaven } from '../helpers/haven.js';

describe('portal shell', { timeout: 180_000 }, () => {
  let h: RunningHaven;
  let browser: Browser;
  useHaven({ projects: ['existing'] }, (x) => {
    h = x;
  });
  useBrowser((b) => {
    browser = b;
  });

  test('the server delivers the portal: history fallback, hashed assets cached for a year, brotli, CSP', async () => {
    const browserAccept = { Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
    for (const path of ['/', '/projects', '/projects/12/members', '/admin/users']) {
      const r = await fetch(`${h.url}${path}`, { headers: browserAccept });
      assert.equal(r.status, 200, path);
      assert.match(r.headers.get('content-type') ?? '', /^text\/html/);
      assert.equal(r.headers.get('cache-control'), 'no-cache');
      assert.match(r.headers.get('content-security-policy') ?? '', /script-src 'self'/);
      const html = await r.text();
      assert.match(html, /<div id="root">/);
    }
    const html = await (await fetch(h.url, { headers: browserAccept })).text();
    const script = html.match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
    assert.ok(script, html);
    const js = await fetch(`${h.url}${script}`, { headers: { 'Accept-Encoding': 'br' } });
    assert.equal(js.status, 200);
    assert.equal(js.headers.get('content-encoding'), 'br');
    assert.match(js.headers.get('cache-control') ?? '', /max-age=31536000.*immutable|immutable.*max-age=31536000/);
    // The API and registry keep their own 404s: no HTML where a client expects JSON.
    const api = await fetch(`${h.url}/api/v2.0/no-such-thing`);
    assert.equal(api.status, 404);
    assert.equal((await api.json() as { errors: Array<{ code: string }> }).errors[0]?.code, 'NOT_FOUND');
    assert.equal((await fetch(`${h.url}/assets/missing-file.js`)).status, 404);
    const icon = await fetch(`${h.url}/favicon.svg`);
    assert.equal(icon.status, 200);
    assert.match(icon.headers.get('content-type') ?? '', /^image\/svg\+xml/);
    // A script (no text/html in Accept) and a missing file get the JSON 404, not the app.
    for (const [path, headers] of [['/nothing-here', {}], ['/haven.db', browserAccept], ['/favicon.ico', browserAccept]] as const) {
      const r = await fetch(`${h.url}${path}`, { headers });
      assert.equal(r.status, 404, path);
      assert.match(r.headers.get('content-type') ?? '', /json/, path);
    }
  });

  test('a wrong password is refused with a readable message; the admin signs in and sees the projects', async (t) => {
    if (!requireBrowser(t)) return;
    const s = await openPortal(browser, h);
    try {
      await s.page.goto('/');
      await s.page.waitForURL(/\/login/);
      await screenshot(s.page, 'login-en');
      await s.page.getByLabel('Username').fill('admin');
      await s.page.getByLabel('Password').fill('wrong-password');
      await s.page.getByRole('button', { name: 'Log in' }).click();
      await s.page.getByRole('alert').filter({ hasText: 'Invalid username or password' }).waitFor();
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.getByRole('heading', { name: 'Projects' }).waitFor();
      await s.page.getByRole('link', { name: 'existing' }).waitFor();
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });

  test('create a private project with a quota: it is listed as private with its quota bar, and the API agrees', async (t) => {
    if (!requireBrowser(t)) return;
    const s = await openPortal(browser, h);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.getByRole('button', { name: 'New project' }).click();
      const dialog = s.page.getByRole('dialog', { name: 'New project' });
      await dialog.getByLabel('Project name').fill('Bad Name');
      await dialog.getByRole('button', { name: 'Create' }).click();
      await dialog.getByText('Lower-case letters, digits').waitFor();
      await dialog.getByLabel('Project name').fill('team-a');
      await dialog.getByLabel('Storage quota').fill('2');
      await dialog.getByRole('button', { name: 'Create' }).click();
      // The portal opens the new project.
      await s.page.waitForURL(/\/projects\/\d+\/repositories/);
      await s.page.getByRole('heading', { name: 'team-a' }).waitFor();
      await s.page.getByRole('link', { name: 'Projects' }).first().click();
      const row = s.page.getByRole('row').filter({ has: s.page.getByRole('link', { name: 'team-a' }) });
      await row.getByText('Private').waitFor();
      await row.getByRole('progressbar').waitFor();
      const projects = await (await h.adminFetch(`${h.url}/api/v2.0/projects?name=team-a`)).json() as Array<{ project_id: number; metadata: { public: string } }>;
      assert.equal(projects[0]?.metadata.public, 'false');
      const quotas = await (await h.adminFetch(`${h.url}/api/v2.0/quotas?reference=project&reference_id=${projects[0]?.project_id}`)).json() as Array<{ hard: { storage: number } }>;
      assert.equal(quotas[0]?.hard.storage, 2 * 1024 ** 3);
      // Search narrows the list on the server.
      await s.page.getByRole('searchbox', { name: 'Search projects by name' }).fill('team');
      await s.page.getByRole('searchbox', { name: 'Search projects by name' }).press('Enter');
      await s.page.getByRole('link', { name: 'existing' }).waitFor({ state: 'detached' });
      await s.page.getByRole('link', { name: 'team-a' }).waitFor();
      await screenshot(s.page, 'projects-en');
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });

  test('a project with repositories cannot be deleted, and the portal says why; an empty one can', async (t) => {
    if (!requireBrowser(t)) return;
    await h.createProject('empty-one');
    const s = await openPortal(browser, h);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      const row = s.page.getByRole('row').filter({ has: s.page.getByRole('link', { name: 'empty-one' }) });
      await row.getByRole('button', { name: 'Delete project empty-one' }).click();
      await s.page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
      await s.page.getByText('Project empty-one deleted').waitFor();
      await s.page.getByRole('link', { name: 'empty-one' }).waitFor({ state: 'detached' });
      assert.equal((await h.adminFetch(`${h.url}/api/v2.0/projects?name=empty-one`)).headers.get('x-total-count'), '0');
    } finally {
      await s.close();
    }
  });

  test('the language switch turns the pages into 简体中文 and is remembered; dark mode too', async (t) => {
    if (!requireBrowser(t)) return;
    const s = await openPortal(browser, h);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.getByRole('button', { name: 'User menu' }).click();
      await s.page.getByRole('menuitem', { name: 'Language' }).click();
      await s.page.getByRole('menuitem', { name: '简体中文' }).click();
      await s.page.getByRole('heading', { name: '项目' }).waitFor();
      await s.page.getByRole('button', { name: '新建项目' }).waitFor();
      await s.page.reload();
      await s.page.getByRole('heading', { name: '项目' }).waitFor();
      assert.equal(await s.page.evaluate(() => document.documentElement.lang), 'zh-CN');
      await screenshot(s.page, 'projects-zh');
      await s.page.getByRole('button', { name: '用户菜单' }).click();
      await s.page.getByRole('menuitem', { name: '深色模式' }).click();
      const bg = await s.page.evaluate(() => getComputedStyle(document.querySelector('.ant-layout') as Element).backgroundColor);
      // Dark: every channel well below the light theme's near-white.
      const channels = (bg.match(/\d+/g) ?? []).slice(0, 3).map(Number);
      assert.ok(channels.every((c) => c < 80), bg);
      // The page behind the layout too: no white frame of the body's margin or an overscroll.
      const ground = await s.page.evaluate(() => {
        const b = getComputedStyle(document.body);
        return { background: b.backgroundColor, margin: b.margin, scheme: getComputedStyle(document.documentElement).colorScheme };
      });
      assert.ok(((ground.background.match(/\d+/g) ?? []).slice(0, 3).map(Number)).every((c) => c < 80), ground.background);
      assert.deepEqual([ground.margin, ground.scheme], ['0px', 'dark']);
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });

  test('dialogs zoom in, unless the user asked their system for reduced motion', async (t) => {
    if (!requireBrowser(t)) return;
    for (const motion of [true, false]) {
      const s = await openPortal(browser, h, { motion });
      try {
        await logIn(s.page, h.admin.username, h.admin.password);
        await s.page.getByRole('button', { name: 'User menu' }).click();
        const about = s.page.getByRole('menuitem', { name: 'About' });
        await about.waitFor();
        await settled(s.page);
        await about.click();
        // The class Ant Design's zoom puts on a dialog while it appears, read as it opens.
        const zooming = await s.page.waitForFunction(() => {
          const modal = document.querySelector('.ant-modal');
          return modal && (modal.className.includes('ant-zoom') ? 'zoom' : 'still');
        });
        assert.equal(await zooming.jsonValue(), motion ? 'zoom' : 'still', `motion ${motion}`);
        await s.page.getByRole('dialog').waitFor();
        assert.deepEqual(s.errors, []);
      } finally {
        await s.close();
      }
    }
  });

  test('a browser in Chinese gets the login page in Chinese from the first screen', async (t) => {
    if (!requireBrowser(t)) return;
    const s = await openPortal(browser, h, { locale: 'zh-CN' });
    try {
      await s.page.goto('/');
      await s.page.getByRole('button', { name: /登 ?录/ }).waitFor();
      await s.page.getByText('容器镜像仓库').waitFor();
      await screenshot(s.page, 'login-zh');
    } finally {
      await s.close();
    }
  });

  test('log out ends the session: the cookie no longer opens the API, and pages send to sign-in', async (t) => {
    if (!requireBrowser(t)) return;
    const s = await openPortal(browser, h);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      const cookies = await s.context.cookies();
      const sid = cookies.find((c) => c.name === 'sid');
      assert.ok(sid, JSON.stringify(cookies));
      const before = await fetch(`${h.url}/api/v2.0/users/current`, { headers: { Cookie: `sid=${sid.value}` } });
      assert.equal(before.status, 200);
      await s.page.getByRole('button', { name: 'User menu' }).click();
      await s.page.getByRole('menuitem', { name: 'Log out' }).click();
      // Wait for the full load of a bare /login: a query that meets the ended session may first
      // route to /login?next=…, and the full load landing later would cut the next goto short.
      await s.page.waitForURL((u) => u.pathname === '/login' && u.search === '', { waitUntil: 'load' });
      const afterOut = await fetch(`${h.url}/api/v2.0/users/current`, { headers: { Cookie: `sid=${sid.value}` } });
      assert.equal(afterOut.status, 401);
      await s.page.goto('/projects');
      await s.page.waitForURL(/\/login\?next=%2Fprojects/);
    } finally {
      await s.close();
    }
  });
});
