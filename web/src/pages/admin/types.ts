/** The API's JSON shapes the administration pages read (Harbor's names). */

/** Harbor's ExecHistory: one GC or audit purge run, or (from …/schedule) the schedule. */
export interface ExecHistory {
  id: number;
  job_name: string;
  job_kind: string;
  job_parameters: string;
  schedule: { type: string; cron?: string; next_scheduled_time?: string };
  job_status: string;
  deleted: boolean;
  creation_time: string;
  update_time: string;
}

export interface JobQueue {
  job_type: string;
  count: number;
  latency: number;
  paused: boolean;
}

export interface WorkerPool {
  pid: number;
  worker_pool_id: string;
  start_at: string;
  heartbeat_at: string;
  concurrency: number;
  host: string;
}

export interface Worker {
  id: string;
  pool_id: string;
  job_name: string;
  job_id: string;
  start_at?: string;
  check_in: string;
  checkin_at: string;
}

export interface ScheduleTask {
  id: number;
  vendor_type: string;
  vendor_id: number;
  cron: string;
  update_time: string;
}

export interface AuditLog {
  id: number;
  username: string;
  resource: string;
  resource_type: string;
  operation: string;
  op_time: string;
  operation_result: boolean;
}

export interface Setting<T> {
  value: T;
  editable: boolean;
}

/** Harbor's ConfigurationsResponse, the settings Haven has. */
export interface Configurations {
  auth_mode: Setting<string>;
  self_registration: Setting<boolean>;
  project_creation_restriction: Setting<'everyone' | 'adminonly'>;
  token_expiration: Setting<number>;
  robot_name_prefix: Setting<string>;
  read_only: Setting<boolean>;
  quota_per_project_enable: Setting<boolean>;
  storage_per_project: Setting<number>;
}

export interface Label {
  id: number;
  name: string;
  description: string;
  color: string;
  scope: string;
  project_id: number;
  creation_time: string;
  update_time: string;
}

export interface RobotAccess {
  resource: string;
  action: string;
  effect?: string;
}

export interface Robot {
  id: number;
  name: string;
  description: string;
  level: 'system' | 'project';
  duration: number;
  editable: boolean;
  disable: boolean;
  expires_at: number;
  permissions: Array<{ kind: string; namespace: string; access: RobotAccess[] }>;
  creation_time: string;
  update_time: string;
}

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
