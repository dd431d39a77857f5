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
import { createJobService } from './job-service.js';
import { createScheduler } from './scheduler.js';

export interface JobAreaDeps {
  db: Db;
  config: Pick<HavenConfig, 'jobs' | 'role'>;
  log: Logger;
  holder: string;
  clock: () => Promise<number>;
  audit: { store: Pick<AuditStore, 'purgeMatching'>; flushPending: () => Promise<void> };
  gc: Omit<GcAreaDeps, 'db'>;
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
  });
  const scheduler = createScheduler({ schedules, jobs: store, log: deps.log, clock: deps.clock, wake: service.wake });
  const systemJobDeps = { store, schedules, enqueue: service.enqueue, stop: service.stop };

  const purgeAudit = createSystemJob(systemJobDeps, purgeAuditSpec);
  service.register(purgeAuditHandler(deps.audit.store, deps.audit.flushPending));
  scheduler.on(purgeAuditVendorType, (_row, params) => purgeAudit.scheduled(params));

  const gcArea = createGcArea({ db: deps.db, ...deps.gc });
  const gc = createSystemJob(systemJobDeps, gcArea.spec);
  service.register(gcArea.handler);
  scheduler.on(gcArea.spec.vendorType, (_row, params) => gc.scheduled(params));

  const works = deps.config.role !== 'api';
  return {
    store,
    service,
    purgeAudit,
    gc,
    async start(): Promise<void> {
      if (!works) return;
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
