/**
 * When a failed webhook delivery is tried again. Harbor's webhook and Slack jobs may fail 3 times
 * (JOBSERVICE_WEBHOOK_JOB_MAX_RETRY), so a delivery is attempted at most 3 times, each with a
 * 3 s HTTP timeout (JOBSERVICE_WEBHOOK_JOB_HTTP_CLIENT_TIMEOUT); gocraft/work then waits
 * fails^4 + 15 + rand(30)*(fails+1) seconds: 16-74 s before the second attempt, 31-118 s before
 * the third. Haven keeps the attempts and the timeout and waits base * 2^(n-1), capped, with
 * "equal jitter" (half fixed, half random), which lands in the same windows by default
 * (30-60 s, then 60-120 s) and keeps many failed deliveries to one receiver from retrying in step.
 */

export interface BackoffPolicy {
  /** Attempts in all, the first included (Harbor's max fails). */
  maxAttempts: number;
  /** The wait before the second attempt, before jitter. */
  baseDelayMs: number;
  /** No wait is longer than this, Retry-After included. */
  maxDelayMs: number;
  /** The share of each wait that is random, 0..1. */
  jitter: number;
}

export const defaultBackoff: BackoffPolicy = { maxAttempts: 3, baseDelayMs: 60_000, maxDelayMs: 15 * 60_000, jitter: 0.5 };

/** Harbor's per-attempt HTTP client timeout. */
export const deliveryTimeoutMs = 3_000;

/** How one attempt ended. */
export type AttemptOutcome =
  | { kind: 'response'; status: number; retryAfterMs?: number | undefined }
  | { kind: 'network' } // refused, reset, DNS failure, timeout
  | { kind: 'refused' }; // the target guard said no: never retried

export type NextStep = { retry: true; delayMs: number } | { retry: false; reason: 'delivered' | 'attempts exhausted' | 'not retryable' };

/**
 * Whether an outcome is worth another attempt. Harbor retries every failure, a 404 or 401
 * included, which only repeats a request the receiver has refused; Haven retries network errors,
 * timeouts, 5xx, 408 and 429, and gives up on other 4xx at once.
 */
export function isRetryable(outcome: AttemptOutcome): boolean {
  if (outcome.kind === 'network') return true;
  if (outcome.kind === 'refused') return false;
  const s = outcome.status;
  return s >= 500 || s === 408 || s === 429;
}

export const delivered = (outcome: AttemptOutcome) => outcome.kind === 'response' && outcome.status >= 200 && outcome.status < 300;

/** The wait after failed attempt `attempt` (1-based), before any Retry-After. */
export function retryDelay(attempt: number, policy: BackoffPolicy = defaultBackoff, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  const jitter = Math.min(Math.max(policy.jitter, 0), 1);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(ceiling * (1 - jitter) + ceiling * jitter * r);
}

/**
 * What to do after attempt number `attempt` (1-based) ended with `outcome`: stop (delivered,
 * refused, out of attempts), or try again after delayMs. A receiver's Retry-After is honoured
 * when it asks for longer than the backoff, up to maxDelayMs.
 */
export function nextStep(attempt: number, outcome: AttemptOutcome, policy: BackoffPolicy = defaultBackoff, random: () => number = Math.random): NextStep {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be a positive integer, got ${attempt}`);
  if (delivered(outcome)) return { retry: false, reason: 'delivered' };
  if (!isRetryable(outcome)) return { retry: false, reason: 'not retryable' };
  if (attempt >= policy.maxAttempts) return { retry: false, reason: 'attempts exhausted' };
  let delayMs = retryDelay(attempt, policy, random);
  if (outcome.kind === 'response' && outcome.retryAfterMs !== undefined && outcome.retryAfterMs > delayMs) {
    delayMs = Math.min(outcome.retryAfterMs, policy.maxDelayMs);
  }
  return { retry: true, delayMs };
}

/**
 * A Retry-After header as milliseconds from `now`: delay-seconds or an HTTP date; undefined when
 * absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (/^\d{1,9}$/.test(v)) return Number(v) * 1000;
  if (!/[a-z]/i.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

/** The longest wait a receiver's Retry-After may ask for; a longer ask waits this long. */
export const maxRetryAfterMs = 3_600_000;

/**
 * Whether a response's Retry-After is heeded: on 429 (too many requests) and 503 (unavailable),
 * the two statuses that define it as "come back later" (RFC 9110 10.2.3, RFC 6585 4).
 */
export const honoursRetryAfter = (status: number) => status === 429 || status === 503;

/**
 * The wait before the next attempt: the back-off, or longer when the receiver asked for longer
 * (Retry-After, up to maxRetryAfterMs). A shorter ask never hurries the back-off.
 */
export function retryWait(backoffMs: number, retryAfterMs: number | undefined): number {
  if (retryAfterMs === undefined) return backoffMs;
  return Math.max(backoffMs, Math.min(retryAfterMs, maxRetryAfterMs));
}
