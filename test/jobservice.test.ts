// Harbor's job service dashboard (/jobservice/*) and schedule list (/schedules) over Haven's job
// service: the instance's worker pool, queues with counts and latency, pause / resume / stop and
// clean, a job's log and stop, the scheduler's pause, Haven's purges as scheduled jobs, and the
// refusals.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually } from './helpers/eventually.js';
import { havenSql } from './helpers/haven-db.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';

describe('job service dashboard', () => {
  let h: RunningHaven;
  const api = (path: string, init: RequestInit = {}) => h.adminFetch(`${h.url}/api/v2.0${path}`, { ...init, headers: { 'Content-Type': 'application/json', ...init.headers } });
  const json = async <T>(path: string): Promise<T> => {
    const r = await api(path);
    assert.equal(r.status, 200, `${path}: ${await r.clone().text()}`);
    return (await r.json()) as T;
  };
  const queueAction = (type: string, action: string) => api(`/jobservice/queues/${type}`, { method: 'PUT', body: JSON.stringify({ action }) });
  const purgeNow = async () => {
    const r = await api('/system/purgeaudit/schedule', { method: 'POST', body: JSON.stringify({ schedule: { type: 'Manual' }, parameters: { audit_retention_hour: 1, include_event_types: 'create_project', dry_run: true } }) });
    assert.equal(r.status, 201, await r.text());
    return Number(r.headers.get('location')!.split('/').pop());
  };
  const statusOf = async (id: number) => (await json<{ job_status: string }>(`/system/purgeaudit/${id}`)).job_status;

  before(async () => {
    h = await startHaven({ env: { HAVEN_JOBS_POLL_INTERVAL: '100', HAVEN_UPLOADS_PURGE_INTERVAL: '300' } });
  });
  after(async () => {
    await h?.cleanup();
  });

  test('the instance\'s worker pool heartbeats; Haven\'s purges are schedules that run as jobs', async () => {
    // The upload purge fires every 300 ms, each firing one execution, and its history stays short.
    await eventually(async () => {
      const runs = await havenSql<{ n: number }>(h, "select count(*) as n from job_executions where vendor_type = 'UPLOAD_PURGE' and status = 'Success'");
      assert.ok(Number(runs.rows[0]!.n) >= 3, 'fewer than 3 purges yet');
    }, { intervalMs: 100 });
    const pools = await json<Array<{ pid: number; worker_pool_id: string; heartbeat_at: string; concurrency: number; host: string }>>('/jobservice/pools');
    assert.equal(pools.length, 1);
    assert.equal(pools[0]!.pid, h.proc.pid);
    assert.ok(pools[0]!.concurrency >= 4, 'one slot or more per job type');
    assert.ok(Date.now() - Date.parse(pools[0]!.heartbeat_at) < 60_000);
    const schedules = await api('/schedules?page_size=50');
    const rows = (await schedules.json()) as Array<{ vendor_type: string; cron: string }>;
    assert.deepEqual(rows.map((r) => r.vendor_type).sort(), ['AUDIT_RETENTION', 'EVENT_PURGE', 'SESSION_PURGE', 'UPLOAD_PURGE']);
    assert.equal(rows.find((r) => r.vendor_type === 'UPLOAD_PURGE')?.cron, '@every 300ms');
    assert.equal(schedules.headers.get('x-total-count'), '4');
    const { rows: logs } = await havenSql<{ line: string }>(h, "select l.line from job_task_logs l join job_tasks t on t.id = l.task_id where t.job_type = 'UPLOAD_PURGE' order by l.id desc limit 5");
    assert.ok(logs.some((l) => /purged 0 upload\(s\) idle/.test(l.line)), JSON.stringify(logs));
  });

  test('a paused queue holds its jobs and reports them; resume runs them; stop cleans them', async () => {
    try {
      assert.equal((await queueAction('PURGE_AUDIT_LOG', 'pause')).status, 200);
      const held = await purgeNow();
      const queues = await json<Array<{ job_type: string; count: number; latency: number; paused: boolean }>>('/jobservice/queues');
      assert.deepEqual(queues.find((q) => q.job_type === 'PURGE_AUDIT_LOG'), { job_type: 'PURGE_AUDIT_LOG', count: 1, latency: queues.find((q) => q.job_type === 'PURGE_AUDIT_LOG')!.latency, paused: true });
      assert.equal(await statusOf(held), 'Pending');
      assert.equal((await queueAction('PURGE_AUDIT_LOG', 'resume')).status, 200);
      await eventually(async () => assert.equal(await statusOf(held), 'Success'));

      assert.equal((await queueAction('all', 'pause')).status, 200);
      const cleaned = await purgeNow();
      assert.equal((await queueAction('PURGE_AUDIT_LOG', 'stop')).status, 200);
      assert.equal(await statusOf(cleaned), 'Stopped');
      // Every queue, the ones with nothing pending too: the next purge or GC waits as well.
      const all = await json<Array<{ job_type: string; paused: boolean }>>('/jobservice/queues');
      assert.ok(all.every((q) => q.paused), `all: every queue paused: ${JSON.stringify(all)}`);
      for (const type of ['GARBAGE_COLLECTION', 'SESSION_PURGE', 'UPLOAD_PURGE']) assert.ok(all.some((q) => q.job_type === type), `${type} listed`);
      assert.equal((await queueAction('all', 'resume')).status, 200);
      assert.ok((await json<Array<{ paused: boolean }>>('/jobservice/queues')).every((q) => !q.paused));
      assert.equal(await statusOf(cleaned), 'Stopped', 'a cleaned job stays stopped after resume');
    } finally {
      // A failure here must not leave the queues paused under the tests that follow.
      await queueAction('all', 'resume');
    }
  });

  test('a job\'s log is served by its id as text; stop answers for known jobs only', async () => {
    const id = await purgeNow();
    await eventually(async () => assert.equal(await statusOf(id), 'Success'));
    const { rows } = await havenSql<{ id: number }>(h, 'select id from job_tasks where execution_id = ?', [id]);
    const jobId = rows[0]!.id;
    const log = await api(`/jobservice/jobs/${jobId}/log`);
    assert.equal(log.status, 200);
    assert.match(log.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(await log.text(), /PURGE_AUDIT_LOG task \d+ started[\s\S]*\[DRYRUN\] would purge/);
    assert.equal((await api(`/jobservice/jobs/${jobId}`, { method: 'PUT' })).status, 200);
    for (const bad of ['999999999', 'abc']) {
      assert.equal((await api(`/jobservice/jobs/${bad}/log`)).status, 404, bad);
      assert.equal((await api(`/jobservice/jobs/${bad}`, { method: 'PUT' })).status, 404, bad);
    }
    // The 300 ms UPLOAD_PURGE schedule may be mid-run; the finished purge must not be listed.
    const workers = await json<Array<{ job_id: string; job_name: string }>>('/jobservice/pools/all/workers');
    assert.deepEqual(workers.filter((w) => w.job_name !== 'UPLOAD_PURGE'), [], 'nothing else runs now');
    assert.ok(!workers.some((w) => w.job_id === String(jobId)), 'the finished job is not listed as running');
    assert.equal((await api('/jobservice/pools/no-such-pool/workers')).status, 404);
  });

  test('pausing the SCHEDULER queue pauses the scheduler', async () => {
    assert.deepEqual(await json('/schedules/all/paused'), { paused: false });
    assert.equal((await queueAction('SCHEDULER', 'pause')).status, 200);
    assert.deepEqual(await json('/schedules/all/paused'), { paused: true });
    const before = Number((await havenSql<{ n: number }>(h, "select count(*) as n from job_executions where vendor_type = 'UPLOAD_PURGE'")).rows[0]!.n);
    const { rows: latest } = await havenSql<{ id: number }>(h, "select max(id) as id from job_executions where vendor_type = 'UPLOAD_PURGE'");
    await new Promise((r) => setTimeout(r, 1500));
    const { rows: after } = await havenSql<{ id: number }>(h, "select max(id) as id from job_executions where vendor_type = 'UPLOAD_PURGE'");
    assert.equal(after[0]!.id, latest[0]!.id, `no firing while paused (had ${before})`);
    assert.equal((await queueAction('SCHEDULER', 'resume')).status, 200);
    await eventually(async () => {
      const { rows } = await havenSql<{ id: number }>(h, "select max(id) as id from job_executions where vendor_type = 'UPLOAD_PURGE'");
      assert.ok(rows[0]!.id > latest[0]!.id, 'no firing since the resume yet');
    }, { intervalMs: 100 });
    assert.equal((await api('/schedules/GC/paused')).status, 400);
  });

  test('bad actions are refused; only administrators see the dashboard', async () => {
    const bad = await queueAction('PURGE_AUDIT_LOG', 'explode');
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { errors: Array<{ message: string }> }).errors[0]!.message, /should be stop, pause or resume/);
    assert.equal((await api('/users', { method: 'POST', body: JSON.stringify({ username: 'ops', email: 'ops@example.com', realname: 'Ops', password: 'Passw0rd!x' }) })).status, 201);
    const asOps = (path: string, init: RequestInit = {}) => fetch(`${h.url}/api/v2.0${path}`, { ...init, headers: { Authorization: `Basic ${Buffer.from('ops:Passw0rd!x').toString('base64')}`, 'Content-Type': 'application/json' } });
    for (const path of ['/jobservice/pools', '/jobservice/queues', '/jobservice/pools/all/workers', '/schedules', '/schedules/all/paused']) {
      assert.equal((await asOps(path)).status, 403, path);
      assert.equal((await fetch(`${h.url}/api/v2.0${path}`)).status, 401, path);
    }
    assert.equal((await asOps('/jobservice/queues/all', { method: 'PUT', body: JSON.stringify({ action: 'pause' }) })).status, 403);
    assert.ok((await json<Array<{ paused: boolean }>>('/jobservice/queues')).every((q) => !q.paused), 'the refused pause changed nothing');
  });
});

test('jobs.concurrency widens a job type\'s workers; a typo stops start-up naming the key', async () => {
  const pool = async (env: Record<string, string>) => {
    const h = await startHaven({ env });
    try {
      const r = await h.adminFetch(`${h.url}/api/v2.0/jobservice/pools`);
      return ((await r.json()) as Array<{ concurrency: number }>)[0]!.concurrency;
    } finally {
      await h.cleanup();
    }
  };
  // The defaults are WEBHOOK 4 and RETENTION 2: the pool gains 5 + 3 slots.
  const [plain, wide] = await Promise.all([pool({}), pool({ HAVEN_JOBS_CONCURRENCY: 'WEBHOOK=9,RETENTION=5' })]);
  assert.equal(wide - plain, 8);
  await assert.rejects(startHaven({ env: { HAVEN_JOBS_CONCURRENCY: 'RETENTON=5' } }), /"jobs\.concurrency\.RETENTON": no such job type \(there are [A-Z_, ]*RETENTION/);
});
