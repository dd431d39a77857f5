import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cosignTagsFor, cosignTagSubject, subjectAccessoryType } from './accessory.js';
import { artifactMediaType, resolveKind, type KindInput } from './artifact-kind.js';
import { extraAttrsFromConfig } from './extra-attrs.js';

const manifest = (over: Partial<KindInput> = {}): KindInput => ({
  manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
  isIndex: false,
  artifactType: null,
  configMediaType: 'application/vnd.oci.image.config.v1+json',
  layerMediaTypes: ['application/vnd.oci.image.layer.v1.tar+gzip'],
  annotations: null,
  ...over,
});
const index = (over: Partial<KindInput> = {}): KindInput =>
  manifest({ manifestMediaType: 'application/vnd.oci.image.index.v1+json', isIndex: true, configMediaType: null, layerMediaTypes: [], ...over });

test('docker and OCI images are IMAGE, and so are their indexes', () => {
  assert.equal(resolveKind(manifest()), 'IMAGE');
  assert.equal(resolveKind(manifest({ manifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json', configMediaType: 'application/vnd.docker.container.image.v1+json' })), 'IMAGE');
  assert.equal(resolveKind(index()), 'IMAGE');
  assert.equal(resolveKind(index({ manifestMediaType: 'application/vnd.docker.distribution.manifest.list.v2+json' })), 'IMAGE');
  assert.equal(artifactMediaType(index()), 'application/vnd.oci.image.index.v1+json');
});

test('Helm charts, CNAB, WASM', () => {
  assert.equal(resolveKind(manifest({ configMediaType: 'application/vnd.cncf.helm.config.v1+json', layerMediaTypes: ['application/vnd.cncf.helm.chart.content.v1.tar+gzip'] })), 'CHART');
  assert.equal(resolveKind(index({ annotations: { 'org.opencontainers.artifactType': 'application/vnd.cnab.manifest.v1' } })), 'CNAB');
  assert.equal(resolveKind(manifest({ configMediaType: 'application/vnd.wasm.config.v1+json' })), 'WASM');
  const byAnnotation = manifest({ annotations: { 'run.oci.handler': 'wasm' } });
  assert.equal(resolveKind(byAnnotation), 'WASM');
  assert.equal(artifactMediaType(byAnnotation), 'application/vnd.wasm.config.v1+json');
});

test('signatures: cosign (new and classic), sigstore bundles, notation', () => {
  assert.equal(resolveKind(manifest({ configMediaType: 'application/vnd.dev.cosign.artifact.sig.v1+json', layerMediaTypes: ['application/vnd.dev.cosign.simplesigning.v1+json'] })), 'SIGNATURE');
  assert.equal(resolveKind(manifest({ layerMediaTypes: ['application/vnd.dev.cosign.simplesigning.v1+json'] })), 'SIGNATURE');
  assert.equal(resolveKind(manifest({ artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json', configMediaType: 'application/vnd.oci.empty.v1+json' })), 'SIGNATURE');
  assert.equal(resolveKind(manifest({ artifactType: 'application/vnd.cncf.notary.signature', configMediaType: 'application/vnd.oci.empty.v1+json' })), 'SIGNATURE');
  assert.equal(resolveKind(manifest({ layerMediaTypes: ['application/vnd.dsse.envelope.v1+json'] })), 'SIGNATURE');
});

test('SBOMs: SPDX, CycloneDX, Harbor\'s', () => {
  for (const t of ['application/spdx+json', 'text/spdx', 'application/vnd.cyclonedx+json', 'application/vnd.goharbor.harbor.sbom.v1']) {
    assert.equal(resolveKind(manifest({ artifactType: t, configMediaType: 'application/vnd.oci.empty.v1+json' })), 'SBOM', t);
  }
  assert.equal(resolveKind(manifest({ layerMediaTypes: ['text/spdx'] })), 'SBOM');
});

test("Harbor's default rule names vendor types; the rest is UNKNOWN", () => {
  assert.equal(resolveKind(manifest({ configMediaType: 'application/vnd.caicloud.model.config.v1alpha1+json' })), 'MODEL');
  assert.equal(resolveKind(manifest({ configMediaType: 'application/vnd.oci.empty.v1+json', artifactType: 'application/x.example' })), 'UNKNOWN');
  assert.equal(resolveKind(manifest({ configMediaType: 'application/octet-stream' })), 'UNKNOWN');
  // An image config with mixed layers stays an image.
  assert.equal(resolveKind(manifest({ layerMediaTypes: ['application/vnd.oci.image.layer.v1.tar', 'text/spdx'] })), 'IMAGE');
});

test('image extra_attrs: created, architecture, os, config, author (falling back to labels)', () => {
  const cfg = Buffer.from(JSON.stringify({ architecture: 'arm64', os: 'linux', created: '2024-01-02T03:04:05Z', config: { Labels: { maintainer: 'ann' }, Env: ['A=1'] }, rootfs: {} }));
  assert.deepEqual(extraAttrsFromConfig('IMAGE', cfg), {
    created: '2024-01-02T03:04:05Z',
    architecture: 'arm64',
    os: 'linux',
    config: { Labels: { maintainer: 'ann' }, Env: ['A=1'] },
    author: 'ann',
  });
  const chart = { name: 'demo', version: '1.2.3', appVersion: '4.5', description: 'x', apiVersion: 'v2' };
  assert.deepEqual(extraAttrsFromConfig('CHART', Buffer.from(JSON.stringify(chart))), chart);
  assert.equal(extraAttrsFromConfig('IMAGE', Buffer.from('not json')), null);
  assert.equal(extraAttrsFromConfig('CHART', Buffer.from('[1]')), null);
});

test('accessory types by subject and by cosign tag', () => {
  assert.equal(subjectAccessoryType({ artifactType: 'application/vnd.cncf.notary.signature', configMediaType: 'x' }), 'signature.notation');
  assert.equal(subjectAccessoryType({ artifactType: null, configMediaType: 'application/vnd.dev.cosign.artifact.sig.v1+json' }), 'signature.cosign');
  assert.equal(subjectAccessoryType({ artifactType: 'application/vnd.goharbor.harbor.sbom.v1', configMediaType: null }), 'sbom.harbor');
  assert.equal(subjectAccessoryType({ artifactType: 'application/spdx+json', configMediaType: null }), 'subject.accessory');
  assert.equal(subjectAccessoryType({ artifactType: null, configMediaType: 'application/vnd.oci.image.config.v1+json', lastLayerAnnotations: { 'containerd.io/snapshot/nydus-bootstrap': 'true' } }), 'accelerator.nydus');
  const hex = 'ab'.repeat(32);
  assert.deepEqual(cosignTagSubject(`sha256-${hex}.sig`), { subject: `sha256:${hex}`, type: 'signature.cosign' });
  assert.deepEqual(cosignTagSubject(`sha256-${hex}.sbom`), { subject: `sha256:${hex}`, type: 'sbom.cosign' });
  assert.equal(cosignTagSubject(`sha256-${hex}.zip`), null);
  assert.equal(cosignTagSubject(`sha256-${hex.slice(2)}.sig`), null);
  assert.deepEqual(cosignTagsFor(`sha256:${hex}`), [`sha256-${hex}.sig`, `sha256-${hex}.att`, `sha256-${hex}.sbom`]);
  assert.deepEqual(cosignTagsFor(`sha512:${hex}`), []);
});
