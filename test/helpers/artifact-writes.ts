// Pushes for the artifact-write tests: indexes with platforms, referrers, cosign signatures, images with history, charts.
import { gzipSync } from 'node:zlib';
import { pushManifest } from './artifacts.js';
import { pushImage, putManifest, sha256, type Registry } from './oci.js';
import { tarFiles } from './oci-layout.js';

const indexType = 'application/vnd.oci.image.index.v1+json';
const manifestType = 'application/vnd.oci.image.manifest.v1+json';

async function put(reg: Registry, repo: string, ref: string, manifest: Buffer, type: string): Promise<string> {
  const r = await putManifest(reg, repo, ref, manifest, type);
  if (r.status !== 201) throw new Error(`manifest push failed: ${r.status} ${await r.text()}`);
  return sha256(manifest);
}

/** A two-platform index (children untagged) tagged `tag`; its digest and the children's. */
export async function pushIndex(reg: Registry, repo: string, tag: string): Promise<{ digest: string; children: string[] }> {
  const children: { digest: string; size: number; arch: string }[] = [];
  for (const arch of ['amd64', 'arm64']) {
    const img = await pushImage(reg, repo, `tmp-${arch}`, 1, 64);
    children.push({ digest: img.digest, size: img.manifest.length, arch });
    await fetch(`${reg.url}/v2/${repo}/manifests/tmp-${arch}`, { method: 'DELETE', headers: reg.headers });
  }
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: indexType,
      manifests: children.map((c) => ({ mediaType: manifestType, digest: c.digest, size: c.size, platform: { architecture: c.arch, os: 'linux' } })),
    }),
  );
  return { digest: await put(reg, repo, tag, index, indexType), children: children.map((c) => c.digest) };
}

/** An OCI 1.1 artifact whose subject is `subject` (a signature or an SBOM), pushed by digest. */
export async function pushReferrer(reg: Registry, repo: string, subject: { digest: string; size: number }, artifactType: string): Promise<string> {
  const layer = Buffer.from(`payload for ${subject.digest} ${artifactType} ${Math.random()}`);
  const pushed = await pushManifest(reg, repo, null, {
    artifactType,
    config: Buffer.from('{}'),
    configMediaType: 'application/vnd.oci.empty.v1+json',
    layers: [{ bytes: layer, mediaType: 'application/octet-stream' }],
    subject: { mediaType: manifestType, digest: subject.digest, size: subject.size },
  });
  return pushed.digest;
}

/** A cosign-style signature: an image manifest tagged sha256-<hex>.sig, without a subject. */
export async function pushCosignSignature(reg: Registry, repo: string, subjectDigest: string): Promise<string> {
  const sig = Buffer.from(JSON.stringify({ critical: { image: { 'docker-manifest-digest': subjectDigest } } }));
  const pushed = await pushManifest(reg, repo, `${subjectDigest.replace(':', '-')}.sig`, {
    config: Buffer.from(JSON.stringify({ architecture: '', os: '', rootfs: { type: 'layers', diff_ids: [] } })),
    configMediaType: 'application/vnd.oci.image.config.v1+json',
    layers: [{ bytes: sig, mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json' }],
  });
  return pushed.digest;
}

/** An image whose config has Harbor's build history. */
export async function pushImageWithHistory(reg: Registry, repo: string, tag: string, history: unknown[]): Promise<string> {
  const layer = Buffer.from(`layer ${Math.random()}`);
  const pushed = await pushManifest(reg, repo, tag, {
    config: Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', history, rootfs: { type: 'layers', diff_ids: [sha256(layer)] } })),
    configMediaType: 'application/vnd.oci.image.config.v1+json',
    layers: [{ bytes: layer, mediaType: 'application/vnd.oci.image.layer.v1.tar' }],
  });
  return pushed.digest;
}

/** A Helm chart `.tgz` with the given top-level files under `<name>/`. */
export function chartArchive(name: string, files: Record<string, string>): Buffer {
  return gzipSync(tarFiles(new Map(Object.entries(files).map(([f, c]) => [`${name}/${f}`, Buffer.from(c)]))));
}

/** Pushes a Helm chart as Helm does (config = chart metadata JSON, one chart layer). */
export async function pushChart(reg: Registry, repo: string, tag: string, tgz: Buffer, meta: Record<string, unknown>): Promise<string> {
  const pushed = await pushManifest(reg, repo, tag, {
    config: Buffer.from(JSON.stringify(meta)),
    configMediaType: 'application/vnd.cncf.helm.config.v1+json',
    layers: [{ bytes: tgz, mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip' }],
  });
  return pushed.digest;
}
