/**
 * The API's JSON as the server's own response schemas declare it (src/http/api/schemas, Harbor's
 * names). The imports are type-only, erased from the bundle: a server shape that changes fails the
 * portal's type check instead of showing up as an empty cell.
 */
import type { z } from 'zod';
import type * as artifacts from '../../../src/http/api/schemas/artifacts';
import type * as jobs from '../../../src/http/api/schemas/jobs';
import type * as labels from '../../../src/http/api/schemas/labels';
import type * as projects from '../../../src/http/api/schemas/projects';
import type * as quotas from '../../../src/http/api/schemas/quotas';
import type * as repositories from '../../../src/http/api/schemas/repositories';
import type * as retention from '../../../src/http/api/schemas/retention';
import type * as robots from '../../../src/http/api/schemas/robots';
import type * as system from '../../../src/http/api/schemas/system';
import type * as users from '../../../src/http/api/schemas/users';
import type * as webhooks from '../../../src/http/api/schemas/webhooks';

export type User = z.output<typeof users.userResp>;
export type Project = z.output<typeof projects.project>;
export type ProjectSummary = z.output<typeof projects.projectSummary>;
export type Member = z.output<typeof projects.memberEntity>;
export type Permission = z.output<typeof projects.permission>;
export type Quota = z.output<typeof quotas.quota>;
export type Robot = z.output<typeof robots.robot>;
export type Repository = z.output<typeof repositories.repository>;
export type Artifact = z.output<typeof artifacts.artifact>;
export type ArtifactTag = z.output<typeof artifacts.tag>;
export type ArtifactLabel = z.output<typeof artifacts.label>;
export type ArtifactReference = z.output<typeof artifacts.reference>;
export type Accessory = z.output<typeof artifacts.accessory>;
export type Platform = z.output<typeof artifacts.platform>;
export type Label = z.output<typeof labels.label>;
export type ExecHistory = z.output<typeof jobs.execHistory>;
export type RunProgress = z.output<typeof jobs.progress>;
export type JobQueue = z.output<typeof jobs.jobQueue>;
export type WorkerPool = z.output<typeof jobs.workerPool>;
export type Worker = z.output<typeof jobs.worker>;
export type ScheduleTask = z.output<typeof jobs.scheduleTask>;
export type AuditLog = z.output<typeof system.auditLog>;
export type Configurations = z.output<typeof system.configurations>;
export type RetentionExecution = z.output<typeof retention.retentionExecution>;
export type RetentionTask = z.output<typeof retention.retentionExecutionTask>;
export type WebhookPolicy = z.output<typeof webhooks.webhookPolicy>;
export type WebhookLastTrigger = z.output<typeof webhooks.webhookLastTrigger>;
export type EventTypes = z.output<typeof webhooks.supportedWebhookEventTypes>;
export type WebhookExecution = z.output<typeof webhooks.execution>;
export type WebhookTask = z.output<typeof webhooks.task>;

/** A string among an execution's or task's extra_attrs (Harbor declares them an open map). */
export function extraAttr(row: { extra_attrs: Record<string, unknown> }, key: string): string | undefined {
  const v = row.extra_attrs[key];
  return typeof v === 'string' ? v : undefined;
}
