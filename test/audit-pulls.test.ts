import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import { pushImage } from './helpers/oci.js';

/** Audit rows of one operation, waiting (with a deadline) for the batch writer to catch up. */
async function auditRows(h: RunningHaven, operation: string, atLeast: number): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = await fetch(`${h.url}/api/v2.0/audit-logs?${new URLSearchParams({ q: `operation=${operation}`, page_size: '1' })}`);
    assert.equal(r.status, 200);
    await r.arrayBuffer();
    const n = Number(r.headers.get('x-total-count'));
    if (n >= atLeast || Date.now() > deadline) return n;
    await new Promise((res) => setTimeout(res, 100));
  }
}

for (const pulls of [true, false]) {
  test(`audit.pulls ${pulls}: manifest pulls ${pulls ? 'are' : 'are not'} audited; pushes always are`, async () => {
    const h = await startHaven({ autoProjects: true, args: pulls ? [] : ['--audit-pulls', 'false'] });
    try {
      await pushImage(h.url, 'aud/app', 'v1');
      for (let i = 0; i < 3; i++) assert.equal((await fetch(`${h.url}/v2/aud/app/manifests/v1`)).status, 200);
      await pushImage(h.url, 'aud/app', 'v2');
      assert.ok((await auditRows(h, 'create', 2)) >= 2, 'the pushes were not audited');
      // Records are written in order: once the push after the pulls is in, so are the pulls.
      assert.equal(await auditRows(h, 'pull', pulls ? 3 : 0), pulls ? 3 : 0);
    } finally {
      await h.cleanup();
    }
  });
}
