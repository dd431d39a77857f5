// End-to-end: upload sessions (and everything committed) survive a restart of Haven on the same data.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import {
  body,
  expectOciError,
  openUpload,
  patchChunk,
  pushImage,
  randomBlob,
  sha256,
  sha512,
  withQuery,
  asAdmin,
} from './helpers/oci.js';

let first: RunningHaven;
let current: RunningHaven;
let dataDir: string;
/** This file tests uploads, not access: every request is the admin's, on whichever instance runs. */
const fetch: typeof globalThis.fetch = (input, init) => current.adminFetch(input, init);

before(async () => {
  first = await startHaven({ projects: ['restart'] });
  current = first;
  dataDir = first.dataDir;
});

after(async () => {
  // The restarted instance was given the directory, so it leaves it; the first one owns and removes it.
  if (current !== first) await current?.cleanup();
  await first?.cleanup();
});

/** Stops (gracefully, or with kill -9) the running Haven and starts a new one on the same data. */
async function restart(how: 'stop' | 'kill'): Promise<string> {
  const oldUrl = current.url;
  await (how === 'stop' ? current.stop() : current.kill());
  if (current !== first) await current.cleanup();
  current = await startHaven({ dataDir });
  assert.notEqual(current.url, oldUrl, 'the new instance listens on a new port');
  return current.url;
}

/** The same upload path on the (new) base URL. */
const on = (base: string, url: URL) => new URL(`${url.pathname}${url.search}`, base);

test('a chunked upload resumes after a graceful restart and completes with the right digest', async () => {
  const repo = 'restart/graceful';
  const b = randomBlob(1024 * 1024 + 333);
  const img = await pushImage(asAdmin(first), repo, 'before', 2);
  const url = await openUpload(asAdmin(first), repo);
  const cut = 700_001;
  const r = await patchChunk(asAdmin(current), url, b.bytes.subarray(0, cut), 0);
  assert.equal(r.status, 202);
  assert.equal(r.headers.get('range'), `0-${cut - 1}`);

  const base = await restart('stop');

  const st = await fetch(on(base, url));
  assert.equal(st.status, 204);
  assert.equal(st.headers.get('range'), `0-${cut - 1}`, 'same Range as before the restart');
  assert.ok(st.headers.get('location')?.endsWith(url.pathname));

  const p = await patchChunk(asAdmin(current), on(base, url), b.bytes.subarray(cut), cut);
  assert.equal(p.status, 202);
  assert.equal(p.headers.get('range'), `0-${b.size - 1}`);
  const fin = await fetch(withQuery(on(base, url), { digest: b.digest }), { method: 'PUT' });
  assert.equal(fin.status, 201, await fin.text());
  assert.equal(fin.headers.get('docker-content-digest'), b.digest);

  const got = await fetch(`${base}/v2/${repo}/blobs/${b.digest}`);
  assert.equal(got.status, 200);
  assert.equal(got.headers.get('docker-content-digest'), b.digest);
  const bytes = Buffer.from(await got.arrayBuffer());
  assert.equal(sha256(bytes), b.digest);
  assert.ok(bytes.equals(b.bytes));

  // What was committed before the restart is all still there.
  const m = await fetch(`${base}/v2/${repo}/manifests/before`);
  assert.equal(m.status, 200);
  assert.ok(Buffer.from(await m.arrayBuffer()).equals(img.manifest));
  for (const l of img.layers) {
    const lb = await fetch(`${base}/v2/${repo}/blobs/${l.digest}`);
    assert.ok(Buffer.from(await lb.arrayBuffer()).equals(l.bytes));
  }
});

test('after a restart a wrong digest is still caught (DIGEST_INVALID), and sha512 still verifies', async () => {
  const repo = 'restart/verify';
  const a = randomBlob(50_000);
  const c = randomBlob(40_000);
  const ua = await openUpload(asAdmin(current), repo);
  const uc = await openUpload(asAdmin(current), repo);
  assert.equal((await patchChunk(asAdmin(current), ua, a.bytes.subarray(0, 20_000), 0)).status, 202);
  assert.equal((await patchChunk(asAdmin(current), uc, c.bytes.subarray(0, 10_000), 0)).status, 202);

  const base = await restart('stop');

  const wrong = await fetch(withQuery(on(base, ua), { digest: sha256('not it') }), { method: 'PUT', body: body(a.bytes.subarray(20_000)) });
  await expectOciError(wrong, 400, 'DIGEST_INVALID');
  const h = await fetch(`${base}/v2/${repo}/blobs/${a.digest}`, { method: 'HEAD' });
  assert.equal(h.status, 404);

  const fin = await fetch(withQuery(on(base, uc), { digest: sha512(c.bytes) }), { method: 'PUT', body: body(c.bytes.subarray(10_000)) });
  assert.equal(fin.status, 201, await fin.text());
  const got = await fetch(`${base}/v2/${repo}/blobs/${sha512(c.bytes)}`);
  assert.ok(Buffer.from(await got.arrayBuffer()).equals(c.bytes));
});

test('an upload acknowledged before a kill -9 resumes at the acknowledged offset', async () => {
  const repo = 'restart/killed';
  const b = randomBlob(200_000);
  const url = await openUpload(asAdmin(current), repo);
  assert.equal((await patchChunk(asAdmin(current), url, b.bytes.subarray(0, 64_000), 0)).status, 202);
  assert.equal((await patchChunk(asAdmin(current), url, b.bytes.subarray(64_000, 128_000), 64_000)).status, 202);

  const base = await restart('kill');

  const st = await fetch(on(base, url));
  assert.equal(st.status, 204);
  assert.equal(st.headers.get('range'), '0-127999');
  const fin = await fetch(withQuery(on(base, url), { digest: b.digest }), { method: 'PUT', body: body(b.bytes.subarray(128_000)) });
  assert.equal(fin.status, 201, await fin.text());
  const got = await fetch(`${base}/v2/${repo}/blobs/${b.digest}`);
  assert.ok(Buffer.from(await got.arrayBuffer()).equals(b.bytes));
});

test('a cancelled upload stays cancelled across a restart', async () => {
  const repo = 'restart/cancelled';
  const url = await openUpload(asAdmin(current), repo);
  assert.equal((await patchChunk(asAdmin(current), url, Buffer.from('some bytes'), 0)).status, 202);
  assert.equal((await fetch(url, { method: 'DELETE' })).status, 204);
  const base = await restart('stop');
  await expectOciError(await fetch(on(base, url)), 404, 'BLOB_UPLOAD_UNKNOWN');
});

// Kept last: it stops the instance for good.
test('a graceful stop during a blob download lets the download finish, then exits promptly', async () => {
  const repo = 'restart/download';
  const b = randomBlob(32 * 1024 * 1024);
  const url = await openUpload(asAdmin(current), repo);
  assert.equal((await fetch(withQuery(url, { digest: b.digest }), { method: 'PUT', body: body(b.bytes) })).status, 201);

  const r = await fetch(`${current.url}/v2/${repo}/blobs/${b.digest}`);
  assert.equal(r.status, 200);
  const reader = r.body!.getReader();
  const chunks: Uint8Array[] = [];
  const first = await reader.read();
  assert.ok(!first.done);
  chunks.push(first.value);

  // SIGTERM while the response is still streaming (the client has read only the first chunk).
  const proc = current.proc;
  const exited = new Promise<void>((resolveExit) => proc.once('exit', () => resolveExit()));
  proc.kill('SIGTERM');
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
  }
  const got = Buffer.concat(chunks);
  assert.equal(got.length, b.size, 'the in-flight download is completed, not cut off');
  assert.equal(sha256(got), b.digest);

  // With the download done nothing is in flight: Haven must exit now, not when the idle
  // keep-alive connection times out (75 s).
  const outcome = await Promise.race([exited.then(() => 'exited' as const), new Promise<'stuck'>((r) => setTimeout(() => r('stuck'), 5000))]);
  if (outcome === 'stuck') await current.kill();
  assert.equal(outcome, 'exited', 'Haven still running 5 s after its last response finished (keep-alive connection kept open)');
});
