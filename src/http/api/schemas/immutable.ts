import { z } from 'zod';
import { idParam, jsonBody, listQuery, projectRefParams } from './common.js';

/** Harbor's ImmutableSelector as a request holds it (the service checks kind, decoration, pattern). */
const selectorIn = z.object({
  kind: z.string().max(32).optional(),
  decoration: z.string().max(32).optional(),
  pattern: z.string().max(1024).optional(),
  extras: z.string().max(1024).optional(),
});

/** Harbor's ImmutableRule as POST and PUT take it; `params` is accepted and, as in Harbor, not kept. */
export const immutableRuleReq = jsonBody(
  z
    .object({
      id: z.number().int().optional(),
      priority: z.number().int().optional(),
      disabled: z.boolean().optional(),
      action: z.string().max(64).optional(),
      template: z.string().max(64).optional(),
      params: z.record(z.string(), z.unknown()).optional(),
      tag_selectors: z.array(selectorIn).max(16).optional(),
      scope_selectors: z.record(z.string().max(64), z.array(selectorIn).max(16)).optional(),
    })
    .meta({ id: 'ImmutableRuleReq' }),
);

const selectorOut = z
  .strictObject({
    kind: z.string(),
    decoration: z.string(),
    pattern: z.string(),
    extras: z.string().optional(),
  })
  .meta({ id: 'ImmutableSelector' });

/** Harbor's ImmutableRule. */
export const immutableRule = z
  .strictObject({
    id: z.number().int(),
    priority: z.number().int(),
    disabled: z.boolean(),
    action: z.string(),
    template: z.string(),
    params: z.record(z.string(), z.unknown()).optional(),
    tag_selectors: z.array(selectorOut),
    scope_selectors: z.record(z.string(), z.array(selectorOut)),
  })
  .meta({ id: 'ImmutableRule' });

export const immutableRuleParams = projectRefParams.extend({ immutable_rule_id: idParam });
export const immutableRuleListQuery = listQuery;
