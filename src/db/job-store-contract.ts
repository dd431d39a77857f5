import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { migrateToLatest, type DatabaseHandle, type Db } from './database.js';
import { createJobStore, ExecutionActive, type JobStore } from './jobs.js';
import { createScheduleStore } from './job-schedules.js';

const t0 = 1_800_000_000_000;

/** The job service's stores, run on every dialect (src/db/job-stores.test.ts). */
export function runJobStoreContract(name: string, openDb: () => Promise<DatabaseHandle>): void {
  describe(`job stores on ${name}`, () => {
    let handle: DatabaseHandle;
    let db: Db;
    let jobs: JobStore;
    beforeEach(async () => {
      handle = await openDb();
      await migrateToLatest(handle);
      db = handle.db;
      jobs = createJobStore(db);
    });
    afterEach(async () => {
      await handle.close();
    });

    const gc = (tasks = 1, maxAttempts = 1) => jobs.enqueue({ vendorType: 'GARBAGE_COLLECTION', trigger: 'MANUAL', extraAttrs: { dry_run: true }, tasks: Array.from({ length: tasks }, (_, i) => ({ jobType: 'GC', params: { n: i }, maxAttempts })) }, t0);

    test('an execution and its tasks are queued together; its status follows its tasks as Harbor derives it', async () => {
      const id = await gc(2);
      assert.equal((await jobs.execution(id))?.status, 'Pending');
      const [a, b] = await jobs.claim('GC', 2, 'w1', 10_000, t0 + 1);
      assert.ok(a && b);
      assert.deepEqual(JSON.parse(a.params), { n: 0 });
      assert.equal(a.attempts, 1);
      assert.equal((await jobs.execution(id))?.status, 'Running');
      assert.ok(await jobs.finish({ id: a.id, holder: 'w1', attempt: 1 }, { status: 'Success' }, t0 + 2));
      assert.equal((await jobs.execution(id))?.status, 'Running', 'one task still runs');
      assert.ok(await jobs.finish({ id: b.id, holder: 'w1', attempt: 1 }, { status: 'Error', message: 'disk on fire' }, t0 + 3, { freed: 7 }));
      const done = await jobs.execution(id);
      assert.equal(done?.status, 'Error');
      assert.equal(done?.end_time, t0 + 3);
      assert.equal((await jobs.task(b.id))?.status_message, 'disk on fire');
      assert.deepEqual(JSON.parse((await jobs.task(b.id))!.extra_attrs), { freed: 7 });
      const counts = (await jobs.taskCounts([id])).get(id);
      assert.deepEqual(counts, { Success: 1, Error: 1 });
      assert.equal((await jobs.enqueue({ vendorType: 'X', trigger: 'MANUAL', tasks: [] }, t0).then((e) => jobs.execution(e)))?.status, 'Success', 'nothing to do is done');
    });

    test('concurrent claims never hand one task to two workers', async () => {
      await jobs.enqueue({ vendorType: 'WEBHOOK', trigger: 'EVENT', tasks: Array.from({ length: 40 }, () => ({ jobType: 'WEBHOOK' })) }, t0);
      // On PostgreSQL the pool runs these on separate connections at once.
      const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => jobs.claim('WEBHOOK', 7, `w${i}`, 10_000, t0 + 1)));
      const ids = claims.flat().map((t) => t.id);
      assert.equal(ids.length, 40, 'every task was claimed');
      assert.equal(new Set(ids).size, 40, 'by exactly one worker');
      assert.deepEqual(await jobs.claim('WEBHOOK', 5, 'late', 10_000, t0 + 2), []);
    });

    test('exclusive enqueues at once: exactly one is queued; `alone` claims at once: exactly one task runs', async () => {
      // On PostgreSQL these run on separate connections at once (SERIALIZABLE makes the losers retry).
      const asks = await Promise.allSettled(Array.from({ length: 6 }, () => jobs.enqueue({ vendorType: 'GARBAGE_COLLECTION', trigger: 'MANUAL', tasks: [{ jobType: 'GC' }], exclusive: true }, t0)));
      assert.equal(asks.filter((a) => a.status === 'fulfilled').length, 1);
      for (const a of asks) if (a.status === 'rejected') assert.ok(a.reason instanceof ExecutionActive, String(a.reason));
      await jobs.enqueue({ vendorType: 'PURGE_AUDIT_LOG', trigger: 'MANUAL', tasks: Array.from({ length: 5 }, () => ({ jobType: 'PURGE' })) }, t0);
      const claims = await Promise.all(Array.from({ length: 6 }, (_, i) => jobs.claim('PURGE', 3, `w${i}`, 10_000, t0 + 1, { alone: true })));
      const claimed = claims.flat();
      assert.equal(claimed.length, 1, 'one task of the type at a time');
      assert.deepEqual(await jobs.claim('PURGE', 3, 'late', 10_000, t0 + 2, { alone: true }), [], 'none while it runs');
      const c = claimed[0]!;
      assert.ok(await jobs.finish({ id: c.id, holder: c.lease_holder!, attempt: 1 }, { status: 'Success' }, t0 + 3));
      assert.equal((await jobs.claim('PURGE', 3, 'next', 10_000, t0 + 4, { alone: true })).length, 1, 'the next once it ended');
    });

    test('a claim whose lease ran out is recovered once and its old worker can change nothing', async () => {
      const id = await gc(1, 2);
      const [first] = await jobs.claim('GC', 1, 'dead', 1000, t0);
      assert.ok(first);
      assert.equal(await jobs.recoverExpired(t0 + 999), 0, 'still leased');
      assert.equal(await jobs.recoverExpired(t0 + 1001), 1);
      const back = await jobs.task(first.id);
      assert.equal(back?.status, 'Pending');
      assert.match(back!.status_message, /worker was lost/);
      const [second] = await jobs.claim('GC', 1, 'alive', 1000, t0 + 1002);
      assert.equal(second?.attempts, 2);
      const old = { id: first.id, holder: 'dead', attempt: 1 };
      assert.equal(await jobs.heartbeat(old, 1000, t0 + 1003), null, 'the dead claim cannot renew');
      assert.equal(await jobs.finish(old, { status: 'Success' }, t0 + 1003), false, 'nor finish');
      assert.deepEqual(await jobs.heartbeat({ id: first.id, holder: 'alive', attempt: 2 }, 1000, t0 + 1004, { done: 3, total: 9 }), { stopRequested: false });
      assert.equal((await jobs.task(first.id))?.progress_done, 3);
      // The last attempt is spent: a second loss fails it.
      assert.equal(await jobs.recoverExpired(t0 + 10_000), 1);
      assert.equal((await jobs.task(first.id))?.status, 'Error');
      assert.equal((await jobs.execution(id))?.status, 'Error');
    });

    test('a retry waits out its back-off; a released task is not counted as an attempt', async () => {
      await gc(1, 3);
      const [t] = await jobs.claim('GC', 1, 'w', 1000, t0);
      assert.ok(await jobs.finish({ id: t!.id, holder: 'w', attempt: 1 }, { status: 'Retry', message: 'busy', runAfter: t0 + 5000 }, t0 + 1));
      assert.deepEqual(await jobs.claim('GC', 1, 'w', 1000, t0 + 4999), []);
      const [again] = await jobs.claim('GC', 1, 'w', 1000, t0 + 5000);
      assert.equal(again?.attempts, 2);
      await jobs.release({ id: t!.id, holder: 'w', attempt: 2 }, t0 + 5001);
      const [after] = await jobs.claim('GC', 1, 'w2', 1000, t0 + 5002);
      assert.equal(after?.attempts, 2, 'the released attempt did not count');
    });

    test('stop: pending tasks stop at once, running ones see the request at their heartbeat', async () => {
      const id = await gc(2);
      const [running] = await jobs.claim('GC', 1, 'w', 10_000, t0);
      assert.ok(await jobs.requestStop(id, t0 + 1));
      assert.equal(await jobs.requestStop(999_999, t0 + 1), false);
      const tasks = (await jobs.tasks(id, { limit: 10, offset: 0 })).rows;
      assert.deepEqual(tasks.map((t) => t.status), ['Running', 'Stopped']);
      assert.deepEqual(await jobs.heartbeat({ id: running!.id, holder: 'w', attempt: 1 }, 10_000, t0 + 2), { stopRequested: true });
      assert.deepEqual(await jobs.claim('GC', 5, 'w', 10_000, t0 + 3), [], 'a stopped task is never claimed');
      await jobs.finish({ id: running!.id, holder: 'w', attempt: 1 }, { status: 'Stopped' }, t0 + 4);
      assert.equal((await jobs.execution(id))?.status, 'Stopped');
    });

    test('a paused queue hands out nothing until resumed, and queues report count and latency', async () => {
      await gc(3);
      await jobs.setPaused('GC', true, t0);
      assert.deepEqual(await jobs.claim('GC', 3, 'w', 1000, t0 + 1), []);
      assert.deepEqual(await jobs.queues(t0 + 61_000), [{ jobType: 'GC', count: 3, latencySeconds: 61, paused: true }]);
      await jobs.setPaused('GC', false, t0 + 2);
      assert.equal((await jobs.claim('GC', 3, 'w', 1000, t0 + 3)).length, 3);
      assert.equal((await jobs.running()).length, 3);
    });

    test('task logs keep their order and are served as text', async () => {
      await gc(1);
      const [t] = await jobs.claim('GC', 1, 'w', 1000, t0);
      await jobs.appendLog(t!.id, [{ at: t0, line: 'marking' }, { at: t0 + 1000, line: '中文 line <b>' }]);
      await jobs.appendLog(t!.id, Array.from({ length: 450 }, (_, i) => ({ at: t0 + 2000, line: `deleted ${i}` })));
      const text = await jobs.logText(t!.id);
      const lines = text.trimEnd().split('\n');
      assert.equal(lines.length, 452);
      assert.equal(lines[0], `${new Date(t0).toISOString()} marking`);
      assert.equal(lines[1], `${new Date(t0 + 1000).toISOString()} 中文 line <b>`);
      assert.equal(lines[451], `${new Date(t0 + 2000).toISOString()} deleted 449`);
    });

    test('a schedule firing is won by exactly one of several instances, in the transaction that queues it', async () => {
      const schedules = createScheduleStore(db);
      await schedules.put({ vendorType: 'GARBAGE_COLLECTION', cronType: 'Hourly', cron: '0 0 * * * *', params: { dry_run: false } }, t0);
      const replaced = await schedules.put({ vendorType: 'GARBAGE_COLLECTION', cronType: 'Daily', cron: '0 0 0 * * *' }, t0 + 10);
      assert.equal(replaced.cron_type, 'Daily', 'one schedule per vendor: put replaces it');
      assert.equal((await schedules.list({ limit: 10, offset: 0 })).total, 1);
      const [due] = await schedules.due(t0 + 10);
      assert.ok(due);
      const fire = () => schedules.fire(due, t0 + 86_400_000, (tx) => jobs.enqueue({ vendorType: 'GARBAGE_COLLECTION', trigger: 'SCHEDULE', tasks: [{ jobType: 'GC' }] }, t0 + 10, tx).then(() => {}), t0 + 10);
      const won = await Promise.all([fire(), fire(), fire()]);
      assert.deepEqual(won.filter(Boolean).length, 1);
      assert.equal((await jobs.executions({ vendorType: 'GARBAGE_COLLECTION' }, { limit: 10, offset: 0 })).total, 1, 'one execution queued');
      assert.deepEqual(await schedules.due(t0 + 10), []);
      // A firing whose queueing fails leaves the schedule due, to be fired again.
      const [later] = await schedules.due(t0 + 86_400_000);
      await assert.rejects(schedules.fire(later!, t0 + 2 * 86_400_000, async () => { throw new Error('boom'); }, t0 + 86_400_000));
      assert.equal((await schedules.due(t0 + 86_400_000)).length, 1);
      assert.ok(await schedules.remove('GARBAGE_COLLECTION'));
      assert.equal(await schedules.get('GARBAGE_COLLECTION'), undefined);
    });
  });
}
