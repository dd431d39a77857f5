import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseManifest } from './manifest.js';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const image = {
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: d('a'), size: 2 },
  layers: [
    { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d('b'), size: 3 },
    { mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', digest: d('c'), size: 4, urls: ['https://x'] },
  ],
};
const buf = (o: unknown) => Buffer.from(JSON.stringify(o));
const code = (c: string) => (e: { code?: string }) => e.code === c;

test('an image manifest references its config and distributable layers', () => {
  const p = parseManifest(buf(image), image.mediaType);
  assert.deepEqual(p.blobs.map((b) => b.digest), [d('a'), d('b')]);
  assert.equal(p.artifactType, 'application/vnd.oci.image.config.v1+json');
  assert.equal(p.subject, null);
});

test('artifactType and subject are read', () => {
  const p = parseManifest(buf({ ...image, artifactType: 'application/x.sig', subject: { mediaType: image.mediaType, digest: d('e'), size: 9 } }), undefined);
  assert.equal(p.artifactType, 'application/x.sig');
  assert.equal(p.subject?.digest, d('e'));
});

test('an index references manifests', () => {
  const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ mediaType: image.mediaType, digest: d('f'), size: 10 }] };
  const p = parseManifest(buf(index), index.mediaType);
  assert.deepEqual(p.manifests.map((m) => m.digest), [d('f')]);
  assert.deepEqual(p.blobs, []);
});

test('docker media types are accepted from the Content-Type when the body has none', () => {
  const { mediaType: _omit, ...noType } = image;
  const p = parseManifest(buf(noType), 'application/vnd.docker.distribution.manifest.v2+json');
  assert.equal(p.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
});

test('malformed manifests are MANIFEST_INVALID', () => {
  assert.throws(() => parseManifest(Buffer.from('{nope'), undefined), code('MANIFEST_INVALID'));
  assert.throws(() => parseManifest(Buffer.from('[]'), undefined), code('MANIFEST_INVALID'));
  assert.throws(() => parseManifest(buf({ ...image, schemaVersion: 1 }), undefined), code('MANIFEST_INVALID'));
  assert.throws(() => parseManifest(buf({ ...image, layers: 'x' }), undefined), code('MANIFEST_INVALID'));
  assert.throws(() => parseManifest(buf({ ...image, config: { ...image.config, digest: 'sha256:short' } }), undefined), code('MANIFEST_INVALID'));
  assert.throws(() => parseManifest(buf({ ...image, config: { ...image.config, size: -1 } }), undefined), code('MANIFEST_INVALID'));
  assert.throws(() => parseManifest(buf(image), 'application/vnd.oci.image.index.v1+json'), code('MANIFEST_INVALID'));
  assert.throws(() => parseManifest(buf({ ...image, mediaType: 'text/plain' }), 'text/plain'), code('MANIFEST_INVALID'));
});
