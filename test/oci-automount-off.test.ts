import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startHaven } from './helpers/haven.js';
import {
  pushBlob,
  randomBlob,
  asAdmin,
} from './helpers/oci.js';

test('with registry.automaticMount off, a mount without from starts an upload; with from it mounts', async () => {
  const h = await startHaven({ projects: ['am'], args: ['--registry-automatic-mount', 'false'] });
  try {
    const blob = randomBlob(2048);
    await pushBlob(asAdmin(h), 'am/src', blob.bytes);
    const auto = await h.adminFetch(`${h.url}/v2/am/dst/blobs/uploads/?mount=${blob.digest}`, { method: 'POST' });
    assert.equal(auto.status, 202);
    assert.match(auto.headers.get('location')!, /^\/v2\/am\/dst\/blobs\/uploads\/[0-9a-f-]{36}$/);
    assert.equal((await h.adminFetch(`${h.url}/v2/am/dst/blobs/${blob.digest}`, { method: 'HEAD' })).status, 404);
    const explicit = await h.adminFetch(`${h.url}/v2/am/dst/blobs/uploads/?mount=${blob.digest}&from=am/src`, { method: 'POST' });
    assert.equal(explicit.status, 201);
    assert.equal((await h.adminFetch(`${h.url}/v2/am/dst/blobs/${blob.digest}`, { method: 'HEAD' })).status, 200);
  } finally {
    await h.cleanup();
  }
});
