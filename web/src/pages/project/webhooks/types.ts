export interface WebhookTarget {
  type: string;
  address: string;
  auth_header?: string;
  skip_cert_verify?: boolean;
  payload_format?: string;
}

export interface WebhookPolicy {
  id: number;
  name: string;
  description?: string;
  enabled: boolean;
  event_types: string[];
  targets: WebhookTarget[];
  creator?: string;
  creation_time: string;
}

export interface EventTypes {
  event_type: string[];
  notify_type: string[];
  payload_formats: Array<{ notify_type: string; formats: string[] }>;
}

/** The body PUT and POST take: the policy without its identity and times. */
export const policyBody = (p: Omit<WebhookPolicy, 'id' | 'creation_time' | 'creator'>) => ({
  name: p.name,
  description: p.description ?? '',
  enabled: p.enabled,
  event_types: p.event_types,
  targets: p.targets,
});
