// A retention run survives its process: killed (-9) with one task in the middle of its run (a
// worker that held it died) and the others still queued, the restarted Haven recovers the lost
// task once its lease runs out, runs it again from what is left, runs the queued ones, and the
// execution ends Success with exactly the planned artifacts gone.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { apiClient } from './helpers/api-client.js';
import { eventually } from './helpers/eventually.js';
import { havenSql } from './helpers/haven-db.js';
import { type RunningHaven, startHaven } from './helpers/haven.js';
import { asAdmin, pushImage } from './helpers/oci.js';

const env = { HAVEN_JOBS_POLL_INTERVAL: '100', HAVEN_JOBS_LEASE_TIME: '2s' };
let h: RunningHaven | undefined;
let dataDir = '';
after(async () => {
  await h?.cleanup();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('kill -9 mid-run: the lost task is run again, the queued ones run, nothing is half done', async () => {
  h = await startHaven({ env });
  dataDir = h.dataDir;
  let client = apiClient(h);
  const created = await client.api('POST', '/projects', { body: { project_name: 'ret-crash' } });
  assert.equal(created.status, 201, created.text);
  const pid = Number(created.headers.get('location')!.split('/').pop());
  const reg = asAdmin(h);
  const keep: string[] = [];
  for (const repo of ['a', 'b', 'c']) {
    const old = await pushImage(reg, `ret-crash/${repo}`, 'old');
    await havenSql(h, 'update manifests set pushed_at = ? where digest = ?', [Date.now() - 86_400_000, old.digest]);
    await havenSql(h, 'update tags set updated_at = ? where name = ? and manifest_id in (select id from manifests where digest = ?)', [Date.now() - 86_400_000, 'old', old.digest]);
    keep.push((await pushImage(reg, `ret-crash/${repo}`, 'new')).digest);
  }
  const policy = await client.api('POST', '/retentions', {
    body: {
      algorithm: 'or',
      rules: [{ action: 'retain', template: 'latestPushedK', params: { latestPushedK: 1 }, tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: '**' }], scope_selectors: {} }],
      trigger: { kind: 'Schedule', settings: {} },
      scope: { level: 'project', ref: pid },
    },
  });
  assert.equal(policy.status, 201, policy.text);
  const id = Number(policy.headers.get('location')!.split('/').pop());

  await havenSql(h, 'insert into job_queues (job_type, paused, update_time) values (?, 1, ?)', ['RETENTION', Date.now()]);
  const r = await client.api('POST', `/retentions/${id}/executions`, { body: { dry_run: false } });
  assert.equal(r.status, 201, r.text);
  const eid = Number(r.headers.get('location')!.split('/').pop());
  const tasks = (await havenSql<{ id: number }>(h, 'select id from job_tasks where execution_id = ? order by id', [eid])).rows;
  assert.equal(tasks.length, 3);
  // The first task was running on a worker that died with this process: a claim whose lease will run out.
  await havenSql(h, "update job_tasks set status = 'Running', lease_holder = 'dead-worker', lease_until = ?, attempts = 1, start_time = ? where id = ?", [Date.now() + 1000, Date.now(), tasks[0]!.id]);
  await h.kill();

  h = await startHaven({ dataDir, env });
  client = apiClient(h);
  await havenSql(h, "delete from job_queues where job_type = 'RETENTION'");
  const done = await eventually(
    async () => {
      const list = await client.api('GET', `/retentions/${id}/executions`);
      const e = (list.json as Array<{ id: number; status: string }>).find((x) => x.id === eid);
      assert.equal(e?.status, 'Success', list.text);
      return e;
    },
    { timeoutMs: 20_000 },
  );
  assert.equal(done?.status, 'Success');
  const listed = await client.api('GET', `/retentions/${id}/executions/${eid}/tasks`);
  assert.deepEqual(
    (listed.json as Array<{ status: string; total: number; retained: number }>).map((t) => [t.status, t.total, t.retained]),
    [
      ['Success', 2, 1],
      ['Success', 2, 1],
      ['Success', 2, 1],
    ],
  );
  const lostLog = await client.api('GET', `/retentions/${id}/executions/${eid}/tasks/${tasks[0]!.id}`);
  assert.match(lostLog.text, /RETENTION task \d+ started \(attempt 2 of 3\)/, 'the lost task ran again');
  for (const [i, repo] of ['a', 'b', 'c'].entries()) {
    const arts = await client.api('GET', `/projects/ret-crash/repositories/${repo}/artifacts`);
    assert.deepEqual((arts.json as Array<{ digest: string }>).map((a) => a.digest), [keep[i]]);
  }
});
