import { createHash, randomBytes } from 'node:crypto';

export const sha256 = (data: Uint8Array | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** fetch() wants a BodyInit; a Buffer view over the same memory is one, without a copy. */
export const body = (b: Buffer): BodyInit => new Uint8Array(b.buffer as ArrayBuffer, b.byteOffset, b.length);

export interface Blob {
  digest: string;
  size: number;
  bytes: Buffer;
}

export function randomBlob(size: number): Blob {
  const bytes = randomBytes(size);
  return { digest: sha256(bytes), size, bytes };
}

/** Pushes a blob monolithically (POST ?digest=) and returns its digest. */
export async function pushBlob(base: string, repo: string, bytes: Buffer, init: RequestInit = {}): Promise<string> {
  const digest = sha256(bytes);
  const r = await fetch(`${base}/v2/${repo}/blobs/uploads/?digest=${digest}`, {
    ...init,
    method: 'POST',
    headers: { 'Content-Type': 'application/octet-stream', ...(init.headers as Record<string, string>) },
    body: body(bytes),
  });
  if (r.status !== 201) throw new Error(`blob push failed: ${r.status} ${await r.text()}`);
  return digest;
}

export function imageManifest(config: Blob | { digest: string; size: number }, layers: Array<{ digest: string; size: number }>, extra: Record<string, unknown> = {}) {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.size },
      layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: l.digest, size: l.size })),
      ...extra,
    }),
  );
}

export async function putManifest(
  base: string,
  repo: string,
  reference: string,
  manifest: Buffer,
  mediaType = 'application/vnd.oci.image.manifest.v1+json',
  init: RequestInit = {},
): Promise<Response> {
  return fetch(`${base}/v2/${repo}/manifests/${reference}`, {
    ...init,
    method: 'PUT',
    headers: { 'Content-Type': mediaType, ...(init.headers as Record<string, string>) },
    body: body(manifest),
  });
}

/** Pushes a small random image (config + `layers` layers) and tags it; returns its manifest digest. */
export async function pushImage(base: string, repo: string, tag: string, layers = 2, layerSize = 1024): Promise<{ digest: string; manifest: Buffer; layers: Blob[] }> {
  const config = randomBlob(64);
  await pushBlob(base, repo, config.bytes);
  const ls: Blob[] = [];
  for (let i = 0; i < layers; i++) {
    const l = randomBlob(layerSize);
    await pushBlob(base, repo, l.bytes);
    ls.push(l);
  }
  const manifest = imageManifest(config, ls);
  const r = await putManifest(base, repo, tag, manifest);
  if (r.status !== 201) throw new Error(`manifest push failed: ${r.status} ${await r.text()}`);
  return { digest: sha256(manifest), manifest, layers: ls };
}

export async function ociError(r: Response): Promise<string> {
  const body = (await r.json()) as { errors: Array<{ code: string }> };
  return body.errors[0]!.code;
}
