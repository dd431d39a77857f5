// End-to-end pulls over /v2: manifests by tag and digest (bytes verbatim), blobs, HTTP ranges.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useHaven } from './helpers/haven.js';
import {
  descriptor,
  emptyBlobDigest,
  expectOciError,
  mediaType,
  pushBlob,
  pushImage,
  putManifest,
  randomBlob,
  sha256,
  type Blob,
  asAdmin,
  type Registry,
} from './helpers/oci.js';

let base: string;
/** This file tests the registry itself, not who may use it: every request is the admin's. */
let reg: Registry;
let fetch: typeof globalThis.fetch;

useHaven({ projects: ['pull'] }, (h) => {
  base = h.url;
  reg = asAdmin(h);
  fetch = h.adminFetch;
});

describe('manifest pulls', () => {
  const repo = 'pull/manifests';
  let config: Blob;
  let layer: Blob;
  /** A valid OCI manifest with odd whitespace, key order and escapes: must come back byte for byte. */
  let odd: Buffer;
  let oddDigest: string;

  before(async () => {
    config = randomBlob(80);
    layer = randomBlob(300);
    await pushBlob(reg, repo, config.bytes);
    await pushBlob(reg, repo, layer.bytes);
    const text =
      '{\n\t"layers" :[ {"size":' +
      layer.size +
      ' ,  "digest":"' +
      layer.digest +
      '","mediaType":"application/vnd.oci.image.layer.v1.tar+gzip"}\n ],\r\n' +
      '  "annotations": {"z.last": "\\u00e9t\\u00e9 \\/ \u00e9t\u00e9", "a.first": "  spaced  "},\n' +
      '  "config":{"digest":"' +
      config.digest +
      '", "size":' +
      config.size +
      ', "mediaType":"application/vnd.oci.image.config.v1+json"},\n' +
      '   "mediaType":"application/vnd.oci.image.manifest.v1+json",   "schemaVersion":2   \n}\n\n';
    odd = Buffer.from(text, 'utf8');
    // Sanity: a canonical re-serialisation would differ, so byte equality really tests verbatim storage.
    assert.notDeepEqual(Buffer.from(JSON.stringify(JSON.parse(text))), odd);
    oddDigest = sha256(odd);
    const r = await putManifest(reg, repo, 'odd', odd);
    assert.equal(r.status, 201, await r.text());
    assert.equal(r.headers.get('docker-content-digest'), oddDigest);
  });

  for (const by of ['tag', 'digest'] as const) {
    test(`GET by ${by} returns the exact bytes with media type, digest and length headers`, async () => {
      const ref = by === 'tag' ? 'odd' : oddDigest;
      const r = await fetch(`${base}/v2/${repo}/manifests/${ref}`, { headers: { Accept: mediaType.ociManifest } });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), mediaType.ociManifest);
      assert.equal(r.headers.get('docker-content-digest'), oddDigest);
      assert.equal(r.headers.get('content-length'), String(odd.length));
      assert.equal(r.headers.get('docker-distribution-api-version'), 'registry/2.0');
      const got = Buffer.from(await r.arrayBuffer());
      assert.ok(got.equals(odd), 'manifest bytes are returned verbatim');
      assert.equal(sha256(got), oddDigest);
    });

    test(`HEAD by ${by} has the GET headers and no body`, async () => {
      const ref = by === 'tag' ? 'odd' : oddDigest;
      const r = await fetch(`${base}/v2/${repo}/manifests/${ref}`, { method: 'HEAD' });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), mediaType.ociManifest);
      assert.equal(r.headers.get('docker-content-digest'), oddDigest);
      assert.equal(r.headers.get('content-length'), String(odd.length));
      assert.equal((await r.arrayBuffer()).byteLength, 0);
    });
  }

  test('the stored media type is served, whatever the client accepts', async () => {
    const r = await fetch(`${base}/v2/${repo}/manifests/odd`, { headers: { Accept: mediaType.dockerManifest } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), mediaType.ociManifest);
    await r.arrayBuffer();
  });

  test('a Docker schema 2 manifest is served with its Docker media type', async () => {
    const cfg = randomBlob(40);
    const l = randomBlob(50);
    await pushBlob(reg, repo, cfg.bytes);
    await pushBlob(reg, repo, l.bytes);
    const m = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: mediaType.dockerManifest,
        config: { mediaType: mediaType.dockerConfig, size: cfg.size, digest: cfg.digest },
        layers: [{ mediaType: mediaType.dockerLayer, size: l.size, digest: l.digest }],
      }),
    );
    const put = await putManifest(reg, repo, 'docker', m, mediaType.dockerManifest);
    assert.equal(put.status, 201, await put.text());
    for (const ref of ['docker', sha256(m)]) {
      const r = await fetch(`${base}/v2/${repo}/manifests/${ref}`);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), mediaType.dockerManifest);
      assert.equal(r.headers.get('docker-content-digest'), sha256(m));
      assert.ok(Buffer.from(await r.arrayBuffer()).equals(m));
    }
  });

  test('a tag moved to another manifest serves the new one', async () => {
    const first = await pushImage(reg, repo, 'moving', 1);
    const second = await pushImage(reg, repo, 'moving', 1);
    assert.notEqual(first.digest, second.digest);
    const r = await fetch(`${base}/v2/${repo}/manifests/moving`);
    assert.equal(r.headers.get('docker-content-digest'), second.digest);
    assert.ok(Buffer.from(await r.arrayBuffer()).equals(second.manifest));
    // The old manifest is still there by digest.
    const old = await fetch(`${base}/v2/${repo}/manifests/${first.digest}`);
    assert.equal(old.status, 200);
    assert.ok(Buffer.from(await old.arrayBuffer()).equals(first.manifest));
  });

  test('If-None-Match with the current ETag answers 304', async () => {
    const r = await fetch(`${base}/v2/${repo}/manifests/odd`, { headers: { 'If-None-Match': `"${oddDigest}"` } });
    assert.equal(r.status, 304);
    assert.equal(r.headers.get('etag'), `"${oddDigest}"`);
  });

  test('unknown tag → 404 MANIFEST_UNKNOWN (GET), 404 without body (HEAD)', async () => {
    await expectOciError(await fetch(`${base}/v2/${repo}/manifests/nope`), 404, 'MANIFEST_UNKNOWN');
    const h = await fetch(`${base}/v2/${repo}/manifests/nope`, { method: 'HEAD' });
    assert.equal(h.status, 404);
    assert.equal((await h.arrayBuffer()).byteLength, 0);
  });

  test('unknown digest → 404 MANIFEST_UNKNOWN', async () => {
    const d = sha256('no such manifest');
    await expectOciError(await fetch(`${base}/v2/${repo}/manifests/${d}`), 404, 'MANIFEST_UNKNOWN');
    const h = await fetch(`${base}/v2/${repo}/manifests/${d}`, { method: 'HEAD' });
    assert.equal(h.status, 404);
  });

  test('a manifest of another repository is not served here', async () => {
    await expectOciError(await fetch(`${base}/v2/pull/other/manifests/${oddDigest}`), 404, ['MANIFEST_UNKNOWN', 'NAME_UNKNOWN']);
    await expectOciError(await fetch(`${base}/v2/pull/other/manifests/odd`), 404, ['MANIFEST_UNKNOWN', 'NAME_UNKNOWN']);
  });

  test('a reference that cannot be a tag is simply not found', async () => {
    await expectOciError(await fetch(`${base}/v2/${repo}/manifests/-leading-dash`), 404, 'MANIFEST_UNKNOWN');
    await expectOciError(await fetch(`${base}/v2/${repo}/manifests/${'t'.repeat(129)}`), 404, 'MANIFEST_UNKNOWN');
  });

  test('a malformed digest reference → 400 DIGEST_INVALID', async () => {
    await expectOciError(await fetch(`${base}/v2/${repo}/manifests/sha256:1234`), 400, 'DIGEST_INVALID');
  });
});

describe('blob pulls', () => {
  const repo = 'pull/blobs';
  const blob = randomBlob(100);

  before(async () => {
    await pushBlob(reg, repo, blob.bytes);
  });

  test('GET returns the bytes with Content-Length, ETag and Docker-Content-Digest', async () => {
    const r = await fetch(`${base}/v2/${repo}/blobs/${blob.digest}`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-length'), '100');
    assert.equal(r.headers.get('docker-content-digest'), blob.digest);
    assert.equal(r.headers.get('etag'), `"${blob.digest}"`);
    assert.equal(r.headers.get('docker-distribution-api-version'), 'registry/2.0');
    assert.ok(Buffer.from(await r.arrayBuffer()).equals(blob.bytes));
  });

  test('HEAD has the same headers and no body', async () => {
    const r = await fetch(`${base}/v2/${repo}/blobs/${blob.digest}`, { method: 'HEAD' });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-length'), '100');
    assert.equal(r.headers.get('docker-content-digest'), blob.digest);
    assert.equal(r.headers.get('etag'), `"${blob.digest}"`);
    assert.equal((await r.arrayBuffer()).byteLength, 0);
  });

  test('Range bytes=0-9 → 206 with the first ten bytes', async () => {
    const r = await fetch(`${base}/v2/${repo}/blobs/${blob.digest}`, { headers: { Range: 'bytes=0-9' } });
    assert.equal(r.status, 206);
    assert.equal(r.headers.get('content-range'), 'bytes 0-9/100');
    assert.equal(r.headers.get('content-length'), '10');
    assert.equal(r.headers.get('docker-content-digest'), blob.digest);
    assert.ok(Buffer.from(await r.arrayBuffer()).equals(blob.bytes.subarray(0, 10)));
  });

  test('Range bytes=10- → 206 with everything from byte 10', async () => {
    const r = await fetch(`${base}/v2/${repo}/blobs/${blob.digest}`, { headers: { Range: 'bytes=10-' } });
    assert.equal(r.status, 206);
    assert.equal(r.headers.get('content-range'), 'bytes 10-99/100');
    assert.equal(r.headers.get('content-length'), '90');
    assert.ok(Buffer.from(await r.arrayBuffer()).equals(blob.bytes.subarray(10)));
  });

  test('Range bytes=-5 → 206 with the last five bytes', async () => {
    const r = await fetch(`${base}/v2/${repo}/blobs/${blob.digest}`, { headers: { Range: 'bytes=-5' } });
    assert.equal(r.status, 206);
    assert.equal(r.headers.get('content-range'), 'bytes 95-99/100');
    assert.equal(r.headers.get('content-length'), '5');
    assert.ok(Buffer.from(await r.arrayBuffer()).equals(blob.bytes.subarray(95)));
  });

  test('a range whose end is past the blob is clipped to it', async () => {
    const r = await fetch(`${base}/v2/${repo}/blobs/${blob.digest}`, { headers: { Range: 'bytes=90-5000' } });
    assert.equal(r.status, 206);
    assert.equal(r.headers.get('content-range'), 'bytes 90-99/100');
    assert.ok(Buffer.from(await r.arrayBuffer()).equals(blob.bytes.subarray(90)));
  });

  test('a suffix longer than the blob returns all of it', async () => {
    const r = await fetch(`${base}/v2/${repo}/blobs/${blob.digest}`, { headers: { Range: 'bytes=-1000' } });
    assert.equal(r.status, 206);
    assert.equal(r.headers.get('content-range'), 'bytes 0-99/100');
    assert.ok(Buffer.from(await r.arrayBuffer()).equals(blob.bytes));
  });

  for (const range of ['bytes=100-', 'bytes=100-200', 'bytes=500-600', 'bytes=-0', 'bytes=20-10']) {
    test(`an unsatisfiable range (${range}) → 416 with Content-Range: bytes */size`, async () => {
      const r = await fetch(`${base}/v2/${repo}/blobs/${blob.digest}`, { headers: { Range: range } });
      assert.equal(r.headers.get('content-range'), 'bytes */100');
      await expectOciError(r, 416, ['BLOB_UPLOAD_INVALID', 'SIZE_INVALID', 'UNSUPPORTED']);
    });
  }

  test('a Range header in another unit is ignored: 200 with the whole blob', async () => {
    const r = await fetch(`${base}/v2/${repo}/blobs/${blob.digest}`, { headers: { Range: 'items=0-1' } });
    assert.equal(r.status, 200);
    assert.ok(Buffer.from(await r.arrayBuffer()).equals(blob.bytes));
  });

  test('a multi-megabyte blob comes back intact, and by range', async () => {
    const big = randomBlob(3 * 1024 * 1024 + 17);
    await pushBlob(reg, repo, big.bytes);
    const r = await fetch(`${base}/v2/${repo}/blobs/${big.digest}`);
    assert.equal(r.status, 200);
    const got = Buffer.from(await r.arrayBuffer());
    assert.equal(got.length, big.size);
    assert.equal(sha256(got), big.digest);
    const start = 2 * 1024 * 1024 - 3;
    const part = await fetch(`${base}/v2/${repo}/blobs/${big.digest}`, { headers: { Range: `bytes=${start}-${start + 99_999}` } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes ${start}-${start + 99_999}/${big.size}`);
    assert.ok(Buffer.from(await part.arrayBuffer()).equals(big.bytes.subarray(start, start + 100_000)));
  });

  test('the zero-length blob: 200, Content-Length 0', async () => {
    const d = await pushBlob(reg, repo, Buffer.alloc(0));
    assert.equal(d, emptyBlobDigest);
    const r = await fetch(`${base}/v2/${repo}/blobs/${d}`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-length'), '0');
    assert.equal(r.headers.get('docker-content-digest'), emptyBlobDigest);
    assert.equal((await r.arrayBuffer()).byteLength, 0);
    const h = await fetch(`${base}/v2/${repo}/blobs/${d}`, { method: 'HEAD' });
    assert.equal(h.status, 200);
    assert.equal(h.headers.get('content-length'), '0');
  });

  test('unknown blob → 404 BLOB_UNKNOWN (GET), 404 without body (HEAD)', async () => {
    const d = sha256('never pushed');
    await expectOciError(await fetch(`${base}/v2/${repo}/blobs/${d}`), 404, 'BLOB_UNKNOWN');
    const h = await fetch(`${base}/v2/${repo}/blobs/${d}`, { method: 'HEAD' });
    assert.equal(h.status, 404);
    assert.equal((await h.arrayBuffer()).byteLength, 0);
  });

  test('a blob pushed to another repository is not served here', async () => {
    await expectOciError(await fetch(`${base}/v2/pull/elsewhere/blobs/${blob.digest}`), 404, 'BLOB_UNKNOWN');
    const h = await fetch(`${base}/v2/pull/elsewhere/blobs/${blob.digest}`, { method: 'HEAD' });
    assert.equal(h.status, 404);
  });

  test('a malformed digest → 400 DIGEST_INVALID', async () => {
    await expectOciError(await fetch(`${base}/v2/${repo}/blobs/sha256:abc`), 400, 'DIGEST_INVALID');
    await expectOciError(await fetch(`${base}/v2/${repo}/blobs/notadigest`), 400, 'DIGEST_INVALID');
    await expectOciError(await fetch(`${base}/v2/${repo}/blobs/md5:${'0'.repeat(32)}`), 400, 'DIGEST_INVALID');
    await expectOciError(await fetch(`${base}/v2/${repo}/blobs/sha256:${'A'.repeat(64)}`), 400, 'DIGEST_INVALID');
  });

  test('a layer pulled through its manifest matches the manifest descriptor', async () => {
    const img = await pushImage(reg, repo, 'img', 2, 4096);
    const m = (await (await fetch(`${base}/v2/${repo}/manifests/img`)).json()) as { layers: Array<{ digest: string; size: number }> };
    for (const [i, l] of m.layers.entries()) {
      const r = await fetch(`${base}/v2/${repo}/blobs/${l.digest}`);
      const bytes = Buffer.from(await r.arrayBuffer());
      assert.equal(bytes.length, l.size);
      assert.ok(bytes.equals(img.layers[i]!.bytes));
      assert.deepEqual(descriptor(mediaType.ociLayer, bytes).digest, l.digest);
    }
  });
});
