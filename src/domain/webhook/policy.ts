import { z } from 'zod';
import { AppError } from '../../platform/errors.js';
import { isNotifyType, isPayloadFormat, isWebhookEventType, type NotifyType, type PayloadFormat, type WebhookEventType } from './event-types.js';

/**
 * Harbor's webhook policy (src/pkg/notification/policy/model, validated by
 * src/server/v2.0/handler/webhook.go): a project's named list of targets and the event types
 * they hear. Names are unique per project (UNIQUE(name, project_id) since Harbor 2.1).
 */

/** A target as Haven keeps it: the address normalised, the payload format settled. */
export interface WebhookTarget {
  type: NotifyType;
  address: string;
  /** Sent as the Authorization header of http deliveries ('' = none). Harbor never sends it to Slack. */
  auth_header: string;
  skip_cert_verify: boolean;
  /** Always set for http ("Default" when the client sent none); never for slack. */
  payload_format?: PayloadFormat;
}

/** What a create or update body settles: everything of a policy but its identity and times. */
export interface WebhookPolicySpec {
  name: string;
  description: string;
  enabled: boolean;
  event_types: WebhookEventType[];
  targets: WebhookTarget[];
}

/** A stored policy, as the service hands it to toApiPolicy. */
export interface WebhookPolicyRecord extends WebhookPolicySpec {
  id: number;
  project_id: number;
  creator: string;
  creation_time: Date;
  update_time: Date;
}

const targetIn = z.object({
  type: z.string().max(32).optional(),
  address: z.string().max(2048).optional(),
  auth_header: z.string().max(4096).optional(),
  skip_cert_verify: z.boolean().optional(),
  payload_format: z.string().max(32).optional(),
});

/**
 * Harbor's WebhookPolicy as POST and PUT take it: the shape only (types, sizes). Harbor's own
 * rules, with its messages, are validatePolicy's, so a client sees "unsupported event type X",
 * not a schema path. id, project_id, creator and the times are accepted and ignored, as in
 * Harbor (the path names the project; the server knows who asks and when).
 */
export const webhookPolicyBody = z.object({
  id: z.number().int().optional(),
  name: z.string().max(256).optional(),
  description: z.string().max(4096).optional(),
  project_id: z.number().int().optional(),
  targets: z.array(targetIn).max(16).optional(),
  event_types: z.array(z.string().max(64)).max(64).optional(),
  creator: z.string().max(256).optional(),
  creation_time: z.string().max(64).optional(),
  update_time: z.string().max(64).optional(),
  enabled: z.boolean().optional(),
});

export type WebhookPolicyBody = z.infer<typeof webhookPolicyBody>;

const badRequest = (message: string) => new AppError('BAD_REQUEST', message);

/** Harbor's DAO refusal of a second policy of the same name in a project (a 409). */
export const duplicateNameMessage = (name: string) => `notification policy named ${name} already exists`;

/**
 * Harbor's utils.ParseEndpoint: spaces trimmed, no scheme means http, any scheme but http and
 * https refused, then Go's url.ParseRequestURI. Harbor runs it on a copy of the target and keeps
 * the address exactly as sent, so "example.com/hook" is stored and later fails to deliver; Haven
 * keeps the normalised form (scheme added) the check approved. Harbor also trims trailing
 * slashes for the check only; Haven keeps the path as the user wrote it, slash and all.
 */
export function normaliseAddress(raw: string): string {
  const address = raw.trim();
  if (address.replace(/\/+$/, '') === '') throw badRequest('empty URL');
  const sep = address.indexOf('://');
  if (sep >= 0) {
    const scheme = address.slice(0, sep);
    if (scheme !== 'http' && scheme !== 'https') throw badRequest(`invalid scheme: ${scheme}`);
  }
  const withScheme = sep >= 0 ? address : `http://${address}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw badRequest(`parse "${withScheme}": invalid URI for request`);
  }
  // Go refuses what WHATWG quietly repairs: spaces and a missing host.
  if (/\s/.test(withScheme) || url.hostname === '') throw badRequest(`parse "${withScheme}": invalid URI for request`);
  return withScheme;
}

function validateEventTypes(types: string[] | undefined): WebhookEventType[] {
  if (!types || types.length === 0) throw badRequest('empty event type');
  for (const t of types) if (!isWebhookEventType(t)) throw badRequest(`unsupported event type ${t}`);
  // Harbor stores duplicates and then delivers the event once per copy; one is what was meant.
  return [...new Set(types as WebhookEventType[])];
}

function validateTargets(name: string, targets: WebhookPolicyBody['targets']): WebhookTarget[] {
  if (!targets || targets.length === 0) throw badRequest(`empty notification target with policy ${name}`);
  return targets.map((t) => {
    const address = normaliseAddress(t.address ?? '');
    const type = t.type ?? '';
    if (!isNotifyType(type)) throw badRequest(`unsupported target type ${type} with policy ${name}`);
    const format = t.payload_format ?? '';
    if (format !== '' && type === 'slack') throw badRequest('set payload format is not allowed for slack');
    if (format !== '' && !isPayloadFormat(format)) throw badRequest(`unsupported payload format type: ${format}`);
    const target: WebhookTarget = { type, address, auth_header: t.auth_header ?? '', skip_cert_verify: t.skip_cert_verify ?? false };
    if (type === 'http') target.payload_format = format === '' ? 'Default' : (format as PayloadFormat);
    return target;
  });
}

/**
 * Harbor's checks of a create or update body, in its order (event types, then each target's
 * address, type and payload format), with its messages; throws AppError BAD_REQUEST.
 *
 * Where Haven differs, on purpose:
 * - a name is required (Harbor's portal requires one; its API accepts "", which then collides);
 * - `enabled` left out means enabled on create and unchanged on update (`previous`): Harbor
 *   reads the Go zero value, so an API client that omits it silently gets a disabled policy.
 */
export function validatePolicy(body: WebhookPolicyBody, previous?: Pick<WebhookPolicySpec, 'enabled'>): WebhookPolicySpec {
  const name = (body.name ?? '').trim();
  const eventTypes = validateEventTypes(body.event_types);
  const targets = validateTargets(name, body.targets);
  if (name === '') throw badRequest('the name of the webhook policy is required');
  return {
    name,
    description: body.description ?? '',
    enabled: body.enabled ?? previous?.enabled ?? true,
    event_types: eventTypes,
    targets,
  };
}

/**
 * A raw JSON body checked end to end, for callers that have not run webhookPolicyBody at the
 * edge: the shape first (a 400 naming the field), then validatePolicy's rules.
 */
export function parsePolicyBody(body: unknown, previous?: Pick<WebhookPolicySpec, 'enabled'>): WebhookPolicySpec {
  const parsed = webhookPolicyBody.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || 'body';
    throw badRequest(`${field}: ${issue.message}`);
  }
  return validatePolicy(parsed.data, previous);
}

/** Harbor's GetRelatedPolices: the project's enabled policies that hear this event type. */
export function policiesFor<P extends Pick<WebhookPolicySpec, 'enabled' | 'event_types'>>(policies: readonly P[], eventType: WebhookEventType): P[] {
  return policies.filter((p) => p.enabled && p.event_types.includes(eventType));
}

/** Harbor's WebhookTargetObject on the wire: go-swagger leaves out empty fields. */
export interface ApiWebhookTarget {
  address: string;
  auth_header?: string;
  payload_format?: string;
  skip_cert_verify?: boolean;
  type: string;
}

/** Harbor's WebhookPolicy on the wire (GET): `enabled` is always there, empty fields are not. */
export interface ApiWebhookPolicy {
  creation_time: string;
  creator?: string;
  description?: string;
  enabled: boolean;
  event_types: string[];
  id: number;
  name: string;
  project_id: number;
  targets: ApiWebhookTarget[];
  update_time: string;
}

/** strfmt.DateTime's form: RFC 3339 in UTC with milliseconds. */
const harborTime = (d: Date) => d.toISOString();

/** A stored policy as Harbor's API shows it, keys in go-swagger's (alphabetical) order. */
export function toApiPolicy(p: WebhookPolicyRecord): ApiWebhookPolicy {
  const out: ApiWebhookPolicy = { creation_time: harborTime(p.creation_time) } as ApiWebhookPolicy;
  if (p.creator !== '') out.creator = p.creator;
  if (p.description !== '') out.description = p.description;
  out.enabled = p.enabled;
  out.event_types = [...p.event_types];
  out.id = p.id;
  out.name = p.name;
  out.project_id = p.project_id;
  out.targets = p.targets.map((t) => {
    const o = { address: t.address } as ApiWebhookTarget;
    if (t.auth_header !== '') o.auth_header = t.auth_header;
    if (t.payload_format !== undefined) o.payload_format = t.payload_format;
    if (t.skip_cert_verify) o.skip_cert_verify = true;
    o.type = t.type;
    return o;
  });
  out.update_time = harborTime(p.update_time);
  return out;
}
