// The GC torture test: 8 clients push and delete images that share layers while GC runs in a loop
// with a one-second window (so its marks race the pushes for real). Afterwards every remaining
// manifest is fully pullable with its digests verified, nothing unreferenced older than the window
// remains (rows or files), no mark is left, and quota usage equals a recount.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { havenSql } from './helpers/haven-db.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import { asAdmin, body, imageManifest, randomBlob, sha256, type Blob, type Registry } from './helpers/oci.js';
import { runGc } from './helpers/gc.js';

const clients = 8;
const roundsPerClient = 12;

/** Pushes a blob unless the repository has it (as clients do: HEAD first); retries a busy answer. */
async function ensureBlob(reg: Registry, repo: string, b: Blob): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const head = await fetch(`${reg.url}/v2/${repo}/blobs/${b.digest}`, { method: 'HEAD', headers: reg.headers });
    if (head.status === 200) return;
    const r = await fetch(`${reg.url}/v2/${repo}/blobs/uploads/?digest=${b.digest}`, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream', ...reg.headers }, body: body(b.bytes) });
    if (r.status === 201) return;
    assert.equal(r.status, 503, `blob push: ${r.status} ${await r.text()}`);
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('blob push kept failing');
}

/** Pushes an image; a manifest refused because GC took a blob meanwhile is pushed again, blobs first. */
async function pushWithRetry(reg: Registry, repo: string, tag: string, blobs: Blob[], slowMs = 0): Promise<{ retries: number; digest: string }> {
  const [config, ...layers] = blobs as [Blob, ...Blob[]];
  const manifest = imageManifest(config, layers);
  for (let attempt = 0; attempt < 20; attempt++) {
    for (const b of blobs) await ensureBlob(reg, repo, b);
    // A slow client: its blobs outlive the window before the manifest arrives, so GC may take them.
    if (attempt === 0 && slowMs > 0) await new Promise((res) => setTimeout(res, slowMs));
    const r = await fetch(`${reg.url}/v2/${repo}/manifests/${tag}`, { method: 'PUT', headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json', ...reg.headers }, body: body(manifest) });
    if (r.status === 201) return { retries: attempt, digest: sha256(manifest) };
    const text = await r.text();
    assert.ok(r.status === 404 || r.status === 400, `${r.status} ${text}`);
    assert.match(text, /MANIFEST_BLOB_UNKNOWN/);
  }
  throw new Error('manifest push kept failing');
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(e.name);
    }
  };
  walk(dir);
  return out;
}

describe('gc torture', () => {
  let h: RunningHaven;
  before(async () => {
    h = await startHaven({ env: { HAVEN_JOBS_POLL_INTERVAL: '50', HAVEN_GC_MIN_AGE: '1s' } });
    await h.createProject('t');
  });
  after(async () => {
    await h?.cleanup();
  });

  test('pushes and deletes with shared layers while GC loops; then everything left is whole and nothing old is garbage', { timeout: 300_000 }, async () => {
    const reg = asAdmin(h);
    const shared = Array.from({ length: 6 }, () => randomBlob(2048));
    let done = false;
    let gcRuns = 0;
    let freed = 0;
    const gcLoop = (async () => {
      while (!done) {
        const run = await runGc(h, { workers: 4 });
        assert.equal(run.job_status, 'Success', run.log);
        const m = /(\d+) blobs and/.exec(run.log);
        freed += Number(m?.[1] ?? 0);
        gcRuns++;
      }
    })();
    let retries = 0;
    const work = Array.from({ length: clients }, async (_, c) => {
      const repo = `t/app${c % 3}`;
      const mine: string[] = [];
      for (let i = 0; i < roundsPerClient; i++) {
        const blobs = [randomBlob(100), shared[(c + i) % shared.length]!, shared[(c * 7 + i * 3) % shared.length]!, randomBlob(512)];
        const pushed = await pushWithRetry(reg, repo, `c${c}-${i}`, [...new Set(blobs)], i % 3 === 2 ? 900 + Math.random() * 600 : 0);
        retries += pushed.retries;
        mine.push(pushed.digest);
        if (i % 2 === 1) {
          const victim = mine.splice(0, 1)[0]!;
          const r = await fetch(`${h.url}/v2/${repo}/manifests/${victim}`, { method: 'DELETE', headers: reg.headers });
          assert.equal(r.status, 202);
        }
        // Some uploads are abandoned blobs: garbage once the window passes.
        if (i % 3 === 0) await ensureBlob(reg, repo, randomBlob(300));
        await new Promise((res) => setTimeout(res, 150));
      }
    });
    try {
      await Promise.all(work);
    } finally {
      done = true;
      await gcLoop;
    }
    assert.ok(gcRuns >= 3, `GC ran ${gcRuns} times`);
    assert.ok(freed > 0, 'GC freed something while pushes went on');

    // Past the window, one more run collects everything that is garbage now.
    await new Promise((res) => setTimeout(res, 1100));
    const last = await runGc(h, { workers: 2 });
    assert.equal(last.job_status, 'Success', last.log);

    // Every remaining manifest is whole.
    const { rows: manifests } = await havenSql<{ repo: string; digest: string }>(h, 'select r.name as repo, m.digest as digest from manifests m join repositories r on r.id = m.repository_id');
    assert.equal(manifests.length, clients * (roundsPerClient / 2));
    for (const m of manifests) {
      const r = await fetch(`${h.url}/v2/${m.repo}/manifests/${m.digest}`, { headers: { ...reg.headers, Accept: 'application/vnd.oci.image.manifest.v1+json' } });
      assert.equal(r.status, 200);
      const content = Buffer.from(await r.arrayBuffer());
      assert.equal(sha256(content), m.digest);
      const parsed = JSON.parse(content.toString()) as { config: { digest: string }; layers: Array<{ digest: string }> };
      for (const d of [parsed.config.digest, ...parsed.layers.map((l) => l.digest)]) {
        const b = await fetch(`${h.url}/v2/${m.repo}/blobs/${d}`, { headers: reg.headers });
        assert.equal(b.status, 200, `${m.repo}@${m.digest}: ${d}`);
        assert.equal(sha256(Buffer.from(await b.arrayBuffer())), d);
      }
    }
    // Nothing unreferenced is left, no mark, and every file has its row and every row its file.
    const garbage = await havenSql<{ n: number }>(
      h,
      "select count(*) as n from blobs b where not exists (select 1 from manifest_references ref where ref.digest = b.digest and ref.kind = 'blob')",
    );
    assert.equal(Number(garbage.rows[0]!.n), 0);
    assert.equal(Number((await havenSql<{ n: number }>(h, 'select count(*) as n from blobs where deleting_since is not null')).rows[0]!.n), 0);
    const rows = new Set((await havenSql<{ digest: string }>(h, 'select digest from blobs')).rows.map((r) => r.digest.slice('sha256:'.length)));
    const files = new Set(filesUnder(join(h.dataDir, 'storage', 'blobs')));
    assert.deepEqual([...files].filter((f) => !rows.has(f)), [], 'files without rows');
    assert.deepEqual([...rows].filter((r) => !files.has(r)), [], 'rows without files');
    // Quota: what the project's manifests reference, counted from scratch.
    const used = await havenSql<{ u: number }>(h, "select q.used_storage as u from quotas q join projects p on p.id = q.project_id where p.name = 't'");
    const recount = await havenSql<{ n: number }>(
      h,
      `select sum(size) as n from (select t.digest, max(t.size) as size from (
         select m.digest as digest, m.size as size from manifests m join repositories r on r.id = m.repository_id join projects p on p.id = r.project_id where p.name = 't'
         union all
         select ref.digest, b.size from manifest_references ref join manifests m on m.id = ref.manifest_id join repositories r on r.id = m.repository_id
           join projects p on p.id = r.project_id join blobs b on b.digest = ref.digest where ref.kind = 'blob' and p.name = 't'
       ) t group by t.digest) u`,
    );
    assert.equal(Number(used.rows[0]!.u), Number(recount.rows[0]!.n));
    console.log(`# torture: ${gcRuns} GC runs freed ${freed} blobs during pushes; ${retries} manifest pushes retried after GC took a blob`);
  });
});
