// The optimistic lock between garbage collection's mark and pushes, at the store level: what a
// mark takes, what it leaves, and what a push that meets a marked blob sees.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BlobDeletingError, createBlobStore } from './blobs.js';
import type { DatabaseHandle } from './database.js';
import { createGcStore } from './gc.js';
import { createManifestStore } from './manifests.js';
import { openTestDatabase } from './test-database.js';

const d = (c: string) => `sha256:${c.repeat(64)}`;

describe('gc store', () => {
  let h: DatabaseHandle;
  before(async () => {
    h = await openTestDatabase();
    await h.db.insertInto('projects').values({ name: 'p', owner_id: null, public: 0, metadata: '{}', created_at: 1, updated_at: 1 }).execute();
  });
  after(async () => {
    await h.close();
  });

  test('marks only old unreferenced blobs, removes their links, and a push then treats them as absent', async () => {
    const blobs = createBlobStore(h.db);
    const gc = createGcStore(h.db);
    const manifests = createManifestStore(h.db);
    const old = Date.now() - 10_000;
    for (const c of ['a', 'b', 'c']) await blobs.recordAndLink('p/r', d(c), 10, old);
    await blobs.recordAndLink('p/r', d('e'), 10);
    // `b` is referenced by a manifest.
    const record = { digest: d('f'), mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: null, subjectDigest: null, annotations: null, content: Buffer.from('{}'), blobDigests: [d('b')], manifestDigests: [] };
    await manifests.put('p/r', record, 'v1', async () => {});
    const cutoff = Date.now() - 5_000;

    const page = await gc.scan('', cutoff, 3);
    assert.deepEqual([page.scanned, page.last, page.garbage.map((b) => b.digest)], [3, d('c'), [d('a'), d('c')]]);
    const rest = await gc.scan(d('c'), cutoff, 3);
    assert.deepEqual([rest.scanned, rest.last, rest.garbage], [1, d('e'), []], 'young: not garbage');
    assert.equal((await gc.scan(d('e'), cutoff, 3)).last, null);
    assert.equal(await gc.rowCount(), 4);
    // `c` is linked again (a push) between the listing and the mark: its window starts again.
    await blobs.recordAndLink('p/r', d('c'), 10);
    const marked = await gc.mark([d('a'), d('b'), d('c'), d('e')], cutoff, 111);
    assert.deepEqual(marked, [{ digest: d('a'), size: 10 }]);

    assert.equal(await blobs.sizeInRepository('p/r', d('a')), null, 'HEAD: absent, the client uploads it again');
    const repo = await h.db.selectFrom('repositories').select('id').where('name', '=', 'p/r').executeTakeFirstOrThrow();
    assert.deepEqual(await blobs.missingInRepository(repo.id, [d('a'), d('c')]), [d('a')], 'a manifest PUT referencing it is refused');
    await assert.rejects(blobs.recordAndLink('p/r', d('a'), 10), BlobDeletingError, 'a mount or commit does not link it');
    assert.equal(await blobs.claim(d('a'), 0), 'deleting', 'an upload commit waits');
    assert.equal(await blobs.claim(d('c'), 0), 'ok');
    assert.equal(await blobs.claim(d('z'), 0), 'ok', 'no row: nothing to wait for');

    // Another mark never finishes it; its own does.
    assert.equal(await gc.finish([d('a')], 222), 0);
    assert.equal(await gc.finish([d('a')], 111), 1);
    assert.equal(await blobs.size(d('a')), null);
  });

  test('a mark a dead sweep left is taken over: by a push once stale, or by the next sweep', async () => {
    const blobs = createBlobStore(h.db);
    const gc = createGcStore(h.db);
    const old = Date.now() - 10_000;
    await blobs.recordAndLink('p/s', d('1'), 5, old);
    await blobs.recordAndLink('p/s', d('2'), 5, old);
    assert.equal((await gc.mark([d('1'), d('2')], Date.now(), old)).length, 2);
    assert.equal(await blobs.claim(d('1'), old), 'deleting', 'not stale yet');
    assert.equal(await blobs.claim(d('1'), old + 1), 'ok', 'stale: the push takes it back');
    assert.deepEqual((await gc.leftMarked(Date.now(), 10)).map((b) => b.digest), [d('2')]);
    assert.deepEqual(await gc.retake([d('1'), d('2')], old + 1, 999), [{ digest: d('2'), size: 5 }]);
    assert.equal(await gc.finish([d('2')], 999), 1);
    // Unmark gives back only this sweep's marks.
    await blobs.recordAndLink('p/s', d('3'), 5, old);
    await gc.mark([d('3')], Date.now(), 5);
    await gc.unmark([d('3')], 6);
    assert.equal(await blobs.claim(d('3'), 0), 'deleting');
    await gc.unmark([d('3')], 5);
    assert.equal(await blobs.claim(d('3'), 0), 'ok');
  });

  test('orphans get a marked row of their own unless a row exists', async () => {
    const gc = createGcStore(h.db);
    const blobs = createBlobStore(h.db);
    await blobs.recordAndLink('p/o', d('7'), 3);
    const rows = await gc.markOrphans([{ digest: d('7'), size: 3 }, { digest: d('8'), size: 4 }], 42);
    assert.deepEqual(rows, [{ digest: d('8'), size: 4 }]);
    assert.equal(await blobs.claim(d('8'), 0), 'deleting');
    assert.equal(await gc.finish([d('8')], 42), 1);
  });
});
