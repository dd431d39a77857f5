import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startHaven } from './helpers/haven.js';
import { pushBlob, randomBlob } from './helpers/oci.js';

test('with registry.automaticMount off, a mount without from starts an upload; with from it mounts', async () => {
  const h = await startHaven({ autoProjects: true, args: ['--registry-automatic-mount', 'false'] });
  try {
    const blob = randomBlob(2048);
    await pushBlob(h.url, 'am/src', blob.bytes);
    const auto = await fetch(`${h.url}/v2/am/dst/blobs/uploads/?mount=${blob.digest}`, { method: 'POST' });
    assert.equal(auto.status, 202);
    assert.match(auto.headers.get('location')!, /^\/v2\/am\/dst\/blobs\/uploads\/[0-9a-f-]{36}$/);
    assert.equal((await fetch(`${h.url}/v2/am/dst/blobs/${blob.digest}`, { method: 'HEAD' })).status, 404);
    const explicit = await fetch(`${h.url}/v2/am/dst/blobs/uploads/?mount=${blob.digest}&from=am/src`, { method: 'POST' });
    assert.equal(explicit.status, 201);
    assert.equal((await fetch(`${h.url}/v2/am/dst/blobs/${blob.digest}`, { method: 'HEAD' })).status, 200);
  } finally {
    await h.cleanup();
  }
});
