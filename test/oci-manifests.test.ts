// End-to-end manifest pushes over /v2: every supported type, and every way a push is refused.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { useHaven } from './helpers/haven.js';
import {
  descriptor,
  emptyJson,
  emptyJsonDigest,
  expectOciError,
  json,
  mediaType,
  pushBlob,
  pushImage,
  putManifest,
  randomBlob,
  resolveLocation,
  sha256,
  sha512,
  type Blob,
  asAdmin,
  type Registry,
} from './helpers/oci.js';

let base: string;
/** This file tests the registry itself, not who may use it: every request is the admin's. */
let reg: Registry;
let fetch: typeof globalThis.fetch;

useHaven({ projects: ['man'] }, (h) => {
  base = h.url;
  reg = asAdmin(h);
  fetch = h.adminFetch;
});

/** Asserts a 201 manifest push and returns the digest. */
async function assertPushed(r: Response, repo: string, content: Buffer, digest = sha256(content)): Promise<string> {
  const text = await r.text();
  assert.equal(r.status, 201, text);
  assert.equal(r.headers.get('docker-content-digest'), digest);
  assert.equal(resolveLocation(base, r.headers.get('location')).pathname, `/v2/${repo}/manifests/${digest}`);
  return digest;
}

async function assertServed(repo: string, reference: string, content: Buffer, type: string): Promise<void> {
  const r = await fetch(`${base}/v2/${repo}/manifests/${reference}`);
  assert.equal(r.status, 200, `GET ${repo}:${reference}`);
  assert.equal(r.headers.get('content-type'), type);
  const digest = r.headers.get('docker-content-digest') ?? '';
  assert.equal(digest, reference.startsWith('sha512:') ? sha512(content) : sha256(content));
  assert.ok(Buffer.from(await r.arrayBuffer()).equals(content), 'verbatim bytes');
}

async function manifestStatus(repo: string, reference: string): Promise<number> {
  const r = await fetch(`${base}/v2/${repo}/manifests/${reference}`, { method: 'HEAD' });
  await r.arrayBuffer();
  return r.status;
}

async function tagsOf(repo: string): Promise<string[] | null> {
  const r = await fetch(`${base}/v2/${repo}/tags/list`);
  if (r.status === 404) {
    await r.arrayBuffer();
    return null;
  }
  return ((await r.json()) as { tags: string[] }).tags;
}

async function pushBlobs(repo: string, ...blobs: Blob[]): Promise<void> {
  for (const b of blobs) await pushBlob(reg, repo, b.bytes);
}

describe('manifest types', () => {
  const repo = 'man/types';

  test('Docker schema 2 image manifest', async () => {
    const cfg = randomBlob(120);
    const l1 = randomBlob(400);
    const l2 = randomBlob(401);
    await pushBlobs(repo, cfg, l1, l2);
    const m = json({
      schemaVersion: 2,
      mediaType: mediaType.dockerManifest,
      config: { mediaType: mediaType.dockerConfig, size: cfg.size, digest: cfg.digest },
      layers: [
        { mediaType: mediaType.dockerLayer, size: l1.size, digest: l1.digest },
        { mediaType: mediaType.dockerLayer, size: l2.size, digest: l2.digest },
      ],
    });
    const d = await assertPushed(await putManifest(reg, repo, 'docker-v2', m, mediaType.dockerManifest), repo, m);
    await assertServed(repo, 'docker-v2', m, mediaType.dockerManifest);
    await assertServed(repo, d, m, mediaType.dockerManifest);
  });

  test('Docker schema 2 with a foreign layer the registry does not hold', async () => {
    const cfg = randomBlob(30);
    await pushBlobs(repo, cfg);
    const m = json({
      schemaVersion: 2,
      mediaType: mediaType.dockerManifest,
      config: { mediaType: mediaType.dockerConfig, size: cfg.size, digest: cfg.digest },
      layers: [
        {
          mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
          size: 1000,
          digest: sha256('a windows base layer'),
          urls: ['https://example.invalid/layer'],
        },
      ],
    });
    await assertPushed(await putManifest(reg, repo, 'foreign', m, mediaType.dockerManifest), repo, m);
    await assertServed(repo, 'foreign', m, mediaType.dockerManifest);
  });

  test('Docker manifest list over two Docker manifests', async () => {
    const children: Array<{ arch: string; manifest: Buffer }> = [];
    for (const arch of ['amd64', 'arm64']) {
      const cfg = randomBlob(60);
      const l = randomBlob(70);
      await pushBlobs(repo, cfg, l);
      const m = json({
        schemaVersion: 2,
        mediaType: mediaType.dockerManifest,
        config: { mediaType: mediaType.dockerConfig, size: cfg.size, digest: cfg.digest },
        layers: [{ mediaType: mediaType.dockerLayer, size: l.size, digest: l.digest }],
      });
      await assertPushed(await putManifest(reg, repo, sha256(m), m, mediaType.dockerManifest), repo, m);
      children.push({ arch, manifest: m });
    }
    const list = json({
      schemaVersion: 2,
      mediaType: mediaType.dockerManifestList,
      manifests: children.map((c) =>
        descriptor(mediaType.dockerManifest, c.manifest, { platform: { architecture: c.arch, os: 'linux' } }),
      ),
    });
    const d = await assertPushed(await putManifest(reg, repo, 'docker-list', list, mediaType.dockerManifestList), repo, list);
    await assertServed(repo, 'docker-list', list, mediaType.dockerManifestList);
    await assertServed(repo, d, list, mediaType.dockerManifestList);
    // The children were pushed by digest only: they are not tags.
    const tags = await tagsOf(repo);
    for (const c of children) assert.ok(!tags!.includes(sha256(c.manifest)));
    await assertServed(repo, sha256(children[0]!.manifest), children[0]!.manifest, mediaType.dockerManifest);
  });

  test('OCI image manifest (with annotations) and OCI index', async () => {
    const cfg = randomBlob(50);
    const l = randomBlob(500);
    await pushBlobs(repo, cfg, l);
    const m = json({
      schemaVersion: 2,
      mediaType: mediaType.ociManifest,
      config: descriptor(mediaType.ociConfig, cfg.bytes),
      layers: [descriptor(mediaType.ociLayer, l.bytes)],
      annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' },
    });
    const md = await assertPushed(await putManifest(reg, repo, 'oci-image', m), repo, m);
    await assertServed(repo, 'oci-image', m, mediaType.ociManifest);

    const index = json({
      schemaVersion: 2,
      mediaType: mediaType.ociIndex,
      manifests: [{ mediaType: mediaType.ociManifest, digest: md, size: m.length, platform: { architecture: 'amd64', os: 'linux' } }],
      annotations: { 'org.example': 'yes' },
    });
    const id = await assertPushed(await putManifest(reg, repo, 'oci-index', index, mediaType.ociIndex), repo, index);
    await assertServed(repo, 'oci-index', index, mediaType.ociIndex);
    await assertServed(repo, id, index, mediaType.ociIndex);
  });

  test('an OCI index may list an index (nested)', async () => {
    const img = await pushImage(reg, repo, 'nested-leaf', 1);
    const inner = json({ schemaVersion: 2, mediaType: mediaType.ociIndex, manifests: [descriptor(mediaType.ociManifest, img.manifest)] });
    await assertPushed(await putManifest(reg, repo, sha256(inner), inner, mediaType.ociIndex), repo, inner);
    const outer = json({ schemaVersion: 2, mediaType: mediaType.ociIndex, manifests: [descriptor(mediaType.ociIndex, inner)] });
    await assertPushed(await putManifest(reg, repo, 'nested', outer, mediaType.ociIndex), repo, outer);
    await assertServed(repo, 'nested', outer, mediaType.ociIndex);
  });

  test('OCI artifact: artifactType with the empty config {}', async () => {
    const emptyDigest = await pushBlob(reg, repo, emptyJson);
    assert.equal(emptyDigest, emptyJsonDigest);
    const payload = randomBlob(256);
    await pushBlobs(repo, payload);
    const m = json({
      schemaVersion: 2,
      mediaType: mediaType.ociManifest,
      artifactType: 'application/vnd.example.sbom.v1+json',
      config: { mediaType: mediaType.ociEmpty, digest: emptyJsonDigest, size: 2 },
      layers: [{ mediaType: 'application/vnd.example.sbom.layer.v1+json', digest: payload.digest, size: payload.size }],
      annotations: { 'org.opencontainers.image.title': 'sbom.json' },
    });
    await assertPushed(await putManifest(reg, repo, 'sbom', m), repo, m);
    await assertServed(repo, 'sbom', m, mediaType.ociManifest);
    // The empty blob itself is pullable: exactly the two bytes "{}".
    const r = await fetch(`${base}/v2/${repo}/blobs/${emptyJsonDigest}`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-length'), '2');
    assert.equal(Buffer.from(await r.arrayBuffer()).toString(), '{}');
  });

  test('OCI artifact whose only layer is the empty blob too', async () => {
    await pushBlob(reg, repo, emptyJson);
    const m = json({
      schemaVersion: 2,
      mediaType: mediaType.ociManifest,
      artifactType: 'application/vnd.example.signature.v1',
      config: { mediaType: mediaType.ociEmpty, digest: emptyJsonDigest, size: 2 },
      layers: [{ mediaType: mediaType.ociEmpty, digest: emptyJsonDigest, size: 2 }],
    });
    await assertPushed(await putManifest(reg, repo, 'sig-only', m), repo, m);
  });

  test('a manifest without a mediaType field takes the Content-Type it was pushed with', async () => {
    const cfg = randomBlob(20);
    await pushBlobs(repo, cfg);
    const m = json({ schemaVersion: 2, config: descriptor(mediaType.ociConfig, cfg.bytes), layers: [] });
    await assertPushed(await putManifest(reg, repo, 'no-media-type', m, mediaType.ociManifest), repo, m);
    await assertServed(repo, 'no-media-type', m, mediaType.ociManifest);
  });

  test('Content-Type parameters (charset) are tolerated', async () => {
    const cfg = randomBlob(21);
    await pushBlobs(repo, cfg);
    const m = json({ schemaVersion: 2, mediaType: mediaType.ociManifest, config: descriptor(mediaType.ociConfig, cfg.bytes), layers: [] });
    await assertPushed(await putManifest(reg, repo, 'charset', m, `${mediaType.ociManifest}; charset=utf-8`), repo, m);
    await assertServed(repo, 'charset', m, mediaType.ociManifest);
  });

  test('PUT by digest stores the manifest without a tag', async () => {
    const cfg = randomBlob(22);
    await pushBlobs(repo, cfg);
    const m = json({ schemaVersion: 2, mediaType: mediaType.ociManifest, config: descriptor(mediaType.ociConfig, cfg.bytes), layers: [] });
    const d = await assertPushed(await putManifest(reg, repo, sha256(m), m), repo, m);
    await assertServed(repo, d, m, mediaType.ociManifest);
    assert.ok(!(await tagsOf(repo))!.includes(d));
  });

  test('PUT by a sha512 digest stores the manifest under that digest', async () => {
    const cfg = randomBlob(23);
    await pushBlobs(repo, cfg);
    const m = json({ schemaVersion: 2, mediaType: mediaType.ociManifest, config: descriptor(mediaType.ociConfig, cfg.bytes), layers: [] });
    const d = sha512(m);
    await assertPushed(await putManifest(reg, repo, d, m), repo, m, d);
    const r = await fetch(`${base}/v2/${repo}/manifests/${d}`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('docker-content-digest'), d);
    assert.ok(Buffer.from(await r.arrayBuffer()).equals(m));
  });

  test('a manifest listing the same layer twice is accepted', async () => {
    const cfg = randomBlob(25);
    const l = randomBlob(26);
    await pushBlobs(repo, cfg, l);
    const m = json({
      schemaVersion: 2,
      mediaType: mediaType.ociManifest,
      config: descriptor(mediaType.ociConfig, cfg.bytes),
      layers: [descriptor(mediaType.ociLayer, l.bytes), descriptor(mediaType.ociLayer, l.bytes)],
    });
    await assertPushed(await putManifest(reg, repo, 'dup-layer', m), repo, m);
    await assertServed(repo, 'dup-layer', m, mediaType.ociManifest);
  });

  test('pushing the same manifest twice is idempotent, and re-tagging moves the tag', async () => {
    const a = await pushImage(reg, repo, 'again', 1);
    const r = await putManifest(reg, repo, 'again', a.manifest);
    await assertPushed(r, repo, a.manifest);
    const b = await pushImage(reg, repo, 'again', 1);
    const got = await fetch(`${base}/v2/${repo}/manifests/again`);
    assert.equal(got.headers.get('docker-content-digest'), b.digest);
    await got.arrayBuffer();
  });

  test('tags may use the full tag grammar (128 chars, dots, dashes, underscores, capitals)', async () => {
    const img = await pushImage(reg, repo, 'grammar-base', 1);
    for (const tag of ['_under', 'V1.2.3-rc_1', 'x'.repeat(128), '0']) {
      await assertPushed(await putManifest(reg, repo, tag, img.manifest), repo, img.manifest);
      assert.equal(await manifestStatus(repo, tag), 200, tag);
    }
  });

  test('a manifest over 4 MiB with a Content-Length → 413', async () => {
    const big = Buffer.alloc(4 * 1024 * 1024 + 1, 0x20);
    big.write('{"schemaVersion":2}');
    const r = await putManifest(reg, repo, 'too-big', big);
    assert.equal(r.headers.get('docker-distribution-api-version'), 'registry/2.0');
    await expectOciError(r, 413, ['SIZE_INVALID', 'MANIFEST_INVALID']);
    assert.equal(await manifestStatus(repo, 'too-big'), 404);
  });

  test('a manifest over 4 MiB sent chunked (no Content-Length) → 413', async () => {
    const part = Buffer.alloc(1024 * 1024, 0x20);
    const stream = Readable.toWeb(Readable.from([part, part, part, part, Buffer.from('{}')])) as ReadableStream<Uint8Array>;
    const r = await fetch(`${base}/v2/${repo}/manifests/too-big-chunked`, {
      method: 'PUT',
      headers: { 'Content-Type': mediaType.ociManifest },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    await expectOciError(r, 413, ['SIZE_INVALID', 'MANIFEST_INVALID']);
    assert.equal(await manifestStatus(repo, 'too-big-chunked'), 404);
  });

  test('a manifest of exactly 4 MiB is accepted', async () => {
    const cfg = randomBlob(24);
    await pushBlobs(repo, cfg);
    const skeleton = { schemaVersion: 2, mediaType: mediaType.ociManifest, config: descriptor(mediaType.ociConfig, cfg.bytes), layers: [], annotations: { pad: '' } };
    const pad = 4 * 1024 * 1024 - json(skeleton).length;
    skeleton.annotations.pad = 'p'.repeat(pad);
    const m = json(skeleton);
    assert.equal(m.length, 4 * 1024 * 1024);
    await assertPushed(await putManifest(reg, repo, 'exactly-4mib', m), repo, m);
    await assertServed(repo, 'exactly-4mib', m, mediaType.ociManifest);
  });
});

describe('refused manifest pushes', () => {
  const repo = 'man/refused';
  let cfg: Blob;
  let layer: Blob;

  before(async () => {
    cfg = randomBlob(40);
    layer = randomBlob(41);
    await pushBlobs(repo, cfg, layer);
  });

  const image = (c: { digest: string; size: number }, ls: Array<{ digest: string; size: number }>) =>
    json({
      schemaVersion: 2,
      mediaType: mediaType.ociManifest,
      config: { mediaType: mediaType.ociConfig, digest: c.digest, size: c.size },
      layers: ls.map((l) => ({ mediaType: mediaType.ociLayer, digest: l.digest, size: l.size })),
    });

  test('a missing layer → 404 MANIFEST_BLOB_UNKNOWN and nothing is stored', async () => {
    const ghost = randomBlob(10);
    const m = image(cfg, [layer, ghost]);
    await expectOciError(await putManifest(reg, repo, 'missing-layer', m), 404, 'MANIFEST_BLOB_UNKNOWN');
    assert.equal(await manifestStatus(repo, 'missing-layer'), 404);
    assert.equal(await manifestStatus(repo, sha256(m)), 404);
    assert.ok(!((await tagsOf(repo)) ?? []).includes('missing-layer'));
  });

  test('a missing config → 404 MANIFEST_BLOB_UNKNOWN', async () => {
    const m = image(randomBlob(10), [layer]);
    await expectOciError(await putManifest(reg, repo, 'missing-config', m), 404, 'MANIFEST_BLOB_UNKNOWN');
    assert.equal(await manifestStatus(repo, sha256(m)), 404);
  });

  test('a blob held only by another repository → 404 MANIFEST_BLOB_UNKNOWN', async () => {
    const foreign = randomBlob(33);
    await pushBlob(reg, 'man/other', foreign.bytes);
    const m = image(cfg, [foreign]);
    await expectOciError(await putManifest(reg, repo, 'foreign-blob', m), 404, 'MANIFEST_BLOB_UNKNOWN');
    assert.equal(await manifestStatus(repo, 'foreign-blob'), 404);
  });

  test('a missing blob pushed by digest leaves the repository empty of it', async () => {
    const m = image(cfg, [randomBlob(5)]);
    await expectOciError(await putManifest(reg, 'man/refused-fresh', sha256(m), m), 404, 'MANIFEST_BLOB_UNKNOWN');
    assert.equal(await manifestStatus('man/refused-fresh', sha256(m)), 404);
  });

  test('an index listing a missing manifest → 404 MANIFEST_BLOB_UNKNOWN', async () => {
    const real = image(cfg, [layer]);
    await assertPushed(await putManifest(reg, repo, sha256(real), real), repo, real);
    const missing = image(cfg, []);
    const index = json({
      schemaVersion: 2,
      mediaType: mediaType.ociIndex,
      manifests: [descriptor(mediaType.ociManifest, real), descriptor(mediaType.ociManifest, missing)],
    });
    await expectOciError(await putManifest(reg, repo, 'bad-index', index, mediaType.ociIndex), 404, 'MANIFEST_BLOB_UNKNOWN');
    assert.equal(await manifestStatus(repo, 'bad-index'), 404);
    assert.equal(await manifestStatus(repo, sha256(index)), 404);
  });

  test('a Docker manifest list listing a missing manifest → 404 MANIFEST_BLOB_UNKNOWN', async () => {
    const list = json({
      schemaVersion: 2,
      mediaType: mediaType.dockerManifestList,
      manifests: [{ mediaType: mediaType.dockerManifest, digest: sha256('nope'), size: 10, platform: { architecture: 'amd64', os: 'linux' } }],
    });
    await expectOciError(await putManifest(reg, repo, 'bad-list', list, mediaType.dockerManifestList), 404, 'MANIFEST_BLOB_UNKNOWN');
  });

  test('an index listing a manifest only another repository holds → 404 MANIFEST_BLOB_UNKNOWN', async () => {
    const other = await pushImage(reg, 'man/other-index-child', 'x', 1);
    const index = json({ schemaVersion: 2, mediaType: mediaType.ociIndex, manifests: [descriptor(mediaType.ociManifest, other.manifest)] });
    await expectOciError(await putManifest(reg, repo, 'cross-index', index, mediaType.ociIndex), 404, 'MANIFEST_BLOB_UNKNOWN');
  });

  const invalidBodies: Array<[string, string | Buffer, string?]> = [
    ['malformed JSON', '{"schemaVersion": 2, "config": '],
    ['not JSON at all', 'hello world'],
    ['an empty body', ''],
    ['a JSON array', '[]'],
    ['a JSON string', '"manifest"'],
    ['schemaVersion 1', '{"schemaVersion":1,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"a","digest":"sha256:' + '0'.repeat(64) + '","size":1},"layers":[]}'],
    ['no config', '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}'],
    ['no layers', '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"a","digest":"sha256:' + '0'.repeat(64) + '","size":1}}'],
    ['a descriptor with a malformed digest', '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"a","digest":"sha256:nope","size":1},"layers":[]}'],
    ['a negative size', '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"a","digest":"sha256:' + '0'.repeat(64) + '","size":-1},"layers":[]}'],
    ['mediaType not a string', '{"schemaVersion":2,"mediaType":7,"config":{"mediaType":"a","digest":"sha256:' + '0'.repeat(64) + '","size":1},"layers":[]}'],
    ['a subject with a malformed digest', '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"a","digest":"sha256:' + '0'.repeat(64) + '","size":1},"layers":[],"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:12","size":3}}'],
    ['an index without manifests', '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json"}', mediaType.ociIndex],
    ['an unsupported media type', '{"schemaVersion":2,"mediaType":"application/vnd.example.thing+json"}', 'application/vnd.example.thing+json'],
  ];
  for (const [what, content, type] of invalidBodies) {
    test(`${what} → 400 MANIFEST_INVALID`, async () => {
      const r = await putManifest(reg, repo, 'invalid', Buffer.from(content), type ?? mediaType.ociManifest);
      await expectOciError(r, 400, 'MANIFEST_INVALID');
      assert.equal(await manifestStatus(repo, 'invalid'), 404);
    });
  }

  test('Content-Type not matching the mediaType field → 400 MANIFEST_INVALID', async () => {
    const m = image(cfg, [layer]);
    for (const type of [mediaType.dockerManifest, mediaType.ociIndex, 'application/json']) {
      await expectOciError(await putManifest(reg, repo, 'mismatch', m, type), 400, 'MANIFEST_INVALID', type);
    }
    assert.equal(await manifestStatus(repo, 'mismatch'), 404);
    // An index body labelled as an image manifest, too.
    const real = image(cfg, [layer]);
    await assertPushed(await putManifest(reg, repo, sha256(real), real), repo, real);
    const index = json({ schemaVersion: 2, mediaType: mediaType.ociIndex, manifests: [descriptor(mediaType.ociManifest, real)] });
    await expectOciError(await putManifest(reg, repo, 'mismatch', index, mediaType.ociManifest), 400, 'MANIFEST_INVALID');
  });

  test('PUT by digest with a digest that is not the body\'s → 400 DIGEST_INVALID and nothing stored', async () => {
    const m = image(cfg, [layer]);
    const wrong = sha256('other bytes');
    await expectOciError(await putManifest(reg, repo, wrong, m), 400, 'DIGEST_INVALID');
    assert.equal(await manifestStatus(repo, wrong), 404);
    const fresh = image(cfg, [layer, layer]);
    await expectOciError(await putManifest(reg, repo, sha256('x'), fresh), 400, 'DIGEST_INVALID');
    assert.equal(await manifestStatus(repo, sha256(fresh)), 404);
    // A sha512 reference is checked against the sha512 of the body.
    await expectOciError(await putManifest(reg, repo, sha512('other bytes'), fresh), 400, 'DIGEST_INVALID');
    assert.equal(await manifestStatus(repo, sha512(fresh)), 404);
  });

  test('PUT by a malformed digest → 400 DIGEST_INVALID', async () => {
    const m = image(cfg, [layer]);
    for (const ref of ['sha256:abc', 'md5:d41d8cd98f00b204e9800998ecf8427e', `sha256:${'Z'.repeat(64)}`]) {
      await expectOciError(await putManifest(reg, repo, ref, m), 400, 'DIGEST_INVALID', ref);
    }
  });

  test('PUT with an invalid tag → 400 MANIFEST_INVALID', async () => {
    const m = image(cfg, [layer]);
    for (const tag of ['-dash', '.dot', 'x'.repeat(129), 'a%2Bb']) {
      await expectOciError(await putManifest(reg, repo, tag, m), 400, ['MANIFEST_INVALID', 'NAME_INVALID'], tag);
    }
  });
});
