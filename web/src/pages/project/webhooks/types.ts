/** Harbor's webhook policy and event types: the server's own schemas. */
import type { WebhookPolicy } from '../../../api/server-types';

export type { EventTypes, WebhookPolicy } from '../../../api/server-types';
export type WebhookTarget = WebhookPolicy['targets'][number];

/** The body PUT and POST take: the policy without its identity and times. */
export const policyBody = (p: Pick<WebhookPolicy, 'name' | 'description' | 'enabled' | 'event_types' | 'targets'>) => ({
  name: p.name,
  description: p.description ?? '',
  enabled: p.enabled,
  event_types: p.event_types,
  targets: p.targets,
});
