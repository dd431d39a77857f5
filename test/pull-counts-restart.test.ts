// Pull counts are written in batches: a clean stop must flush what is still in memory, so the
// counts of pulls answered just before a stop survive the restart.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { apiClient } from './helpers/api-client.js';
import { startHaven } from './helpers/haven.js';
import { asAdmin, pushImage } from './helpers/oci.js';

test('pulls answered right before a clean stop are counted after the restart', { timeout: 60_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'haven-pulls-'));
  try {
    let h = await startHaven({ dataDir });
    await h.createProject('pulls');
    const { digest } = await pushImage(asAdmin(h), 'pulls/app', 'v1', 1, 64);
    for (let i = 0; i < 5; i++) {
      const r = await fetch(`${h.url}/v2/pulls/app/manifests/v1`, { headers: { ...h.asAdmin, Accept: 'application/vnd.oci.image.manifest.v1+json' } });
      assert.equal(r.status, 200);
      await r.arrayBuffer();
    }
    // Stopped at once: the flusher's interval (1 s) has most likely not run yet.
    await h.stop();
    h = await startHaven({ dataDir });
    try {
      const repo = await apiClient(h).api('GET', '/projects/pulls/repositories/app');
      assert.equal(repo.json.pull_count, 5, repo.text);
      const tags = await apiClient(h).api('GET', `/projects/pulls/repositories/app/artifacts/${digest}/tags`);
      assert.notEqual(tags.json[0].pull_time, '0001-01-01T00:00:00.000Z');
    } finally {
      await h.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
