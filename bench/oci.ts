/**
 * The OCI distribution client operations the workloads are made of, written once and used
 * against both registries. Only what both support: distribution 2.8 ignores a body on
 * POST ?digest=, so a monolithic push is POST (open a session) then PUT ?digest= with the body.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import type http from 'node:http';
import { mediaTypes, type SmallBlob, type SyntheticBlob } from './data.js';
import { expectStatus, header, locationPath, withQuery, type CallOptions, type CallResult, type Endpoint } from './http.js';

export interface Client {
  ep: Endpoint;
  agent: http.Agent;
  /** Sent on every request (Authorization, when the registry wants it). */
  headers: Record<string, string>;
}

/** expectStatus with the client's own headers added. */
function send(c: Client, method: string, path: string, expect: number | number[], opts: CallOptions = {}): Promise<CallResult> {
  return expectStatus(c.agent, c.ep, method, path, expect, { ...opts, headers: { ...c.headers, ...opts.headers } });
}

const octet = { 'Content-Type': 'application/octet-stream' };

async function openSession(c: Client, repo: string): Promise<string> {
  const r = await send(c, 'POST', `/v2/${repo}/blobs/uploads/`, 202);
  return locationPath(header(r, 'Location'), c.ep);
}

function checkDigest(r: { headers: http.IncomingHttpHeaders }, digest: string, what: string): void {
  const got = r.headers['docker-content-digest'];
  if (got !== undefined && got !== digest) throw new Error(`${what}: registry answered digest ${String(got)}, expected ${digest}`);
}

/** POST then PUT ?digest= with the whole body. */
export async function pushMonolithic(c: Client, repo: string, blob: SyntheticBlob | SmallBlob): Promise<void> {
  const session = await openSession(c, repo);
  const body = 'bytes' in blob ? blob.bytes : blob.pieces();
  const r = await send(c, 'PUT', withQuery(session, 'digest', blob.digest), 201, {
    headers: { ...octet, 'Content-Length': blob.size },
    body,
  });
  checkDigest(r, blob.digest, 'monolithic push');
}

/** POST, one PATCH per chunk with Content-Range, then PUT ?digest= with no body. */
export async function pushChunked(c: Client, repo: string, blob: SyntheticBlob, chunkBytes: number): Promise<void> {
  let session = await openSession(c, repo);
  for (let start = 0; start < blob.size; start += chunkBytes) {
    const end = Math.min(start + chunkBytes, blob.size);
    const r = await send(c, 'PATCH', session, 202, {
      headers: { ...octet, 'Content-Length': end - start, 'Content-Range': `${start}-${end - 1}` },
      body: blob.pieces(start, end),
    });
    // distribution moves its upload state along in the Location's _state: always follow it.
    session = locationPath(header(r, 'Location'), c.ep);
  }
  const r = await send(c, 'PUT', withQuery(session, 'digest', blob.digest), 201);
  checkDigest(r, blob.digest, 'chunked push');
}

/** A client's blob push as docker does it: HEAD first, upload only when missing. */
export async function pushBlobIfMissing(c: Client, repo: string, blob: SyntheticBlob | SmallBlob): Promise<void> {
  const head = await send(c, 'HEAD', `/v2/${repo}/blobs/${blob.digest}`, [200, 404]);
  if (head.status === 200) return;
  await pushMonolithic(c, repo, blob);
}

export async function putManifest(c: Client, repo: string, reference: string, manifest: SmallBlob): Promise<void> {
  const r = await send(c, 'PUT', `/v2/${repo}/manifests/${reference}`, 201, {
    headers: { 'Content-Type': mediaTypes.manifest },
    body: manifest.bytes,
  });
  checkDigest(r, manifest.digest, 'manifest push');
}

export const manifestAccept = `${mediaTypes.manifest}, application/vnd.docker.distribution.manifest.v2+json`;

/** GETs a manifest and checks that its bytes hash to `digest`. */
export async function getManifestVerified(c: Client, repo: string, reference: string, digest: string): Promise<Buffer> {
  const r = await send(c, 'GET', `/v2/${repo}/manifests/${reference}`, 200, {
    headers: { Accept: manifestAccept },
  });
  const actual = `sha256:${createHash('sha256').update(r.body).digest('hex')}`;
  if (actual !== digest) throw new Error(`manifest ${repo}:${reference} hashes to ${actual}, expected ${digest}`);
  return r.body;
}

/** Streams a blob, hashing every byte received; throws unless size and sha256 match. */
export async function pullVerified(c: Client, repo: string, digest: string, size: number): Promise<void> {
  const h = createHash('sha256');
  const r = await send(c, 'GET', `/v2/${repo}/blobs/${digest}`, 200, { sink: (chunk) => h.update(chunk) });
  const actual = `sha256:${h.digest('hex')}`;
  if (r.received !== size || actual !== digest) {
    throw new Error(`pull of ${digest}: got ${r.received} bytes hashing to ${actual}, expected ${size} bytes`);
  }
}

/** Streams a blob counting bytes only (a diagnostic: the server's speed without client hashing). */
export async function pullCounted(c: Client, repo: string, digest: string, size: number): Promise<void> {
  const r = await send(c, 'GET', `/v2/${repo}/blobs/${digest}`, 200, { sink: () => {} });
  if (r.received !== size) throw new Error(`pull of ${digest}: got ${r.received} bytes, expected ${size}`);
}

/**
 * `clients` concurrent curl processes (C, writing to /dev/null) each GET the blob once; throws
 * unless every answer is a 200 with the digest and the whole size. The lightest client there is:
 * it shows what the server side can send where a hashing node client would be the limit.
 */
export async function pullWithCurl(c: Client, repo: string, digest: string, size: number, clients: number): Promise<void> {
  const url = `${c.ep.url}/v2/${repo}/blobs/${digest}`;
  const headers = Object.entries(c.headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
  const one = () =>
    new Promise<void>((resolve, reject) => {
      // -D - prints the response headers, -w the status and byte count after the body.
      const proc = spawn('curl', ['-sS', '-o', '/dev/null', '-D', '-', '-w', 'BENCH %{http_code} %{size_download}\n', ...headers, url], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      proc.stdout.on('data', (d) => (out += d));
      proc.stderr.on('data', (d) => (out += d));
      proc.once('error', reject);
      proc.once('close', (code) => {
        const m = /BENCH (\d+) (\d+)/.exec(out);
        const gotDigest = /^docker-content-digest:\s*(\S+)/im.exec(out)?.[1];
        if (code === 0 && m && m[1] === '200' && Number(m[2]) === size && gotDigest === digest) resolve();
        else reject(new Error(`curl pull of ${digest} (exit ${code}): ${out.slice(-500)}`));
      });
    });
  await Promise.all(Array.from({ length: clients }, one));
}

/** Follows Link rel="next" from `path`; returns every tag and the number of requests made. */
export async function listTags(c: Client, path: string): Promise<{ tags: string[]; requests: number }> {
  const tags: string[] = [];
  let next: string | null = path;
  let requests = 0;
  while (next !== null) {
    const r = await send(c, 'GET', next, 200);
    requests++;
    const page = JSON.parse(r.body.toString('utf8')) as { tags: string[] | null };
    tags.push(...(page.tags ?? []));
    const link = r.headers.link;
    const m = typeof link === 'string' ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link) : null;
    next = m ? locationPath(m[1]!, c.ep) : null;
    if (requests > 100_000) throw new Error('tag listing does not end');
  }
  return { tags, requests };
}
