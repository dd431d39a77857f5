import { z } from 'zod';
import { idParam, jsonBody } from './common.js';
import { progress } from './jobs.js';

/**
 * Harbor's Retention definitions. Request bodies are taken as objects and checked by the domain's
 * parser (domain/retention/policy.ts), which words its refusals as Harbor's validators do.
 */

const selector = z.strictObject({
  kind: z.string(),
  decoration: z.string(),
  pattern: z.string(),
  extras: z.string().optional(),
}).meta({ id: 'RetentionSelector' });

const rule = z.strictObject({
  id: z.number().int(),
  priority: z.number().int(),
  disabled: z.boolean(),
  action: z.string(),
  template: z.string(),
  params: z.record(z.string(), z.unknown()),
  tag_selectors: z.array(selector),
  scope_selectors: z.record(z.string(), z.array(selector)),
}).meta({ id: 'RetentionRule' });

export const retentionPolicy = z.strictObject({
  id: z.number().int(),
  algorithm: z.string(),
  rules: z.array(rule),
  trigger: z.strictObject({
    kind: z.string(),
    settings: z.record(z.string(), z.unknown()),
    references: z.record(z.string(), z.unknown()).optional(),
  }).meta({ id: 'RetentionRuleTrigger' }),
  scope: z.strictObject({ level: z.string(), ref: z.number().int() }).meta({ id: 'RetentionPolicyScope' }),
}).meta({ id: 'RetentionPolicy' });

const selectorMetadata = z.strictObject({ display_text: z.string(), kind: z.string(), decorations: z.array(z.string()) });

export const retentionMetadata = z.strictObject({
  templates: z.array(
    z.strictObject({
      rule_template: z.string(),
      display_text: z.string(),
      action: z.string(),
      params: z.array(z.strictObject({ type: z.string(), unit: z.string(), required: z.boolean() })),
    }),
  ),
  scope_selectors: z.array(selectorMetadata),
  tag_selectors: z.array(selectorMetadata),
}).meta({ id: 'RetentionMetadata' });

export const retentionExecution = z.strictObject({
  id: z.number().int(),
  policy_id: z.number().int(),
  start_time: z.string(),
  end_time: z.string(),
  status: z.string(),
  trigger: z.string(),
  dry_run: z.boolean(),
  progress,
}).meta({ id: 'RetentionExecution' });

export const retentionExecutionTask = z.strictObject({
  id: z.number().int(),
  execution_id: z.number().int(),
  repository: z.string(),
  job_id: z.string(),
  status: z.string(),
  status_code: z.number().int(),
  status_revision: z.number().int(),
  start_time: z.string(),
  end_time: z.string(),
  total: z.number().int(),
  retained: z.number().int(),
  progress,
}).meta({ id: 'RetentionExecutionTask' });

/** A policy in a POST or PUT body: any object; the service's parser checks it field by field. */
export const retentionPolicyBody = jsonBody(z.record(z.string(), z.unknown()));

export const triggerBody = jsonBody(z.object({ dry_run: z.boolean().optional() }));
export const operateBody = jsonBody(z.object({ action: z.string().max(64).optional() }));

export const retentionParams = z.object({ id: idParam });
export const executionParams = z.object({ id: idParam, eid: idParam });
export const taskParams = z.object({ id: idParam, eid: idParam, tid: idParam });
