import type { WebhookEventType } from './event-types.js';
import { type DeliveryRequest, formatDelivery } from './formats.js';
import { buildPayload, type Site, type WebhookEvent } from './payload.js';
import { policiesFor, type WebhookPolicyRecord, type WebhookTarget } from './policy.js';

/**
 * From one event to the deliveries it causes (Harbor's util.SendHookWithPolicies and
 * hook.StartHook): one per target of every enabled policy of the project that hears the event
 * type, each with its request already built. Harbor records each as an execution (vendor type
 * WEBHOOK or SLACK, vendor id the policy, trigger EVENT) with one task.
 */

export type WebhookVendorType = 'WEBHOOK' | 'SLACK';

export interface PlannedDelivery {
  policyId: number;
  projectId: number;
  eventType: WebhookEventType;
  vendorType: WebhookVendorType;
  target: WebhookTarget;
  request: DeliveryRequest;
  /** Harbor's execution extra_attrs, shown by the executions API: the event type and the body. */
  extraAttrs: { event_type: WebhookEventType; payload: string };
}

export type DeliveryPolicy = Pick<WebhookPolicyRecord, 'id' | 'project_id' | 'enabled' | 'event_types' | 'targets'>;

export interface PlanContext {
  site: Site;
  /** The X-Request-Id of the request that caused the event, if any. */
  requestId?: string | undefined;
  /** Makes CloudEvents ids (crypto.randomUUID when not given); one id per delivery. */
  newId?: (() => string) | undefined;
}

export const vendorTypeOf = (target: Pick<WebhookTarget, 'type'>): WebhookVendorType => (target.type === 'slack' ? 'SLACK' : 'WEBHOOK');

/**
 * The deliveries an event causes among a project's policies (those of other projects must not
 * be passed). Empty when no policy hears it, or when Harbor sends nothing for it (buildPayload).
 */
export function planDeliveries(event: WebhookEvent, projectPolicies: readonly DeliveryPolicy[], ctx: PlanContext): PlannedDelivery[] {
  const listening = policiesFor(projectPolicies, event.type);
  if (listening.length === 0) return [];
  const payload = buildPayload(event, ctx.site);
  if (payload === null) return [];
  const out: PlannedDelivery[] = [];
  for (const policy of listening) {
    for (const target of policy.targets) {
      const request = formatDelivery(payload, target, {
        projectId: policy.project_id,
        policyId: policy.id,
        requestId: ctx.requestId,
        eventId: ctx.newId?.(),
      });
      out.push({
        policyId: policy.id,
        projectId: policy.project_id,
        eventType: event.type,
        vendorType: vendorTypeOf(target),
        target,
        request,
        extraAttrs: { event_type: event.type, payload: request.body },
      });
    }
  }
  return out;
}

/** Harbor's WebhookLastTrigger, keys in go-swagger's (alphabetical) order. */
export interface WebhookLastTrigger {
  creation_time: string;
  enabled: boolean;
  event_type: string;
  last_trigger_time?: string;
  policy_name: string;
}

/**
 * The body of GET /projects/{p}/webhook/lasttrigger: one row per policy and event type, with
 * when that pair last caused a delivery (Harbor: the newest execution's start time). Harbor
 * leaves `enabled` out when false (go-swagger omitempty); it is always written here, as a
 * reader expects, and a missing key still reads as false to Harbor's portal.
 */
export function lastTriggers(
  policies: ReadonlyArray<Pick<WebhookPolicyRecord, 'id' | 'name' | 'enabled' | 'event_types' | 'creation_time'>>,
  lastTriggerOf: (policyId: number, eventType: WebhookEventType) => Date | undefined,
): WebhookLastTrigger[] {
  const rows: WebhookLastTrigger[] = [];
  for (const p of policies) {
    for (const t of p.event_types) {
      const row: WebhookLastTrigger = { creation_time: p.creation_time.toISOString(), enabled: p.enabled, event_type: t } as WebhookLastTrigger;
      const last = lastTriggerOf(p.id, t);
      if (last !== undefined) row.last_trigger_time = last.toISOString();
      row.policy_name = p.name;
      rows.push(row);
    }
  }
  return rows;
}

/** Harbor's (deprecated) WebhookJob of GET /projects/{p}/webhook/jobs, keys alphabetical. */
export interface WebhookJob {
  creation_time: string;
  event_type?: string;
  id: number;
  job_detail?: string;
  notify_type?: string;
  policy_id: number;
  status?: string;
  update_time: string;
}

/** What toWebhookJob reads of a delivery's execution. */
export interface DeliveryExecution {
  id: number;
  vendorType: string;
  /** The policy id. */
  vendorId: number;
  status: string;
  startTime: Date;
  updateTime: Date;
  extraAttrs: Record<string, unknown>;
}

/**
 * Harbor's model.WebhookJob: a delivery execution in the old /webhook/jobs shape (an execution
 * has one task, so it is "the job"): the vendor type as notify type, the body as job_detail.
 */
export function toWebhookJob(e: DeliveryExecution): WebhookJob {
  const job = { creation_time: e.startTime.toISOString() } as WebhookJob;
  const eventType = e.extraAttrs.event_type;
  if (typeof eventType === 'string' && eventType !== '') job.event_type = eventType;
  job.id = e.id;
  const payload = e.extraAttrs.payload;
  if (typeof payload === 'string' && payload !== '') job.job_detail = payload;
  const notifyType = e.vendorType === 'WEBHOOK' ? 'http' : e.vendorType === 'SLACK' ? 'slack' : '';
  if (notifyType !== '') job.notify_type = notifyType;
  job.policy_id = e.vendorId;
  if (e.status !== '') job.status = e.status;
  job.update_time = e.updateTime.toISOString();
  return job;
}
