import type { ArtifactEventPayload, QuotaEventPayload } from '../../events/domain-events.js';
import { isWebhookEventType } from '../../domain/webhook/event-types.js';
import type { ProjectRef, RetentionEvent, WebhookEvent } from '../../domain/webhook/payload.js';

/** An outbox row as the consumer reads it. */
export interface OutboxRow {
  id: number;
  type: string;
  project_id: number | null;
  payload: string;
  created_at: number;
}

/** What the consumer looks up once per event: the project, and the repository's creation time. */
export interface EventFacts {
  project: ProjectRef;
  repositoryCreatedAt?: Date | undefined;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/**
 * From an outbox row to the webhook event the payload builders take; null for events no webhook
 * hears (DELETE_TAG) or that cannot be read. The origin (host, request id) is returned with it.
 */
export function toWebhookEvent(row: OutboxRow, facts: EventFacts): { event: WebhookEvent; host: string; requestId: string } | null {
  if (!isWebhookEventType(row.type)) return null;
  let p: Record<string, unknown>;
  try {
    p = JSON.parse(row.payload) as Record<string, unknown>;
  } catch {
    return null;
  }
  const occurAt = new Date(row.created_at);
  const host = str(p.host);
  const requestId = str(p.requestId);
  switch (row.type) {
    case 'PUSH_ARTIFACT':
    case 'PULL_ARTIFACT':
    case 'DELETE_ARTIFACT': {
      const a = p as unknown as ArtifactEventPayload;
      return {
        event: { type: row.type, occurAt, operator: str(a.operator), project: facts.project, repository: a.repository, repositoryCreatedAt: facts.repositoryCreatedAt, digest: a.digest, tags: a.tags ?? [] },
        host,
        requestId,
      };
    }
    case 'QUOTA_EXCEED':
    case 'QUOTA_WARNING': {
      const q = p as unknown as QuotaEventPayload;
      return { event: { type: row.type, occurAt, operator: str(p.operator), project: facts.project, repository: q.repository, details: q.message, tag: q.tag, digest: q.digest }, host, requestId };
    }
    case 'TAG_RETENTION': {
      const r = p as unknown as RetentionEvent & { occurAt?: unknown };
      return { event: { ...r, type: 'TAG_RETENTION', occurAt: typeof r.occurAt === 'string' || typeof r.occurAt === 'number' ? new Date(r.occurAt) : occurAt, operator: str(r.operator), deleted: r.deleted ?? [], rules: r.rules ?? [] }, host, requestId };
    }
    default:
      // Scanning and replication events are not written yet; their consumers will add them here.
      return null;
  }
}
