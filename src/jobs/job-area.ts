import { hostname } from 'node:os';
import type { HavenConfig } from '../config/schema.js';
import type { AuditStore } from '../db/audit.js';
import type { Db } from '../db/database.js';
import { createJobStore } from '../db/jobs.js';
import { createScheduleStore } from '../db/job-schedules.js';
import type { Logger } from '../platform/logger.js';
import { createGcArea, type GcAreaDeps } from '../services/gc/gc-area.js';
import { purgeAuditHandler, purgeAuditSpec, purgeAuditVendorType } from '../services/jobs/purge-audit.js';
import { createSystemJob } from '../services/jobs/system-job.js';
import { createJobDashboard } from '../services/jobs/job-dashboard.js';
import type { ArtifactWriteStore } from '../db/artifact-writes.js';
import { createRetentionStore, retentionVendorType } from '../db/retention.js';
import type { AuditLog } from '../services/audit/audit-log.js';
import { createRetentionJobs } from '../services/retention/retention-job.js';
import { createJobService } from './job-service.js';
import { createScheduler } from './scheduler.js';
import { intervalCron } from '../domain/schedule/cron.js';

/** Haven's own periodic work (the purges), run as scheduled jobs. */
export interface PeriodicWork {
  /** Its vendor and job type, e.g. UPLOAD_PURGE. */
  type: string;
  everyMs: number;
  /** Settings it depends on: a change makes it due at once. */
  params?: Record<string, unknown>;
  /** Due as soon as an instance starts (the audit retention), not one period later. */
  atStart?: boolean;
  /** Runs it directly when the database cannot record the firing (the upload purge on a full disk). */
  essential?: boolean;
  /** Does the work and says what it did, for the task's log. */
  work(signal: AbortSignal): Promise<string>;
}

/** How many runs of each periodic job the history keeps. */
const keptRuns = 20;

export interface JobAreaDeps {
  db: Db;
  config: Pick<HavenConfig, 'jobs' | 'role'>;
  log: Logger;
  holder: string;
  clock: () => Promise<number>;
  audit: { store: Pick<AuditStore, 'purgeMatching'>; flushPending: () => Promise<void> };
  periodic: PeriodicWork[];
  /** Where retention's artifact deletes are audited, as the API's are. */
  auditLog: Pick<AuditLog, 'record'>;
  gc: Omit<GcAreaDeps, 'db' | 'audit' | 'artifacts'>;
  /** Artifact deletes of retention and GC: the store that forgets what it deletes from the read cache. */
  artifacts: ArtifactWriteStore;
}

/**
 * The job service and what runs on it, wired once: every role can queue and stop work and read
 * its history (the API); only `all` and `worker` instances claim tasks and fire schedules.
 */
export function createJobArea(deps: JobAreaDeps) {
  const store = createJobStore(deps.db);
  const schedules = createScheduleStore(deps.db);
  const service = createJobService({
    store,
    holder: deps.holder,
    host: hostname(),
    log: deps.log,
    clock: deps.clock,
    leaseMs: deps.config.jobs.leaseTime,
    pollMs: deps.config.jobs.pollInterval,
    retryDelayMs: deps.config.jobs.retryDelay,
    concurrency: deps.config.jobs.concurrency,
  });
  // Ticks at least as often as the shortest periodic job fires (tests purge every few hundred ms).
  const tickMs = Math.max(50, Math.min(deps.config.jobs.pollInterval, ...deps.periodic.map((p) => p.everyMs)));
  const scheduler = createScheduler({ schedules, jobs: store, log: deps.log, clock: deps.clock, wake: service.wake, tickMs });
  const systemJobDeps = { store, schedules, enqueue: service.enqueue, stop: service.stop };

  const purgeAudit = createSystemJob(systemJobDeps, purgeAuditSpec);
  service.register(purgeAuditHandler(deps.audit.store, deps.audit.flushPending));
  scheduler.on(purgeAuditVendorType, (_row, params) => purgeAudit.scheduled(params));

  const dashboard = createJobDashboard({ store, schedules, stopTask: service.stopTask, jobTypes: service.types });

  for (const p of deps.periodic) {
    service.register({
      type: p.type,
      concurrency: 1,
      async run(ctx) {
        ctx.log(await p.work(ctx.signal));
        // The history of periodic work is kept short (Harbor's execution sweep).
        await store.pruneExecutions(p.type, keptRuns);
      },
    });
    const unrecorded = async () => deps.log.info({ job: p.type, result: await p.work(new AbortController().signal) }, 'periodic job ran unrecorded');
    scheduler.on(p.type, () => ({ vendorType: p.type, trigger: 'SCHEDULE', tasks: [{ jobType: p.type }] }), p.essential ? unrecorded : undefined);
  }
  const retention = createRetentionJobs({ store: createRetentionStore(deps.db), artifacts: deps.artifacts, audit: deps.auditLog });
  service.register(retention.handler);
  scheduler.on(retentionVendorType, (row) => retention.scheduled(Number(row.vendor_id)));
  const gcArea = createGcArea({ db: deps.db, audit: deps.auditLog, artifacts: deps.artifacts, ...deps.gc });
  const gc = createSystemJob(systemJobDeps, gcArea.spec);
  service.register(gcArea.handler);
  scheduler.on(gcArea.spec.vendorType, (_row, params) => gc.scheduled(params));

  const works = deps.config.role !== 'api';
  return {
    store,
    service,
    purgeAudit,
    dashboard,
    retention,
    gc,
    async start(): Promise<void> {
      if (!works) return;
      const now = await deps.clock();
      for (const p of deps.periodic) {
        await schedules.ensure({ vendorType: p.type, cronType: 'Interval', cron: intervalCron(p.everyMs), params: p.params ?? {} }, p.atStart ? now : now + p.everyMs, now);
      }
      await service.start();
      scheduler.start();
    },
    async close(): Promise<void> {
      await scheduler.close();
      await service.close();
    },
  };
}

export type JobArea = ReturnType<typeof createJobArea>;
