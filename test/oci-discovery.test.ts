// End-to-end discovery over /v2: the base endpoint, tag lists, the catalog and the referrers API.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useHaven } from './helpers/haven.js';
import {
  descriptor,
  emptyJson,
  emptyJsonDigest,
  expectOciError,
  json,
  mediaType,
  pushBlob,
  pushImage,
  putManifest,
  randomBlob,
  sha256,
  asAdmin,
  type Registry,
} from './helpers/oci.js';

let base: string;
/** This file tests the registry itself, not who may use it: every request is the admin's. */
let reg: Registry;
let fetch: typeof globalThis.fetch;

useHaven({ projects: ['disc', 'cat', 'cat0'] }, (h) => {
  base = h.url;
  reg = asAdmin(h);
  fetch = h.adminFetch;
});

/** Parses `Link: <url>; rel="next"`, or returns null when there is no such header. */
function nextLink(r: Response): URL | null {
  const link = r.headers.get('link');
  if (link === null) return null;
  const m = /^<([^>]+)>;\s*rel="next"$/.exec(link);
  assert.ok(m, `Link header has the form <url>; rel="next": ${link}`);
  return new URL(m[1]!, base);
}

describe('base endpoint', () => {
  test('GET /v2/ → 200 with Docker-Distribution-API-Version: registry/2.0', async () => {
    const r = await fetch(`${base}/v2/`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('docker-distribution-api-version'), 'registry/2.0');
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await r.json(), {});
  });

  test('HEAD /v2/ and GET /v2 (no slash) → 200 with the header', async () => {
    for (const [method, path] of [['HEAD', '/v2/'], ['GET', '/v2']] as const) {
      const r = await fetch(`${base}${path}`, { method });
      assert.equal(r.status, 200, `${method} ${path}`);
      assert.equal(r.headers.get('docker-distribution-api-version'), 'registry/2.0');
      await r.arrayBuffer();
    }
  });

  test('other methods on /v2/ → 405 UNSUPPORTED', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      await expectOciError(await fetch(`${base}/v2/`, { method }), 405, 'UNSUPPORTED', method);
    }
  });
});

describe('tags list', () => {
  const repo = 'disc/tags';
  // Deliberately pushed out of order; byte-wise lexical order puts digits, then capitals, then "_", then lowercase.
  const tags = ['latest', 'v1.0', 'a', 'B', 'v2', '1.0', '_x', 'v1.0-rc1', 'Z9', 'aa'];
  const sorted = [...tags].sort();

  before(async () => {
    const img = await pushImage(reg, repo, tags[0]!, 1);
    for (const t of tags.slice(1)) {
      const r = await putManifest(reg, repo, t, img.manifest);
      assert.equal(r.status, 201);
    }
  });

  test('lists every tag in lexical order', async () => {
    const r = await fetch(`${base}/v2/${repo}/tags/list`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(r.headers.get('link'), null);
    assert.deepEqual(await r.json(), { name: repo, tags: sorted });
  });

  test('n and last paginate with a Link header only while more remain', async () => {
    let url: URL | null = new URL(`/v2/${repo}/tags/list?n=3`, base);
    const seen: string[] = [];
    let pages = 0;
    while (url) {
      const r: Response = await fetch(url);
      assert.equal(r.status, 200);
      const page = (await r.json()) as { name: string; tags: string[] };
      assert.equal(page.name, repo);
      assert.ok(page.tags.length <= 3);
      seen.push(...page.tags);
      pages++;
      const next = nextLink(r);
      if (seen.length < sorted.length) {
        assert.ok(next, `page ${pages} must link to the next one`);
        assert.equal(next.pathname, `/v2/${repo}/tags/list`);
        assert.equal(next.searchParams.get('n'), '3');
        assert.equal(next.searchParams.get('last'), page.tags[page.tags.length - 1]);
        assert.match(r.headers.get('link')!, new RegExp(`^</v2/${repo}/tags/list\\?n=3&last=[^>]+>; rel="next"$`));
      } else {
        assert.equal(next, null, 'the last page has no Link');
      }
      url = next;
    }
    assert.deepEqual(seen, sorted);
    assert.equal(pages, Math.ceil(sorted.length / 3));
  });

  test('a page that takes exactly the rest has no Link; one fewer has a Link', async () => {
    const all = await fetch(`${base}/v2/${repo}/tags/list?n=${sorted.length}`);
    assert.equal(all.headers.get('link'), null);
    assert.deepEqual(((await all.json()) as { tags: string[] }).tags, sorted);
    const fewer = await fetch(`${base}/v2/${repo}/tags/list?n=${sorted.length - 1}`);
    assert.ok(nextLink(fewer));
    assert.deepEqual(((await fewer.json()) as { tags: string[] }).tags, sorted.slice(0, -1));
    const more = await fetch(`${base}/v2/${repo}/tags/list?n=${sorted.length + 5}`);
    assert.equal(more.headers.get('link'), null);
    assert.deepEqual(((await more.json()) as { tags: string[] }).tags, sorted);
  });

  test('last alone returns every tag after it (also when last is not a tag)', async () => {
    const r = await fetch(`${base}/v2/${repo}/tags/list?last=${sorted[4]}`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('link'), null);
    assert.deepEqual(((await r.json()) as { tags: string[] }).tags, sorted.slice(5));
    const between = await fetch(`${base}/v2/${repo}/tags/list?last=b`);
    assert.deepEqual(((await between.json()) as { tags: string[] }).tags, sorted.filter((t) => t > 'b'));
    const end = await fetch(`${base}/v2/${repo}/tags/list?last=${sorted[sorted.length - 1]}&n=2`);
    assert.equal(end.headers.get('link'), null);
    assert.deepEqual(((await end.json()) as { tags: string[] }).tags, []);
  });

  test('n=0 → 200 with no tags and no Link', async () => {
    const r = await fetch(`${base}/v2/${repo}/tags/list?n=0`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('link'), null);
    assert.deepEqual(await r.json(), { name: repo, tags: [] });
  });

  test('an invalid n → 400 PAGINATION_NUMBER_INVALID', async () => {
    for (const n of ['abc', '-1', '1.5', '1e3', '9999999999', ' 2']) {
      await expectOciError(await fetch(`${base}/v2/${repo}/tags/list?n=${encodeURIComponent(n)}`), 400, 'PAGINATION_NUMBER_INVALID', `n=${n}`);
    }
  });

  test('unknown repository → 404 NAME_UNKNOWN', async () => {
    await expectOciError(await fetch(`${base}/v2/disc/never-pushed/tags/list`), 404, 'NAME_UNKNOWN');
    await expectOciError(await fetch(`${base}/v2/disc/never-pushed/tags/list?n=1`), 404, 'NAME_UNKNOWN');
  });

  test('a repository with blobs but no tags lists an empty array', async () => {
    await pushBlob(reg, 'disc/untagged', randomBlob(10).bytes);
    const r = await fetch(`${base}/v2/disc/untagged/tags/list`);
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { name: 'disc/untagged', tags: [] });
  });

  test('other methods on tags/list → 405 UNSUPPORTED', async () => {
    await expectOciError(await fetch(`${base}/v2/${repo}/tags/list`, { method: 'POST' }), 405, 'UNSUPPORTED');
    await expectOciError(await fetch(`${base}/v2/${repo}/tags/list`, { method: 'DELETE' }), 405, 'UNSUPPORTED');
  });
});

describe('catalog', () => {
  const repos = ['cat/b', 'cat/a', 'cat/a/deeper', 'cat/c-1', 'cat/c.2', 'cat/c_3', 'cat0', 'cat/z'];

  before(async () => {
    for (const r of repos) await pushBlob(reg, r, randomBlob(8).bytes);
  });

  async function fullCatalog(): Promise<string[]> {
    const r = await fetch(`${base}/v2/_catalog`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('link'), null);
    return ((await r.json()) as { repositories: string[] }).repositories;
  }

  test('lists repositories in lexical order', async () => {
    const all = await fullCatalog();
    assert.deepEqual(all, [...all].sort());
    for (const r of repos) assert.ok(all.includes(r), `${r} is listed`);
    assert.equal(new Set(all).size, all.length, 'no duplicates');
  });

  test('n and last paginate the catalog with a Link header only while more remain', async () => {
    const all = await fullCatalog();
    let url: URL | null = new URL('/v2/_catalog?n=2', base);
    const seen: string[] = [];
    while (url) {
      const r: Response = await fetch(url);
      assert.equal(r.status, 200);
      const page = ((await r.json()) as { repositories: string[] }).repositories;
      assert.ok(page.length <= 2);
      seen.push(...page);
      const next = nextLink(r);
      if (seen.length < all.length) {
        assert.ok(next, 'more remain: Link present');
        assert.equal(next.pathname, '/v2/_catalog');
        assert.equal(next.searchParams.get('n'), '2');
        assert.equal(next.searchParams.get('last'), page[page.length - 1]);
        assert.match(r.headers.get('link')!, /^<\/v2\/_catalog\?n=2&last=[^>]+>; rel="next"$/);
      } else {
        assert.equal(next, null, 'nothing remains: no Link');
      }
      url = next;
    }
    assert.deepEqual(seen, all);
  });

  test('last alone, n=0 and an invalid n', async () => {
    const all = await fullCatalog();
    const after = await fetch(`${base}/v2/_catalog?last=cat/c-1`);
    assert.deepEqual(((await after.json()) as { repositories: string[] }).repositories, all.filter((r) => r > 'cat/c-1'));
    const zero = await fetch(`${base}/v2/_catalog?n=0`);
    assert.equal(zero.status, 200);
    assert.equal(zero.headers.get('link'), null);
    assert.deepEqual(await zero.json(), { repositories: [] });
    await expectOciError(await fetch(`${base}/v2/_catalog?n=x`), 400, 'PAGINATION_NUMBER_INVALID');
    await expectOciError(await fetch(`${base}/v2/_catalog?n=-5`), 400, 'PAGINATION_NUMBER_INVALID');
  });
});

describe('referrers', () => {
  const repo = 'disc/referrers';
  let subject: { digest: string; manifest: Buffer };
  const sbomType = 'application/vnd.example.sbom.v1';
  const sigType = 'application/vnd.example.signature.v1';
  const pushed: Array<{ digest: string; size: number; mediaType: string; artifactType: string; annotations?: Record<string, string> }> = [];

  /** Pushes an artifact manifest (empty config) that refers to `subjectDigest`. */
  async function pushReferrer(
    artifactType: string,
    annotations: Record<string, string> | undefined,
    subjectDesc: { mediaType: string; digest: string; size: number },
    tag?: string,
  ) {
    const payload = randomBlob(32);
    await pushBlob(reg, repo, payload.bytes);
    const m = json({
      schemaVersion: 2,
      mediaType: mediaType.ociManifest,
      artifactType,
      config: { mediaType: mediaType.ociEmpty, digest: emptyJsonDigest, size: 2 },
      layers: [{ mediaType: 'application/octet-stream', digest: payload.digest, size: payload.size }],
      subject: subjectDesc,
      ...(annotations ? { annotations } : {}),
    });
    const r = await putManifest(reg, repo, tag ?? sha256(m), m);
    assert.equal(r.status, 201, await r.text());
    assert.equal(r.headers.get('oci-subject'), subjectDesc.digest, 'OCI-Subject echoes the subject digest');
    return { digest: sha256(m), size: m.length, mediaType: mediaType.ociManifest, artifactType, ...(annotations ? { annotations } : {}) };
  }

  const subjectDesc = () => ({ mediaType: mediaType.ociManifest, digest: subject.digest, size: subject.manifest.length });

  async function referrersOf(digest: string, query = '', repository = repo) {
    const r = await fetch(`${base}/v2/${repository}/referrers/${digest}${query}`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), mediaType.ociIndex, 'Content-Type is exactly the OCI index type');
    const index = (await r.json()) as { schemaVersion: number; mediaType: string; manifests: Array<Record<string, unknown>> };
    assert.equal(index.schemaVersion, 2);
    assert.equal(index.mediaType, mediaType.ociIndex);
    assert.ok(Array.isArray(index.manifests));
    return { r, index };
  }

  before(async () => {
    await pushBlob(reg, repo, emptyJson);
    subject = await pushImage(reg, repo, 'subject', 1);
    pushed.push(await pushReferrer(sbomType, { 'org.opencontainers.image.created': '2024-05-01T00:00:00Z', 'org.example.kind': 'spdx' }, subjectDesc()));
    pushed.push(await pushReferrer(sigType, { 'org.example.signer': 'alice' }, subjectDesc(), 'sig-tag'));
    pushed.push(await pushReferrer(sbomType, undefined, subjectDesc()));
  });

  test('PUT of a manifest without subject has no OCI-Subject header', async () => {
    const img = await pushImage(reg, repo, 'plain', 1);
    const r = await putManifest(reg, repo, 'plain2', img.manifest);
    assert.equal(r.status, 201);
    assert.equal(r.headers.get('oci-subject'), null);
  });

  test('lists every referrer with mediaType, digest, size, artifactType and annotations', async () => {
    const { r, index } = await referrersOf(subject.digest);
    assert.equal(r.headers.get('oci-filters-applied'), null);
    assert.equal(index.manifests.length, pushed.length);
    const byDigest = new Map(index.manifests.map((m) => [m.digest as string, m]));
    for (const p of pushed) {
      const got = byDigest.get(p.digest);
      assert.ok(got, `referrer ${p.digest} listed`);
      assert.deepEqual(got, p);
    }
  });

  test('?artifactType= filters, and says so in OCI-Filters-Applied', async () => {
    const { r, index } = await referrersOf(subject.digest, `?artifactType=${encodeURIComponent(sbomType)}`);
    assert.equal(r.headers.get('oci-filters-applied'), 'artifactType');
    assert.deepEqual(
      index.manifests.map((m) => m.digest).sort(),
      pushed.filter((p) => p.artifactType === sbomType).map((p) => p.digest).sort(),
    );
    for (const m of index.manifests) assert.equal(m.artifactType, sbomType);
    const none = await referrersOf(subject.digest, '?artifactType=application%2Fvnd.example.none');
    assert.equal(none.r.headers.get('oci-filters-applied'), 'artifactType');
    assert.deepEqual(none.index.manifests, []);
  });

  test('an image manifest referrer without artifactType reports its config media type', async () => {
    const cfg = randomBlob(16);
    await pushBlob(reg, repo, cfg.bytes);
    const m = json({
      schemaVersion: 2,
      mediaType: mediaType.ociManifest,
      config: { mediaType: 'application/vnd.example.config.v1+json', digest: cfg.digest, size: cfg.size },
      layers: [],
      subject: subjectDesc(),
    });
    const r = await putManifest(reg, repo, sha256(m), m);
    assert.equal(r.status, 201);
    assert.equal(r.headers.get('oci-subject'), subject.digest);
    const { index } = await referrersOf(subject.digest, '?artifactType=application%2Fvnd.example.config.v1%2Bjson');
    assert.deepEqual(index.manifests, [
      { mediaType: mediaType.ociManifest, digest: sha256(m), size: m.length, artifactType: 'application/vnd.example.config.v1+json' },
    ]);
  });

  test('an index can be a referrer, with its artifactType', async () => {
    const child = await pushImage(reg, repo, 'index-child', 1);
    const idx = json({
      schemaVersion: 2,
      mediaType: mediaType.ociIndex,
      artifactType: 'application/vnd.example.bundle.v1',
      manifests: [descriptor(mediaType.ociManifest, child.manifest)],
      subject: subjectDesc(),
      annotations: { 'org.example.bundle': 'true' },
    });
    const r = await putManifest(reg, repo, sha256(idx), idx, mediaType.ociIndex);
    assert.equal(r.status, 201, await r.text());
    assert.equal(r.headers.get('oci-subject'), subject.digest);
    const { index } = await referrersOf(subject.digest, '?artifactType=application%2Fvnd.example.bundle.v1');
    assert.deepEqual(index.manifests, [
      {
        mediaType: mediaType.ociIndex,
        digest: sha256(idx),
        size: idx.length,
        artifactType: 'application/vnd.example.bundle.v1',
        annotations: { 'org.example.bundle': 'true' },
      },
    ]);
  });

  test('a referrer may be pushed before its subject exists, and is listed', async () => {
    const future = { mediaType: mediaType.ociManifest, digest: sha256('a subject pushed later'), size: 22 };
    const p = await pushReferrer(sigType, { when: 'early' }, future);
    const { index } = await referrersOf(future.digest);
    assert.deepEqual(index.manifests, [p]);
  });

  test('unknown subject → 200 with an empty manifests list', async () => {
    const { r, index } = await referrersOf(sha256('nobody refers to this'));
    assert.equal(r.status, 200);
    assert.deepEqual(index.manifests, []);
  });

  test('a subject in an unknown repository → 200 with an empty list', async () => {
    const { index } = await referrersOf(subject.digest, '', 'disc/no-such-repo');
    assert.deepEqual(index.manifests, []);
  });

  test('referrers are per repository: another repository\'s referrers are not listed', async () => {
    const other = 'disc/referrers-other';
    await pushBlob(reg, other, emptyJson);
    const { index } = await referrersOf(subject.digest, '', other);
    assert.deepEqual(index.manifests, []);
  });

  test('a deleted referrer disappears from the list', async () => {
    const p = await pushReferrer('application/vnd.example.temp', undefined, subjectDesc());
    assert.ok((await referrersOf(subject.digest)).index.manifests.some((m) => m.digest === p.digest));
    const del = await fetch(`${base}/v2/${repo}/manifests/${p.digest}`, { method: 'DELETE' });
    assert.equal(del.status, 202);
    assert.ok(!(await referrersOf(subject.digest)).index.manifests.some((m) => m.digest === p.digest));
  });

  test('a malformed digest → 400 (DIGEST_INVALID)', async () => {
    for (const d of ['sha256:abc', 'latest', `sha256:${'X'.repeat(64)}`, 'md5:d41d8cd98f00b204e9800998ecf8427e']) {
      await expectOciError(await fetch(`${base}/v2/${repo}/referrers/${d}`), 400, 'DIGEST_INVALID', d);
    }
  });
});
