import { randomUUID } from 'node:crypto';
import { cloudEventTypes } from './event-types.js';
import type { HarborPayload } from './payload.js';
import type { WebhookTarget } from './policy.js';

/**
 * The request a delivery sends (src/pkg/notifier/formats, src/pkg/notifier/handler/notification):
 * http targets get the Default or CloudEvents body and the target's Authorization header; Slack
 * targets get a Block Kit message and never the auth header. Build it once, when the delivery is
 * queued, and resend the same bytes on every retry (Harbor keeps the body in the job's
 * parameters the same way), so a CloudEvents id stays the id of the event.
 */

export interface DeliveryRequest {
  headers: Record<string, string>;
  body: string;
}

/** Which policy and project a delivery is for, and the request that caused it. */
export interface DeliveryContext {
  projectId: number;
  policyId: number;
  /** The X-Request-Id of the request that caused the event (CloudEvents `requestid`). */
  requestId?: string | undefined;
  /** The CloudEvents id; a fresh UUID when not given. */
  eventId?: string | undefined;
}

/**
 * encoding/json's output: it escapes <, > and & (and U+2028/2029) inside strings, so the bytes
 * are Harbor's bytes; JSON readers see the same values either way.
 */
export function goJson(value: unknown, indent?: string): string {
  return JSON.stringify(value, null, indent)
    .replaceAll('<', '\\u003c')
    .replaceAll('>', '\\u003e')
    .replaceAll('&', '\\u0026')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}

/** The Default format: Harbor's payload as it is. */
export function formatDefault(payload: HarborPayload): DeliveryRequest {
  return { headers: { 'Content-Type': 'application/json' }, body: goJson(payload) };
}

/** sdk-go's time form: RFC 3339, UTC, no fractional seconds when there are none. */
const cloudEventTime = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

/** The CloudEvents 1.0 structured form Harbor sends (formats/cloudevents.go). */
export interface CloudEvent {
  specversion: '1.0';
  requestid?: string;
  id: string;
  source: string;
  type: string;
  datacontenttype: 'application/json';
  time: string;
  data: HarborPayload['event_data'] | null;
  operator: string;
}

export function toCloudEvent(payload: HarborPayload, ctx: DeliveryContext): CloudEvent {
  const event: CloudEvent = {
    specversion: '1.0',
    id: ctx.eventId ?? randomUUID(),
    source: `/projects/${ctx.projectId}/webhook/policies/${ctx.policyId}`,
    type: cloudEventTypes[payload.type],
    datacontenttype: 'application/json',
    time: cloudEventTime(payload.occur_at),
    data: payload.event_data ?? null,
    operator: payload.operator,
  };
  // Harbor writes the extension even when the context has no request id; an empty extension
  // attribute tells a receiver nothing, so Haven leaves it out.
  if (!ctx.requestId) return event;
  const { specversion, ...rest } = event;
  return { specversion, requestid: ctx.requestId, ...rest };
}

export function formatCloudEvents(payload: HarborPayload, ctx: DeliveryContext): DeliveryRequest {
  return { headers: { 'Content-Type': 'application/cloudevents+json' }, body: goJson(toCloudEvent(payload, ctx)) };
}

/** Slack refuses a section whose text is longer than this (Block Kit's limit). */
export const slackSectionLimit = 3000;

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

/**
 * Harbor's Slack message (handler/notification/slack_handler.go), block for block. Harbor fills
 * a text/template, so its body is not valid JSON (the indented event data puts raw newlines and
 * tabs inside a string) and breaks on an operator with a quote in it; this is the same message
 * built as JSON. Event data longer than a section allows is cut, with a note, where Harbor's
 * message would be refused by Slack whole.
 */
export function slackMessage(payload: HarborPayload): { blocks: Array<ReturnType<typeof section>> } {
  const fence = '```';
  // Plain JSON here: Harbor's \u003c escapes are decoded by Slack's parser before display, so
  // the text Slack shows has the characters themselves.
  let data = JSON.stringify(payload.event_data ?? null, null, '\t');
  const room = slackSectionLimit - 2 * fence.length;
  if (data.length > room) {
    const note = '\n… (cut: the event data is longer than a Slack message allows)';
    data = data.slice(0, room - note.length) + note;
  }
  return {
    blocks: [
      section('*Harbor webhook events*'),
      section(`*event_type:* ${payload.type}`),
      section(`*occur_at:* <!date^${payload.occur_at}^{date} at {time}|February 18th, 2014 at 6:39 AM PST>`),
      section(`*operator:* ${payload.operator}`),
      section('*event_data:*'),
      section(fence + data + fence),
    ],
  };
}

export function formatSlack(payload: HarborPayload): DeliveryRequest {
  return { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(slackMessage(payload)) };
}

/** The request one target gets for one payload. */
export function formatDelivery(payload: HarborPayload, target: WebhookTarget, ctx: DeliveryContext): DeliveryRequest {
  if (target.type === 'slack') return formatSlack(payload);
  const req = target.payload_format === 'CloudEvents' ? formatCloudEvents(payload, ctx) : formatDefault(payload);
  if (target.auth_header !== '') req.headers.Authorization = target.auth_header;
  return req;
}
