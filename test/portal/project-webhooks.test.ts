// The Webhooks tab in a real browser: a policy made in the editor (event types from the API, the
// auth header), a push delivered to a real HTTP receiver, the delivery and its task log read in
// the portal, the last trigger per event type, then disable, edit and delete, each checked in
// the API. The policy's name is an HTML payload: it shows as text and runs nothing.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { apiClient } from '../helpers/api-client.js';
import { logIn, openPortal, requireBrowser, useBrowser } from '../helpers/browser.js';
import { eventually } from '../helpers/eventually.js';
import { useHaven, type RunningHaven } from '../helpers/haven.js';
import { asAdmin, pushImage } from '../helpers/oci.js';
import { apiFailures, shot } from './project-helpers.js';

const name = 'ci <img src=x onerror=alert(1)>';

describe('portal: project webhooks', { timeout: 170_000 }, () => {
  let h: RunningHaven;
  let browser: Browser;
  let c: ReturnType<typeof apiClient>;
  let projectId = 0;
  let server: Server;
  let receiver = '';
  const received: Array<{ path: string; authorization: string | undefined; body: string }> = [];
  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push({ path: req.url ?? '', authorization: req.headers.authorization, body });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    receiver = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  useHaven({ projects: ['delta'], env: { HAVEN_JOBS_POLL_INTERVAL: '100', HAVEN_WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', HAVEN_WEBHOOK_TIMEOUT: '2000' } }, (x) => {
    h = x;
  });
  useBrowser((b) => {
    browser = b;
  });

  test('make a webhook, push, read its delivery and log and the last trigger; disable, edit, delete', async (t) => {
    if (!requireBrowser(t)) return;
    c = apiClient(h);
    projectId = (await c.api('GET', '/projects?name=delta')).json[0].project_id;
    const s = await openPortal(browser, h);
    const failed = apiFailures(s.page);
    try {
      await logIn(s.page, h.admin.username, h.admin.password);
      await s.page.goto(`/projects/${projectId}/webhooks`);
      await s.page.getByText('No webhooks yet').waitFor();
      await s.page.getByRole('button', { name: 'New webhook' }).click();
      const dialog = s.page.getByRole('dialog', { name: 'New webhook' });
      await dialog.getByLabel('Name').fill(name);
      await dialog.getByLabel('Endpoint URL').fill(`${receiver}/hook`);
      await dialog.getByLabel('Auth header').fill('Bearer s3cret');
      // Every event type the API offers is ticked to start with; leave pulls out.
      await dialog.getByRole('checkbox', { name: 'Artifact pushed' }).waitFor();
      await dialog.getByRole('checkbox', { name: 'Artifact pulled' }).uncheck();
      await dialog.getByRole('button', { name: 'Save' }).click();
      await s.page.getByText(`Webhook ${name} saved`).waitFor();
      const row = s.page.getByRole('row').filter({ hasText: name });
      await row.getByText(`${receiver}/hook`).waitFor();
      const offered = (await c.api('GET', `/projects/${projectId}/webhook/events`)).json.event_type as string[];
      let policy = (await c.api('GET', `/projects/${projectId}/webhook/policies`)).json[0];
      assert.equal(policy.name, name);
      assert.deepEqual([...policy.event_types].sort(), offered.filter((e) => e !== 'PULL_ARTIFACT').sort());
      assert.deepEqual({ skip_cert_verify: false, ...policy.targets[0] }, { type: 'http', address: `${receiver}/hook`, auth_header: 'Bearer s3cret', skip_cert_verify: false, payload_format: 'Default' });
      assert.equal(await s.page.locator('img[src="x"]').count(), 0);

      // A push is delivered, with the auth header.
      await pushImage(asAdmin(h), 'delta/app', 'v1', 1, 256);
      const hit = await eventually(() => {
        const r = received.find((x) => x.path === '/hook');
        assert.ok(r, 'no delivery yet');
        return r;
      }, { timeoutMs: 30_000 });
      assert.equal(hit.authorization, 'Bearer s3cret');
      assert.match(hit.body, /PUSH_ARTIFACT/);
      await eventually(async () => {
        const execs = (await c.api('GET', `/projects/${projectId}/webhook/policies/${policy.id}/executions`)).json;
        assert.equal(execs[0]?.status, 'Success');
      });

      // The delivery log in the portal: the policy expands to its deliveries, a delivery to its tasks.
      await s.page.reload();
      await row.getByRole('button', { name: /expand row/i }).click();
      const delivery = s.page.getByRole('row').filter({ hasText: 'Artifact pushed' }).filter({ hasText: 'Success' }).first();
      await delivery.waitFor();
      await delivery.getByRole('button', { name: /expand row/i }).click();
      const logButton = s.page.getByRole('button', { name: /^Log of task \d+$/ });
      await logButton.click();
      const log = s.page.getByRole('dialog', { name: /^Log of task \d+$/ });
      await log.getByText(/start to run/).waitFor();
      await shot(s.page, 'project-webhook-log-en');
      await log.getByRole('button', { name: 'Close' }).click();

      // Last trigger per event type.
      const last = s.page.getByRole('table', { name: 'Last trigger per event type' });
      const pushed = last.getByRole('row').filter({ hasText: 'Artifact pushed' });
      await pushed.getByText(name).waitFor();
      assert.notEqual((await pushed.getByRole('cell').last().innerText()).trim(), '-');

      // Disable with the switch.
      await row.getByRole('switch', { name: `Webhook ${name} enabled` }).click();
      await s.page.getByText(`Webhook ${name} disabled`).waitFor();
      policy = (await c.api('GET', `/projects/${projectId}/webhook/policies/${policy.id}`)).json;
      assert.equal(policy.enabled, false);

      // Edit: the form holds the policy; a new endpoint is saved.
      await s.page.getByRole('button', { name: `Edit webhook ${name}` }).click();
      const edit = s.page.getByRole('dialog', { name: 'Edit webhook' });
      assert.equal(await edit.getByLabel('Endpoint URL').inputValue(), `${receiver}/hook`);
      assert.equal(await edit.getByRole('checkbox', { name: 'Artifact pulled' }).isChecked(), false);
      await edit.getByLabel('Endpoint URL').fill(`${receiver}/other`);
      await edit.getByRole('button', { name: 'Save' }).click();
      await row.getByText(`${receiver}/other`).waitFor();
      policy = (await c.api('GET', `/projects/${projectId}/webhook/policies/${policy.id}`)).json;
      assert.equal(policy.targets[0].address, `${receiver}/other`);
      assert.equal(policy.enabled, false);

      // A bad endpoint: the API's words.
      await s.page.getByRole('button', { name: `Edit webhook ${name}` }).click();
      await edit.getByLabel('Endpoint URL').fill('ftp://example.com/x');
      await edit.getByRole('button', { name: 'Save' }).click();
      const refusal = await c.api('PUT', `/projects/${projectId}/webhook/policies/${policy.id}`, { body: { ...policy, targets: [{ ...policy.targets[0], address: 'ftp://example.com/x' }] } });
      assert.equal(refusal.status, 400);
      await s.page.locator('.ant-message').getByText(refusal.json.errors[0].message).waitFor();
      await edit.getByRole('button', { name: 'Cancel' }).click();

      await s.page.getByRole('button', { name: `Delete webhook ${name}` }).click();
      await s.page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
      await s.page.getByText('No webhooks yet').waitFor();
      assert.equal((await c.api('GET', `/projects/${projectId}/webhook/policies`)).json.length, 0);
      assert.deepEqual(s.errors, []);
      assert.deepEqual(s.dialogs, []);
    } finally {
      if (failed.length) t.diagnostic(failed.join('\n'));
      if (process.env.HAVEN_DEBUG_SHOTS) await s.page.screenshot({ path: '/tmp/x/webhooks.png' });
      await s.close();
    }
  });
});
