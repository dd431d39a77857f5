import { hostname } from 'node:os';
import type { HavenConfig } from '../config/schema.js';
import type { AuditStore } from '../db/audit.js';
import type { Db } from '../db/database.js';
import { createJobStore } from '../db/jobs.js';
import { createScheduleStore } from '../db/job-schedules.js';
import type { Logger } from '../platform/logger.js';
import { purgeAuditHandler, purgeAuditSpec, purgeAuditVendorType } from '../services/jobs/purge-audit.js';
import { createSystemJob } from '../services/jobs/system-job.js';
import { createArtifactWriteStore } from '../db/artifact-writes.js';
import { createRetentionStore, retentionVendorType } from '../db/retention.js';
import type { AuditLog } from '../services/audit/audit-log.js';
import { createRetentionJobs } from '../services/retention/retention-job.js';
import { createJobService } from './job-service.js';
import { createScheduler } from './scheduler.js';

export interface JobAreaDeps {
  db: Db;
  config: Pick<HavenConfig, 'jobs' | 'role'>;
  log: Logger;
  holder: string;
  clock: () => Promise<number>;
  audit: { store: Pick<AuditStore, 'purgeMatching'>; flushPending: () => Promise<void> };
  /** Where retention's artifact deletes are audited, as the API's are. */
  auditLog: Pick<AuditLog, 'record'>;
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

  const retention = createRetentionJobs({ store: createRetentionStore(deps.db), artifacts: createArtifactWriteStore(deps.db), audit: deps.auditLog });
  service.register(retention.handler);
  scheduler.on(retentionVendorType, (row) => retention.scheduled(Number(row.vendor_id)));

  const works = deps.config.role !== 'api';
  return {
    store,
    service,
    purgeAudit,
    retention,
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
