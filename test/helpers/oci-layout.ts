import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { sha256 } from './oci.js';

/**
 * Writes OCI image layouts (https://github.com/opencontainers/image-spec/blob/main/image-layout.md)
 * with plain Node, so end-to-end tests can feed real clients (skopeo, podman) without builders.
 */

export const media = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  empty: 'application/vnd.oci.empty.v1+json',
} as const;

export const refNameAnnotation = 'org.opencontainers.image.ref.name';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
}

export interface LayerBlob {
  /** Digest of the gzip-compressed tar, as the manifest lists it. */
  digest: string;
  size: number;
  /** Digest of the uncompressed tar: the config's rootfs.diff_ids entry. */
  diffId: string;
  bytes: Buffer;
  /** Files in the tar, path -> content. */
  files: Map<string, Buffer>;
}

export interface PlatformImage {
  platform: Platform;
  manifest: Buffer;
  manifestDigest: string;
  config: Buffer;
  configDigest: string;
  layers: LayerBlob[];
}

export interface TestLayout {
  dir: string;
  /** The multi-arch image index, tagged `tag` in index.json. */
  tag: string;
  index: Buffer;
  indexDigest: string;
  images: PlatformImage[];
  artifact: {
    tag: string;
    artifactType: string;
    manifest: Buffer;
    manifestDigest: string;
    config: Buffer;
    configDigest: string;
    layer: Buffer;
    layerDigest: string;
    layerMediaType: string;
  };
  /** Every blob (manifests included) the layout holds, digest -> bytes. */
  blobs: Map<string, Buffer>;
}

/** One POSIX ustar archive of regular files (mode 0644, owned by root), with the end marker. */
export function tarFiles(files: Map<string, Buffer>): Buffer {
  const parts: Buffer[] = [];
  const mtime = Math.floor(Date.UTC(2024, 0, 1) / 1000);
  for (const [name, content] of files) {
    if (Buffer.byteLength(name) > 100) throw new Error(`tar name too long: ${name}`);
    const h = Buffer.alloc(512);
    h.write(name, 0, 100, 'utf8');
    h.write('0000644\0', 100, 8, 'ascii'); // mode
    h.write('0000000\0', 108, 8, 'ascii'); // uid
    h.write('0000000\0', 116, 8, 'ascii'); // gid
    h.write(`${content.length.toString(8).padStart(11, '0')}\0`, 124, 12, 'ascii');
    h.write(`${mtime.toString(8).padStart(11, '0')}\0`, 136, 12, 'ascii');
    h.write('        ', 148, 8, 'ascii'); // checksum placeholder: spaces while summing
    h.write('0', 156, 1, 'ascii'); // regular file
    h.write('ustar\0', 257, 6, 'ascii');
    h.write('00', 263, 2, 'ascii');
    h.write('root', 265, 32, 'ascii');
    h.write('root', 297, 32, 'ascii');
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
    parts.push(h, content);
    const pad = (512 - (content.length % 512)) % 512;
    if (pad > 0) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** A gzip-compressed tar holding `fileSizes.length` files of random bytes under `dir`. */
export function randomLayer(dir: string, fileSizes: number[]): LayerBlob {
  const files = new Map<string, Buffer>();
  fileSizes.forEach((size, i) => files.set(`${dir}/file-${i}.bin`, randomBytes(size)));
  const tar = tarFiles(files);
  const bytes = gzipSync(tar);
  return { digest: sha256(bytes), size: bytes.length, diffId: sha256(tar), bytes, files };
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));

/**
 * Writes a layout in `dir` with: a two-platform image index (linux/amd64, linux/arm64) tagged
 * `tag`, whose images share one base layer and each add their own; and an artifact manifest
 * (artifactType, empty config, one layer) whose subject is the index, tagged `artifact.tag`.
 */
export function writeTestLayout(dir: string, opts: { tag?: string; artifactTag?: string } = {}): TestLayout {
  const tag = opts.tag ?? 'v1';
  const blobs = new Map<string, Buffer>();
  const put = (bytes: Buffer): string => {
    const d = sha256(bytes);
    blobs.set(d, bytes);
    return d;
  };

  const base = randomLayer('base', [3 * 1024, 20 * 1024]);
  put(base.bytes);
  const images: PlatformImage[] = [];
  const platforms: Platform[] = [
    { architecture: 'amd64', os: 'linux' },
    { architecture: 'arm64', os: 'linux' },
  ];
  for (const platform of platforms) {
    const own = [randomLayer(`app-${platform.architecture}`, [8 * 1024]), randomLayer(`data-${platform.architecture}`, [700 * 1024, 300 * 1024])];
    const layers = [base, ...own];
    for (const l of own) put(l.bytes);
    const config = json({
      created: '2024-01-01T00:00:00Z',
      architecture: platform.architecture,
      os: platform.os,
      config: {
        Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
        Cmd: ['/bin/true'],
        Labels: { 'org.haven.test': platform.architecture },
      },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: layers.map((l, i) => ({ created: '2024-01-01T00:00:00Z', created_by: `haven test layer ${i} (${l.digest.slice(7, 19)})` })),
    });
    const configDigest = put(config);
    const manifest = json({
      schemaVersion: 2,
      mediaType: media.manifest,
      config: { mediaType: media.config, digest: configDigest, size: config.length },
      layers: layers.map((l) => ({ mediaType: media.layerGzip, digest: l.digest, size: l.size })),
      annotations: { 'org.opencontainers.image.title': `haven-e2e-${platform.architecture}` },
    });
    images.push({ platform, manifest, manifestDigest: put(manifest), config, configDigest, layers });
  }

  const index = json({
    schemaVersion: 2,
    mediaType: media.index,
    manifests: images.map((i) => ({ mediaType: media.manifest, digest: i.manifestDigest, size: i.manifest.length, platform: i.platform })),
    annotations: { 'org.opencontainers.image.description': 'haven end-to-end test image' },
  });
  const indexDigest = put(index);

  const artifactType = 'application/vnd.haven.test.sbom.v1+json';
  const layerMediaType = 'application/spdx+json';
  const config = Buffer.from('{}');
  const configDigest = put(config);
  const layer = json({ spdxVersion: 'SPDX-2.3', name: 'haven-e2e', nonce: randomBytes(16).toString('hex') });
  const layerDigest = put(layer);
  const artifactManifest = json({
    schemaVersion: 2,
    mediaType: media.manifest,
    artifactType,
    config: { mediaType: media.empty, digest: configDigest, size: config.length },
    layers: [{ mediaType: layerMediaType, digest: layerDigest, size: layer.length }],
    subject: { mediaType: media.index, digest: indexDigest, size: index.length },
    annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' },
  });
  const artifactDigest = put(artifactManifest);
  const artifactTag = opts.artifactTag ?? 'sbom';

  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const [digest, bytes] of blobs) writeFileSync(join(dir, 'blobs', 'sha256', digest.slice(7)), bytes);
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: media.index,
      manifests: [
        { mediaType: media.index, digest: indexDigest, size: index.length, annotations: { [refNameAnnotation]: tag } },
        { mediaType: media.manifest, digest: artifactDigest, size: artifactManifest.length, artifactType, annotations: { [refNameAnnotation]: artifactTag } },
      ],
    }),
  );

  return {
    dir,
    tag,
    index,
    indexDigest,
    images,
    artifact: {
      tag: artifactTag,
      artifactType,
      manifest: artifactManifest,
      manifestDigest: artifactDigest,
      config,
      configDigest,
      layer,
      layerDigest,
      layerMediaType,
    },
    blobs,
  };
}

/** Every blob file of a layout directory, digest -> bytes. */
export function readLayoutBlobs(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const hex of readdirSync(join(dir, 'blobs', 'sha256'))) out.set(`sha256:${hex}`, readFileSync(join(dir, 'blobs', 'sha256', hex)));
  return out;
}

/** The layout's index.json. */
export function readLayoutIndex(dir: string): { manifests: Descriptor[] } {
  return JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
}
