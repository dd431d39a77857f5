import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DatabaseHandle } from '../db/database.js';
import { createJobStore, type JobStore } from '../db/jobs.js';
import { createScheduleStore } from '../db/job-schedules.js';
import { openTestDatabase } from '../db/test-database.js';
import { createLogger } from '../platform/logger.js';
import { createJobService, PermanentJobError, RetryLaterError, type JobHandler } from './job-service.js';
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
const service = (holder: string, extra: { leaseMs?: number } = {}) => createJobService({ store, holder, host: 'test', log, clock, pollMs: 20, retryDelayMs: 10, leaseMs: extra.leaseMs ?? 300 });

async function until<T>(what: () => Promise<T | undefined | null | false>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const finalOf = (id: number) => until(async () => {
  const e = await store.execution(id);
  return e && ['Success', 'Error', 'Stopped'].includes(e.status) ? e : null;
});

test('a handler runs with its parameters; its log, progress and attributes are kept', async () => {
  const jobs = service('a');
  jobs.register({
    type: 'ECHO',
    concurrency: 2,
    async run(ctx) {
      ctx.log(`hello ${String(ctx.params.who)}`);
      ctx.progress(3, 4);
      ctx.attrs({ freed: 42 });
    },
  });
  await jobs.start();
  try {
    const id = await jobs.enqueue({ vendorType: 'ECHO', trigger: 'MANUAL', tasks: [{ jobType: 'ECHO', params: { who: 'haven' } }] });
    assert.equal((await finalOf(id)).status, 'Success');
    const [task] = (await store.tasks(id, { limit: 10, offset: 0 })).rows;
    assert.equal(task?.progress_done, 3);
    assert.equal(task?.progress_total, 4);
    assert.deepEqual(JSON.parse(task!.extra_attrs), { freed: 42 });
    assert.match(await store.logText(task!.id), /started \(attempt 1 of 1\)[\s\S]*hello haven[\s\S]*done/);
  } finally {
    await jobs.close();
  }
});

test('a failing task is retried with back-off until its attempts are spent; a permanent failure is not', async () => {
  const jobs = service('b');
  let calls = 0;
  jobs.register({
    type: 'FLAKY',
    concurrency: 1,
    async run(ctx) {
      calls++;
      if (ctx.params.permanent) throw new PermanentJobError('bad parameters');
      if (ctx.attempt < 3) throw new Error(`transient ${ctx.attempt}`);
    },
  });
  await jobs.start();
  try {
    const ok = await jobs.enqueue({ vendorType: 'FLAKY', trigger: 'MANUAL', tasks: [{ jobType: 'FLAKY', maxAttempts: 3 }] });
    assert.equal((await finalOf(ok)).status, 'Success');
    assert.equal(calls, 3);
    const [task] = (await store.tasks(ok, { limit: 1, offset: 0 })).rows;
    assert.match(await store.logText(task!.id), /transient 1; will retry[\s\S]*transient 2; will retry[\s\S]*attempt 3 of 3/);
    calls = 0;
    const bad = await jobs.enqueue({ vendorType: 'FLAKY', trigger: 'MANUAL', tasks: [{ jobType: 'FLAKY', maxAttempts: 5, params: { permanent: true } }] });
    const e = await finalOf(bad);
    assert.equal(e.status, 'Error');
    assert.equal(calls, 1);
    const [t] = (await store.tasks(bad, { limit: 1, offset: 0 })).rows;
    assert.equal(t?.status_message, 'bad parameters');
  } finally {
    await jobs.close();
  }
});

test('a RetryLaterError waits the delay the handler asked for, not the back-off', async () => {
  const jobs = service('r');
  const starts: number[] = [];
  jobs.register({
    type: 'LATER',
    concurrency: 1,
    async run(ctx) {
      starts.push(Date.now());
      if (ctx.attempt === 1) throw new RetryLaterError('busy', 600);
    },
  });
  await jobs.start();
  try {
    const id = await jobs.enqueue({ vendorType: 'LATER', trigger: 'MANUAL', tasks: [{ jobType: 'LATER', maxAttempts: 2 }] });
    assert.equal((await finalOf(id)).status, 'Success');
    assert.equal(starts.length, 2);
    // The service's own back-off here is 10-12 ms.
    assert.ok(starts[1]! - starts[0]! >= 600, `retried after ${starts[1]! - starts[0]!} ms`);
  } finally {
    await jobs.close();
  }
});

test('stop aborts a running task through its signal and ends it Stopped', async () => {
  const jobs = service('c');
  let started = false;
  jobs.register({
    type: 'LONG',
    concurrency: 1,
    run: (ctx) =>
      new Promise<void>((_, reject) => {
        started = true;
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error));
      }),
  });
  await jobs.start();
  try {
    const id = await jobs.enqueue({ vendorType: 'LONG', trigger: 'MANUAL', tasks: [{ jobType: 'LONG', maxAttempts: 3 }, { jobType: 'LONG' }] });
    await until(async () => started);
    assert.ok(await jobs.stop(id));
    const e = await finalOf(id);
    assert.equal(e.status, 'Stopped');
    const tasks = (await store.tasks(id, { limit: 10, offset: 0 })).rows;
    assert.deepEqual(tasks.map((t) => t.status), ['Stopped', 'Stopped']);
    assert.equal(tasks[0]!.attempts, 1, 'a stopped task is not retried');
  } finally {
    await jobs.close();
  }
});

test('a worker that dies mid-task: another instance runs it again once the lease expires, never both at once', async () => {
  let active = 0;
  let maxActive = 0;
  const handler = (hang: boolean): JobHandler => ({
    type: 'ONCE',
    concurrency: 1,
    async run(ctx) {
      active++;
      maxActive = Math.max(maxActive, active);
      try {
        if (hang) await new Promise((r) => setTimeout(r, 60_000).unref());
        ctx.log('finished');
      } finally {
        active--;
      }
    },
  });
  // The "dead" instance: it claims and then stops heartbeating (its timers are cleared), as a
  // process killed with -9 would; its handler keeps hanging.
  const dead = service('dead', { leaseMs: 200 });
  dead.register(handler(true));
  await dead.start();
  const id = await dead.enqueue({ vendorType: 'ONCE', trigger: 'MANUAL', tasks: [{ jobType: 'ONCE', maxAttempts: 2 }] });
  await until(async () => (await store.running()).length === 1);
  dead.freeze();
  active = 0;
  const alive = service('alive', { leaseMs: 200 });
  alive.register(handler(false));
  await alive.start();
  try {
    const e = await finalOf(id);
    assert.equal(e.status, 'Success');
    const [task] = (await store.tasks(id, { limit: 1, offset: 0 })).rows;
    assert.equal(task?.attempts, 2);
    assert.equal(task?.lease_holder, null);
    assert.match(await store.logText(task!.id), /attempt 2 of 2\) on test[\s\S]*finished/);
  } finally {
    await alive.close();
  }
});

test('a clean shutdown hands running tasks back without spending an attempt', async () => {
  const first = service('first');
  let runs = 0;
  first.register({ type: 'HANDBACK', concurrency: 1, run: (ctx) => new Promise((_, reject) => { runs++; ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))); }) });
  await first.start();
  const id = await first.enqueue({ vendorType: 'HANDBACK', trigger: 'MANUAL', tasks: [{ jobType: 'HANDBACK' }] });
  await until(async () => runs === 1);
  await first.close();
  const [task] = (await store.tasks(id, { limit: 1, offset: 0 })).rows;
  assert.equal(task?.status, 'Pending');
  assert.equal(task?.attempts, 0);
  const second = service('second');
  second.register({ type: 'HANDBACK', concurrency: 1, run: async () => {} });
  await second.start();
  try {
    assert.equal((await finalOf(id)).status, 'Success');
  } finally {
    await second.close();
  }
});

test('a due schedule queues one execution and moves to its next firing', async () => {
  const schedules = createScheduleStore(handle.db);
  const jobs = service('sched');
  jobs.register({ type: 'TICK', concurrency: 1, run: async (ctx) => ctx.log(`dry_run=${String(ctx.params.dry_run)}`) });
  await jobs.start();
  const scheduler = createScheduler({ schedules, jobs: store, log, clock, wake: () => {} });
  scheduler.on('TICK', (_row, params) => ({ vendorType: 'TICK', trigger: 'SCHEDULE', tasks: [{ jobType: 'TICK', params }] }));
  try {
    const now = Date.now();
    await schedules.put({ vendorType: 'TICK', cronType: 'Hourly', cron: '0 0 * * * *', params: { dry_run: true } }, now - 1);
    await Promise.all([scheduler.tick(), scheduler.tick()]);
    const { rows, total } = await store.executions({ vendorType: 'TICK' }, { limit: 10, offset: 0 });
    assert.equal(total, 1);
    assert.equal(rows[0]?.trigger, 'SCHEDULE');
    const e = await finalOf(rows[0]!.id);
    const [task] = (await store.tasks(e.id, { limit: 1, offset: 0 })).rows;
    assert.match(await store.logText(task!.id), /dry_run=true/);
    const next = (await schedules.get('TICK'))!.next_fire;
    assert.ok(next > now && next <= now + 3_600_000 && new Date(next).getUTCMinutes() === 0, 'the next full hour');
  } finally {
    await scheduler.close();
    await jobs.close();
  }
});

test('jobs.concurrency: a type runs as many tasks at once as the operator set; a typo or an alone type stops start', async () => {
  const jobs = createJobService({ store, holder: 'wide', host: 'test', log, clock, pollMs: 20, retryDelayMs: 10, leaseMs: 10_000, concurrency: { WIDE: 3 } });
  let running = 0;
  let peak = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  jobs.register({
    type: 'WIDE',
    concurrency: 1,
    async run() {
      peak = Math.max(peak, ++running);
      await gate;
      running--;
    },
  });
  await jobs.start();
  try {
    const id = await jobs.enqueue({ vendorType: 'WIDE', trigger: 'MANUAL', tasks: Array.from({ length: 5 }, () => ({ jobType: 'WIDE' })) });
    await until(async () => running === 3);
    // Give a fourth the chance to start: it must not.
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(peak, 3);
    release();
    assert.equal((await finalOf(id)).status, 'Success');
  } finally {
    await jobs.close();
  }

  const typo = createJobService({ store, holder: 'typo', host: 'test', log, clock, concurrency: { WIDEE: 2 } });
  typo.register({ type: 'WIDE', concurrency: 1, run: async () => {} });
  await assert.rejects(typo.start(), /"jobs\.concurrency\.WIDEE": no such job type \(there are WIDE\)/);
  const alone = createJobService({ store, holder: 'alone', host: 'test', log, clock, concurrency: { SOLO: 2 } });
  alone.register({ type: 'SOLO', concurrency: 1, alone: true, run: async () => {} });
  await assert.rejects(alone.start(), /SOLO runs one task at a time across every instance/);
});

test('a task runs outside the context of the request whose enqueue woke the poll', async () => {
  const { AsyncLocalStorage } = await import('node:async_hooks');
  const request = new AsyncLocalStorage<string>();
  // No timer poll in the way: the enqueue's own wake is the one that claims the task.
  const jobs = createJobService({ store, holder: 'detached', host: 'test', log, clock, pollMs: 60_000, leaseMs: 10_000 });
  const seen: Array<string | undefined> = [];
  jobs.register({ type: 'CONTEXT', concurrency: 1, run: async () => void seen.push(request.getStore()) });
  await jobs.start();
  await new Promise((r) => setTimeout(r, 200));
  try {
    const id = await request.run('request of alice', () => jobs.enqueue({ vendorType: 'CONTEXT', trigger: 'MANUAL', tasks: [{ jobType: 'CONTEXT' }] }));
    assert.equal((await finalOf(id)).status, 'Success');
    assert.deepEqual(seen, [undefined]);
  } finally {
    await jobs.close();
  }
});
