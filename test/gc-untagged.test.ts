// delete_untagged: a dry run counts the blobs and bytes that only the untagged artifacts' deletes
// would free (with their accessories and the index children nothing else keeps), so that its
// figures equal what the real run frees, on the disk and in the blob rows; and each artifact GC
// deletes is an audit record, as an artifact delete through the API is, by the run's trigger user
// ("system" for a schedule).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually } from './helpers/eventually.js';
import { blobBytesOnDisk, figures, runGc } from './helpers/gc.js';
import { havenSql } from './helpers/haven-db.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import { asAdmin, type Blob, imageManifest, pushBlob, putManifest, randomBlob, type Registry, sha256 } from './helpers/oci.js';

const hour = 3_600_000;
const ociIndex = 'application/vnd.oci.image.index.v1+json';

describe('GC delete_untagged: dry-run figures and audit', () => {
  let h: RunningHaven;
  let reg: Registry;
  const api = (path: string, init: RequestInit = {}) => h.adminFetch(`${h.url}/api/v2.0${path}`, { ...init, headers: { 'Content-Type': 'application/json', ...init.headers } });
  const repo = 'gut/app';

  async function blobs(...sizes: number[]): Promise<Blob[]> {
    const out = sizes.map((s) => randomBlob(s));
    for (const b of out) await pushBlob(reg, repo, b.bytes);
    return out;
  }
  async function image(reference: string, config: Blob, layers: Blob[], extra: Record<string, unknown> = {}): Promise<{ digest: string; size: number }> {
    const m = imageManifest(config, layers, extra);
    const r = await putManifest(reg, repo, reference, m);
    assert.equal(r.status, 201, await r.text());
    return { digest: sha256(m), size: m.length };
  }
  const blobRows = async () => Number((await havenSql<{ n: number }>(h, 'select count(*) as n from blobs')).rows[0]!.n);
  const ageEverything = async () => {
    await havenSql(h, 'update blobs set created_at = ?', [Date.now() - 2 * hour]);
    await havenSql(h, 'update manifests set pushed_at = ?, created_at = ?', [Date.now() - 2 * hour, Date.now() - 2 * hour]);
  };
  const deleteAudits = async () => {
    const r = await api('/audit-logs?page=1&page_size=100&q=operation%3Ddelete');
    assert.equal(r.status, 200);
    return ((await r.json()) as Array<{ resource: string; resource_type: string; operation: string; username: string }>).filter((a) => a.resource_type === 'artifact');
  };

  before(async () => {
    h = await startHaven({ env: { HAVEN_JOBS_POLL_INTERVAL: '100', HAVEN_GC_MIN_AGE: '1h' } });
    reg = asAdmin(h);
    await h.createProject('gut');
  });
  after(async () => {
    await h?.cleanup();
  });

  test('a dry run counts what the untagged deletes free; the real run frees exactly that, audited as its caller', async () => {
    const [shared, sharedToo, kept, configA, configB, configC, configD, layerD1, layerD2, sigConfig, sigLayer, childConfig, childLayer, lone] = await blobs(
      3000, 2000, 1500, 11, 12, 13, 14, 4100, 4200, 15, 700, 16, 5300, 999,
    );
    // Tagged, and keeps what it shares.
    await image('v1', configA!, [shared!, kept!]);
    // Untagged by a tag delete: frees only its config (its layers are shared with tagged images).
    const b = await image('v2', configB!, [shared!, sharedToo!]);
    await image('v3', configC!, [sharedToo!, kept!]);
    assert.equal((await api(`/projects/gut/repositories/app/artifacts/${b.digest}/tags/v2`, { method: 'DELETE' })).status, 200);
    // Untagged from the start, with a signature (subject) of its own: both go, all their blobs free.
    const d = await image(sha256(imageManifest(configD!, [layerD1!, layerD2!])), configD!, [layerD1!, layerD2!]);
    await image(sha256(imageManifest(sigConfig!, [sigLayer!], { subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...d } })), sigConfig!, [sigLayer!], {
      subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...d },
    });
    // An untagged index: its untagged child goes with it, and frees its own blobs but not the shared one.
    const child = await image(sha256(imageManifest(childConfig!, [childLayer!, shared!])), childConfig!, [childLayer!, shared!]);
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: ociIndex, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...child }] }));
    assert.equal((await putManifest(reg, repo, sha256(index), index, ociIndex)).status, 201);
    await ageEverything();

    const freedBlobs = [configB!, configD!, layerD1!, layerD2!, sigConfig!, sigLayer!, childConfig!, childLayer!, lone!];
    const freedBytes = freedBlobs.reduce((n, x) => n + x.size, 0);
    const rowsBefore = await blobRows();
    const diskBefore = blobBytesOnDisk(h.dataDir);

    const dry = await runGc(h, { dry_run: true, delete_untagged: true });
    assert.equal(dry.job_status, 'Success', dry.log);
    assert.deepEqual(figures(dry.log), { blobs: freedBlobs.length, manifests: 3 }, dry.log);
    assert.match(dry.log, /3 untagged artifacts eligible for deletion, which would free 8 blobs/);
    const dryAttrs = (await havenSql<{ extra_attrs: string }>(h, 'select extra_attrs from job_tasks where execution_id = ?', [dry.id])).rows[0]!;
    assert.equal((JSON.parse(dryAttrs.extra_attrs) as { freed_space: number }).freed_space, freedBytes);
    assert.equal(await blobRows(), rowsBefore, 'a dry run deletes nothing');
    assert.deepEqual(await deleteAudits(), [], 'nor audits anything');

    const real = await runGc(h, { delete_untagged: true });
    assert.equal(real.job_status, 'Success', real.log);
    assert.deepEqual(figures(real.log), figures(dry.log), real.log);
    assert.match(real.log, /The GC job actual frees up 14\.99 KiB space\./);
    const shown = (run: { job_parameters: string }) => {
      const p = JSON.parse(run.job_parameters) as Record<string, unknown>;
      return [p.freed_space, p.purged_blobs, p.purged_manifests];
    };
    assert.deepEqual(shown(real), [freedBytes, freedBlobs.length, 3]);
    assert.deepEqual(shown(dry), shown(real), 'the history shows the same figures for both');
    assert.equal(await blobRows(), rowsBefore - freedBlobs.length, 'the blob rows drop by the dry figure');
    assert.equal(blobBytesOnDisk(h.dataDir), diskBefore - freedBytes, 'the disk drops by the dry bytes');
    const realAttrs = (await havenSql<{ extra_attrs: string }>(h, 'select extra_attrs from job_tasks where execution_id = ?', [real.id])).rows[0]!;
    assert.equal((JSON.parse(realAttrs.extra_attrs) as { freed_space: number }).freed_space, freedBytes);
    for (const tag of ['v1', 'v3']) {
      const r = await fetch(`${h.url}/v2/${repo}/manifests/${tag}`, { headers: { ...reg.headers, Accept: 'application/vnd.oci.image.manifest.v1+json' } });
      assert.equal(r.status, 200, tag);
    }
    for (const x of [shared!, sharedToo!, kept!]) assert.equal((await fetch(`${h.url}/v2/${repo}/blobs/${x.digest}`, { method: 'HEAD', headers: reg.headers })).status, 200);

    // One audit record per artifact GC deleted (the roots, as the API's delete records), by the caller.
    const audits = await eventually(async () => {
      const a = await deleteAudits();
      assert.equal(a.length, 3, JSON.stringify(a));
      return a;
    });
    assert.deepEqual(
      audits.map((a) => [a.operation, a.resource_type, a.resource, a.username]).sort(),
      [b.digest, d.digest, sha256(index)].map((digest) => ['delete', 'artifact', `${repo}:${digest}`, 'admin']).sort(),
    );
  });

  test('a scheduled run audits its deletes as "system"', async () => {
    const [config, layer] = await blobs(21, 2100);
    const gone = await image(sha256(imageManifest(config!, [layer!])), config!, [layer!]);
    await ageEverything();
    assert.equal((await api('/system/gc/schedule', { method: 'PUT', body: JSON.stringify({ schedule: { type: 'Daily', cron: '0 0 0 * * *' }, parameters: { delete_untagged: true } }) })).status, 200);
    await havenSql(h, "update job_schedules set next_fire = ? where vendor_type = 'GARBAGE_COLLECTION'", [Date.now() - 1]);
    const audit = await eventually(
      async () => {
        const a = (await deleteAudits()).filter((x) => x.resource === `${repo}:${gone.digest}`);
        assert.equal(a.length, 1);
        return a[0]!;
      },
      { timeoutMs: 30_000 },
    );
    assert.equal(audit.username, 'system');
    // The audit is written when the artifact goes, before the sweep reaches its blobs.
    await eventually(async () => assert.equal((await fetch(`${h.url}/v2/${repo}/blobs/${layer!.digest}`, { method: 'HEAD', headers: reg.headers })).status, 404), { timeoutMs: 30_000 });
  });
});
