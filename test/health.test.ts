// /api/v2.0/health in Harbor's shape: core, database and storage (redis only when configured),
// and a storage fault reported with its error while the other components stay healthy.
import assert from 'node:assert/strict';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startHaven } from './helpers/haven.js';
import { asAdmin, pushBlob, randomBlob } from './helpers/oci.js';
import { eventually } from './helpers/eventually.js';

interface Health {
  status: string;
  components: Array<{ name: string; status: string; error?: string }>;
}

test('health reports each component; a broken storage is unhealthy with its error, the rest healthy', async () => {
  const h = await startHaven({ projects: ['hp'] });
  try {
    const blob = randomBlob(1000);
    await pushBlob(asAdmin(h), 'hp/app', blob.bytes);
    const get = async () => {
      const r = await fetch(`${h.url}/api/v2.0/health`);
      return { code: r.status, body: (await r.json()) as Health };
    };
    const ok = await get();
    assert.equal(ok.code, 200);
    assert.deepEqual(ok.body, {
      status: 'healthy',
      components: [
        { name: 'core', status: 'healthy' },
        { name: 'database', status: 'healthy' },
        { name: 'storage', status: 'healthy' },
      ],
    });

    // The storage root replaced by a file: every path under it fails with ENOTDIR.
    const storage = join(h.dataDir, 'storage');
    renameSync(storage, `${storage}.away`);
    writeFileSync(storage, 'not a directory');
    try {
      await eventually(async () => {
        const bad = await get();
        assert.equal(bad.code, 503);
        assert.equal(bad.body.status, 'unhealthy');
        const byName = Object.fromEntries(bad.body.components.map((c) => [c.name, c]));
        assert.equal(byName.storage!.status, 'unhealthy');
        assert.match(byName.storage!.error ?? '', /ENOTDIR/);
        assert.deepEqual(byName.database, { name: 'database', status: 'healthy' });
        assert.deepEqual(byName.core, { name: 'core', status: 'healthy' });
      });
    } finally {
      rmSync(storage);
      renameSync(`${storage}.away`, storage);
    }
    await eventually(async () => assert.equal((await get()).body.status, 'healthy'));
  } finally {
    await h.cleanup();
  }
});
