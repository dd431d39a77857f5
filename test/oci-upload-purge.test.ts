// End-to-end purge of abandoned uploads: a Haven whose purge age is one second.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { useHaven, type RunningHaven } from './helpers/haven.js';
import {
  body,
  expectOciError,
  openUpload,
  patchChunk,
  pushBlob,
  randomBlob,
  sleep,
  withQuery,
} from './helpers/oci.js';

let haven: RunningHaven;
let base: string;

useHaven({ autoProjects: true, args: ['--uploads-purge-age', '1s', '--uploads-purge-interval', '500ms'] }, (h) => {
  haven = h;
  base = h.url;
});

const uploadFile = (id: string) => join(haven.dataDir, 'storage', 'uploads', id);

test('an idle upload is purged: 404 BLOB_UPLOAD_UNKNOWN and its file is gone; active uploads and blobs are kept', async () => {
  const repo = 'purge/repo';

  // 1. The session that will be abandoned.
  const stale = await openUpload(base, repo);
  const staleId = stale.pathname.split('/').pop()!;
  const staleBlob = randomBlob(10_000);
  const r = await patchChunk(stale, staleBlob.bytes.subarray(0, 5000), 0);
  assert.equal(r.status, 202);
  assert.ok(existsSync(uploadFile(staleId)), 'the chunk is on disk under storage/uploads');

  // 2. A session kept busy with a chunk every 300 ms: never idle for a whole second.
  const active = await openUpload(base, repo);
  const activeBlob = randomBlob(30 * 1000);

  // 3. An orphaned upload file with no session (what a crash mid-monolithic-push leaves).
  const orphanId = randomUUID();
  mkdirSync(join(haven.dataDir, 'storage', 'uploads'), { recursive: true });
  writeFileSync(uploadFile(orphanId), 'half a blob');

  // 4. A committed blob, which the purge must never touch.
  const kept = randomBlob(100);
  await pushBlob(base, repo, kept.bytes);

  // Wait ~2.5 s (several purge rounds), writing to the active session every 300 ms meanwhile.
  const started = Date.now();
  let offset = 0;
  while (Date.now() - started < 2500) {
    const p = await patchChunk(active, activeBlob.bytes.subarray(offset, offset + 1000), offset);
    assert.equal(p.status, 202, `active chunk at ${offset}: ${await p.text()}`);
    offset += 1000;
    await sleep(300);
  }
  assert.ok(offset < activeBlob.size, 'the active upload still has chunks to send');

  await expectOciError(await fetch(stale), 404, 'BLOB_UPLOAD_UNKNOWN', 'GET stale upload');
  assert.ok(!existsSync(uploadFile(staleId)), 'the stale upload file is deleted');
  await expectOciError(await patchChunk(stale, staleBlob.bytes.subarray(5000), 5000), 404, 'BLOB_UPLOAD_UNKNOWN', 'PATCH stale upload');
  assert.ok(!existsSync(uploadFile(orphanId)), 'the orphaned upload file is deleted');

  const k = await fetch(`${base}/v2/${repo}/blobs/${kept.digest}`);
  assert.equal(k.status, 200);
  assert.ok(Buffer.from(await k.arrayBuffer()).equals(kept.bytes));

  // The active session was written to well within the purge age: it survives and completes.
  const st = await fetch(active);
  assert.equal(st.status, 204, 'an upload written to within the purge age survives');
  assert.equal(st.headers.get('range'), `0-${offset - 1}`);
  const fin = await fetch(withQuery(active, { digest: activeBlob.digest }), {
    method: 'PUT',
    body: body(activeBlob.bytes.subarray(offset)),
  });
  assert.equal(fin.status, 201, await fin.text());
  const got = await fetch(`${base}/v2/${repo}/blobs/${activeBlob.digest}`);
  assert.ok(Buffer.from(await got.arrayBuffer()).equals(activeBlob.bytes));
});
