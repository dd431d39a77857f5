// Concurrent pushes into one project cannot together pass its quota: many manifest PUTs of
// distinct images at once, with a limit that fits only some. Every blob is uploaded first (each
// fits alone, so the pre-check lets them through); the manifest PUTs race. Afterwards usage is at
// most the limit and equals both the images accepted and a recount from the database.
// Then a representative random sequence over HTTP (pushes sharing layers, retags, copies by mount
// and manifest PUT, tag and manifest deletes, indexes, repository deletes) keeps usage equal to a
// recount.
import { havenSql } from './helpers/haven-db.js';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiClient } from './helpers/api-client.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import { asAdmin, imageManifest, pushBlob, putManifest, randomBlob, sha256, type Blob } from './helpers/oci.js';

let h: RunningHaven;
let client: ReturnType<typeof apiClient>;

before(async () => {
  h = await startHaven();
  client = apiClient(h);
});
after(async () => {
  await h?.cleanup();
});

async function createProject(name: string, storageLimit: number): Promise<number> {
  const r = await client.api('POST', '/projects', { body: { project_name: name, storage_limit: storageLimit } });
  assert.equal(r.status, 201, r.text);
  return Number(r.headers.get('location')!.split('/').pop());
}

async function used(projectId: number): Promise<number> {
  const r = await client.api('GET', `/quotas?reference_id=${projectId}`);
  return r.json[0].used.storage;
}

/** Usage counted from scratch in the server's database: the distinct digests its manifests are or reference. */
async function recount(projectId: number): Promise<number> {
  const { rows } = await havenSql<{ n: number }>(
    h,
    `select coalesce(sum(size), 0) as n from (
        select digest, max(size) as size from (
          select m.digest, m.size from manifests m join repositories r on r.id = m.repository_id where r.project_id = ?
          union all
          select ref.digest, b.size from manifest_references ref join manifests m on m.id = ref.manifest_id
            join repositories r on r.id = m.repository_id join blobs b on b.digest = ref.digest
            where ref.kind = 'blob' and r.project_id = ?
        ) refs group by digest) per_digest`,
    [projectId, projectId],
  );
  return Number(rows[0]!.n);
}

const reg = () => asAdmin(h);

describe('quota under concurrency', () => {
  test('30 concurrent manifest PUTs of distinct images with room for about a third: usage stays within the limit and equals the recount', async () => {
    const id = await createProject('q-race', -1);
    const images: Array<{ repo: string; manifest: Buffer; bytes: number }> = [];
    for (let i = 0; i < 30; i++) {
      const repo = `q-race/app${i % 3}`;
      const config = randomBlob(50);
      const layer = randomBlob(2000 + i);
      await pushBlob(reg(), repo, config.bytes);
      await pushBlob(reg(), repo, layer.bytes);
      const manifest = imageManifest(config, [layer]);
      images.push({ repo, manifest, bytes: manifest.length + config.size + layer.size });
    }
    // Limited once the blobs are staged (blobs alone count nothing; manifests are what use storage).
    const hard = images.slice(0, 10).reduce((n, i) => n + i.bytes, 0) + 100;
    const quotaId = (await client.api('GET', `/quotas?reference_id=${id}`)).json[0].id;
    assert.equal((await client.api('PUT', `/quotas/${quotaId}`, { body: { hard: { storage: hard } } })).status, 200);
    const results = await Promise.all(images.map((img, i) => putManifest(reg(), img.repo, `t${i}`, img.manifest).then(async (r) => ({ status: r.status, text: await r.text() }))));
    const accepted = images.filter((_, i) => results[i]!.status === 201);
    for (const r of results) {
      assert.ok(r.status === 201 || r.status === 403, `${r.status} ${r.text}`);
      if (r.status === 403) assert.match(r.text, /DENIED.*will exceed the configured upper limit/);
    }
    assert.ok(accepted.length >= 9 && accepted.length <= 11, `${accepted.length} accepted`);
    const total = await used(id);
    assert.ok(total <= hard, `usage ${total} <= hard ${hard}`);
    assert.equal(total, accepted.reduce((n, i) => n + i.bytes, 0));
    assert.equal(total, await recount(id));
    for (const [i, img] of images.entries()) {
      const head = await h.adminFetch(`${h.url}/v2/${img.repo}/manifests/${sha256(img.manifest)}`, { method: 'HEAD' });
      assert.equal(head.status, results[i]!.status === 201 ? 200 : 404, 'a refused image left no manifest');
    }
  });

  test('a random sequence over HTTP (pushes sharing layers, retags, copies, mounts, deletes, indexes, repository deletes) keeps usage equal to a recount', async () => {
    const id = await createProject('q-random', -1);
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const pool: Blob[] = Array.from({ length: 12 }, () => randomBlob(100 + rand(3000)));
    const repos = ['q-random/a', 'q-random/b', 'q-random/c/d'];
    const live: Array<{ repo: string; manifest: Buffer; blobs: Blob[]; index?: boolean }> = [];
    const v2 = (path: string, init: RequestInit = {}) => h.adminFetch(`${h.url}/v2/${path}`, init);
    for (let i = 0; i < 150; i++) {
      const op = rand(10);
      const repo = repos[rand(repos.length)]!;
      const mine = live.filter((l) => l.repo === repo);
      if (op < 4 || mine.length === 0) {
        const config = randomBlob(30);
        const layers = [pool[rand(pool.length)]!, pool[rand(pool.length)]!].filter((l, j, a) => a.indexOf(l) === j);
        for (const b of [config, ...layers]) await pushBlob(reg(), repo, b.bytes);
        const manifest = imageManifest(config, layers);
        assert.equal((await putManifest(reg(), repo, `t${rand(4)}`, manifest)).status, 201);
        live.push({ repo, manifest, blobs: [config, ...layers] });
      } else if (op === 4) {
        const m = mine[rand(mine.length)]!;
        assert.equal((await putManifest(reg(), repo, `t${rand(4)}`, m.manifest, m.index ? 'application/vnd.oci.image.index.v1+json' : undefined)).status, 201);
      } else if (op === 5) {
        // Copy: mount every blob into another repository, then PUT the same manifest there.
        const m = mine.filter((x) => !x.index)[0];
        const target = repos[(repos.indexOf(repo) + 1) % repos.length]!;
        if (!m) continue;
        for (const b of m.blobs) assert.equal((await v2(`${target}/blobs/uploads/?mount=${b.digest}&from=${repo}`, { method: 'POST' })).status, 201);
        assert.equal((await putManifest(reg(), target, `copy${rand(3)}`, m.manifest)).status, 201);
        live.push({ repo: target, manifest: m.manifest, blobs: m.blobs });
      } else if (op === 6) {
        await v2(`${repo}/manifests/t${rand(4)}`, { method: 'DELETE' });
      } else if (op === 7) {
        const m = mine[rand(mine.length)]!;
        const r = await v2(`${repo}/manifests/${sha256(m.manifest)}`, { method: 'DELETE' });
        assert.ok([202, 404, 409].includes(r.status), `delete ${r.status}`);
      } else if (op === 8) {
        const children = mine.filter((x) => !x.index).slice(0, 2);
        if (children.length === 0) continue;
        const index = Buffer.from(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: 'application/vnd.oci.image.index.v1+json',
            manifests: children.map((c) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256(c.manifest), size: c.manifest.length, platform: { os: 'linux', architecture: `arch${rand(100)}` } })),
          }),
        );
        const r = await putManifest(reg(), repo, `idx${rand(2)}`, index, 'application/vnd.oci.image.index.v1+json');
        assert.ok(r.status === 201 || r.status === 400 || r.status === 404, `index ${r.status} ${await r.text()}`);
        if (r.status === 201) live.push({ repo, manifest: index, blobs: [], index: true });
      } else if (rand(3) === 0) {
        const name = repo.slice('q-random/'.length);
        const r = await client.api('DELETE', `/projects/q-random/repositories/${encodeURIComponent(name.replace('/', '%2F'))}`);
        assert.ok(r.status === 200 || r.status === 404, r.text);
      }
      if (i % 25 === 24) assert.equal(await used(id), await recount(id), `after operation ${i}`);
    }
    assert.equal(await used(id), await recount(id));
  });
});
