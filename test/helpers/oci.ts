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

/**
 * A registry and who calls it: the helpers below send `headers` (a caller's Authorization) with
 * every request, so each test says whom it acts as. No headers: anonymous.
 */
export interface Registry {
  url: string;
  headers?: Record<string, string>;
}

/** The admin of a test Haven, for tests that exercise the registry itself rather than access rules. */
export const asAdmin = (h: { url: string; asAdmin: { Authorization: string } }): Registry => ({ url: h.url, headers: h.asAdmin });

/** Pushes a blob monolithically (POST ?digest=) and returns its digest. */
export async function pushBlob(reg: Registry, repo: string, bytes: Buffer, init: RequestInit = {}): Promise<string> {
  const digest = sha256(bytes);
  const r = await fetch(`${reg.url}/v2/${repo}/blobs/uploads/?digest=${digest}`, {
    ...init,
    method: 'POST',
    headers: { 'Content-Type': 'application/octet-stream', ...reg.headers, ...(init.headers as Record<string, string>) },
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
  reg: Registry,
  repo: string,
  reference: string,
  manifest: Buffer,
  mediaType = 'application/vnd.oci.image.manifest.v1+json',
  init: RequestInit = {},
): Promise<Response> {
  return fetch(`${reg.url}/v2/${repo}/manifests/${reference}`, {
    ...init,
    method: 'PUT',
    headers: { 'Content-Type': mediaType, ...reg.headers, ...(init.headers as Record<string, string>) },
    body: body(manifest),
  });
}

/** Pushes a small random image (config + `layers` layers) and tags it; returns its manifest digest. */
export async function pushImage(reg: Registry, repo: string, tag: string, layers = 2, layerSize = 1024): Promise<{ digest: string; manifest: Buffer; layers: Blob[] }> {
  const config = randomBlob(64);
  await pushBlob(reg, repo, config.bytes);
  const ls: Blob[] = [];
  for (let i = 0; i < layers; i++) {
    const l = randomBlob(layerSize);
    await pushBlob(reg, repo, l.bytes);
    ls.push(l);
  }
  const manifest = imageManifest(config, ls);
  const r = await putManifest(reg, repo, tag, manifest);
  if (r.status !== 201) throw new Error(`manifest push failed: ${r.status} ${await r.text()}`);
  return { digest: sha256(manifest), manifest, layers: ls };
}

export async function ociError(r: Response): Promise<string> {
  const body = (await r.json()) as { errors: Array<{ code: string }> };
  return body.errors[0]!.code;
}

// ---------------------------------------------------------------------------------------------
// End-to-end /v2 test helpers (appended; the exports above are unchanged).
// ---------------------------------------------------------------------------------------------

import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import assert from 'node:assert/strict';

export const sha512 = (data: Uint8Array | string) => `sha512:${createHash('sha512').update(data).digest('hex')}`;

/** The digest of the zero-length blob. */
export const emptyBlobDigest = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** The OCI "empty" descriptor's two bytes `{}` (application/vnd.oci.empty.v1+json). */
export const emptyJson = Buffer.from('{}');
export const emptyJsonDigest = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';

export const mediaType = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

/** Every error code the distribution-spec defines (plus the pagination code distribution uses). */
export const specErrorCodes = new Set([
  'BLOB_UNKNOWN',
  'BLOB_UPLOAD_INVALID',
  'BLOB_UPLOAD_UNKNOWN',
  'DIGEST_INVALID',
  'MANIFEST_BLOB_UNKNOWN',
  'MANIFEST_INVALID',
  'MANIFEST_UNKNOWN',
  'NAME_INVALID',
  'NAME_UNKNOWN',
  'SIZE_INVALID',
  'UNAUTHORIZED',
  'DENIED',
  'UNSUPPORTED',
  'TOOMANYREQUESTS',
  'PAGINATION_NUMBER_INVALID',
]);

/** A response read completely: what rawRequest returns, and what errors are checked against. */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * One HTTP request with the path sent exactly as given. fetch() normalises paths ("..", "%2e%2e",
 * "//"), which would hide exactly what name-validation tests need to send.
 */
export function rawRequest(
  reg: Registry,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: Buffer; timeoutMs?: number } = {},
): Promise<RawResponse> {
  const u = new URL(reg.url);
  return new Promise<RawResponse>((resolvePromise, reject) => {
    const req = httpRequest(
      {
        host: u.hostname,
        port: u.port,
        method,
        path,
        headers: { ...reg.headers, ...(opts.body ? { 'Content-Length': String(opts.body.length) } : {}), ...opts.headers },
        agent: false,
        timeout: opts.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

export interface OciErrorEntry {
  code: string;
  message: string;
  detail?: unknown;
}

/**
 * Asserts a response is the distribution-spec error: the status, a JSON body
 * `{"errors":[{"code","message"[,"detail"]}]}` whose first code is `code` (or one of `code`).
 * HEAD responses carry no body, so only the status is checked for them.
 */
export async function expectOciError(
  r: Response | RawResponse,
  status: number,
  code: string | string[],
  what = '',
): Promise<OciErrorEntry> {
  const isFetch = r instanceof Response;
  const text = isFetch ? await r.text() : r.body.toString('utf8');
  const contentType = isFetch ? r.headers.get('content-type') : (r.headers['content-type'] ?? null);
  const label = `${what ? `${what}: ` : ''}status ${r.status}, body ${text.slice(0, 500)}`;
  assert.equal(r.status, status, label);
  assert.match(contentType ?? '', /^application\/json\b/, `error Content-Type (${label})`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    assert.fail(`error body is not JSON (${label})`);
  }
  assert.ok(parsed && typeof parsed === 'object' && !Array.isArray(parsed), `error body must be an object (${label})`);
  const errors = (parsed as { errors?: unknown }).errors;
  assert.ok(Array.isArray(errors) && errors.length > 0, `error body needs a non-empty "errors" array (${label})`);
  for (const e of errors as unknown[]) {
    assert.ok(e && typeof e === 'object', `each error is an object (${label})`);
    const entry = e as Record<string, unknown>;
    assert.equal(typeof entry.code, 'string', `error.code is a string (${label})`);
    assert.equal(typeof entry.message, 'string', `error.message is a string (${label})`);
    assert.ok(specErrorCodes.has(entry.code as string), `error.code ${String(entry.code)} is a distribution-spec code (${label})`);
    for (const k of Object.keys(entry)) assert.ok(['code', 'message', 'detail'].includes(k), `unexpected error field ${k} (${label})`);
  }
  const first = (errors as OciErrorEntry[])[0]!;
  const codes = Array.isArray(code) ? code : [code];
  assert.ok(codes.includes(first.code), `expected error code ${codes.join(' or ')}, got ${first.code} (${label})`);
  return first;
}

/** Resolves a Location header (absolute path or absolute URL) against the registry base URL. */
export function resolveLocation(base: string, location: string | null | undefined): URL {
  assert.ok(location, 'response has a Location header');
  return new URL(location, base);
}

/** Adds query parameters to a URL (keeping any the registry already put there). */
export function withQuery(url: URL | string, params: Record<string, string>): string {
  const u = new URL(url.toString());
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}

/** Opens an upload session (POST, no digest) and returns its absolute URL. */
export async function openUpload(reg: Registry, repo: string): Promise<URL> {
  const r = await fetch(`${reg.url}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers: { ...reg.headers } });
  if (r.status !== 202) throw new Error(`upload start failed: ${r.status} ${await r.text()}`);
  return resolveLocation(reg.url, r.headers.get('location'));
}

/** PATCHes one chunk of an upload of `reg`; with `start` given, also sends Content-Range start-end. */
export async function patchChunk(reg: Registry, url: URL | string, chunk: Buffer, start?: number): Promise<Response> {
  const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream', ...reg.headers };
  if (start !== undefined) headers['Content-Range'] = `${start}-${start + chunk.length - 1}`;
  return fetch(url, { method: 'PATCH', headers, body: body(chunk) });
}

/** Serialises a manifest-like object exactly as given (key order kept). */
export function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  [k: string]: unknown;
}

export function descriptor(mt: string, content: Buffer, extra: Record<string, unknown> = {}): Descriptor {
  return { mediaType: mt, digest: sha256(content), size: content.length, ...extra };
}

/** Reads the request-log lines of a Haven (JSON lines with msg "request"). */
export function requestLogLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        return {};
      }
    })
    .filter((o) => o.msg === 'request');
}

