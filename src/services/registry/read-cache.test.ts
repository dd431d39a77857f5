import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLocalBus } from '../../platform/invalidation.js';
import { createRegistryReadCache } from './read-cache.js';

const manifest = (id: number, bytes = 10) => ({ id, digest: `sha256:${String(id).padStart(64, '0')}`, mediaType: 'm', content: Buffer.alloc(bytes) });

function counting<V>(value: V) {
  const load = async () => {
    load.calls++;
    return value;
  };
  load.calls = 0;
  return load;
}

test('what exists is read once; what is missing is asked for every time', async () => {
  const cache = createRegistryReadCache(createLocalBus());
  const found = counting(manifest(1));
  for (let i = 0; i < 3; i++) assert.equal((await cache.manifest('p/a', { tag: 'v1' }, found))?.id, 1);
  assert.equal(found.calls, 1);
  const missing = counting(null);
  for (let i = 0; i < 3; i++) assert.equal(await cache.blobSize('p/a', 'sha256:x', missing), null);
  assert.equal(missing.calls, 3, 'a new push must be seen at once');
});

test("a repository's forget drops its tags, digests and blob sizes, and nothing of its neighbours", async () => {
  const cache = createRegistryReadCache(createLocalBus());
  const tag = counting(manifest(1));
  const digest = counting(manifest(1));
  const blob = counting(42);
  const other = counting(manifest(2));
  const readAll = async () => {
    await cache.manifest('p/a', { tag: 'v1' }, tag);
    await cache.manifest('p/a', { digest: 'sha256:1' }, digest);
    await cache.blobSize('p/a', 'sha256:b', blob);
    await cache.manifest('p/ab', { tag: 'v1' }, other);
  };
  await readAll();
  await cache.forgets.repository('p/a');
  await readAll();
  assert.deepEqual([tag.calls, digest.calls, blob.calls, other.calls], [2, 2, 2, 1]);
  await cache.forgets.all();
  await readAll();
  assert.deepEqual([tag.calls, digest.calls, blob.calls, other.calls], [3, 3, 3, 2]);
});

test("a project's forget (deleted, made again) drops every repository under it", async () => {
  const bus = createLocalBus();
  const cache = createRegistryReadCache(bus);
  const inP = counting(7);
  const inPx = counting(8);
  await cache.blobSize('p/a/b', 'sha256:b', inP);
  await cache.blobSize('px/a', 'sha256:b', inPx);
  await bus.publish('identity.project', 'p');
  await cache.blobSize('p/a/b', 'sha256:b', inP);
  await cache.blobSize('px/a', 'sha256:b', inPx);
  assert.deepEqual([inP.calls, inPx.calls], [2, 1]);
});

test('a read under way when a forget comes is answered but not remembered (it may predate the change)', async () => {
  const cache = createRegistryReadCache(createLocalBus());
  let calls = 0;
  const slow = async () => {
    calls++;
    if (calls === 1) await cache.forgets.repository('p/a');
    return manifest(calls);
  };
  assert.equal((await cache.manifest('p/a', { tag: 'v1' }, slow))?.id, 1);
  assert.equal((await cache.manifest('p/a', { tag: 'v1' }, slow))?.id, 2, 'read again');
  assert.equal((await cache.manifest('p/a', { tag: 'v1' }, slow))?.id, 2, 'now remembered');
});

test('entries expire after the TTL, and large manifests are never kept', async () => {
  const cache = createRegistryReadCache(createLocalBus(), { ttlMs: 30 });
  const small = counting(manifest(1));
  await cache.manifest('p/a', { tag: 'v1' }, small);
  await cache.manifest('p/a', { tag: 'v1' }, small);
  await new Promise((r) => setTimeout(r, 60));
  await cache.manifest('p/a', { tag: 'v1' }, small);
  assert.equal(small.calls, 2);
  const huge = counting(manifest(2, 300 * 1024));
  await cache.manifest('p/a', { tag: 'big' }, huge);
  await cache.manifest('p/a', { tag: 'big' }, huge);
  assert.equal(huge.calls, 2);
});
