import { z } from 'zod';
import { webhookPolicyBody } from '../../../domain/webhook/policy.js';
import { idParam, jsonBody, listQuery, projectRefParams } from './common.js';

/** Harbor's WebhookPolicy as POST and PUT take it (domain/webhook/policy.ts checks the rules). */
export const webhookPolicyReq = jsonBody(webhookPolicyBody.meta({ id: 'WebhookPolicyReq' }));

const target = z.strictObject({
  address: z.string(),
  auth_header: z.string().optional(),
  payload_format: z.string().optional(),
  skip_cert_verify: z.boolean().optional(),
  type: z.string(),
});

/** Harbor's WebhookPolicy as GET answers it. */
export const webhookPolicy = z
  .strictObject({
    creation_time: z.string(),
    creator: z.string().optional(),
    description: z.string().optional(),
    enabled: z.boolean(),
    event_types: z.array(z.string()),
    id: z.number().int(),
    name: z.string(),
    project_id: z.number().int(),
    targets: z.array(target),
    update_time: z.string(),
  })
  .meta({ id: 'WebhookPolicy' });

export const webhookPolicyParams = projectRefParams.extend({ webhook_policy_id: idParam });
export const webhookExecutionParams = webhookPolicyParams.extend({ execution_id: idParam });
export const webhookTaskParams = webhookExecutionParams.extend({ task_id: idParam });

const metrics = z.strictObject({
  task_count: z.number().int(),
  success_task_count: z.number().int(),
  error_task_count: z.number().int(),
  pending_task_count: z.number().int(),
  running_task_count: z.number().int(),
  scheduled_task_count: z.number().int(),
  stopped_task_count: z.number().int(),
});

/** Harbor's Execution. */
export const execution = z
  .strictObject({
    id: z.number().int(),
    vendor_type: z.string(),
    vendor_id: z.number().int(),
    status: z.string(),
    status_message: z.string(),
    metrics,
    trigger: z.string(),
    extra_attrs: z.record(z.string(), z.unknown()),
    start_time: z.string(),
    end_time: z.string(),
  })
  .meta({ id: 'Execution' });

/** Harbor's Task. */
export const task = z
  .strictObject({
    id: z.number().int(),
    execution_id: z.number().int(),
    status: z.string(),
    status_message: z.string(),
    run_count: z.number().int(),
    extra_attrs: z.record(z.string(), z.unknown()),
    creation_time: z.string(),
    update_time: z.string(),
    start_time: z.string(),
    end_time: z.string(),
  })
  .meta({ id: 'Task' });

export const webhookLastTrigger = z
  .strictObject({
    creation_time: z.string(),
    enabled: z.boolean(),
    event_type: z.string(),
    last_trigger_time: z.string().optional(),
    policy_name: z.string(),
  })
  .meta({ id: 'WebhookLastTrigger' });

export const supportedWebhookEventTypes = z
  .strictObject({
    event_type: z.array(z.string()),
    notify_type: z.array(z.string()),
    payload_formats: z.array(z.strictObject({ formats: z.array(z.string()), notify_type: z.string() })),
  })
  .meta({ id: 'SupportedWebhookEventTypes' });

export const webhookJob = z
  .strictObject({
    creation_time: z.string(),
    event_type: z.string().optional(),
    id: z.number().int(),
    job_detail: z.string().optional(),
    notify_type: z.string().optional(),
    policy_id: z.number().int(),
    status: z.string().optional(),
    update_time: z.string(),
  })
  .meta({ id: 'WebhookJob' });

/** ListWebhookJobs: policy_id is required; status may repeat. */
export const webhookJobsQuery = listQuery.extend({
  policy_id: z.string().regex(/^\d{1,10}$/, 'must be a positive integer').transform(Number),
  status: z.union([z.string(), z.array(z.string())]).optional(),
});
