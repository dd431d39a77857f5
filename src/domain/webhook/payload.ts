import type { WebhookEventType } from './event-types.js';

/**
 * The payload Harbor builds for each event (src/pkg/notifier/model/event.go, filled by
 * src/controller/event/handler/webhook/...): the Default format is this object as JSON, the
 * CloudEvents format wraps its event_data, and Slack prints it. Field names and omitempty rules
 * are Harbor's: a field Go leaves out when empty is left out here too.
 */

export interface HarborResource {
  digest?: string;
  tag?: string;
  resource_url?: string;
  scan_overview?: Record<string, unknown>;
  sbom_overview?: Record<string, unknown>;
}

export interface HarborRepository {
  date_created?: number;
  name: string;
  namespace: string;
  repo_full_name: string;
  repo_type: 'public' | 'private';
}

/** Harbor's ArtifactInfo (replication and retention results); `references` is never left out. */
export interface HarborArtifactInfo {
  type: string;
  status: string;
  name_tag: string;
  references: string[] | null;
  fail_reason?: string;
}

export interface HarborReplicationResource {
  registry_name?: string;
  registry_type: string;
  endpoint: string;
  provider?: string;
  namespace?: string;
}

export interface HarborReplication {
  harbor_hostname?: string;
  job_status?: string;
  description?: string;
  artifact_type?: string;
  authentication_type?: string;
  override_mode?: boolean;
  trigger_type?: string;
  policy_creator?: string;
  execution_timestamp?: number;
  src_resource?: HarborReplicationResource;
  dest_resource?: HarborReplicationResource;
  successful_artifact?: HarborArtifactInfo[];
  failed_artifact?: HarborArtifactInfo[];
  execution_id?: number;
  task_id?: number;
}

/** A retention selector as Harbor's rule.Selector marshals it (extras always present). */
export interface HarborSelector {
  kind: string;
  decoration: string;
  pattern: string;
  extras: string;
}

export interface HarborRetentionRule {
  template?: string;
  params?: Record<string, unknown>;
  tag_selectors?: HarborSelector[];
  scope_selectors?: Record<string, HarborSelector[]>;
}

export interface HarborRetention {
  total: number;
  retained: number;
  harbor_hostname?: string;
  project_name?: string;
  retention_policy_id?: number;
  retention_rule?: HarborRetentionRule[];
  result?: string;
  deleted_artifact?: HarborArtifactInfo[];
}

export interface HarborEventData {
  resources?: HarborResource[];
  repository?: HarborRepository;
  replication?: HarborReplication;
  retention?: HarborRetention;
  scan?: { scan_type?: string };
  custom_attributes?: Record<string, string>;
}

/** Harbor's Payload: the Default body, and what the other formats are made from. */
export interface HarborPayload {
  type: WebhookEventType;
  occur_at: number;
  operator: string;
  event_data?: HarborEventData;
}

/** Where this Haven is reached from outside: Harbor's ext_endpoint, e.g. "https://harbor.dev". */
export interface Site {
  externalUrl: string;
}

export interface ProjectRef {
  name: string;
  public: boolean;
}

interface Common {
  occurAt: Date;
  /** Who caused it: a user name, a robot's full name ("robot$library+ci"), or '' for the system. */
  operator: string;
}

/** An artifact pushed, pulled or deleted (handler/webhook/artifact/artifact.go). */
export interface ArtifactEvent extends Common {
  type: 'PUSH_ARTIFACT' | 'PULL_ARTIFACT' | 'DELETE_ARTIFACT';
  project: ProjectRef;
  /** The full repository name, with its project: "library/busybox". */
  repository: string;
  /** When the repository row was created; left out when it is gone (a delete took the last artifact). */
  repositoryCreatedAt?: Date | undefined;
  digest: string;
  /** The tags the event is about (the pushed tag; the tags a delete removed); the first is reported. */
  tags: readonly string[];
}

/** A push refused by, or nearing, the project's quota (handler/webhook/quota/quota.go). */
export interface QuotaEvent extends Common {
  type: 'QUOTA_EXCEED' | 'QUOTA_WARNING';
  project: ProjectRef;
  repository: string;
  /** The quota's message (limit and usage), sent as custom_attributes.Details. */
  details: string;
  tag?: string | undefined;
  digest?: string | undefined;
}

/** A scan finished, failed or stopped (handler/webhook/scan/scan.go). */
export interface ScanEvent extends Common {
  type: 'SCANNING_COMPLETED' | 'SCANNING_FAILED' | 'SCANNING_STOPPED';
  project: ProjectRef;
  repository: string;
  digest: string;
  tag?: string | undefined;
  /** "vulnerability" or "sbom". */
  scanType: string;
  /** The scan summary keyed by report MIME type (vulnerability scans). */
  scanOverview?: Record<string, unknown> | undefined;
  /** The SBOM summary (sbom scans). */
  sbomOverview?: Record<string, unknown> | undefined;
}

/** A replication task changed status (handler/webhook/artifact/replication.go), already assembled. */
export interface ReplicationEvent extends Common {
  type: 'REPLICATION';
  replication: HarborReplication;
}

/** One artifact a retention run deleted. */
export interface RetentionDeleted {
  /** The repository name WITHOUT its project, as retention candidates carry it ("nginx"). */
  repository: string;
  tags: readonly string[];
  digest: string;
  /** The candidate kind: "image". */
  kind: string;
}

/** A retention task finished (handler/webhook/artifact/retention.go). */
export interface RetentionEvent extends Common {
  type: 'TAG_RETENTION';
  dryRun: boolean;
  policyId: number;
  projectName: string;
  /** Harbor sends "SUCCESS" (pkg/retention/callback.go). */
  status: string;
  total: number;
  retained: number;
  deleted: readonly RetentionDeleted[];
  rules: ReadonlyArray<{
    template: string;
    params?: Record<string, unknown> | undefined;
    tag_selectors?: ReadonlyArray<{ kind: string; decoration: string; pattern: string; extras?: string | undefined }> | undefined;
    scope_selectors?: Record<string, ReadonlyArray<{ kind: string; decoration: string; pattern: string; extras?: string | undefined }>> | undefined;
  }>;
}

export type WebhookEvent = ArtifactEvent | QuotaEvent | ScanEvent | ReplicationEvent | RetentionEvent;

const unix = (d: Date) => Math.floor(d.getTime() / 1000);

/** Harbor's config.ExtURL: the external endpoint without its scheme ("harbor.dev:8443"). */
export function extUrl(site: Site): string {
  const parts = site.externalUrl.split('://');
  return (parts.length > 1 ? parts[1]! : site.externalUrl).replace(/\/+$/, '');
}

/** The hostname Harbor reports for retention and replication: ExtURL up to its first ':'. */
export const harborHostname = (site: Site) => extUrl(site).split(':')[0]!;

const isDigest = (ref: string) => /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(ref);

/** Harbor's util.BuildImageResourceURL: "harbor.dev/library/busybox:latest" or "...@sha256:...". */
export function resourceUrl(site: Site, repository: string, reference: string): string {
  return `${extUrl(site)}/${repository}${isDigest(reference) ? '@' : ':'}${reference}`;
}

function repositoryOf(project: ProjectRef, repository: string, created?: Date): HarborRepository {
  if (repository === '') throw new Error('webhook event with an empty repository name');
  const slash = repository.indexOf('/');
  const out: HarborRepository = {
    name: slash === -1 ? '' : repository.slice(slash + 1),
    namespace: project.name,
    repo_full_name: repository,
    repo_type: project.public ? 'public' : 'private',
  };
  const seconds = created ? unix(created) : 0;
  // Go's omitempty: a zero date_created is left out.
  return seconds !== 0 ? { date_created: seconds, ...out } : out;
}

/** Go's omitempty over a resource: empty strings and empty maps are left out. */
function resource(r: HarborResource): HarborResource {
  const out: HarborResource = {};
  if (r.digest) out.digest = r.digest;
  if (r.tag) out.tag = r.tag;
  if (r.resource_url) out.resource_url = r.resource_url;
  if (r.scan_overview && Object.keys(r.scan_overview).length > 0) out.scan_overview = r.scan_overview;
  if (r.sbom_overview && Object.keys(r.sbom_overview).length > 0) out.sbom_overview = r.sbom_overview;
  return out;
}

function artifactPayload(e: ArtifactEvent, site: Site): HarborPayload {
  // With no tag Harbor reports the digest as the tag too (its own example shows "tag": "sha256:...").
  const reference = e.tags[0] ?? e.digest;
  return {
    type: e.type,
    occur_at: unix(e.occurAt),
    operator: e.operator,
    event_data: {
      resources: [resource({ digest: e.digest, tag: reference, resource_url: resourceUrl(site, e.repository, reference) })],
      repository: repositoryOf(e.project, e.repository, e.repositoryCreatedAt),
    },
  };
}

function quotaPayload(e: QuotaEvent): HarborPayload {
  const data: HarborEventData = {};
  if (e.tag || e.digest) data.resources = [resource({ digest: e.digest ?? '', tag: e.tag ?? '' })];
  data.repository = repositoryOf(e.project, e.repository);
  data.custom_attributes = { Details: e.details };
  return { type: e.type, occur_at: unix(e.occurAt), operator: e.operator, event_data: data };
}

function scanPayload(e: ScanEvent, site: Site): HarborPayload {
  const reference = e.tag || e.digest;
  const data: HarborEventData = {
    resources: [
      resource({
        digest: e.digest,
        tag: e.tag ?? '',
        resource_url: resourceUrl(site, e.repository, reference),
        ...(e.scanOverview ? { scan_overview: e.scanOverview } : {}),
        ...(e.sbomOverview ? { sbom_overview: e.sbomOverview } : {}),
      }),
    ],
    repository: repositoryOf(e.project, e.repository),
  };
  if (e.scanType !== '') data.scan = { scan_type: e.scanType };
  return { type: e.type, occur_at: unix(e.occurAt), operator: e.operator, event_data: data };
}

/** Go's omitempty over the replication record (false, 0, '' and empty lists left out). */
function replication(r: HarborReplication): HarborReplication {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (v === undefined || v === '' || v === 0 || v === false || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v;
  }
  return out as HarborReplication;
}

function selectors(list: ReadonlyArray<{ kind: string; decoration: string; pattern: string; extras?: string | undefined }>): HarborSelector[] {
  return list.map((s) => ({ kind: s.kind, decoration: s.decoration, pattern: s.pattern, extras: s.extras ?? '' }));
}

function retentionPayload(e: RetentionEvent, site: Site): HarborPayload | null {
  // Harbor sends nothing for a dry run, nor for a run that deleted nothing.
  if (e.dryRun || e.deleted.length === 0) return null;
  const retention: HarborRetention = { total: e.total, retained: e.retained };
  const hostname = harborHostname(site);
  if (hostname !== '') retention.harbor_hostname = hostname;
  if (e.projectName !== '') retention.project_name = e.projectName;
  if (e.policyId !== 0) retention.retention_policy_id = e.policyId;
  const rules = e.rules.map((r) => {
    const rule: HarborRetentionRule = {};
    if (r.template !== '') rule.template = r.template;
    if (r.params && Object.keys(r.params).length > 0) rule.params = r.params;
    if (r.tag_selectors && r.tag_selectors.length > 0) rule.tag_selectors = selectors(r.tag_selectors);
    if (r.scope_selectors && Object.keys(r.scope_selectors).length > 0) {
      rule.scope_selectors = Object.fromEntries(Object.entries(r.scope_selectors).map(([k, v]) => [k, selectors(v)]));
    }
    return rule;
  });
  if (rules.length > 0) retention.retention_rule = rules;
  if (e.status !== '') retention.result = e.status;
  retention.deleted_artifact = e.deleted.map((d) => ({
    type: d.kind,
    status: e.status,
    name_tag: d.tags.length > 0 ? `${d.repository}:${d.tags[0]}` : `${d.repository}@${d.digest}`,
    // Harbor never fills references for retention and Go writes the nil slice as null; a
    // receiver written against Harbor expects the key, so it is sent the same way.
    references: null,
  }));
  return { type: e.type, occur_at: unix(e.occurAt), operator: e.operator, event_data: { retention } };
}

/**
 * The payload Harbor sends for an event, or null when Harbor sends none (a retention dry run, or
 * a retention run that deleted nothing). Build it once per event; formatDelivery turns it into
 * each target's request.
 */
export function buildPayload(event: WebhookEvent, site: Site): HarborPayload | null {
  switch (event.type) {
    case 'PUSH_ARTIFACT':
    case 'PULL_ARTIFACT':
    case 'DELETE_ARTIFACT':
      return artifactPayload(event, site);
    case 'QUOTA_EXCEED':
    case 'QUOTA_WARNING':
      return quotaPayload(event);
    case 'SCANNING_COMPLETED':
    case 'SCANNING_FAILED':
    case 'SCANNING_STOPPED':
      return scanPayload(event, site);
    case 'REPLICATION':
      return { type: event.type, occur_at: unix(event.occurAt), operator: event.operator, event_data: { replication: replication(event.replication) } };
    case 'TAG_RETENTION':
      return retentionPayload(event, site);
  }
}
