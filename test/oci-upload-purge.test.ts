// End-to-end purge of abandoned uploads: a Haven whose purge age is one second.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as pace } from 'node:timers/promises';
import { useHaven, type RunningHaven } from './helpers/haven.js';
import {
  body,
  expectOciError,
  openUpload,
  patchChunk,
  pushBlob,
  randomBlob,
  withQuery,
  asAdmin,
  type Registry,
} from './helpers/oci.js';

let haven: RunningHaven;
let base: string;
/** This file tests the registry itself, not who may use it: every request is the admin's. */
let reg: Registry;
let fetch: typeof globalThis.fetch;

useHaven({ projects: ['purge'], args: ['--uploads-purge-age', '1s', '--uploads-purge-interval', '500ms'] }, (h) => {
  haven = h;
  base = h.url;
  reg = asAdmin(h);
  fetch = h.adminFetch;
});

const uploadFile = (id: string) => join(haven.dataDir, 'storage', 'uploads', id);

test('an idle upload is purged: 404 BLOB_UPLOAD_UNKNOWN and its file is gone; active uploads and blobs are kept', async () => {
  const repo = 'purge/repo';

  // 1. The session that will be abandoned.
  const stale = await openUpload(reg, repo);
  const staleId = stale.pathname.split('/').pop()!;
  const staleBlob = randomBlob(10_000);
  const r = await patchChunk(reg, stale, staleBlob.bytes.subarray(0, 5000), 0);
  assert.equal(r.status, 202);
  assert.ok(existsSync(uploadFile(staleId)), 'the chunk is on disk under storage/uploads');

  // 2. A session kept busy with a chunk every 300 ms: never idle for a whole second.
  const active = await openUpload(reg, repo);
  const activeBlob = randomBlob(30 * 1000);

  // 3. An orphaned upload file with no session (what a crash mid-monolithic-push leaves).
  const orphanId = randomUUID();
  mkdirSync(join(haven.dataDir, 'storage', 'uploads'), { recursive: true });
  writeFileSync(uploadFile(orphanId), 'half a blob');

  // 4. A committed blob, which the purge must never touch.
  const kept = randomBlob(100);
  await pushBlob(reg, repo, kept.bytes);

  // Until the purge has taken the stale and orphaned files (idle for more than the purge age, so
  // the active session is older than that too), a client writes a chunk every 300 ms to the active one.
  const started = Date.now();
  let offset = 0;
  while (existsSync(uploadFile(staleId)) || existsSync(uploadFile(orphanId))) {
    assert.ok(Date.now() - started < 8000, 'the idle uploads were never purged');
    const p = await patchChunk(reg, active, activeBlob.bytes.subarray(offset, offset + 1000), offset);
    assert.equal(p.status, 202, `active chunk at ${offset}: ${await p.text()}`);
    offset += 1000;
    await pace(300);
  }
  assert.ok(offset < activeBlob.size, 'the active upload still has chunks to send');

  await expectOciError(await fetch(stale), 404, 'BLOB_UPLOAD_UNKNOWN', 'GET stale upload');
  assert.ok(!existsSync(uploadFile(staleId)), 'the stale upload file is deleted');
  await expectOciError(await patchChunk(reg, stale, staleBlob.bytes.subarray(5000), 5000), 404, 'BLOB_UPLOAD_UNKNOWN', 'PATCH stale upload');
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
