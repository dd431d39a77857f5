// One run at a time: an exclusive execution (GC) is refused while one is Pending or Running, a
// schedule firing then is skipped, and an `alone` job type (GC, the audit purge) runs one task at
// a time across every instance (two job services on one database), the others waiting Pending.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DatabaseHandle } from '../db/database.js';
import { createJobStore, ExecutionActive, type JobStore } from '../db/jobs.js';
import { createScheduleStore } from '../db/job-schedules.js';
import { openTestDatabase } from '../db/test-database.js';
import { createLogger } from '../platform/logger.js';
import { createJobService } from './job-service.js';
import { createScheduler } from './scheduler.js';

const log = createLogger('silent');
let handle: DatabaseHandle;
let store: JobStore;

before(async () => {
  handle = await openTestDatabase();
  store = createJobStore(handle.db);
});
after(async () => {
  await handle.close();
});

const clock = async () => Date.now();
// Leases long enough that a loaded machine never lets one run out (that hands a task on by design).
const service = (holder: string) => createJobService({ store, holder, host: holder, log, clock, pollMs: 20, retryDelayMs: 10, leaseMs: 10_000 });

async function until<T>(what: () => Promise<T | undefined | null | false>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const spec = (vendorType: string) => ({ vendorType, trigger: 'MANUAL' as const, tasks: [{ jobType: vendorType }], exclusive: true });

test('an exclusive enqueue is refused while one is Pending or Running, and allowed once it ended', async () => {
  const results = await Promise.allSettled(Array.from({ length: 5 }, () => store.enqueue(spec('ONLY'))));
  const ok = results.filter((r) => r.status === 'fulfilled');
  assert.equal(ok.length, 1, 'exactly one of five enqueues at once');
  const id = (ok[0] as PromiseFulfilledResult<number>).value;
  for (const r of results.filter((r) => r.status === 'rejected')) {
    const err = (r as PromiseRejectedResult).reason as unknown;
    assert.ok(err instanceof ExecutionActive);
    assert.deepEqual(err.active, { id, status: 'Pending' });
  }
  // Another vendor type, or a non-exclusive enqueue, is not held up.
  await store.enqueue(spec('OTHER'));
  await store.enqueue({ ...spec('ONLY'), exclusive: false });
  await store.requestStop(id);
  await store.enqueue(spec('OTHER2'));
  // The non-exclusive one is still Pending: an exclusive enqueue counts every active execution.
  await assert.rejects(store.enqueue(spec('ONLY')), ExecutionActive);
});

test('a schedule firing while its exclusive job is active is skipped: the schedule moves on, nothing is queued', async () => {
  const schedules = createScheduleStore(handle.db);
  const scheduler = createScheduler({ schedules, jobs: store, log, clock, wake: () => {} });
  scheduler.on('SWEEP', () => spec('SWEEP'));
  try {
    const active = await store.enqueue(spec('SWEEP'));
    const now = Date.now();
    await schedules.put({ vendorType: 'SWEEP', cronType: 'Hourly', cron: '0 0 * * * *' }, now - 1);
    await scheduler.tick();
    const { rows, total } = await store.executions({ vendorType: 'SWEEP' }, { limit: 10, offset: 0 });
    assert.equal(total, 1, 'no second execution');
    assert.equal(rows[0]?.id, active);
    assert.ok((await schedules.get('SWEEP'))!.next_fire > now, 'the firing was consumed, not retried every tick');

    // Once the run is over, the next firing queues one.
    await store.requestStop(active);
    await schedules.put({ vendorType: 'SWEEP', cronType: 'Hourly', cron: '0 0 * * * *' }, Date.now() - 1);
    await scheduler.tick();
    assert.equal((await store.executions({ vendorType: 'SWEEP' }, { limit: 10, offset: 0 })).total, 2);
  } finally {
    await scheduler.close();
  }
});

test('an `alone` job type runs one task at a time across instances; the next waits Pending, then runs', async () => {
  const a = service('a');
  const b = service('b');
  let running = 0;
  let most = 0;
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  for (const s of [a, b]) {
    s.register({
      type: 'PURGE',
      concurrency: 2,
      alone: true,
      async run() {
        running++;
        most = Math.max(most, running);
        await gate;
        running--;
      },
    });
  }
  await Promise.all([a.start(), b.start()]);
  try {
    const ids = await Promise.all([1, 2, 3].map(() => a.enqueue({ vendorType: 'PURGE', trigger: 'MANUAL', tasks: [{ jobType: 'PURGE' }] })));
    await until(async () => running === 1);
    // Both instances poll many times meanwhile.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(most, 1);
    const statuses = await Promise.all(ids.map(async (id) => (await store.execution(id))!.status));
    assert.deepEqual(statuses.sort(), ['Pending', 'Pending', 'Running']);
    release();
    for (const id of ids) await until(async () => (await store.execution(id))?.status === 'Success');
    assert.equal(most, 1, 'never two at once');
  } finally {
    release();
    await Promise.all([a.close(), b.close()]);
  }
});
