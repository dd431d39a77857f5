import { gzipSync } from 'node:zlib';
import { tarFiles } from './oci-layout.js';
import { json, pushBlob, putManifest, sha256, type Registry } from './oci.js';

export const ociManifest = 'application/vnd.oci.image.manifest.v1+json';
export const ociIndex = 'application/vnd.oci.image.index.v1+json';
export const ociConfig = 'application/vnd.oci.image.config.v1+json';
const emptyConfig = 'application/vnd.oci.empty.v1+json';

/** A pushed manifest: its digest, bytes and the sizes Harbor would add up. */
export interface Pushed {
  digest: string;
  manifest: Buffer;
  /** Manifest + config + layers. */
  totalSize: number;
}

/** Pushes config and layers, then the manifest under `reference` (a tag or its own digest). */
export async function pushManifest(
  reg: Registry,
  repo: string,
  reference: string | null,
  parts: { config: Buffer; configMediaType: string; layers: Array<{ bytes: Buffer; mediaType: string; annotations?: Record<string, string> }>; artifactType?: string; subject?: { digest: string; size: number; mediaType: string }; annotations?: Record<string, string> },
): Promise<Pushed> {
  await pushBlob(reg, repo, parts.config);
  for (const l of parts.layers) await pushBlob(reg, repo, l.bytes);
  const manifest = json({
    schemaVersion: 2,
    mediaType: ociManifest,
    ...(parts.artifactType ? { artifactType: parts.artifactType } : {}),
    config: { mediaType: parts.configMediaType, digest: sha256(parts.config), size: parts.config.length },
    layers: parts.layers.map((l) => ({ mediaType: l.mediaType, digest: sha256(l.bytes), size: l.bytes.length, ...(l.annotations ? { annotations: l.annotations } : {}) })),
    ...(parts.subject ? { subject: parts.subject } : {}),
    ...(parts.annotations ? { annotations: parts.annotations } : {}),
  });
  const digest = sha256(manifest);
  const r = await putManifest(reg, repo, reference ?? digest, manifest, ociManifest);
  if (r.status !== 201) throw new Error(`manifest push failed: ${r.status} ${await r.text()}`);
  return { digest, manifest, totalSize: manifest.length + parts.config.length + parts.layers.reduce((n, l) => n + l.bytes.length, 0) };
}

/** A small image with a real-looking config (architecture, os, author) and `layers` random layers. */
export function imageParts(opts: { architecture?: string; os?: string; author?: string; layers?: number; nonce?: string } = {}) {
  const config = json({
    created: '2024-05-06T07:08:09Z',
    architecture: opts.architecture ?? 'amd64',
    os: opts.os ?? 'linux',
    ...(opts.author ? { author: opts.author } : {}),
    config: { Env: ['A=1'], Labels: { nonce: opts.nonce ?? String(Math.random()) } },
    rootfs: { type: 'layers', diff_ids: [] },
  });
  const layers = Array.from({ length: opts.layers ?? 1 }, (_, i) => ({ bytes: Buffer.from(`layer ${i} ${opts.nonce ?? Math.random()}`), mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }));
  return { config, configMediaType: ociConfig, layers };
}

export async function pushIndex(reg: Registry, repo: string, tag: string, children: Array<{ digest: string; manifest: Buffer; platform: Record<string, unknown> }>): Promise<Pushed> {
  const manifest = json({
    schemaVersion: 2,
    mediaType: ociIndex,
    manifests: children.map((c) => ({ mediaType: ociManifest, digest: c.digest, size: c.manifest.length, platform: c.platform })),
  });
  const r = await putManifest(reg, repo, tag, manifest, ociIndex);
  if (r.status !== 201) throw new Error(`index push failed: ${r.status} ${await r.text()}`);
  return { digest: sha256(manifest), manifest, totalSize: manifest.length };
}

/** An OCI 1.1 artifact with an empty config whose subject is `subject`. */
export function referrerParts(artifactType: string, layerMediaType: string, content: Buffer, subject: Pushed) {
  return {
    config: Buffer.from('{}'),
    configMediaType: emptyConfig,
    artifactType,
    layers: [{ bytes: content, mediaType: layerMediaType }],
    subject: { digest: subject.digest, size: subject.manifest.length, mediaType: ociManifest },
  };
}

/** cosign's tag for an accessory of `digest`: sha256-<hex>.sig|.att|.sbom */
export const cosignTag = (digest: string, suffix: 'sig' | 'att' | 'sbom') => `sha256-${digest.slice('sha256:'.length)}.${suffix}`;

export const chartYaml = { apiVersion: 'v2', name: 'demo-chart', version: '1.2.3', appVersion: '4.5.6', description: 'A Helm chart built by the test', type: 'application', keywords: ['haven', 'test'] };

/**
 * A real Helm chart archive (demo-chart-1.2.3.tgz: Chart.yaml, values.yaml, README.md,
 * templates/), and the config Helm pushes beside it: Chart.yaml as JSON.
 */
export function helmChart() {
  const yaml = [
    'apiVersion: v2',
    `name: ${chartYaml.name}`,
    `version: ${chartYaml.version}`,
    `appVersion: "${chartYaml.appVersion}"`,
    `description: ${chartYaml.description}`,
    'type: application',
    'keywords:',
    '  - haven',
    '  - test',
    '',
  ].join('\n');
  const files = new Map<string, Buffer>([
    ['demo-chart/Chart.yaml', Buffer.from(yaml)],
    ['demo-chart/values.yaml', Buffer.from('replicaCount: 2\nimage:\n  repository: nginx\n')],
    ['demo-chart/README.md', Buffer.from('# demo-chart\n\nA chart for tests.\n')],
    ['demo-chart/templates/deployment.yaml', Buffer.from('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n')],
  ]);
  const tgz = gzipSync(tarFiles(files));
  return {
    tgz,
    parts: {
      config: json(chartYaml),
      configMediaType: 'application/vnd.cncf.helm.config.v1+json',
      layers: [{ bytes: tgz, mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip' }],
    },
  };
}
