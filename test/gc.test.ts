// Online garbage collection through Harbor's /system/gc: a dry run reports what the real run then
// frees (and the disk shows it), the window protects young blobs, delete_untagged deletes
// untagged artifacts through the artifact delete (quota released), Harbor's parameter checks, and
// who may run it.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { blobBytesOnDisk, blobFile, figures, runGc } from './helpers/gc.js';
import { havenSql } from './helpers/haven-db.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import { asAdmin, imageManifest, pushBlob, pushImage, putManifest, randomBlob, sha256, type Registry } from './helpers/oci.js';

const hour = 3_600_000;

async function freedBytes(h: RunningHaven, executionId: number): Promise<number> {
  const { rows } = await havenSql<{ extra_attrs: string }>(h, 'select extra_attrs from job_tasks where execution_id = ?', [executionId]);
  return Number((JSON.parse(rows[0]!.extra_attrs) as { freed_space: number }).freed_space);
}

async function pullable(reg: Registry, repo: string, ref: string): Promise<void> {
  const r = await fetch(`${reg.url}/v2/${repo}/manifests/${ref}`, { headers: { ...reg.headers, Accept: 'application/vnd.oci.image.manifest.v1+json' } });
  assert.equal(r.status, 200, `${repo}:${ref}`);
  const m = JSON.parse(await r.text()) as { config: { digest: string }; layers: Array<{ digest: string }> };
  for (const d of [m.config.digest, ...m.layers.map((l) => l.digest)]) {
    const b = await fetch(`${reg.url}/v2/${repo}/blobs/${d}`, { headers: reg.headers });
    assert.equal(b.status, 200, d);
    assert.equal(sha256(Buffer.from(await b.arrayBuffer())), d);
  }
}

describe('garbage collection', () => {
  let h: RunningHaven;
  let reg: Registry;
  const api = (path: string, init: RequestInit = {}) => h.adminFetch(`${h.url}/api/v2.0${path}`, { ...init, headers: { 'Content-Type': 'application/json', ...init.headers } });

  before(async () => {
    h = await startHaven({ env: { HAVEN_JOBS_POLL_INTERVAL: '100', HAVEN_GC_MIN_AGE: '1h' } });
    reg = asAdmin(h);
    await h.createProject('gc');
  });
  after(async () => {
    await h?.cleanup();
  });

  test('a dry run counts what the real run then frees; the window keeps young blobs; the disk shows it', async () => {
    await pushImage(reg, 'gc/kept', 'v1', 2, 2048);
    const gone = await pushImage(reg, 'gc/gone', 'v1', 2, 3000);
    assert.equal((await fetch(`${h.url}/v2/gc/gone/manifests/${gone.digest}`, { method: 'DELETE', headers: reg.headers })).status, 202);
    const lone = randomBlob(5000);
    await pushBlob(reg, 'gc/gone', lone.bytes);
    // Everything so far is old; what is pushed next is young.
    assert.ok((await havenSql(h, 'update blobs set created_at = ?', [Date.now() - 2 * hour])).changes >= 7);
    const young = randomBlob(700);
    await pushBlob(reg, 'gc/gone', young.bytes);
    // An object with no row at all (a crash between bytes and row), old, and a young one.
    const orphan = randomBlob(1234);
    const orphanPath = blobFile(h.dataDir, orphan.digest);
    mkdirSync(join(orphanPath, '..'), { recursive: true });
    writeFileSync(orphanPath, orphan.bytes);
    const old = (Date.now() - 2 * hour) / 1000;
    utimesSync(orphanPath, old, old);
    const youngOrphan = randomBlob(99);
    mkdirSync(join(blobFile(h.dataDir, youngOrphan.digest), '..'), { recursive: true });
    writeFileSync(blobFile(h.dataDir, youngOrphan.digest), youngOrphan.bytes);

    const garbageBytes = 64 + 2 * 3000 + 5000 + 1234;
    const diskBefore = blobBytesOnDisk(h.dataDir);
    const dry = await runGc(h, { dry_run: true, workers: 3 });
    assert.equal(dry.job_status, 'Success', dry.log);
    // Harbor's check-in: the figures join the parameters in the history (its portal reads them there).
    assert.deepEqual(JSON.parse(dry.job_parameters), { delete_untagged: false, dry_run: true, workers: 3, time_window: 1, freed_space: garbageBytes, purged_blobs: 5, purged_manifests: 0 });
    assert.deepEqual(figures(dry.log), { blobs: 5, manifests: 0 });
    assert.match(dry.log, /Garbage Collection parameters: \[delete_untagged: false, dry_run: true, time_window: 1, workers: 3\]/);
    assert.equal(await freedBytes(h, dry.id), garbageBytes);
    assert.equal(blobBytesOnDisk(h.dataDir), diskBefore, 'a dry run deletes nothing');

    const real = await runGc(h, { workers: 3 });
    assert.equal(real.job_status, 'Success', real.log);
    assert.deepEqual(figures(real.log), { blobs: 5, manifests: 0 });
    assert.equal(await freedBytes(h, real.id), garbageBytes);
    assert.deepEqual(JSON.parse(real.job_parameters), { delete_untagged: false, dry_run: false, workers: 3, time_window: 1, freed_space: garbageBytes, purged_blobs: 5, purged_manifests: 0 });
    assert.equal(blobBytesOnDisk(h.dataDir), diskBefore - garbageBytes, 'the disk shows what was freed');
    assert.match(real.log, /The GC job actual frees up 12\.00 KiB space\./);
    // Progress counts the blob rows the scan went through: every one of them, once it succeeded.
    assert.ok(real.progress.total > 5 && real.progress.done === real.progress.total && real.progress.percent === 100, JSON.stringify(real.progress));

    await pullable(reg, 'gc/kept', 'v1');
    assert.equal((await fetch(`${h.url}/v2/gc/gone/blobs/${lone.digest}`, { method: 'HEAD', headers: reg.headers })).status, 404);
    assert.equal((await fetch(`${h.url}/v2/gc/gone/blobs/${young.digest}`, { method: 'HEAD', headers: reg.headers })).status, 200, 'young: kept');
    assert.ok(existsSync(blobFile(h.dataDir, youngOrphan.digest)), 'a young object without a row is kept');
    assert.ok(!existsSync(orphanPath));
    const rows = await havenSql<{ n: number }>(h, 'select count(*) as n from blobs where deleting_since is not null');
    assert.equal(Number(rows.rows[0]!.n), 0, 'no mark is left');

    // A collected blob can be pushed again, and a manifest then references it.
    await pushBlob(reg, 'gc/gone', lone.bytes);
    const config = randomBlob(10);
    await pushBlob(reg, 'gc/gone', config.bytes);
    assert.equal((await putManifest(reg, 'gc/gone', 'again', imageManifest(config, [lone]))).status, 201);
    await pullable(reg, 'gc/gone', 'again');

    const history = await api('/system/gc?page=1&page_size=10');
    assert.equal(history.status, 200);
    const list = (await history.json()) as Array<{ id: number; job_name: string; job_kind: string }>;
    assert.deepEqual(list.map((e) => [e.id, e.job_name, e.job_kind]), [[real.id, 'GARBAGE_COLLECTION', 'MANUAL'], [dry.id, 'GARBAGE_COLLECTION', 'MANUAL']]);
  });

  test('delete_untagged deletes old untagged artifacts through the artifact delete and releases their quota', async () => {
    await h.createProject('gcu');
    await pushImage(reg, 'gcu/app', 'v1', 1, 1000);
    // Untagged: pushed by digest.
    const config = randomBlob(50);
    const layer = randomBlob(4000);
    await pushBlob(reg, 'gcu/app', config.bytes);
    await pushBlob(reg, 'gcu/app', layer.bytes);
    const manifest = imageManifest(config, [layer]);
    const digest = sha256(manifest);
    assert.equal((await putManifest(reg, 'gcu/app', digest, manifest)).status, 201);
    // A young untagged one stays.
    const youngManifest = imageManifest(config, [layer], { annotations: { n: 'young' } });
    assert.equal((await putManifest(reg, 'gcu/app', sha256(youngManifest), youngManifest)).status, 201);
    const quota = async () => Number((await havenSql<{ u: number }>(h, "select q.used_storage as u from quotas q join projects p on p.id = q.project_id where p.name = 'gcu'")).rows[0]!.u);
    const before = await quota();
    await havenSql(h, 'update manifests set pushed_at = ?, created_at = ? where digest = ?', [Date.now() - 2 * hour, Date.now() - 2 * hour, digest]);
    await havenSql(h, 'update blobs set created_at = ?', [Date.now() - 2 * hour]);

    const run = await runGc(h, { delete_untagged: true });
    assert.equal(run.job_status, 'Success', run.log);
    assert.equal(figures(run.log).manifests, 1, run.log);
    assert.match(run.log, new RegExp(`delete the untagged artifact: RepositoryName\\(gcu/app\\)-Digest:\\(${digest}\\)`));
    assert.equal((await fetch(`${h.url}/v2/gcu/app/manifests/${digest}`, { headers: reg.headers })).status, 404);
    await pullable(reg, 'gcu/app', 'v1');
    // Its blobs are still referenced by the young untagged artifact: kept.
    assert.equal((await fetch(`${h.url}/v2/gcu/app/blobs/${layer.digest}`, { method: 'HEAD', headers: reg.headers })).status, 200);
    assert.equal(await quota(), before - manifest.length, 'only the deleted manifest was released');
    const recount = await havenSql<{ n: number }>(h, "select sum(pb.size) as n from project_blobs pb join projects p on p.id = pb.project_id where p.name = 'gcu'");
    assert.equal(await quota(), Number(recount.rows[0]!.n));
  });

  test("Harbor's parameter checks; only a system admin may run or read GC", async () => {
    const kick = (parameters: unknown) => api('/system/gc/schedule', { method: 'POST', body: JSON.stringify({ schedule: { type: 'Manual' }, parameters }) });
    let r = await kick({ workers: 0 });
    assert.equal(r.status, 400);
    assert.match(await r.text(), /Error: Invalid number of workers:0\. Workers must be greater than 0 and less than or equal to 10\./);
    r = await kick({ workers: 11 });
    assert.equal(r.status, 400);
    r = await kick({ workers: 1.5 });
    assert.equal(r.status, 400);
    assert.match(await r.text(), /workers should be integer format/);
    r = await kick({ dry_run: 'yes' });
    assert.equal(r.status, 400);
    r = await api('/system/gc/schedule', { method: 'POST', body: JSON.stringify({ schedule: { type: 'Custom', cron: '* * *' } }) });
    assert.equal(r.status, 400);
    assert.match(await r.text(), /invalid cron string for scheduled gc/);
    assert.equal((await api('/system/gc/987654')).status, 404);
    // A purge's execution id is no GC's.
    const purge = await api('/system/purgeaudit/schedule', { method: 'POST', body: JSON.stringify({ schedule: { type: 'Manual' }, parameters: { audit_retention_hour: 1, include_event_types: 'x' } }) });
    const purgeId = Number(purge.headers.get('location')!.split('/').pop());
    assert.equal((await api(`/system/gc/${purgeId}`)).status, 404);

    const user = { username: 'gcuser', password: 'Passw0rd1' };
    assert.equal((await api('/users', { method: 'POST', body: JSON.stringify({ ...user, email: 'gc@example.com', realname: 'g' }) })).status, 201);
    const asUser = { Authorization: `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}` };
    r = await fetch(`${h.url}/api/v2.0/system/gc/schedule`, { method: 'POST', headers: { ...asUser, 'Content-Type': 'application/json' }, body: JSON.stringify({ schedule: { type: 'Manual' } }) });
    assert.equal(r.status, 403);
    assert.equal((await fetch(`${h.url}/api/v2.0/system/gc`, { headers: asUser })).status, 403);
    assert.equal((await fetch(`${h.url}/api/v2.0/system/gc`)).status, 401);

    // A schedule keeps Harbor's parameters and the window.
    assert.equal((await api('/system/gc/schedule', { method: 'PUT', body: JSON.stringify({ schedule: { type: 'Daily', cron: '0 0 0 * * *' }, parameters: { delete_untagged: true, workers: 2 } }) })).status, 200);
    const s = (await (await api('/system/gc/schedule')).json()) as { schedule: { type: string }; job_parameters: string };
    assert.equal(s.schedule.type, 'Daily');
    assert.deepEqual(JSON.parse(s.job_parameters), { delete_untagged: true, dry_run: false, workers: 2, time_window: 1 });
  });
});
