import type { AuditStore } from '../../db/audit.js';
import type { JobHandler } from '../../jobs/job-service.js';
import { AppError } from '../../platform/errors.js';
import type { SystemJobSpec } from './system-job.js';

export const purgeAuditVendorType = 'PURGE_AUDIT_LOG';
/** Harbor's common.MaxAuditRetentionHour. */
const maxRetentionHour = 240_000;

/** Harbor's purge parameters: audit_retention_hour and include_event_types required, dry_run. */
function parameters(raw: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!raw || Object.keys(raw).length === 0) throw new AppError('BAD_REQUEST', "schedule parameter cann't be empty");
  if (!('audit_retention_hour' in raw)) throw new AppError('BAD_REQUEST', 'audit_retention_hour should provide');
  const hours = raw.audit_retention_hour;
  if (typeof hours !== 'number' || !Number.isInteger(hours) || hours < 0) throw new AppError('BAD_REQUEST', 'audit_retention_hour should be integer format');
  if (hours > maxRetentionHour) throw new AppError('BAD_REQUEST', `audit_retention_hour should be less than ${maxRetentionHour}`);
  // Harbor 2.x before 2.13 called it include_operations; both name the same thing.
  const include = raw.include_event_types ?? raw.include_operations;
  if (include === undefined) throw new AppError('BAD_REQUEST', 'include_event_types should provide');
  if (typeof include !== 'string') throw new AppError('BAD_REQUEST', 'include_event_types should be a comma-separated string');
  if (raw.dry_run !== undefined && typeof raw.dry_run !== 'boolean') throw new AppError('BAD_REQUEST', 'dry_run should be a boolean');
  return { audit_retention_hour: hours, include_event_types: include, dry_run: raw.dry_run === true };
}

export const purgeAuditSpec: SystemJobSpec = { vendorType: purgeAuditVendorType, jobType: purgeAuditVendorType, what: 'log rotation purge', parameters, resultKeys: ['purged'] };

/** The task: deletes (or, dry, counts) the matching audit records older than the retention. */
export function purgeAuditHandler(audit: Pick<AuditStore, 'purgeMatching'>, flushPending: () => Promise<void>): JobHandler {
  return {
    type: purgeAuditVendorType,
    concurrency: 1,
    // Harbor's purge job has MaxCurrency 1 for the cluster: a second run waits, it is not refused.
    alone: true,
    async run(ctx) {
      const p = parameters(ctx.params);
      const hours = p.audit_retention_hour as number;
      const include = String(p.include_event_types).split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
      const dry = p.dry_run === true;
      ctx.log(`Purge audit job start: retention_hour=${hours}, include_event_types=${include.join(',')}, dry_run=${dry}`);
      // Records still queued in memory are older than they look once written: write them first.
      await flushPending();
      const n = await audit.purgeMatching(Date.now() - hours * 3_600_000, include, dry, (done) => ctx.progress(done, 0), ctx.signal);
      ctx.attrs({ purged: n, dry_run: dry });
      ctx.log(dry ? `[DRYRUN] would purge ${n} audit log records` : `purged ${n} audit log records`);
    },
  };
}
