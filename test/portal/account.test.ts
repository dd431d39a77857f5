// The portal's account side in a real browser: self-registration (off by default, then on
// through the API, a sign-up and a refused duplicate), the user menu's About, profile and
// password dialogs, the shell and a project page from the keyboard alone, and the
// "admin only" project creation setting as a non-admin meets it.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { apiClient, type Creds } from '../helpers/api-client.js';
import { logIn, openPortal, requireBrowser, useBrowser } from '../helpers/browser.js';
import { useHaven, type RunningHaven } from '../helpers/haven.js';
import { apiFailures } from './project-helpers.js';

const pat: Creds = { username: 'pat', password: 'Pat12345' };
const nora: Creds = { username: 'nora', password: 'Nora12345' };

/** A portal session whose waits give up after 15 s (a failure says where, well inside the file's budget). */
async function open(browser: Browser, h: RunningHaven) {
  const s = await openPortal(browser, h);
  s.page.setDefaultTimeout(15_000);
  return s;
}

/** The focused element as assistive technology announces it (`role "name"`), for failure messages. */
async function focused(page: Page): Promise<string> {
  const f = page.locator(':focus');
  if ((await f.count()) === 0) return 'nothing';
  return ((await f.ariaSnapshot()).split('\n')[0] ?? '').replace(/^- /, '').replace(/:$/, '');
}

const hasFocus = (target: Locator) => target.evaluate((e) => e === document.activeElement);

async function assertFocused(page: Page, target: Locator, what: string): Promise<void> {
  assert.ok(await hasFocus(target), `the focus should be on ${what}, it is on ${await focused(page)}`);
}

/**
 * Presses `key` until `target` has the focus, as a keyboard user walks the page; fails with the
 * stops on the way when it is not reached in `max` presses (unreachable, or buried too deep).
 */
async function pressUntil(page: Page, key: string, target: Locator, what: string, max = 25): Promise<void> {
  const stops: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    if (await hasFocus(target)) return;
    stops.push(await focused(page));
  }
  assert.fail(`${key} never reached ${what}; it went through: ${stops.join(' → ')}`);
}

describe('portal: account, keyboard and creation rights', { timeout: 200_000 }, () => {
  let h: RunningHaven;
  let browser: Browser;
  let c: ReturnType<typeof apiClient>;
  useHaven({ projects: ['shared'] }, (x) => {
    h = x;
  });
  useBrowser((b) => {
    browser = b;
  });
  before(async () => {
    c = apiClient(h);
    for (const u of [pat, nora]) {
      const r = await c.api('POST', '/users', { body: { ...u, email: `${u.username}@example.com`, realname: u.username } });
      assert.equal(r.status, 201, r.text);
    }
    // nora sees a project in her list, so "the list has loaded" is something she can see.
    const shared = (await c.api('GET', '/projects?name=shared')).json[0].project_id;
    assert.equal((await c.api('POST', `/projects/${shared}/members`, { body: { role_id: 2, member_user: { username: nora.username } } })).status, 201);
  });

  const setting = async (body: Record<string, unknown>) => {
    const r = await c.api('PUT', '/configurations', { body });
    assert.equal(r.status, 200, r.text);
  };

  /**
   * The sign-in page once the server's settings have reached it and been drawn: only then does
   * the absence of something the settings govern mean anything.
   */
  async function signInPage(page: Page): Promise<void> {
    const info = page.waitForEvent('requestfinished', (r) => new URL(r.url()).pathname === '/api/v2.0/systeminfo');
    await page.goto('/login');
    await info;
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  }

  test('sign-up: hidden while self-registration is off; on, a new user signs up and logs in, and a taken name gets the API’s words', async (t) => {
    if (!requireBrowser(t)) return;
    const s = await open(browser, h);
    const failed = apiFailures(s.page);
    try {
      assert.equal((await c.api('GET', '/systeminfo', { as: null })).json.self_registration, false);
      await signInPage(s.page);
      assert.equal(await s.page.getByText(/sign up/i).count(), 0, 'self-registration is off by default: no way to sign up');

      await setting({ self_registration: true });
      await signInPage(s.page);
      await s.page.getByRole('button', { name: 'Sign up for an account' }).click();
      const dialog = s.page.getByRole('dialog', { name: 'Sign up' });
      await assertFocused(s.page, dialog.getByLabel('Username'), 'the username, the first field');
      const fill = async (username: string, email: string) => {
        await dialog.getByLabel('Username').fill(username);
        await dialog.getByLabel('Email').fill(email);
        await dialog.getByLabel('Full name').fill('Sam Sign');
        await dialog.getByLabel('Password', { exact: true }).fill('Sam12345');
        await dialog.getByLabel('Confirm password').fill('Sam12345');
      };
      // The two passwords must agree before anything is sent.
      await fill('sam', 'sam@example.com');
      await dialog.getByLabel('Confirm password').fill('Sam12346');
      await dialog.getByRole('button', { name: 'Sign up' }).click();
      await dialog.getByText('The passwords do not match').waitFor();
      assert.equal((await c.api('GET', '/users?q=username%3Dsam')).headers.get('x-total-count'), '0');
      await dialog.getByLabel('Confirm password').fill('Sam12345');
      // Enter in the last field signs up, as the button does.
      await dialog.getByLabel('Confirm password').press('Enter');
      await s.page.getByText('Account created: log in with it').waitFor();
      await dialog.waitFor({ state: 'hidden' });
      const sam = (await c.api('GET', '/users?q=username%3Dsam')).json[0];
      assert.deepEqual([sam?.email, sam?.realname, sam?.sysadmin_flag], ['sam@example.com', 'Sam Sign', false]);

      // The same name again: refused, and the reason stays in the dialog beside the form.
      await s.page.getByRole('button', { name: 'Sign up for an account' }).click();
      await fill('sam', 'sam2@example.com');
      await dialog.getByRole('button', { name: 'Sign up' }).click();
      await dialog.getByRole('alert').filter({ hasText: 'username sam is already taken' }).waitFor();
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });

      await logIn(s.page, 'sam', 'Sam12345');
      await s.page.getByRole('heading', { name: 'Projects' }).waitFor();
      await s.page.getByRole('button', { name: 'User menu' }).filter({ hasText: 'sam' }).waitFor();
      // The one refusal is the taken name's.
      assert.deepEqual(failed.filter((f) => !f.startsWith('409 POST /api/v2.0/users:')), []);
      assert.deepEqual(s.errors, []);
    } finally {
      await setting({ self_registration: false });
      await s.close();
    }
  });

  test('user menu: About shows the version and the API document; the profile saves; a password change needs the old one and then only the new one opens', async (t) => {
    if (!requireBrowser(t)) return;
    const s = await open(browser, h);
    const failed = apiFailures(s.page);
    const menu = async (item: string) => {
      await s.page.getByRole('button', { name: 'User menu' }).click();
      await s.page.getByRole('menuitem', { name: item }).click();
    };
    try {
      await logIn(s.page, pat.username, pat.password);

      await menu('About');
      const about = s.page.getByRole('dialog', { name: 'About Haven' });
      const version = (await c.api('GET', '/systeminfo', { as: null })).json.harbor_version;
      assert.match(version, /^haven-/);
      await about.getByRole('row', { name: /Version/ }).getByText(version, { exact: true }).waitFor();
      // The link leads to the API's document, not merely to a page that says so.
      const href = await about.getByRole('link', { name: /swagger\.json/ }).getAttribute('href');
      const doc = await fetch(new URL(href ?? '', h.url));
      assert.equal(doc.status, 200, `${href}`);
      assert.equal(((await doc.json()) as { swagger: string }).swagger, '2.0');
      await about.getByRole('button', { name: 'Close' }).click();
      await about.waitFor({ state: 'hidden' });

      await menu('User profile');
      const profile = s.page.getByRole('dialog', { name: 'User profile' });
      // The name is shown, labelled, and cannot be changed.
      assert.equal(await profile.getByLabel('Username').inputValue(), pat.username);
      assert.equal(await profile.getByLabel('Username').isDisabled(), true);
      assert.equal(await profile.getByLabel('Email').inputValue(), 'pat@example.com');
      await profile.getByLabel('Email').fill('pat.new@example.com');
      await profile.getByLabel('Full name').fill('Pat Renamed');
      await profile.getByRole('button', { name: 'Save' }).click();
      await s.page.getByText('Profile saved').waitFor();
      await profile.waitFor({ state: 'hidden' });
      const me = (await c.api('GET', '/users/current', { as: pat })).json;
      assert.deepEqual([me.email, me.realname], ['pat.new@example.com', 'Pat Renamed']);
      // Opened again, the dialog shows what was saved.
      await menu('User profile');
      assert.equal(await profile.getByLabel('Email').inputValue(), 'pat.new@example.com');
      assert.equal(await profile.getByLabel('Full name').inputValue(), 'Pat Renamed');
      await profile.getByRole('button', { name: 'Cancel' }).click();
      await profile.waitFor({ state: 'hidden' });

      await menu('Change password');
      const pw = s.page.getByRole('dialog', { name: 'Change password' });
      await pw.getByLabel('Current password', { exact: true }).fill('Wrong12345');
      await pw.getByLabel('New password', { exact: true }).fill('Patnew1234');
      await pw.getByLabel('Confirm new password', { exact: true }).fill('Patnew1234');
      await pw.getByRole('button', { name: 'Save' }).click();
      await s.page.locator('.ant-message').getByText('the old password is wrong').waitFor();
      assert.ok(await pw.isVisible(), 'a refused change leaves the dialog open to correct it');
      assert.equal((await c.api('GET', '/users/current', { as: pat })).status, 200, 'the refused change changed nothing');
      await pw.getByLabel('Current password', { exact: true }).fill(pat.password);
      await pw.getByRole('button', { name: 'Save' }).click();
      await s.page.getByText('Password changed: log in with the new one').waitFor();
      // The change ends the user's sessions, this one too: the portal goes to sign-in at once,
      // not at the next click.
      await s.page.waitForURL((u) => u.pathname === '/login');
      assert.equal((await c.api('GET', '/users/current', { as: pat })).status, 401, 'the old password no longer opens the API');
      await s.page.getByLabel('Username').fill(pat.username);
      await s.page.getByLabel('Password').fill(pat.password);
      await s.page.getByRole('button', { name: 'Log in' }).click();
      await s.page.getByRole('alert').filter({ hasText: 'Invalid username or password' }).waitFor();
      await logIn(s.page, pat.username, 'Patnew1234');
      await s.page.getByRole('heading', { name: 'Projects' }).waitFor();
      // The one refusal is the wrong old password's; nothing else the pages asked for failed.
      assert.deepEqual(failed.filter((f) => !/^403 PUT \/api\/v2\.0\/users\/\d+\/password: .*the old password is wrong/.test(f)), []);
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });

  test('keyboard alone: the main menu, New user and New project and their dialogs (Escape gives the focus back, Enter creates), and a project’s tabs by arrow keys', async (t) => {
    if (!requireBrowser(t)) return;
    const s = await open(browser, h);
    const { page } = s;
    try {
      await logIn(page, h.admin.username, h.admin.password);
      await page.getByRole('heading', { name: 'Projects' }).waitFor();
      const nav = page.getByRole('navigation', { name: 'Main navigation' });

      // Into the main menu and to another page, and back, with Tab, Shift+Tab and Enter.
      await pressUntil(page, 'Tab', nav.getByRole('link', { name: 'Users' }), 'the main menu’s Users');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Users' }).waitFor();
      // A form dialog opens with the focus in its first field, and Enter in a field is its OK.
      await pressUntil(page, 'Tab', page.getByRole('button', { name: 'New user' }), 'New user');
      await page.keyboard.press('Enter');
      const newUser = page.getByRole('dialog', { name: 'New user' });
      await assertFocused(page, newUser.getByLabel('Username'), 'the username, the first field');
      await page.keyboard.type('keys-user');
      await newUser.getByLabel('Email').fill('keys@example.com');
      await newUser.getByLabel('Full name').fill('Key Board');
      await newUser.getByLabel('Password', { exact: true }).fill('Keys12345');
      await newUser.getByLabel('Confirm password').fill('Keys12345');
      await page.keyboard.press('Enter');
      await page.getByText('User keys-user created').waitFor();
      await newUser.waitFor({ state: 'hidden' });
      assert.equal((await c.api('GET', '/users?q=username%3Dkeys-user')).json[0]?.realname, 'Key Board');
      await pressUntil(page, 'Shift+Tab', nav.getByRole('link', { name: 'Projects' }), 'the main menu’s Projects');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Projects' }).waitFor();

      const create = page.getByRole('button', { name: 'New project' });
      await pressUntil(page, 'Tab', create, 'New project');
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'New project' });
      await dialog.waitFor();
      // Straight into the one field there is to fill.
      await assertFocused(page, dialog.getByLabel('Project name'), 'the project name');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      await assertFocused(page, create, 'New project, which opened the dialog');

      await page.keyboard.press('Enter');
      await dialog.waitFor();
      await assertFocused(page, dialog.getByLabel('Project name'), 'the project name');
      await page.keyboard.type('by-keys');
      await page.keyboard.press('Tab');
      const publicSwitch = dialog.getByRole('switch', { name: 'Public' });
      await assertFocused(page, publicSwitch, 'the Public switch');
      await page.keyboard.press('Space');
      assert.equal(await publicSwitch.getAttribute('aria-checked'), 'true');
      await page.keyboard.press('Shift+Tab');
      await assertFocused(page, dialog.getByLabel('Project name'), 'the project name');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/projects\/\d+\/repositories$/);
      await page.getByRole('heading', { name: 'by-keys' }).waitFor();
      const made = (await c.api('GET', '/projects?name=by-keys')).json[0];
      assert.equal(made?.metadata.public, 'true');

      // The tab list is one Tab stop, the open tab; arrows move along it and Enter opens a tab.
      const repositories = page.getByRole('tab', { name: 'Repositories' });
      await pressUntil(page, 'Tab', repositories, 'the Repositories tab');
      assert.equal(await page.getByRole('tab').evaluateAll((tabs) => tabs.filter((tab) => (tab as HTMLElement).tabIndex === 0).length), 1);
      await page.keyboard.press('ArrowRight');
      const members = page.getByRole('tab', { name: 'Members' });
      await assertFocused(page, members, 'the Members tab');
      assert.equal(await members.getAttribute('aria-selected'), 'false', 'an arrow moves the focus, it opens nothing');
      assert.match(page.url(), /\/repositories$/);
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/members$/);
      await page.getByRole('tab', { name: 'Members', selected: true }).waitFor();
      await page.getByRole('button', { name: 'Add member' }).waitFor();
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('ArrowLeft');
      await assertFocused(page, page.getByRole('tab', { name: 'Summary' }), 'the Summary tab');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/summary$/);
      await page.getByRole('tab', { name: 'Summary', selected: true }).waitFor();
      assert.deepEqual(s.errors, []);
    } finally {
      await s.close();
    }
  });

  test('project creation "admin only": a non-admin has no New project and the API refuses; back to "everyone", they create one', async (t) => {
    if (!requireBrowser(t)) return;
    const s = await open(browser, h);
    const failed = apiFailures(s.page);
    const projectsShown = async () => {
      await s.page.getByRole('heading', { name: 'Projects' }).waitFor();
      await s.page.getByRole('link', { name: 'shared' }).waitFor();
    };
    const create = s.page.getByRole('button', { name: 'New project' });
    try {
      // With the default (everyone), the button is there: its absence below is the setting's doing.
      await logIn(s.page, nora.username, nora.password);
      await projectsShown();
      await create.waitFor();
      // Her role may read the quota, and the list shows it (from the project's summary: the
      // quota list is the administrators').
      await s.page.getByRole('row').filter({ has: s.page.getByRole('link', { name: 'shared' }) }).getByText(/ of unlimited$/).waitFor();

      await setting({ project_creation_restriction: 'adminonly' });
      await s.page.reload();
      await projectsShown();
      assert.equal(await create.count(), 0, 'no New project for a non-admin under "admin only"');
      const refused = await c.api('POST', '/projects', { as: nora, body: { project_name: 'nora-denied' } });
      assert.equal(refused.status, 403, refused.text);
      // The admin keeps it.
      assert.equal((await c.api('POST', '/projects', { body: { project_name: 'admin-still' } })).status, 201);

      await setting({ project_creation_restriction: 'everyone' });
      await s.page.reload();
      await projectsShown();
      await create.click();
      const dialog = s.page.getByRole('dialog', { name: 'New project' });
      await dialog.getByLabel('Project name').fill('nora-own');
      await dialog.getByRole('button', { name: 'Create' }).click();
      await s.page.getByRole('heading', { name: 'nora-own' }).waitFor();
      const own = (await c.api('GET', '/projects?name=nora-own')).json[0];
      assert.equal(own?.owner_name, nora.username);
      assert.equal((await c.api('GET', '/projects?name=nora-denied')).headers.get('x-total-count'), '0');
      assert.deepEqual(failed, []);
      assert.deepEqual(s.errors, []);
    } finally {
      await setting({ project_creation_restriction: 'everyone' });
      await s.close();
    }
  });
});
