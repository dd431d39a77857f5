import type { NextStep } from './backoff.js';
import type { WebhookVendorType } from './deliveries.js';

/**
 * The lines a delivery attempt writes to its task log, worded as Harbor's webhook and Slack jobs
 * word them (src/jobservice/job/impl/notification), so a task log reads the same; Haven adds
 * the response time and what happens next. The log's timestamps and levels are the job
 * service's.
 */

/** A receiver's answer body is quoted up to this many characters (Harbor quotes all of it). */
export const maxQuotedBody = 1024;

const jobName = (vendor: WebhookVendorType) => (vendor === 'SLACK' ? 'slack' : 'webhook');

const quote = (body: string) => (body.length > maxQuotedBody ? `${body.slice(0, maxQuotedBody)}… (${body.length} characters)` : body);

export const startLine = (vendor: WebhookVendorType) => `start to run ${jobName(vendor)} job`;

export const requestLine = (body: string) => `send request to remote endpoint, body: ${body}`;

/** How an attempt ended, as the log says it. */
export type AttemptResult =
  | { kind: 'response'; status: number; body: string; durationMs: number }
  | { kind: 'network'; message: string; durationMs: number }
  | { kind: 'refused'; message: string };

export function resultLine(vendor: WebhookVendorType, r: AttemptResult): string {
  if (r.kind === 'response' && r.status >= 200 && r.status < 300) return `success to run ${jobName(vendor)} job (${r.status} in ${r.durationMs} ms)`;
  const why =
    r.kind === 'response'
      ? `abnormal response code: ${r.status}, body: ${quote(r.body)} (in ${r.durationMs} ms)`
      : r.kind === 'network'
        ? `error to send request: ${r.message} (after ${r.durationMs} ms)`
        : `target refused: ${r.message}`;
  return `exit ${jobName(vendor)} job, error: ${why}`;
}

/** `retryAfter`: the receiver's Retry-After header, when it was heeded. */
export function nextLine(step: NextStep, attempt: number, maxAttempts: number, retryAfter?: string): string {
  if (step.retry) {
    const asked = retryAfter !== undefined ? ` (the receiver asked for Retry-After: ${retryAfter.slice(0, 64)})` : '';
    return `attempt ${attempt} of ${maxAttempts} failed; retrying in ${Math.round(step.delayMs / 1000)} s${asked}`;
  }
  if (step.reason === 'delivered') return `delivered on attempt ${attempt}`;
  if (step.reason === 'attempts exhausted') return `attempt ${attempt} of ${maxAttempts} failed; giving up`;
  return `attempt ${attempt} failed in a way another attempt cannot fix; giving up`;
}
