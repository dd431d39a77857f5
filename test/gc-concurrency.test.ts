// One GC at a time: while a GC is Pending or Running, another run now (real or dry) is refused
// with Harbor's 409 (its admin job API, which served /api/v2.0/system/gc until Harbor 2.2), also
// when the requests arrive at once, and a scheduled firing is skipped. The audit purge, as
// Harbor's, accepts a second run and runs it after the first.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually } from './helpers/eventually.js';
import { seedGarbage } from './helpers/gc.js';
import { havenSql } from './helpers/haven-db.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';

describe('one garbage collection at a time', () => {
  let h: RunningHaven;
  const api = (path: string, init: RequestInit = {}) => h.adminFetch(`${h.url}/api/v2.0${path}`, { ...init, headers: { 'Content-Type': 'application/json', ...init.headers } });
  const kick = (prefix: string, parameters: Record<string, unknown>) => api(`${prefix}/schedule`, { method: 'POST', body: JSON.stringify({ schedule: { type: 'Manual' }, parameters }) });
  const queue = (type: string, action: 'pause' | 'resume') => api(`/jobservice/queues/${type}`, { method: 'PUT', body: JSON.stringify({ action }) });
  const statusOf = async (prefix: string, id: number) => ((await (await api(`${prefix}/${id}`)).json()) as { job_status: string }).job_status;
  const ended = (prefix: string, id: number) =>
    eventually(async () => {
      const s = await statusOf(prefix, id);
      assert.ok(['Success', 'Error', 'Stopped'].includes(s), s);
      return s;
    });

  /** A daily GC schedule, made due now (crons fire once a minute at most). */
  const dueSchedule = async () => {
    assert.equal((await api('/system/gc/schedule', { method: 'PUT', body: JSON.stringify({ schedule: { type: 'Daily', cron: '0 0 0 * * *' } }) })).status, 200);
    const now = Date.now();
    await havenSql(h, "update job_schedules set next_fire = ? where vendor_type = 'GARBAGE_COLLECTION'", [now - 1]);
    return now;
  };
  const scheduleFired = (since: number) =>
    eventually(async () => {
      const s = (await (await api('/system/gc/schedule')).json()) as { schedule: { next_scheduled_time: string } };
      assert.ok(Date.parse(s.schedule.next_scheduled_time) > since, 'fired');
    });
  const noSchedule = async () => assert.equal((await api('/system/gc/schedule', { method: 'PUT', body: JSON.stringify({ schedule: { type: 'None' } }) })).status, 200);

  before(async () => {
    h = await startHaven({ env: { HAVEN_JOBS_POLL_INTERVAL: '100', HAVEN_GC_MIN_AGE: '1h' } });
  });
  after(async () => {
    await h?.cleanup();
  });

  test('of runs asked at once exactly one is created; the others get 409 until it ended', async () => {
    // Paused, the run stays Pending however fast it would be.
    assert.equal((await queue('GARBAGE_COLLECTION', 'pause')).status, 200);
    const asks = [{}, { dry_run: true }, { workers: 2 }, { dry_run: true, delete_untagged: true }];
    const answers = await Promise.all(asks.map((p) => kick('/system/gc', p)));
    const created = answers.filter((r) => r.status === 201);
    assert.equal(created.length, 1, `statuses ${answers.map((r) => r.status).join(',')}`);
    const id = Number(created[0]!.headers.get('location')!.split('/').pop());
    for (const r of answers.filter((r) => r.status !== 201)) {
      assert.equal(r.status, 409);
      const body = (await r.json()) as { errors: Array<{ code: string; message: string }> };
      assert.deepEqual(body, { errors: [{ code: 'CONFLICT', message: `reject job submitting: job GARBAGE_COLLECTION with ID ${id} is Pending` }] });
    }
    const history = (await (await api('/system/gc?page=1&page_size=20')).json()) as Array<{ id: number }>;
    assert.deepEqual(history.map((e) => e.id), [id], 'no second execution was recorded');

    // A schedule firing meanwhile queues nothing.
    await scheduleFired(await dueSchedule());
    await noSchedule();
    const after = (await (await api('/system/gc?page=1&page_size=20')).json()) as Array<{ id: number }>;
    assert.deepEqual(after.map((e) => e.id), [id], 'the firings were skipped');

    assert.equal((await queue('GARBAGE_COLLECTION', 'resume')).status, 200);
    assert.equal(await ended('/system/gc', id), 'Success');
    const again = await kick('/system/gc', { dry_run: true });
    assert.equal(again.status, 201, await again.text());
    assert.equal(await ended('/system/gc', Number(again.headers.get('location')!.split('/').pop())), 'Success');
  });

  test("a schedule's run holds off a run now too, Pending and then Running", async () => {
    // Garbage enough to keep the run busy for a while once it runs.
    await seedGarbage(h, 10_000);
    assert.equal((await queue('GARBAGE_COLLECTION', 'pause')).status, 200);
    await dueSchedule();
    const scheduled = await eventually(async () => {
      const list = (await (await api('/system/gc?page=1&page_size=1')).json()) as Array<{ id: number; job_kind: string; job_status: string }>;
      assert.equal(list[0]?.job_kind, 'SCHEDULE');
      assert.equal(list[0]?.job_status, 'Pending');
      return list[0]!;
    });
    await noSchedule();
    const r = await kick('/system/gc', {});
    assert.equal(r.status, 409);
    assert.match(await r.text(), new RegExp(`reject job submitting: job GARBAGE_COLLECTION with ID ${scheduled.id} is Pending`));
    assert.equal((await queue('GARBAGE_COLLECTION', 'resume')).status, 200);
    await eventually(async () => assert.equal(await statusOf('/system/gc', scheduled.id), 'Running'), { intervalMs: 5 });
    const running = await kick('/system/gc', { dry_run: true });
    assert.equal(running.status, 409);
    assert.match(await running.text(), new RegExp(`reject job submitting: job GARBAGE_COLLECTION with ID ${scheduled.id} is Running`));
    assert.equal((await api(`/system/gc/${scheduled.id}`, { method: 'PUT' })).status, 200);
    assert.ok(['Success', 'Stopped'].includes(await ended('/system/gc', scheduled.id)));
  });

  test('the audit purge, as Harbor\'s, takes a second run and runs it after the first', async () => {
    assert.equal((await queue('PURGE_AUDIT_LOG', 'pause')).status, 200);
    const params = { audit_retention_hour: 1, include_event_types: 'create' };
    const answers = await Promise.all([kick('/system/purgeaudit', params), kick('/system/purgeaudit', { ...params, dry_run: true })]);
    assert.deepEqual(answers.map((r) => r.status), [201, 201]);
    const ids = answers.map((r) => Number(r.headers.get('location')!.split('/').pop()));
    for (const id of ids) assert.equal(await statusOf('/system/purgeaudit', id), 'Pending');
    assert.equal((await queue('PURGE_AUDIT_LOG', 'resume')).status, 200);
    for (const id of ids) assert.equal(await ended('/system/purgeaudit', id), 'Success');
  });
});
