// Harbor's /system/purgeaudit on the job service: run now (dry and real), history, one run, its log
// as text, schedules with Harbor's cron rules, and the refusals (bad input, not an admin, an id of
// another kind of job).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually } from './helpers/eventually.js';
import { havenSql } from './helpers/haven-db.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';

describe('audit log purge as a job', () => {
  let h: RunningHaven;
  const api = (path: string, init: RequestInit = {}) => h.adminFetch(`${h.url}/api/v2.0${path}`, { ...init, headers: { 'Content-Type': 'application/json', ...init.headers } });
  const kick = (body: unknown, method = 'POST') => api('/system/purgeaudit/schedule', { method, body: JSON.stringify(body) });
  const projects = async () => {
    const r = await api(`/audit-logs?q=${encodeURIComponent('resource_type=project')}&page_size=100`);
    return ((await r.json()) as Array<{ resource: string }>).map((l) => l.resource).sort();
  };
  const finished = (id: number) =>
    eventually(async () => {
      const r = await api(`/system/purgeaudit/${id}`);
      assert.equal(r.status, 200);
      const run = (await r.json()) as { job_status: string };
      assert.ok(['Success', 'Error', 'Stopped'].includes(run.job_status), run.job_status);
      return run;
    });

  before(async () => {
    h = await startHaven({ env: { HAVEN_JOBS_POLL_INTERVAL: '100' } });
    for (const name of ['old1', 'old2', 'fresh1']) assert.equal((await api('/projects', { method: 'POST', body: JSON.stringify({ project_name: name }) })).status, 201);
    await eventually(async () => assert.deepEqual(await projects(), ['fresh1', 'old1', 'old2']));
    const aged = await havenSql(h, "update audit_logs set op_time = ? where resource in ('old1', 'old2')", [Date.now() - 10 * 3_600_000]);
    assert.equal(aged.changes, 2);
  });
  after(async () => {
    await h?.cleanup();
  });

  test('a dry run counts what would go and deletes nothing; the real run deletes exactly that', async () => {
    const params = { audit_retention_hour: 5, include_event_types: 'create_project,pull_artifact', dry_run: true };
    const dry = await kick({ schedule: { type: 'Manual' }, parameters: params });
    assert.equal(dry.status, 201, await dry.text());
    const location = dry.headers.get('location')!;
    assert.match(location, /^\/api\/v2\.0\/system\/purgeaudit\/\d+$/);
    const dryId = Number(location.split('/').pop());
    const run = await finished(dryId);
    assert.equal(run.job_status, 'Success');
    // With what it counted, so the portal's history can show it.
    assert.deepEqual(JSON.parse((run as unknown as { job_parameters: string }).job_parameters), { ...params, purged: 2 });
    const log = await api(`/system/purgeaudit/${dryId}/log`);
    assert.equal(log.status, 200);
    assert.match(log.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(await log.text(), /\[DRYRUN\] would purge 2 audit log records/);
    assert.deepEqual(await projects(), ['fresh1', 'old1', 'old2']);

    const real = await kick({ schedule: { type: 'Manual' }, parameters: { ...params, dry_run: false } });
    assert.equal(real.status, 201);
    const realId = Number(real.headers.get('location')!.split('/').pop());
    assert.equal((await finished(realId)).job_status, 'Success');
    assert.match(await (await api(`/system/purgeaudit/${realId}/log`)).text(), /purged 2 audit log records/);
    assert.deepEqual(await projects(), ['fresh1']);

    const history = await api('/system/purgeaudit?page=1&page_size=1');
    assert.equal(history.headers.get('x-total-count'), '2');
    const [latest] = (await history.json()) as Array<{ id: number; job_name: string; job_kind: string; schedule: { type: string } }>;
    assert.deepEqual([latest?.id, latest?.job_name, latest?.job_kind, latest?.schedule.type], [realId, 'PURGE_AUDIT_LOG', 'MANUAL', 'MANUAL']);
    assert.match(history.headers.get('link') ?? '', /rel="next"/);
  });

  test('a schedule is kept with its next firing; None removes it; PUT replaces it', async () => {
    assert.equal((await api('/system/purgeaudit/schedule')).status, 200);
    assert.equal(await (await api('/system/purgeaudit/schedule')).text(), '', 'no schedule: an empty 200, as Harbor');
    const parameters = { audit_retention_hour: 168, include_event_types: 'create_artifact,delete_artifact,pull_artifact', dry_run: false };
    assert.equal((await kick({ schedule: { type: 'Daily', cron: '0 0 0 * * *' }, parameters })).status, 201);
    let s = (await (await api('/system/purgeaudit/schedule')).json()) as { schedule: { type: string; cron: string; next_scheduled_time: string }; job_parameters: string };
    assert.equal(s.schedule.type, 'Daily');
    assert.equal(s.schedule.cron, '0 0 0 * * *');
    const next = new Date(s.schedule.next_scheduled_time);
    assert.ok(next.getTime() > Date.now() && next.getUTCHours() === 0 && next.getUTCMinutes() === 0, s.schedule.next_scheduled_time);
    assert.deepEqual(JSON.parse(s.job_parameters), parameters);
    assert.equal((await kick({ schedule: { type: 'Custom', cron: '0 30 2 * * 1' }, parameters }, 'PUT')).status, 200);
    s = (await (await api('/system/purgeaudit/schedule')).json()) as typeof s;
    assert.deepEqual([s.schedule.type, s.schedule.cron], ['Custom', '0 30 2 * * 1']);
    assert.equal((await kick({ schedule: { type: 'None' } }, 'PUT')).status, 200);
    assert.equal(await (await api('/system/purgeaudit/schedule')).text(), '');
  });

  test('bad input gets Harbor\'s messages and changes nothing; others may not purge; ids of nothing are 404', async () => {
    const bad: Array<[unknown, RegExp]> = [
      [{}, /schedule cann't be empty/],
      [{ schedule: { type: 'Manual' } }, /schedule parameter cann't be empty/],
      [{ schedule: { type: 'Manual' }, parameters: { include_event_types: 'x' } }, /audit_retention_hour should provide/],
      [{ schedule: { type: 'Manual' }, parameters: { audit_retention_hour: 'ten', include_event_types: 'x' } }, /audit_retention_hour should be integer format/],
      [{ schedule: { type: 'Manual' }, parameters: { audit_retention_hour: 240001, include_event_types: 'x' } }, /audit_retention_hour should be less than 240000/],
      [{ schedule: { type: 'Manual' }, parameters: { audit_retention_hour: 1 } }, /include_event_types should provide/],
      [{ schedule: { type: 'Custom', cron: '*/5 * * * * *' }, parameters: { audit_retention_hour: 1, include_event_types: 'x' } }, /invalid cron string for scheduled log rotation purge: \*\/5 \* \* \* \* \*, error: the 1st field/],
      [{ schedule: { type: 'Custom', cron: '0 0 * * *' }, parameters: { audit_retention_hour: 1, include_event_types: 'x' } }, /invalid cron string .*exactly 6 fields/],
      [{ schedule: { type: 'Sometimes' }, parameters: { audit_retention_hour: 1, include_event_types: 'x' } }, /invalid schedule type/],
    ];
    const before = (await api('/system/purgeaudit')).headers.get('x-total-count');
    for (const [body, message] of bad) {
      const r = await kick(body);
      assert.equal(r.status, 400, JSON.stringify(body));
      const e = (await r.json()) as { errors: Array<{ code: string; message: string }> };
      assert.equal(e.errors[0]!.code, 'BAD_REQUEST');
      assert.match(e.errors[0]!.message, message);
    }
    assert.equal((await api('/system/purgeaudit')).headers.get('x-total-count'), before, 'nothing was queued');
    assert.equal(await (await api('/system/purgeaudit/schedule')).text(), '', 'nothing was scheduled');

    assert.equal((await api('/users', { method: 'POST', body: JSON.stringify({ username: 'dev', email: 'dev@example.com', realname: 'Dev', password: 'Passw0rd!x' }) })).status, 201);
    const asDev = (path: string, init: RequestInit = {}) => fetch(`${h.url}/api/v2.0${path}`, { ...init, headers: { Authorization: `Basic ${Buffer.from('dev:Passw0rd!x').toString('base64')}`, 'Content-Type': 'application/json' } });
    assert.equal((await asDev('/system/purgeaudit/schedule', { method: 'POST', body: JSON.stringify({ schedule: { type: 'Manual' }, parameters: { audit_retention_hour: 0, include_event_types: 'create_project' } }) })).status, 403);
    assert.equal((await asDev('/system/purgeaudit')).status, 403);
    assert.equal((await fetch(`${h.url}/api/v2.0/system/purgeaudit`)).status, 401);
    assert.deepEqual(await projects(), ['fresh1'], 'the refused purge removed nothing');

    for (const path of ['/system/purgeaudit/999999', '/system/purgeaudit/999999/log']) assert.equal((await api(path)).status, 404, path);
    assert.equal((await api('/system/purgeaudit/999999', { method: 'PUT' })).status, 404);
    assert.equal((await api('/system/purgeaudit/abc')).status, 400);
  });
});
