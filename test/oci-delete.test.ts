// End-to-end content management over /v2: deleting manifests, tags and blobs, and what must survive.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useHaven } from './helpers/haven.js';
import {
  descriptor,
  expectOciError,
  json,
  mediaType,
  pushBlob,
  pushImage,
  putManifest,
  randomBlob,
  sha256,
  asAdmin,
  type Registry,
} from './helpers/oci.js';

let base: string;
/** This file tests the registry itself, not who may use it: every request is the admin's. */
let reg: Registry;
let fetch: typeof globalThis.fetch;

useHaven({ projects: ['del', 'share'] }, (h) => {
  base = h.url;
  reg = asAdmin(h);
  fetch = h.adminFetch;
});

const del = (path: string) => fetch(`${base}/v2/${path}`, { method: 'DELETE' });

async function status(path: string): Promise<number> {
  const r = await fetch(`${base}/v2/${path}`, { method: 'HEAD' });
  await r.arrayBuffer();
  return r.status;
}

async function tagsOf(repo: string): Promise<string[]> {
  const r = await fetch(`${base}/v2/${repo}/tags/list`);
  assert.equal(r.status, 200);
  return ((await r.json()) as { tags: string[] }).tags;
}

async function assertAccepted(r: Response): Promise<void> {
  assert.equal(r.status, 202, await r.text());
}

async function assertPullable(repo: string, ref: string, manifest: Buffer, layers: Array<{ digest: string; bytes: Buffer }> = []) {
  const r = await fetch(`${base}/v2/${repo}/manifests/${ref}`);
  assert.equal(r.status, 200, `manifest ${repo}:${ref}`);
  assert.ok(Buffer.from(await r.arrayBuffer()).equals(manifest));
  for (const l of layers) {
    const b = await fetch(`${base}/v2/${repo}/blobs/${l.digest}`);
    assert.equal(b.status, 200, `layer ${l.digest} in ${repo}`);
    assert.ok(Buffer.from(await b.arrayBuffer()).equals(l.bytes));
  }
}

describe('deleting manifests', () => {
  const repo = 'del/manifests';

  test('DELETE by digest → 202; the manifest and all its tags are gone', async () => {
    const img = await pushImage(reg, repo, 'one', 1);
    assert.equal((await putManifest(reg, repo, 'two', img.manifest)).status, 201);
    const keep = await pushImage(reg, repo, 'keep', 1);
    await assertAccepted(await del(`${repo}/manifests/${img.digest}`));
    await expectOciError(await fetch(`${base}/v2/${repo}/manifests/${img.digest}`), 404, 'MANIFEST_UNKNOWN');
    assert.equal(await status(`${repo}/manifests/${img.digest}`), 404);
    await expectOciError(await fetch(`${base}/v2/${repo}/manifests/one`), 404, 'MANIFEST_UNKNOWN');
    await expectOciError(await fetch(`${base}/v2/${repo}/manifests/two`), 404, 'MANIFEST_UNKNOWN');
    const tags = await tagsOf(repo);
    assert.ok(!tags.includes('one') && !tags.includes('two'), `tags after delete: ${tags.join(',')}`);
    assert.ok(tags.includes('keep'));
    await assertPullable(repo, 'keep', keep.manifest);
    // Its layers are still in the repository (unreferenced now), not deleted with it.
    assert.equal(await status(`${repo}/blobs/${img.layers[0]!.digest}`), 200);
    // A second delete is a 404.
    await expectOciError(await del(`${repo}/manifests/${img.digest}`), 404, 'MANIFEST_UNKNOWN');
  });

  test('DELETE by tag → 202; removes only the tag, the manifest stays pullable by digest and other tags', async () => {
    const img = await pushImage(reg, repo, 'tag-a', 1);
    assert.equal((await putManifest(reg, repo, 'tag-b', img.manifest)).status, 201);
    await assertAccepted(await del(`${repo}/manifests/tag-a`));
    await expectOciError(await fetch(`${base}/v2/${repo}/manifests/tag-a`), 404, 'MANIFEST_UNKNOWN');
    const tags = await tagsOf(repo);
    assert.ok(!tags.includes('tag-a'));
    assert.ok(tags.includes('tag-b'));
    await assertPullable(repo, img.digest, img.manifest, img.layers);
    await assertPullable(repo, 'tag-b', img.manifest);
    await expectOciError(await del(`${repo}/manifests/tag-a`), 404, 'MANIFEST_UNKNOWN');
  });

  test('a deleted tag can be pushed again', async () => {
    const img = await pushImage(reg, repo, 'again', 1);
    await assertAccepted(await del(`${repo}/manifests/again`));
    assert.equal((await putManifest(reg, repo, 'again', img.manifest)).status, 201);
    await assertPullable(repo, 'again', img.manifest);
  });

  test('a deleted manifest can be pushed again (its blobs are still there)', async () => {
    const img = await pushImage(reg, repo, 'reborn', 1);
    await assertAccepted(await del(`${repo}/manifests/${img.digest}`));
    assert.equal((await putManifest(reg, repo, 'reborn', img.manifest)).status, 201);
    await assertPullable(repo, 'reborn', img.manifest, img.layers);
  });

  test('unknown tag / digest → 404 MANIFEST_UNKNOWN; unknown repository → 404 NAME_UNKNOWN', async () => {
    await pushImage(reg, repo, 'exists', 1);
    await expectOciError(await del(`${repo}/manifests/never`), 404, 'MANIFEST_UNKNOWN');
    await expectOciError(await del(`${repo}/manifests/${sha256('never')}`), 404, 'MANIFEST_UNKNOWN');
    await expectOciError(await del(`del/no-such-repo/manifests/latest`), 404, 'NAME_UNKNOWN');
    await expectOciError(await del(`del/no-such-repo/manifests/${sha256('x')}`), 404, 'NAME_UNKNOWN');
    await expectOciError(await del(`${repo}/manifests/sha256:abc`), 400, 'DIGEST_INVALID');
  });

  test('a manifest listed by an index in the repository cannot be deleted (409 DENIED); both stay readable', async () => {
    const child = await pushImage(reg, repo, 'child', 1);
    const index = json({ schemaVersion: 2, mediaType: mediaType.ociIndex, manifests: [descriptor(mediaType.ociManifest, child.manifest)] });
    assert.equal((await putManifest(reg, repo, 'parent', index, mediaType.ociIndex)).status, 201);
    const refused = await del(`${repo}/manifests/${child.digest}`);
    const e = await expectOciError(refused, 409, 'DENIED');
    assert.match(e.message, new RegExp(sha256(index)));
    await assertPullable(repo, child.digest, child.manifest, child.layers);
    await assertPullable(repo, 'child', child.manifest);
    await assertPullable(repo, 'parent', index);
    await assertPullable(repo, sha256(index), index);
    // Untagging the child is fine (the index refers to it by digest).
    await assertAccepted(await del(`${repo}/manifests/child`));
    await assertPullable(repo, child.digest, child.manifest);
    // The index deleted, the untagged child it alone kept goes with it, as in Harbor.
    await assertAccepted(await del(`${repo}/manifests/${sha256(index)}`));
    assert.equal(await status(`${repo}/manifests/${child.digest}`), 404);
  });

  test('deleting an index keeps the children a tag or another index still holds', async () => {
    const tagged = await pushImage(reg, repo, 'tagged-child', 1);
    const shared = await pushImage(reg, repo, 'shared-child', 1);
    const lone = await pushImage(reg, repo, 'lone-child', 1);
    const list = (...ms: Buffer[]) => json({ schemaVersion: 2, mediaType: mediaType.ociIndex, manifests: ms.map((m) => descriptor(mediaType.ociManifest, m)) });
    const index = list(tagged.manifest, shared.manifest, lone.manifest);
    const other = list(shared.manifest);
    assert.equal((await putManifest(reg, repo, 'three', index, mediaType.ociIndex)).status, 201);
    assert.equal((await putManifest(reg, repo, 'other', other, mediaType.ociIndex)).status, 201);
    for (const t of ['shared-child', 'lone-child']) await assertAccepted(await del(`${repo}/manifests/${t}`));
    await assertAccepted(await del(`${repo}/manifests/${sha256(index)}`));
    await assertPullable(repo, 'tagged-child', tagged.manifest, tagged.layers);
    await assertPullable(repo, shared.digest, shared.manifest);
    assert.equal(await status(`${repo}/manifests/${lone.digest}`), 404);
  });

  test('an index in another repository does not pin a manifest here', async () => {
    const img = await pushImage(reg, repo, 'pinned-elsewhere', 1);
    const other = 'del/manifests-other';
    // Give the other repository the same manifest, and an index over it.
    for (const l of img.layers) await pushBlob(reg, other, l.bytes);
    const cfg = (JSON.parse(img.manifest.toString()) as { config: { digest: string } }).config.digest;
    const cfgBytes = Buffer.from(await (await fetch(`${base}/v2/${repo}/blobs/${cfg}`)).arrayBuffer());
    await pushBlob(reg, other, cfgBytes);
    assert.equal((await putManifest(reg, other, img.digest, img.manifest)).status, 201);
    const index = json({ schemaVersion: 2, mediaType: mediaType.ociIndex, manifests: [descriptor(mediaType.ociManifest, img.manifest)] });
    assert.equal((await putManifest(reg, other, 'idx', index, mediaType.ociIndex)).status, 201);
    await assertAccepted(await del(`${repo}/manifests/${img.digest}`));
    await assertPullable(other, img.digest, img.manifest, img.layers);
    await assertPullable(other, 'idx', index);
  });
});

describe('deleting blobs', () => {
  const repo = 'del/blobs';

  test('DELETE an unreferenced blob → 202, then 404 BLOB_UNKNOWN', async () => {
    const b = randomBlob(100);
    await pushBlob(reg, repo, b.bytes);
    const r = await del(`${repo}/blobs/${b.digest}`);
    assert.equal(r.status, 202);
    assert.equal(await status(`${repo}/blobs/${b.digest}`), 404);
    await expectOciError(await fetch(`${base}/v2/${repo}/blobs/${b.digest}`), 404, 'BLOB_UNKNOWN');
    await expectOciError(await del(`${repo}/blobs/${b.digest}`), 404, 'BLOB_UNKNOWN');
  });

  test('DELETE a blob no repository here holds → 404; unknown repository → 404 NAME_UNKNOWN; bad digest → 400', async () => {
    await pushBlob(reg, repo, randomBlob(5).bytes);
    await expectOciError(await del(`${repo}/blobs/${sha256('absent')}`), 404, 'BLOB_UNKNOWN');
    await expectOciError(await del(`del/none/blobs/${sha256('absent')}`), 404, 'NAME_UNKNOWN');
    await expectOciError(await del(`${repo}/blobs/sha256:abc`), 400, 'DIGEST_INVALID');
  });

  test('a blob a manifest references cannot be deleted (409 DENIED); the manifest stays pullable', async () => {
    const img = await pushImage(reg, repo, 'uses-blobs', 2);
    const manifest = JSON.parse(img.manifest.toString()) as { config: { digest: string } };
    for (const d of [img.layers[0]!.digest, img.layers[1]!.digest, manifest.config.digest]) {
      const e = await expectOciError(await del(`${repo}/blobs/${d}`), 409, 'DENIED', d);
      assert.match(e.message, new RegExp(img.digest));
      assert.equal(await status(`${repo}/blobs/${d}`), 200);
    }
    await assertPullable(repo, 'uses-blobs', img.manifest, img.layers);
    // After the manifest is gone, the blobs may go (another manifest keeps the repository).
    await pushImage(reg, repo, 'keeps-repository', 1);
    await assertAccepted(await del(`${repo}/manifests/${img.digest}`));
    for (const l of img.layers) assert.equal((await del(`${repo}/blobs/${l.digest}`)).status, 202);
    assert.equal((await del(`${repo}/blobs/${manifest.config.digest}`)).status, 202);
    assert.equal(await status(`${repo}/blobs/${img.layers[0]!.digest}`), 404);
  });

  test('only untagging does not free the blobs: the manifest still exists by digest', async () => {
    const img = await pushImage(reg, repo, 'untag-only', 1);
    await assertAccepted(await del(`${repo}/manifests/untag-only`));
    await expectOciError(await del(`${repo}/blobs/${img.layers[0]!.digest}`), 409, 'DENIED');
  });

  test('a deleted blob can be pushed again', async () => {
    const b = randomBlob(64);
    await pushBlob(reg, repo, b.bytes);
    assert.equal((await del(`${repo}/blobs/${b.digest}`)).status, 202);
    await pushBlob(reg, repo, b.bytes);
    const r = await fetch(`${base}/v2/${repo}/blobs/${b.digest}`);
    assert.equal(r.status, 200);
    assert.ok(Buffer.from(await r.arrayBuffer()).equals(b.bytes));
  });
});

describe('repositories sharing content', () => {
  test('deleting a shared blob in one repository leaves the other one intact', async () => {
    const b = randomBlob(4096);
    await pushBlob(reg, 'share/one', b.bytes);
    await pushBlob(reg, 'share/two', b.bytes);
    assert.equal((await del(`share/one/blobs/${b.digest}`)).status, 202);
    assert.equal(await status(`share/one/blobs/${b.digest}`), 404);
    const h = await fetch(`${base}/v2/share/two/blobs/${b.digest}`, { method: 'HEAD' });
    assert.equal(h.status, 200);
    assert.equal(h.headers.get('content-length'), '4096');
    const g = await fetch(`${base}/v2/share/two/blobs/${b.digest}`);
    assert.equal(g.status, 200);
    assert.ok(Buffer.from(await g.arrayBuffer()).equals(b.bytes));
  });

  test('a mounted blob deleted at its source stays in the mounting repository', async () => {
    const b = randomBlob(2048);
    await pushBlob(reg, 'share/src', b.bytes);
    const m = await fetch(`${base}/v2/share/dst/blobs/uploads/?mount=${b.digest}&from=share/src`, { method: 'POST' });
    assert.equal(m.status, 201);
    assert.equal((await del(`share/src/blobs/${b.digest}`)).status, 202);
    assert.equal(await status(`share/src/blobs/${b.digest}`), 404);
    assert.equal(await status(`share/dst/blobs/${b.digest}`), 200);
    const g = await fetch(`${base}/v2/share/dst/blobs/${b.digest}`);
    assert.ok(Buffer.from(await g.arrayBuffer()).equals(b.bytes));
  });

  test('deleting an image (manifest, then its blobs) in one repository leaves the same image in another pullable', async () => {
    const img = await pushImage(reg, 'share/img-a', 'v1', 2, 2048);
    const manifest = JSON.parse(img.manifest.toString()) as { config: { digest: string } };
    const cfgBytes = Buffer.from(await (await fetch(`${base}/v2/share/img-a/blobs/${manifest.config.digest}`)).arrayBuffer());
    // The same image in a second repository: layers by mount, config pushed again.
    for (const l of img.layers) {
      const r = await fetch(`${base}/v2/share/img-b/blobs/uploads/?mount=${l.digest}&from=share/img-a`, { method: 'POST' });
      assert.equal(r.status, 201);
    }
    await pushBlob(reg, 'share/img-b', cfgBytes);
    assert.equal((await putManifest(reg, 'share/img-b', 'v1', img.manifest)).status, 201);

    // Its last manifest gone, share/img-a disappears with its blob links, as in Harbor.
    await assertAccepted(await del(`share/img-a/manifests/${img.digest}`));
    for (const d of [...img.layers.map((l) => l.digest), manifest.config.digest]) {
      await expectOciError(await del(`share/img-a/blobs/${d}`), 404, 'NAME_UNKNOWN');
      assert.equal(await status(`share/img-a/blobs/${d}`), 404);
    }
    await expectOciError(await fetch(`${base}/v2/share/img-a/tags/list`), 404, 'NAME_UNKNOWN');
    await assertPullable('share/img-b', 'v1', img.manifest, img.layers);
    await assertPullable('share/img-b', img.digest, img.manifest);
    const cfg = await fetch(`${base}/v2/share/img-b/blobs/${manifest.config.digest}`);
    assert.ok(Buffer.from(await cfg.arrayBuffer()).equals(cfgBytes));
  });

  test('deleting a tag in one repository does not touch the same tag elsewhere', async () => {
    const a = await pushImage(reg, 'share/tag-a', 'same', 1);
    const b = await pushImage(reg, 'share/tag-b', 'same', 1);
    await assertAccepted(await del('share/tag-a/manifests/same'));
    await assertPullable('share/tag-b', 'same', b.manifest);
    await assertPullable('share/tag-a', a.digest, a.manifest);
  });
});
