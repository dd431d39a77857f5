import { AsyncLocalStorage } from 'node:async_hooks';
import type { ExecutionSpec, JobStore, TaskClaim } from '../db/jobs.js';
import type { JobTaskRow } from '../db/schema.js';
import { ConfigError } from '../config/load.js';
import type { Logger } from '../platform/logger.js';
import { retryDelayMs } from './backoff.js';

/** What a handler sees of the task it runs. */
export interface JobContext {
  taskId: number;
  executionId: number;
  /** 1 for the first run, 2 for the first retry ... */
  attempt: number;
  params: Record<string, unknown>;
  /** Aborted when the task is stopped, its lease is lost, or the instance shuts down. */
  signal: AbortSignal;
  /** One line of the task's log (kept in the database, served as Harbor's job log). */
  log(line: string): void;
  /** Items done of a total, shown as the task's progress. */
  progress(done: number, total: number): void;
  /** Attributes of the task shown with it (merged). */
  attrs(values: Record<string, unknown>): void;
}

export interface JobHandler {
  /** The queue it serves (Harbor's job type: GARBAGE_COLLECTION, RETENTION, WEBHOOK ...). */
  type: string;
  /** Tasks of this type one instance runs at once. */
  concurrency: number;
  /**
   * One task of this type at a time across every instance (Harbor's MaxCurrency 1, which its
   * Redis-backed worker pool enforces for the whole cluster): the others wait Pending.
   */
  alone?: boolean;
  run(ctx: JobContext): Promise<void>;
}

/** A failure the handler knows will fail again: no retry. */
export class PermanentJobError extends Error {}

/**
 * A failure worth retrying after a wait the handler chose (a webhook receiver's Retry-After), not
 * the job service's back-off; retried only while attempts remain, as any failure.
 */
export class RetryLaterError extends Error {
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
  }
}

export interface JobServiceOptions {
  store: JobStore;
  /** This instance's name in leases and pools. */
  holder: string;
  host: string;
  log: Logger;
  /** The clock leases are compared against (the database's on PostgreSQL). */
  clock: () => Promise<number>;
  leaseMs?: number;
  pollMs?: number;
  /** The first retry's delay; each later one doubles it. */
  retryDelayMs?: number;
  /** Tasks per job type one instance runs at once, where the operator set it (`jobs.concurrency`). */
  concurrency?: Record<string, number>;
}

interface Running {
  type: string;
  claim: TaskClaim;
  controller: AbortController;
  done: Promise<void>;
  /** Why it was aborted, which decides how it ends. */
  reason: 'stopped' | 'lost' | 'shutdown' | null;
  /** Writes the log lines gathered since the last flush. */
  flush(): Promise<void>;
  /** Flushes, renews the lease with the progress, and aborts on a stop request or a lost lease. */
  beat(): Promise<void>;
}

/**
 * The durable job service: handlers per job type, a poll loop that claims due tasks up to each
 * type's concurrency, a heartbeat per running task that renews its lease, flushes its log and
 * progress, and notices a stop request, and retries with exponential back-off. A task whose
 * process dies is recovered by any instance once its lease expires (run again, or failed when its
 * attempts are spent), never run twice at once: the dead claim's writes no longer match.
 */
export function createJobService(opts: JobServiceOptions) {
  const { store, holder, log } = opts;
  const leaseMs = opts.leaseMs ?? 30_000;
  const pollMs = opts.pollMs ?? 1000;
  const handlers = new Map<string, JobHandler>();
  const running = new Map<number, Running>();
  let timer: NodeJS.Timeout | null = null;
  let heartbeatTimer: NodeJS.Timeout | null = null;
  let polling: Promise<void> | null = null;
  let again = false;
  let stopped = true;
  // Polls run in the context the service was made in (start-up), never in that of the request
  // whose enqueue woke them: the events a job writes are the job's, not that caller's (the
  // request's origin, operator and host included, would otherwise ride along to whatever task
  // that poll, or the polls it chains, happens to claim).
  const detached = AsyncLocalStorage.snapshot();

  function countOf(type: string): number {
    let n = 0;
    for (const r of running.values()) if (r.type === type) n++;
    return n;
  }

  async function poll(): Promise<void> {
    const now = await opts.clock();
    await store.recoverExpired(now);
    for (const h of handlers.values()) {
      if (stopped) return;
      const free = h.concurrency - countOf(h.type);
      if (free <= 0) continue;
      for (const task of await store.claim(h.type, free, holder, leaseMs, now, { alone: h.alone === true })) start(h, task);
    }
  }

  /** Polls now (and again after, if asked while polling): an enqueue on this instance starts at once. */
  function wake(): void {
    if (stopped) return;
    if (polling) {
      again = true;
      return;
    }
    polling = detached(poll)
      .catch((err) => log.warn({ err }, 'job service: poll failed; retrying'))
      .finally(() => {
        polling = null;
        if (again) {
          again = false;
          wake();
        }
      });
  }

  function start(h: JobHandler, task: JobTaskRow): void {
    const claim: TaskClaim = { id: task.id, holder, attempt: task.attempts };
    const controller = new AbortController();
    const lines: Array<{ at: number; line: string }> = [];
    let progress: { done: number; total: number } | undefined;
    let attrs: Record<string, unknown> = parseObject(task.extra_attrs);
    let attrsChanged = false;
    const entry: Running = {
      type: h.type,
      claim,
      controller,
      reason: null,
      done: Promise.resolve(),
      flush: async () => {
        if (lines.length > 0) await store.appendLog(task.id, lines.splice(0));
      },
      beat: async () => {
        await entry.flush();
        const r = await store.heartbeat(claim, leaseMs, await opts.clock(), progress);
        if (r === null) abort(entry, 'lost');
        else if (r.stopRequested) abort(entry, 'stopped');
      },
    };
    const ctx: JobContext = {
      taskId: task.id,
      executionId: task.execution_id,
      attempt: task.attempts,
      params: parseObject(task.params),
      signal: controller.signal,
      log: (line) => lines.push({ at: Date.now(), line }),
      progress: (done, total) => (progress = { done, total }),
      attrs: (values) => {
        attrs = { ...attrs, ...values };
        attrsChanged = true;
      },
    };
    running.set(task.id, entry);
    entry.done = (async () => {
      let failure: unknown = null;
      try {
        ctx.log(`${h.type} task ${task.id} started (attempt ${task.attempts} of ${task.max_attempts}) on ${opts.host}`);
        await h.run(ctx);
      } catch (err) {
        failure = err;
      }
      running.delete(task.id);
      const reason = entry.reason;
      if (reason === 'lost') {
        log.warn({ task: task.id, type: h.type }, 'job task lost its lease; its result is not recorded');
        return;
      }
      try {
        const now = await opts.clock();
        if (reason === 'shutdown') {
          await entry.flush();
          await store.release(claim, now);
          return;
        }
        const finalAttrs = attrsChanged ? attrs : undefined;
        if (reason === 'stopped') {
          ctx.log('stopped on request');
          await entry.flush();
          await store.finish(claim, { status: 'Stopped', message: 'stopped on request' }, now, finalAttrs, progress);
        } else if (failure === null) {
          ctx.log('done');
          await entry.flush();
          await store.finish(claim, { status: 'Success' }, now, finalAttrs, progress);
        } else {
          const message = (failure as Error)?.message ?? String(failure);
          const retry = !(failure instanceof PermanentJobError) && task.attempts < task.max_attempts;
          ctx.log(`failed: ${message}${retry ? '; will retry' : ''}`);
          await entry.flush();
          const delayMs = failure instanceof RetryLaterError ? Math.max(0, failure.delayMs) : retryDelayMs(task.attempts, opts.retryDelayMs);
          if (retry) await store.finish(claim, { status: 'Retry', message, runAfter: now + delayMs }, now, finalAttrs, progress);
          else await store.finish(claim, { status: 'Error', message }, now, finalAttrs, progress);
          log.warn({ err: failure, task: task.id, type: h.type, retry }, 'job task failed');
        }
      } catch (err) {
        // The lease will run out and another poll recovers the task.
        log.warn({ err, task: task.id }, 'job service: could not record how a task ended');
      }
      wake();
    })();
  }

  function abort(entry: Running, reason: 'stopped' | 'lost' | 'shutdown'): void {
    if (entry.reason) return;
    entry.reason = reason;
    entry.controller.abort(new Error(`task ${reason}`));
  }

  async function heartbeatAll(): Promise<void> {
    const now = await opts.clock();
    await store.heartbeatPool(holder, now, leaseMs * 3);
    await Promise.all(
      [...running.values()].map((r) => r.beat().catch((err) => log.warn({ err, task: r.claim.id }, 'job heartbeat failed'))),
    );
  }

  return {
    register(h: JobHandler): void {
      const n = opts.concurrency?.[h.type];
      handlers.set(h.type, n === undefined || h.alone ? h : { ...h, concurrency: n });
    },

    /** The job types this instance has handlers for (each one a queue, pending work or not). */
    types(): string[] {
      return [...handlers.keys()];
    },

    /** Looks for due tasks now (after work was queued by another path, such as the scheduler). */
    wake,

    /** Queues an execution; a worker on this instance looks at once. */
    async enqueue(spec: ExecutionSpec): Promise<number> {
      const id = await store.enqueue(spec, await opts.clock());
      wake();
      return id;
    },

    /** Stops an execution: pending tasks at once, running ones at their next heartbeat (or now, here). */
    async stop(executionId: number): Promise<boolean> {
      const ok = await store.requestStop(executionId, await opts.clock());
      for (const r of running.values()) void r.beat().catch(() => {});
      return ok;
    },

    /** Stops one task (a job of the dashboard); false when there is none. */
    async stopTask(taskId: number): Promise<boolean> {
      const ok = await store.requestTaskStop(taskId, await opts.clock());
      const r = running.get(taskId);
      if (r) void r.beat().catch(() => {});
      return ok;
    },

    /** Starts working (worker roles only). */
    async start(): Promise<void> {
      checkConcurrency(opts.concurrency ?? {}, [...handlers.values()]);
      stopped = false;
      const concurrency = [...handlers.values()].reduce((n, h) => n + h.concurrency, 0);
      await store.registerPool({ id: holder, host: opts.host, pid: process.pid, concurrency }, await opts.clock());
      timer = setInterval(wake, pollMs);
      timer.unref();
      // A third of the lease keeps it, but at most 2 s apart: the beat also carries a running
      // task's progress and log to the API (the portal shows GC live) and picks up stop requests.
      const beatMs = Math.max(200, Math.min(2000, Math.floor(leaseMs / 3)));
      heartbeatTimer = setInterval(() => void heartbeatAll().catch((err) => log.warn({ err }, 'job service heartbeat failed')), beatMs);
      heartbeatTimer.unref();
      wake();
    },

    /** A clean stop: running tasks are aborted and handed back, not failed. */
    async close(): Promise<void> {
      stopped = true;
      if (timer) clearInterval(timer);
      if (heartbeatTimer) clearInterval(heartbeatTimer);
      await polling;
      const all = [...running.values()];
      for (const r of all) abort(r, 'shutdown');
      await Promise.all(all.map((r) => r.done));
      await store.removePool(holder).catch(() => {});
    },

    /**
     * Stops polling and heartbeats without touching its tasks: what a killed process leaves
     * behind, for the tests of recovery.
     */
    freeze(): void {
      stopped = true;
      if (timer) clearInterval(timer);
      if (heartbeatTimer) clearInterval(heartbeatTimer);
      for (const r of running.values()) r.reason = 'lost';
    },

    /** Tasks running in this process (tests, the dashboard). */
    runningHere(): number[] {
      return [...running.keys()];
    },
  };
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export type JobService = ReturnType<typeof createJobService>;

/**
 * A setting for a job type nobody runs is a typo, and one for a type that runs alone across the
 * cluster (GC, the audit purge) cannot be honoured: either stops start-up naming the key.
 */
function checkConcurrency(set: Record<string, number>, handlers: JobHandler[]): void {
  for (const [type, n] of Object.entries(set)) {
    const h = handlers.find((x) => x.type === type);
    if (!h) throw new ConfigError(`invalid configuration at "jobs.concurrency.${type}": no such job type (there are ${handlers.map((x) => x.type).sort().join(', ')})`);
    if (h.alone && n !== 1) throw new ConfigError(`invalid configuration at "jobs.concurrency.${type}": ${type} runs one task at a time across every instance`);
  }
}
