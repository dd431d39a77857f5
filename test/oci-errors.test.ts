// End-to-end error behaviour over /v2: repository name rules, the spec's error JSON everywhere,
// unsupported methods and endpoints, request ids and the per-request log line.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { eventually } from './helpers/eventually.js';
import { useHaven, type RunningHaven } from './helpers/haven.js';
import {
  body,
  expectOciError,
  openUpload,
  pushBlob,
  pushImage,
  putManifest,
  randomBlob,
  rawRequest,
  requestLogLines,
  sha256,
  withQuery,
  asAdmin,
  type Registry,
} from './helpers/oci.js';

let haven: RunningHaven;
let base: string;
/** This file tests the registry itself, not who may use it: every request is the admin's. */
let reg: Registry;
let fetch: typeof globalThis.fetch;

useHaven({ projects: ['errors', 'a', 'kw', 'names', 'n0', 'v2', 'a'.repeat(100)] }, (h) => {
  haven = h;
  base = h.url;
  reg = asAdmin(h);
  fetch = h.adminFetch;
});

describe('repository names', () => {
  test('multi-level names work end to end (a/b/c and deeper)', async () => {
    for (const repo of ['a/b/c', 'names/x/y/z/deep/er', 'n0/with-dash/with_under/with.dot/with__double/with---many']) {
      const img = await pushImage(reg, repo, 'v1', 1);
      const m = await fetch(`${base}/v2/${repo}/manifests/v1`);
      assert.equal(m.status, 200, repo);
      assert.ok(Buffer.from(await m.arrayBuffer()).equals(img.manifest));
      const b = await fetch(`${base}/v2/${repo}/blobs/${img.layers[0]!.digest}`);
      assert.equal(b.status, 200);
      assert.ok(Buffer.from(await b.arrayBuffer()).equals(img.layers[0]!.bytes));
      const t = await fetch(`${base}/v2/${repo}/tags/list`);
      assert.deepEqual(await t.json(), { name: repo, tags: ['v1'] });
      const url = await openUpload(reg, repo);
      assert.ok(url.pathname.startsWith(`/v2/${repo}/blobs/uploads/`));
    }
  });

  test('names may contain the API keywords as components', async () => {
    for (const repo of ['kw/blobs/x', 'kw/manifests/x', 'kw/tags/list', 'kw/blobs/uploads', 'kw/referrers/x', 'v2/v2']) {
      const img = await pushImage(reg, repo, 'latest', 1);
      const m = await fetch(`${base}/v2/${repo}/manifests/latest`);
      assert.equal(m.status, 200, repo);
      assert.equal(m.headers.get('docker-content-digest'), img.digest);
      await m.arrayBuffer();
      const t = await fetch(`${base}/v2/${repo}/tags/list`);
      assert.deepEqual(await t.json(), { name: repo, tags: ['latest'] }, repo);
      const h = await fetch(`${base}/v2/${repo}/blobs/${img.layers[0]!.digest}`, { method: 'HEAD' });
      assert.equal(h.status, 200, repo);
    }
  });

  test('a 255-character name is accepted', async () => {
    const repo = `${'a'.repeat(100)}/${'b'.repeat(100)}/${'c'.repeat(53)}`;
    assert.equal(repo.length, 255);
    const d = await pushBlob(reg, repo, Buffer.from('long name'));
    const r = await fetch(`${base}/v2/${repo}/blobs/${d}`);
    assert.equal(r.status, 200);
    assert.equal(await r.text(), 'long name');
  });

  const invalid: Array<[string, string]> = [
    ['uppercase', 'Upper/case'],
    ['all uppercase', 'UPPER'],
    ['a ".." component', 'a/../b'],
    ['a "." component', 'a/./b'],
    ['".." alone', '..'],
    ['an encoded ".." (%2e%2e)', 'a/%2e%2e/b'],
    ['an encoded ".." (%2E%2E)', 'a/%2E%2E/b'],
    ['a half-encoded ".."', 'a/.%2e/b'],
    ['an empty component (a//b)', 'a//b'],
    ['a trailing slash (a/)', 'a/'],
    ['a trailing slash (a/b/)', 'a/b/'],
    ['a leading slash', '/a'],
    ['an encoded slash', 'a%2Fb'],
    ['over 255 characters', 'x'.repeat(256)],
    ['thousands of characters', 'y'.repeat(5000)],
    ['over 255 characters in many components', Array.from({ length: 60 }, () => 'abcd').join('/')],
    ['a component starting with "-" (a/-b)', 'a/-b'],
    ['a leading "-"', '-a'],
    ['a trailing "-"', 'a-'],
    ['a trailing "_"', 'a/b_'],
    ['a leading "."', '.a'],
    ['a double dot separator', 'a..b'],
    ['three underscores', 'a___b'],
    ['mixed separators', 'a.-b'],
    ['a space', 'a%20b'],
    ['a non-ASCII letter', 'caf%C3%A9'],
    ['a colon', 'a:b'],
  ];

  for (const [what, name] of invalid) {
    test(`a name with ${what} → 400 NAME_INVALID on every endpoint`, async () => {
      const digest = sha256('x');
      const probes: Array<[string, string]> = [
        ['GET', `/v2/${name}/tags/list`],
        ['GET', `/v2/${name}/manifests/latest`],
        ['PUT', `/v2/${name}/manifests/latest`],
        ['DELETE', `/v2/${name}/manifests/${digest}`],
        ['GET', `/v2/${name}/blobs/${digest}`],
        ['DELETE', `/v2/${name}/blobs/${digest}`],
        ['POST', `/v2/${name}/blobs/uploads/`],
        ['POST', `/v2/${name}/blobs/uploads/?digest=${digest}`],
        ['GET', `/v2/${name}/blobs/uploads/00000000-0000-0000-0000-000000000000`],
        ['GET', `/v2/${name}/referrers/${digest}`],
      ];
      for (const [method, path] of probes) {
        const r = await rawRequest(reg, method, path, method === 'PUT' || method === 'POST' ? { body: Buffer.from('x') } : {});
        await expectOciError(r, 400, 'NAME_INVALID', `${method} ${path.slice(0, 120)}`);
        assert.equal(r.headers['docker-distribution-api-version'], 'registry/2.0');
      }
      const head = await rawRequest(reg, 'HEAD', `/v2/${name}/blobs/${digest}`);
      assert.equal(head.status, 400);
      assert.equal(head.body.length, 0);
    });
  }

  test('an invalid name never creates a repository', async () => {
    await rawRequest(reg, 'POST', `/v2/Bad/Name/blobs/uploads/?digest=${sha256('x')}`, { body: Buffer.from('x') });
    const r = await fetch(`${base}/v2/_catalog`);
    const { repositories } = (await r.json()) as { repositories: string[] };
    assert.ok(repositories.every((n) => /^[a-z0-9._\/-]+$/.test(n)), repositories.join(','));
  });

  test('a mount from an invalid source name → 400 NAME_INVALID', async () => {
    const r = await rawRequest(reg, 'POST', `/v2/names/target/blobs/uploads/?mount=${sha256('x')}&from=a%2F..%2Fb`);
    await expectOciError(r, 400, 'NAME_INVALID');
  });
});

describe('error responses', () => {
  test('unsupported methods → 405 UNSUPPORTED, in the spec format', async () => {
    const repo = 'errors/methods';
    const img = await pushImage(reg, repo, 'v1', 1);
    const url = await openUpload(reg, repo);
    const cases: Array<[string, string]> = [
      ['POST', `/v2/${repo}/manifests/v1`],
      ['PATCH', `/v2/${repo}/manifests/v1`],
      ['POST', `/v2/${repo}/blobs/${img.layers[0]!.digest}`],
      ['PUT', `/v2/${repo}/blobs/${img.layers[0]!.digest}`],
      ['PATCH', `/v2/${repo}/blobs/${img.layers[0]!.digest}`],
      ['GET', `/v2/${repo}/blobs/uploads/`],
      ['PUT', `/v2/${repo}/blobs/uploads/`],
      ['POST', url.pathname],
      ['PUT', `/v2/${repo}/tags/list`],
      ['DELETE', '/v2/_catalog'],
      ['POST', `/v2/${repo}/referrers/${img.digest}`],
      ['DELETE', `/v2/${repo}/referrers/${img.digest}`],
    ];
    for (const [method, path] of cases) {
      const r = await fetch(`${base}${path}`, { method });
      assert.equal(r.headers.get('docker-distribution-api-version'), 'registry/2.0');
      await expectOciError(r, 405, 'UNSUPPORTED', `${method} ${path}`);
    }
  });

  test('an unknown endpoint under /v2 → 404 in the spec format', async () => {
    for (const path of ['/v2/errors/x/unknown', '/v2/errors/x/tags/list/', '/v2/errors/x/manifests/', '/v2/errors/x/manifests/v1/extra', '/v2/_catalog/x']) {
      const r = await fetch(`${base}${path}`);
      await expectOciError(r, 404, ['NAME_UNKNOWN', 'UNSUPPORTED'], path);
    }
  });

  test('a path outside /v2 → 404 JSON', async () => {
    const r = await fetch(`${base}/nothing-here`);
    assert.equal(r.status, 404);
    const parsed = (await r.json()) as { errors: Array<{ code: string; message: string }> };
    assert.equal(typeof parsed.errors[0]!.code, 'string');
    assert.equal(typeof parsed.errors[0]!.message, 'string');
  });

  test('HEAD errors carry the status and no body', async () => {
    for (const path of [`/v2/errors/none/manifests/latest`, `/v2/errors/none/blobs/${sha256('none')}`]) {
      const r = await rawRequest(reg, 'HEAD', path);
      assert.equal(r.status, 404, path);
      assert.equal(r.body.length, 0);
      assert.equal(r.headers['docker-distribution-api-version'], 'registry/2.0');
    }
  });

  test('a representative error of each kind has the spec body', async () => {
    const repo = 'errors/kinds';
    const img = await pushImage(reg, repo, 'v1', 1);
    const url = await openUpload(reg, repo);
    await expectOciError(await fetch(`${base}/v2/${repo}/blobs/${sha256('missing')}`), 404, 'BLOB_UNKNOWN');
    await expectOciError(await fetch(`${base}/v2/${repo}/manifests/nope`), 404, 'MANIFEST_UNKNOWN');
    await expectOciError(await fetch(`${base}/v2/errors/nothing/tags/list`), 404, 'NAME_UNKNOWN');
    await expectOciError(await fetch(`${base}/v2/${repo}/blobs/uploads/${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}`), 404, 'BLOB_UPLOAD_UNKNOWN');
    await expectOciError(await fetch(`${base}/v2/${repo}/blobs/sha256:zz`), 400, 'DIGEST_INVALID');
    await expectOciError(await putManifest(reg, repo, 'bad', Buffer.from('{')), 400, 'MANIFEST_INVALID');
    const missing = Buffer.from(img.manifest.toString().replace(img.layers[0]!.digest, sha256('gone')));
    await expectOciError(await putManifest(reg, repo, 'bad', missing), 404, 'MANIFEST_BLOB_UNKNOWN');
    await expectOciError(await fetch(`${base}/v2/${repo}/tags/list?n=q`), 400, 'PAGINATION_NUMBER_INVALID');
    await expectOciError(await fetch(url, { method: 'PATCH', headers: { 'Content-Range': '5-6' }, body: body(Buffer.from('ab')) }), 416, 'BLOB_UPLOAD_INVALID');
    await expectOciError(await fetch(`${base}/v2/${repo}/blobs/${img.layers[0]!.digest}`, { method: 'DELETE' }), 409, 'DENIED');
    await expectOciError(await rawRequest(reg, 'GET', '/v2/Bad/tags/list'), 400, 'NAME_INVALID');
  });

  test('the server survives a request body on a failed call and keeps serving', async () => {
    const big = Buffer.alloc(2 * 1024 * 1024, 1);
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${base}/v2/errors/survive/blobs/uploads/00000000-0000-0000-0000-000000000000`, { method: 'PATCH', body: body(big) });
      await expectOciError(r, 404, 'BLOB_UPLOAD_UNKNOWN');
    }
    const ok = await fetch(`${base}/v2/`);
    assert.equal(ok.status, 200);
  });
});

describe('request ids and the request log', () => {
  test('every response carries X-Request-Id; a client-supplied one is echoed', async () => {
    const r = await fetch(`${base}/v2/`);
    assert.match(r.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    const mine = await fetch(`${base}/v2/`, { headers: { 'X-Request-Id': 'client-chosen-id-1' } });
    assert.equal(mine.headers.get('x-request-id'), 'client-chosen-id-1');
    const err = await fetch(`${base}/v2/errors/none/tags/list`);
    assert.match(err.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });

  test('the log file gets one JSON line per request with method, path, status, bytes, duration and request id', async () => {
    const repo = 'errors/logged';
    const tag = `log-${Date.now()}`;
    const blob = randomBlob(3000);
    const id = (n: string) => `${tag}-${n}`;
    const calls: Array<{ id: string; method: string; path: string; status: number; bytesIn?: number; bytesOut?: number }> = [];

    let r = await fetch(`${base}/v2/`, { headers: { 'X-Request-Id': id('base') } });
    await r.arrayBuffer();
    calls.push({ id: id('base'), method: 'GET', path: '/v2/', status: 200 });

    r = await fetch(`${base}/v2/${repo}/blobs/uploads/?digest=${blob.digest}`, {
      method: 'POST',
      headers: { 'X-Request-Id': id('push') },
      body: body(blob.bytes),
    });
    assert.equal(r.status, 201);
    calls.push({ id: id('push'), method: 'POST', path: `/v2/${repo}/blobs/uploads/`, status: 201, bytesIn: 3000 });

    r = await fetch(`${base}/v2/${repo}/blobs/${blob.digest}`, { headers: { 'X-Request-Id': id('pull') } });
    assert.equal((await r.arrayBuffer()).byteLength, 3000);
    calls.push({ id: id('pull'), method: 'GET', path: `/v2/${repo}/blobs/${blob.digest}`, status: 200, bytesOut: 3000 });

    r = await fetch(`${base}/v2/${repo}/manifests/missing`, { headers: { 'X-Request-Id': id('miss') } });
    await r.arrayBuffer();
    calls.push({ id: id('miss'), method: 'GET', path: `/v2/${repo}/manifests/missing`, status: 404 });

    r = await fetch(`${base}/v2/${repo}/blobs/${blob.digest}`, { method: 'HEAD', headers: { 'X-Request-Id': id('head') } });
    calls.push({ id: id('head'), method: 'HEAD', path: `/v2/${repo}/blobs/${blob.digest}`, status: 200, bytesOut: 0 });

    const logFile = join(haven.dataDir, 'haven.log');
    // Request lines are written asynchronously.
    const lines = await eventually(() => {
      const lines = requestLogLines(readFileSync(logFile, 'utf8'));
      for (const c of calls) assert.ok(lines.some((l) => l.reqId === c.id), `a log line for ${c.method} ${c.path}`);
      return lines;
    });
    for (const c of calls) {
      const mine = lines.filter((l) => l.reqId === c.id);
      assert.equal(mine.length, 1, `exactly one log line for ${c.method} ${c.path}`);
      const l = mine[0]!;
      assert.equal(l.method, c.method);
      assert.equal(l.path, c.path, 'path without the query string');
      assert.equal(l.status, c.status);
      assert.equal(typeof l.ms, 'number', 'duration in ms');
      assert.ok((l.ms as number) >= 0);
      assert.equal(typeof l.bytesIn, 'number');
      assert.equal(typeof l.bytesOut, 'number');
      if (c.bytesIn !== undefined) assert.equal(l.bytesIn, c.bytesIn, `bytesIn of ${c.method} ${c.path}`);
      if (c.bytesOut !== undefined) assert.equal(l.bytesOut, c.bytesOut, `bytesOut of ${c.method} ${c.path}`);
    }
  });

  test('the log counts the bytes of a streamed (chunked transfer-encoding) upload', async () => {
    const repo = 'errors/logged-stream';
    const b = randomBlob(300_000);
    const url = await openUpload(reg, repo);
    const reqId = `stream-${Date.now()}`;
    const stream = Readable.toWeb(Readable.from([b.bytes.subarray(0, 100_000), b.bytes.subarray(100_000)])) as ReadableStream<Uint8Array>;
    const r = await fetch(url, { method: 'PATCH', headers: { 'X-Request-Id': reqId }, body: stream, duplex: 'half' } as RequestInit);
    assert.equal(r.status, 202);
    assert.equal((await fetch(withQuery(url, { digest: b.digest }), { method: 'PUT' })).status, 201);
    const line = await eventually(() => {
      const line = requestLogLines(readFileSync(join(haven.dataDir, 'haven.log'), 'utf8')).find((l) => l.reqId === reqId);
      assert.ok(line, 'log line written');
      return line;
    });
    assert.equal(line.method, 'PATCH');
    assert.equal(line.status, 202);
    assert.equal(line.bytesIn, 300_000, 'bytesIn counts the bytes received, not the (absent) Content-Length');
  });
});
