// kill -9 in the middle of a GC sweep: afterwards no blob is half-deleted (every row that is not
// marked has its bytes; only marked rows may have lost theirs), and the next run, on a restarted
// server, finishes the marks and collects the rest.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { eventually } from './helpers/eventually.js';
import { blobFile, figures, runGc, seedGarbage } from './helpers/gc.js';
import { havenSql } from './helpers/haven-db.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import { asAdmin, pushImage } from './helpers/oci.js';

const garbage = 12_000;
const env = { HAVEN_JOBS_POLL_INTERVAL: '50', HAVEN_GC_MIN_AGE: '1h', HAVEN_GC_MARK_TIMEOUT: '1s', HAVEN_JOBS_LEASE_TIME: '2s' };

const count = async (h: RunningHaven, where = '') => Number((await havenSql<{ n: number }>(h, `select count(*) as n from blobs ${where}`)).rows[0]!.n);

describe('GC after kill -9, and stopped', () => {
  let h: RunningHaven | undefined;
  after(async () => {
    await h?.cleanup();
  });

  test('a sweep killed mid-way leaves whole blobs or marked ones, and the next run finishes', { timeout: 180_000 }, async () => {
    h = await startHaven({ env });
    await h.createProject('k');
    const image = await pushImage(asAdmin(h), 'k/app', 'v1', 2, 1000);
    const kept = await count(h);
    const digests = await seedGarbage(h, garbage);
    const api = (path: string, init: RequestInit = {}) => h!.adminFetch(`${h!.url}/api/v2.0${path}`, { ...init, headers: { 'Content-Type': 'application/json', ...init.headers } });
    const r = await api('/system/gc/schedule', { method: 'POST', body: JSON.stringify({ schedule: { type: 'Manual' }, parameters: { workers: 1 } }) });
    assert.equal(r.status, 201);
    // Killed once the sweep has deleted some but not all.
    await eventually(
      async () => {
        const left = await count(h!);
        assert.ok(left < kept + garbage && left > kept + garbage / 4, `left ${left}`);
      },
      { intervalMs: 5, timeoutMs: 60_000 },
    );
    await h.kill();

    // No half-deleted blob: a row without its bytes is marked (the sweep owned it).
    const { rows } = await havenSql<{ digest: string; deleting_since: number | null }>(h, 'select digest, deleting_since from blobs');
    const unmarkedWithoutBytes = rows.filter((b) => b.deleting_since === null && !existsSync(blobFile(h!.dataDir, b.digest)));
    assert.deepEqual(unmarkedWithoutBytes, []);
    const rowSet = new Set(rows.map((b) => b.digest));
    const bytesWithoutRow = digests.filter((d) => !rowSet.has(d) && existsSync(blobFile(h!.dataDir, d)));
    assert.deepEqual(bytesWithoutRow, [], 'bytes are deleted before their row');
    assert.ok(rows.length > kept, 'killed before the end');

    const killedRun = Number(r.headers.get('location')!.split('/').pop());
    h = await startHaven({ dataDir: h.dataDir, env });
    // Past the mark timeout, the next run takes over the dead sweep's marks and finishes.
    await new Promise((res) => setTimeout(res, 1100));
    // Not before the killed run's lease ran out and it was failed: one GC at a time.
    await eventually(async () => {
      const g = (await (await api(`/system/gc/${killedRun}`)).json()) as { job_status: string };
      assert.equal(g.job_status, 'Error');
    });
    const second = await runGc(h, { workers: 4 });
    assert.equal(second.job_status, 'Success', second.log);
    assert.ok(figures(second.log).blobs > 0);
    assert.equal(await count(h), kept, 'only the image is left');
    assert.equal(await count(h, 'where deleting_since is not null'), 0);
    assert.deepEqual(digests.filter((d) => existsSync(blobFile(h!.dataDir, d))), []);
    const m = await fetch(`${h.url}/v2/k/app/manifests/${image.digest}`, { headers: { ...h.asAdmin, Accept: 'application/vnd.oci.image.manifest.v1+json' } });
    assert.equal(m.status, 200);
    for (const l of image.layers) assert.equal((await fetch(`${h.url}/v2/k/app/blobs/${l.digest}`, { headers: h.asAdmin })).status, 200);
  });

  test('a stopped run ends Stopped between batches: nothing marked is left and every row keeps its bytes', { timeout: 120_000 }, async () => {
    await h?.cleanup();
    h = await startHaven({ env });
    const digests = await seedGarbage(h, garbage);
    const api = (path: string, init: RequestInit = {}) => h!.adminFetch(`${h!.url}/api/v2.0${path}`, { ...init, headers: { 'Content-Type': 'application/json', ...init.headers } });
    const r = await api('/system/gc/schedule', { method: 'POST', body: JSON.stringify({ schedule: { type: 'Manual' }, parameters: { workers: 1 } }) });
    const id = Number(r.headers.get('location')!.split('/').pop());
    await eventually(async () => assert.ok((await count(h!)) < garbage), { intervalMs: 5, timeoutMs: 60_000 });
    assert.equal((await api(`/system/gc/${id}`, { method: 'PUT' })).status, 200);
    const run = await eventually(async () => {
      const g = (await (await api(`/system/gc/${id}`)).json()) as { job_status: string; progress: { done: number; total: number; percent: number } };
      assert.ok(['Success', 'Stopped', 'Error'].includes(g.job_status), g.job_status);
      return g;
    });
    assert.equal(run.job_status, 'Stopped');
    // Where it stopped shows: short of every row scanned, and short of 100 %.
    assert.ok(run.progress.total >= garbage && run.progress.done < run.progress.total && run.progress.percent < 100, JSON.stringify(run.progress));
    assert.match(await (await api(`/system/gc/${id}/log`)).text(), /garbage collection stopped: \d+ blobs and 0 manifests deleted so far/);
    assert.equal(await count(h, 'where deleting_since is not null'), 0, 'no mark left behind');
    const left = (await havenSql<{ digest: string }>(h, 'select digest from blobs')).rows.map((b) => b.digest);
    assert.ok(left.length > 0, 'stopped before the end');
    assert.deepEqual(left.filter((d) => !existsSync(blobFile(h!.dataDir, d))), [], 'every row keeps its bytes');
    const rowSet = new Set(left);
    assert.deepEqual(digests.filter((d) => !rowSet.has(d) && existsSync(blobFile(h!.dataDir, d))), []);
  });
});
