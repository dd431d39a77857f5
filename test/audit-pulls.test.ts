import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import { eventually } from './helpers/eventually.js';
import { pushImage, asAdmin } from './helpers/oci.js';

/** How many audit rows of one operation on artifacts the admin sees. */
async function auditRows(h: RunningHaven, operation: string): Promise<number> {
  const r = await h.adminFetch(`${h.url}/api/v2.0/audit-logs?${new URLSearchParams({ q: `operation=${operation},resource_type=artifact`, page_size: '1' })}`);
  assert.equal(r.status, 200);
  await r.arrayBuffer();
  return Number(r.headers.get('x-total-count'));
}

for (const pulls of [true, false]) {
  test(`audit.pulls ${pulls}: manifest pulls ${pulls ? 'are' : 'are not'} audited; pushes always are`, async () => {
    const h = await startHaven({ projects: ['aud'], args: pulls ? [] : ['--audit-pulls', 'false'] });
    try {
      await pushImage(asAdmin(h), 'aud/app', 'v1');
      for (let i = 0; i < 3; i++) assert.equal((await h.adminFetch(`${h.url}/v2/aud/app/manifests/v1`)).status, 200);
      await pushImage(asAdmin(h), 'aud/app', 'v2');
      await eventually(async () => assert.equal(await auditRows(h, 'create'), 2, 'the pushes are audited'));
      // Records are written in order: once the push after the pulls is in, so are the pulls.
      assert.equal(await auditRows(h, 'pull'), pulls ? 3 : 0);
    } finally {
      await h.cleanup();
    }
  });
}
