import type { Generated, Selectable } from 'kysely';

/** Timestamps are epoch milliseconds in every dialect, so ordering and arithmetic need no casts. */
export interface RepositoriesTable {
  id: Generated<number>;
  name: string;
  /** Null only for rows older than migration 0004 whose project was already gone. */
  project_id: number | null;
  /** Markdown, stored as given. */
  description: Generated<string>;
  pull_count: Generated<number>;
  created_at: number;
  updated_at: number;
}

export interface BlobsTable {
  digest: string;
  size: number;
  /** When the blob was last stored or linked (migration 0011): GC's window counts from it. */
  created_at: number;
  /** Set while garbage collection deletes it: the mark's stamp (migration 0011). */
  deleting_since?: number | null;
}

export interface RepositoryBlobsTable {
  repository_id: number;
  digest: string;
  created_at: number;
}

export interface ManifestsTable {
  id: Generated<number>;
  repository_id: number;
  digest: string;
  media_type: string;
  artifact_type: string | null;
  subject_digest: string | null;
  annotations: string | null;
  size: number;
  content: Buffer;
  created_at: number;
  /** The config's media type (Harbor's artifact `media_type`); null for an index. */
  config_media_type: string | null;
  /** Harbor's artifact type: IMAGE, CHART, CNAB, SIGNATURE, SBOM, WASM, UNKNOWN. */
  artifact_kind: Generated<string>;
  /** Manifest + config + layers; an index adds its children's total sizes. */
  total_size: Generated<number>;
  /** JSON object, or null when there is nothing to show. */
  extra_attrs: string | null;
  /** Last push of this digest into the repository (a re-push moves it). */
  pushed_at: Generated<number>;
  pulled_at: number | null;
}

export interface ManifestReferencesTable {
  manifest_id: number;
  digest: string;
  /** 'blob' for config and layers, 'manifest' for index children. */
  kind: 'blob' | 'manifest';
}

export interface TagsTable {
  id: Generated<number>;
  repository_id: number;
  name: string;
  manifest_id: number;
  created_at: number;
  /** When the tag was last pushed or moved: Harbor's tag push_time. */
  updated_at: number;
  pulled_at: number | null;
}

export interface LabelsTable {
  id: Generated<number>;
  name: string;
  description: string;
  color: string;
  scope: 'g' | 'p';
  project_id: number | null;
  /** 'g' or 'p:<project id>', unique with the name. */
  scope_key: string;
  created_at: number;
  updated_at: number;
}

export interface ArtifactLabelsTable {
  manifest_id: number;
  label_id: number;
  created_at: number;
}

export interface ImmutableRulesTable {
  id: Generated<number>;
  project_id: number;
  disabled: number;
  priority: number;
  /** JSON of Harbor's rule: action, template, params, tag_selectors, scope_selectors. */
  rule: string;
  created_at: number;
  updated_at: number;
}

export interface QuotasTable {
  id: Generated<number>;
  project_id: number;
  /** Bytes; -1 is unlimited. */
  hard_storage: number;
  used_storage: number;
  created_at: number;
  updated_at: number;
}

/** The distinct digests a project's manifests are or reference, with how many manifest rows do. */
export interface ProjectBlobsTable {
  project_id: number;
  digest: string;
  size: number;
  refs: number;
}

/** Domain events written in the transaction of the change that caused them. */
export interface EventOutboxTable {
  id: Generated<number>;
  type: string;
  project_id: number | null;
  payload: string;
  created_at: number;
}

export interface UploadSessionsTable {
  id: string;
  repository: string;
  /** Bytes durably received so far. */
  offset: number;
  created_at: number;
  updated_at: number;
  /** The blob driver's opaque state for continuing the upload (0008). */
  driver_state: Generated<string>;
  /** Random per write: whose sha256 state in memory matches this offset (0008). */
  write_token: Generated<string>;
}

export interface UsersTable {
  id: Generated<number>;
  username: string;
  email: string | null;
  realname: string;
  comment: string;
  password_hash: string;
  sysadmin: number;
  password_changed_at: number;
  created_at: number;
  updated_at: number;
}

export interface ProjectsTable {
  id: Generated<number>;
  name: string;
  owner_id: number | null;
  public: number;
  metadata: string;
  created_at: number;
  updated_at: number;
}

export interface ProjectMembersTable {
  id: Generated<number>;
  project_id: number;
  user_id: number;
  role_id: number;
  created_at: number;
  updated_at: number;
}

export interface RobotsTable {
  id: Generated<number>;
  name: string;
  description: string;
  secret_hash: string;
  level: 'system' | 'project';
  project_id: number | null;
  duration: number;
  expires_at: number;
  disabled: number;
  creator: string;
  created_at: number;
  updated_at: number;
}

export interface RobotPermissionsTable {
  robot_id: number;
  namespace: string;
  resource: string;
  action: string;
}

export interface AuditLogsTable {
  id: Generated<number>;
  project_id: number | null;
  operation: string;
  resource_type: string;
  resource: string;
  username: string;
  client_ip: string;
  success: number;
  op_time: number;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface SessionsTable {
  id_hash: string;
  user_id: number;
  created_at: number;
  last_seen: number;
}

/** Keys every instance on the database must share (token signing, CSRF), made once. */
export interface SharedKeysTable {
  name: string;
  value: string;
  created_at: number;
}

/** One holder per name until `expires_at` (epoch ms): work that must run on one instance only. */
export interface LeasesTable {
  name: string;
  holder: string;
  expires_at: number;
}

/** Harbor's execution and task statuses. */
export type JobStatus = 'Pending' | 'Running' | 'Stopped' | 'Error' | 'Success';

export interface JobExecutionsTable {
  id: Generated<number>;
  /** What ran: GARBAGE_COLLECTION, RETENTION, PURGE_AUDIT_LOG, WEBHOOK ... (Harbor's vendor types). */
  vendor_type: string;
  /** The policy or object it ran for (a retention policy id, a webhook policy id), 0 for none. */
  vendor_id: Generated<number>;
  status: JobStatus;
  status_message: Generated<string>;
  /** MANUAL, SCHEDULE or EVENT. */
  trigger: string;
  /** JSON object: the run's parameters and, once done, its results. */
  extra_attrs: Generated<string>;
  start_time: number;
  update_time: number;
  end_time: number | null;
}

export interface JobTasksTable {
  id: Generated<number>;
  execution_id: number;
  /** The queue it waits in, and which handler runs it. */
  job_type: string;
  /** JSON object given to the handler. */
  params: Generated<string>;
  status: JobStatus;
  status_message: Generated<string>;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  /** Not claimed before this time (a retry's back-off). */
  run_after: number;
  lease_holder: string | null;
  lease_until: number | null;
  /** 1 once someone asked to stop it. */
  stop_requested: Generated<number>;
  progress_done: Generated<number>;
  progress_total: Generated<number>;
  /** JSON object: what the task reports about itself (its repository, its results). */
  extra_attrs: Generated<string>;
  creation_time: number;
  start_time: number | null;
  update_time: number;
  end_time: number | null;
}

export interface JobTaskLogsTable {
  id: Generated<number>;
  task_id: number;
  at: number;
  line: string;
}

export interface JobSchedulesTable {
  id: Generated<number>;
  vendor_type: string;
  vendor_id: Generated<number>;
  /** Hourly, Daily, Weekly or Custom (Harbor's schedule types). */
  cron_type: string;
  /** Harbor's 6-field cron: second minute hour day-of-month month day-of-week. */
  cron: string;
  params: Generated<string>;
  next_fire: number;
  creation_time: number;
  update_time: number;
}

export interface JobQueuesTable {
  job_type: string;
  paused: Generated<number>;
  update_time: number;
}

export interface JobPoolsTable {
  id: string;
  host: string;
  pid: number;
  concurrency: number;
  started_at: number;
  heartbeat_at: number;
}

export interface RetentionPoliciesTable {
  id: Generated<number>;
  project_id: number;
  /** Harbor's policy JSON as the API carries it (scope.ref = project_id). */
  policy: string;
  /** trigger.settings.cron; '' when it runs only on request. */
  cron: string;
  created_at: number;
  updated_at: number;
}

export interface WebhookPoliciesTable {
  id: Generated<number>;
  project_id: number;
  name: string;
  description: string;
  enabled: number;
  /** JSON array of event type names. */
  event_types: string;
  /** JSON array of targets; each auth_header sealed (secret-box) when secrets.key is set. */
  targets: string;
  creator: string;
  creation_time: number;
  update_time: number;
}

export interface WebhookCursorTable {
  id: number;
  last_event_id: number;
  update_time: number;
}

export interface Database {
  shared_keys: SharedKeysTable;
  leases: LeasesTable;
  sessions: SessionsTable;
  users: UsersTable;
  projects: ProjectsTable;
  project_members: ProjectMembersTable;
  robots: RobotsTable;
  robot_permissions: RobotPermissionsTable;
  audit_logs: AuditLogsTable;
  settings: SettingsTable;
  repositories: RepositoriesTable;
  blobs: BlobsTable;
  repository_blobs: RepositoryBlobsTable;
  manifests: ManifestsTable;
  manifest_references: ManifestReferencesTable;
  tags: TagsTable;
  labels: LabelsTable;
  artifact_labels: ArtifactLabelsTable;
  immutable_rules: ImmutableRulesTable;
  quotas: QuotasTable;
  project_blobs: ProjectBlobsTable;
  event_outbox: EventOutboxTable;
  upload_sessions: UploadSessionsTable;
  job_executions: JobExecutionsTable;
  job_tasks: JobTasksTable;
  job_task_logs: JobTaskLogsTable;
  job_schedules: JobSchedulesTable;
  job_queues: JobQueuesTable;
  job_pools: JobPoolsTable;
  retention_policies: RetentionPoliciesTable;
  webhook_policies: WebhookPoliciesTable;
  webhook_cursor: WebhookCursorTable;
}

export type UserRow = Selectable<UsersTable>;
export type ProjectRow = Selectable<ProjectsTable>;
export type RobotRow = Selectable<RobotsTable>;
export type AuditLogRow = Selectable<AuditLogsTable>;
export type UploadSessionRow = Selectable<UploadSessionsTable>;
export type JobExecutionRow = Selectable<JobExecutionsTable>;
export type JobTaskRow = Selectable<JobTasksTable>;
export type JobScheduleRow = Selectable<JobSchedulesTable>;
