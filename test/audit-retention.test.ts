import { havenSql } from './helpers/haven-db.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventually } from './helpers/eventually.js';
import { startHaven } from './helpers/haven.js';

test('audit records older than audit.retentionDays are purged', async () => {
  let h = await startHaven();
  const dataDir = h.dataDir;
  try {
    for (const name of ['old1', 'old2', 'fresh1']) {
      const r = await h.adminFetch(`${h.url}/api/v2.0/projects`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ project_name: name }) });
      assert.equal(r.status, 201);
    }
    await h.stop();
    // Age two records by editing the database directly: the fixture for "old data".
    const threeDaysAgo = Date.now() - 3 * 86_400_000;
    const aged = await havenSql(h, "update audit_logs set op_time = ? where resource in ('old1', 'old2')", [threeDaysAgo]);
    assert.equal(aged.changes, 2);

    h = await startHaven({ dataDir, args: ['--audit-retention-days', '2'] });
    // The purge runs in the background once the server is up.
    await eventually(async () => {
      const r = await h.adminFetch(`${h.url}/api/v2.0/audit-logs?q=${encodeURIComponent('resource_type=project')}&page_size=100`);
      assert.equal(r.status, 200);
      const resources = ((await r.json()) as Array<{ resource: string }>).map((l) => l.resource);
      assert.ok(resources.includes('fresh1'), resources.join(','));
      assert.ok(!resources.includes('old1') && !resources.includes('old2'), resources.join(','));
    });
  } finally {
    await h.stop();
    const { rmSync } = await import('node:fs');
    rmSync(dataDir, { recursive: true, force: true });
  }
});
