/** The API's JSON shapes the administration pages read: the server's own schemas (Harbor's names). */
import type { ExecHistory } from '../../api/server-types';

export type { AuditLog, Configurations, ExecHistory, JobQueue, Label, Robot, ScheduleTask, Worker, WorkerPool } from '../../api/server-types';

/** A job run's parameters (and, for GC, its results), from the JSON text Harbor sends. */
export function jobParameters(h: Pick<ExecHistory, 'job_parameters'>): Record<string, unknown> {
  try {
    const v = JSON.parse(h.job_parameters || '{}') as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Whether a run is still going (the page polls while one is). */
export const activeStatuses = new Set(['Pending', 'Running', 'Scheduled', 'Retry']);
