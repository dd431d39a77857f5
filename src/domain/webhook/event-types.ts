/**
 * Harbor's webhook vocabulary (src/controller/event/topic.go, src/pkg/notification/notification.go,
 * src/pkg/notifier/formats): the event types a policy may name, the notify types of its targets,
 * and the payload formats, in Harbor's order (the portal lists them in this order).
 */

/** Every event type Harbor accepts in a policy, in the order /webhook/events lists them. */
export const webhookEventTypes = [
  'PUSH_ARTIFACT',
  'PULL_ARTIFACT',
  'DELETE_ARTIFACT',
  'QUOTA_EXCEED',
  'QUOTA_WARNING',
  'SCANNING_FAILED',
  'SCANNING_STOPPED',
  'SCANNING_COMPLETED',
  'REPLICATION',
  'TAG_RETENTION',
] as const;

export type WebhookEventType = (typeof webhookEventTypes)[number];

export const notifyTypes = ['http', 'slack'] as const;
export type NotifyType = (typeof notifyTypes)[number];

export const payloadFormats = ['Default', 'CloudEvents'] as const;
export type PayloadFormat = (typeof payloadFormats)[number];

export function isWebhookEventType(s: string): s is WebhookEventType {
  return (webhookEventTypes as readonly string[]).includes(s);
}

export function isNotifyType(s: string): s is NotifyType {
  return (notifyTypes as readonly string[]).includes(s);
}

export function isPayloadFormat(s: string): s is PayloadFormat {
  return (payloadFormats as readonly string[]).includes(s);
}

/** Harbor's SupportedWebhookEventTypes, the body of GET /projects/{p}/webhook/events. */
export interface SupportedWebhookEventTypes {
  event_type: WebhookEventType[];
  notify_type: NotifyType[];
  payload_formats: Array<{ formats: PayloadFormat[]; notify_type: NotifyType }>;
}

/**
 * The body of GET /projects/{p}/webhook/events, keys in go-swagger's (alphabetical) order. Only http targets take a payload format (Harbor
 * refuses one on slack: "slack should be migrated as a kind of payload in the future").
 */
export function supportedEventTypes(): SupportedWebhookEventTypes {
  return {
    event_type: [...webhookEventTypes],
    notify_type: [...notifyTypes],
    payload_formats: [{ formats: [...payloadFormats], notify_type: 'http' }],
  };
}

/** The CloudEvents `type` of each event type (formats/cloudevents.go eventTypeMapping). */
export const cloudEventTypes: Readonly<Record<WebhookEventType, string>> = {
  DELETE_ARTIFACT: 'harbor.artifact.deleted',
  PULL_ARTIFACT: 'harbor.artifact.pulled',
  PUSH_ARTIFACT: 'harbor.artifact.pushed',
  QUOTA_EXCEED: 'harbor.quota.exceeded',
  QUOTA_WARNING: 'harbor.quota.warned',
  REPLICATION: 'harbor.replication.status.changed',
  SCANNING_FAILED: 'harbor.scan.failed',
  SCANNING_COMPLETED: 'harbor.scan.completed',
  SCANNING_STOPPED: 'harbor.scan.stopped',
  TAG_RETENTION: 'harbor.tag_retention.finished',
};
