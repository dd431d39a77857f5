/**
 * The domain events Haven writes to the outbox (table event_outbox, db/event-outbox.ts), in the
 * transaction of the change that caused them: their type names (Harbor's, where Harbor has one)
 * and the JSON payload each carries. Consumers (webhooks now; replication and scanning later)
 * read them after the fact, so a payload holds what cannot be looked up later (the tags a delete
 * removed, who did it, the Host the client used), not what can (a project's public flag).
 */

export const domainEventTypes = {
  pushArtifact: 'PUSH_ARTIFACT',
  pullArtifact: 'PULL_ARTIFACT',
  deleteArtifact: 'DELETE_ARTIFACT',
  /** Harbor's DELETE_TAG topic: no webhook hears it, replication will. */
  deleteTag: 'DELETE_TAG',
  quotaWarning: 'QUOTA_WARNING',
  quotaExceed: 'QUOTA_EXCEED',
  /** A retention run finished: the payload is domain/webhook/payload.ts RetentionEvent as JSON. */
  tagRetention: 'TAG_RETENTION',
} as const;

export type DomainEventType = (typeof domainEventTypes)[keyof typeof domainEventTypes];

/** Who caused an event and through which address (the request's context; see event-context.ts). */
export interface EventOrigin {
  /** A user name, a robot's full name, or '' for the system. */
  operator: string;
  /** The Host header the client used ('' outside a request): resource_url when externalUrl is unset. */
  host: string;
  /** The X-Request-Id of the request (CloudEvents requestid). */
  requestId: string;
}

/** PUSH_ARTIFACT, PULL_ARTIFACT and DELETE_ARTIFACT. */
export interface ArtifactEventPayload extends EventOrigin {
  /** Full repository name, with its project: "library/busybox". */
  repository: string;
  digest: string;
  mediaType: string;
  /** The pushed or pulled tag (none for a push or pull by digest); the tags a delete removed. */
  tags: string[];
  /** PULL_ARTIFACT only: how many pulls of this reference by this operator the batch held. */
  count?: number;
}

/** DELETE_TAG. */
export interface TagDeletedPayload extends EventOrigin {
  repository: string;
  tag: string;
  digest: string;
}

/** QUOTA_WARNING and QUOTA_EXCEED, as db/quota-ledger.ts writes them (the origin since issue 11's end). */
export interface QuotaEventPayload extends Partial<EventOrigin> {
  project: { id: number; name: string };
  repository: string;
  digest: string;
  /** The tag of a manifest PUT by tag. */
  tag?: string;
  usage: number;
  hard: number;
  message: string;
}
