import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { type AttemptOutcome, defaultBackoff, honoursRetryAfter, nextStep, parseRetryAfter, retryWait } from '../../domain/webhook/backoff.js';
import type { WebhookVendorType } from '../../domain/webhook/deliveries.js';
import { type AttemptResult, nextLine, requestLine, resultLine, startLine } from '../../domain/webhook/delivery-log.js';
import { PermanentJobError, RetryLaterError, type JobHandler } from '../../jobs/job-service.js';
import { retryDelayMs } from '../../jobs/backoff.js';
import type { Sealer } from '../../platform/secret-box.js';
import { type CheckedTarget, checkTarget, pinnedLookup, type Resolver, TargetRefusedError } from '../../platform/target-guard.js';
import { authContext, type DeliveryParams } from './outbox-consumer.js';

export interface DeliveryJobOptions {
  allowPrivateTargets: boolean;
  timeoutMs: number;
  /** The job service's first retry delay (jobs.retryDelay): the wait the log announces. */
  retryDelayMs: number;
  sealer: Sealer;
  concurrency?: number;
  resolve?: Resolver;
}

/** What a receiver answered, read up to this many bytes (the log quotes at most 1 KiB of it). */
const maxResponseBytes = 16 * 1024;

type Sent = { kind: 'response'; status: number; body: string; retryAfter: string | undefined } | { kind: 'network'; message: string };

/**
 * One POST to the checked address (pinned: DNS is not asked again), with the timeout covering
 * the whole exchange, no redirects followed (a 3xx is the answer), and the job's signal.
 */
function post(t: CheckedTarget, headers: Record<string, string>, body: string, opts: { timeoutMs: number; skipCertVerify: boolean; signal: AbortSignal }): Promise<Sent> {
  return new Promise((resolve) => {
    const isHttps = t.url.protocol === 'https:';
    const options: https.RequestOptions = {
      method: 'POST',
      hostname: t.hostname,
      port: t.url.port || (isHttps ? 443 : 80),
      path: `${t.url.pathname}${t.url.search}`,
      headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)), 'User-Agent': 'Haven-Webhook' },
      lookup: pinnedLookup(t),
      // A fresh connection per attempt: a pooled socket would skip the pinned lookup of this check.
      agent: false,
      signal: opts.signal,
      // SNI names a host, never an address (RFC 6066): an IP target is checked against the certificate's IP entries.
      ...(isHttps ? { ...(isIP(t.hostname.replace(/^\[|\]$/g, '')) === 0 ? { servername: t.hostname } : {}), rejectUnauthorized: !opts.skipCertVerify } : {}),
    };
    let settled = false;
    const done = (r: Sent) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = (isHttps ? https : http).request(options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < maxResponseBytes) chunks.push(c);
        size += c.length;
      });
      res.on('end', () => done({ kind: 'response', status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, maxResponseBytes), retryAfter: res.headers['retry-after'] }));
      res.on('error', (err) => done({ kind: 'network', message: err.message }));
    });
    const timer = setTimeout(() => {
      done({ kind: 'network', message: `timeout after ${opts.timeoutMs} ms` });
      req.destroy();
    }, opts.timeoutMs);
    req.on('error', (err) => done({ kind: 'network', message: err.message }));
    req.end(body);
  });
}

/**
 * The WEBHOOK and SLACK job: one delivery attempt per run. The task log gets Harbor's lines
 * (start, request body, result) with the response time and the next step; the task's attributes
 * get each attempt (status code, duration, result). A failure worth retrying (network, timeout,
 * 5xx, 408, 429) throws, and the job service runs the task again after its back-off (or after a
 * 429's or 503's Retry-After, when longer, up to an hour), up to the attempts the consumer gave
 * it; anything else (a 4xx, a refused target) ends it at once.
 */
export function deliveryHandler(vendor: WebhookVendorType, opts: DeliveryJobOptions): JobHandler {
  return {
    type: vendor,
    concurrency: opts.concurrency ?? 4,
    async run(ctx) {
      const p = ctx.params as unknown as DeliveryParams;
      const max = p.maxAttempts ?? defaultBackoff.maxAttempts;
      const record = (r: AttemptResult, status: number, extra: Record<string, number> = {}) => {
        ctx.attrs({
          [`attempt_${ctx.attempt}`]: { status_code: status, duration_ms: 'durationMs' in r ? r.durationMs : 0, result: r.kind, ...extra },
          status_code: status,
          duration_ms: 'durationMs' in r ? r.durationMs : 0,
          attempts: ctx.attempt,
        });
      };
      ctx.log(startLine(vendor));
      ctx.log(requestLine(p.body));
      let target: CheckedTarget;
      try {
        target = await checkTarget(p.address, { allowPrivateTargets: opts.allowPrivateTargets, resolve: opts.resolve });
      } catch (err) {
        if (err instanceof TargetRefusedError) {
          const r: AttemptResult = { kind: 'refused', message: err.message };
          ctx.log(resultLine(vendor, r));
          ctx.log(nextLine(nextStep(ctx.attempt, { kind: 'refused' }, { ...defaultBackoff, maxAttempts: max }), ctx.attempt, max));
          record(r, 0);
          throw new PermanentJobError(err.message);
        }
        const r: AttemptResult = { kind: 'network', message: `resolve ${p.address}: ${(err as Error).message}`, durationMs: 0 };
        return finish(r, { kind: 'network' });
      }
      const headers = { ...p.headers };
      if (p.authorization) headers.Authorization = opts.sealer.open(p.authorization, authContext(p.policyId));
      const started = performance.now();
      const sent = await post(target, headers, p.body, { timeoutMs: opts.timeoutMs, skipCertVerify: p.skipCertVerify, signal: ctx.signal });
      const durationMs = Math.round(performance.now() - started);
      if (sent.kind === 'network') return finish({ kind: 'network', message: sent.message, durationMs }, { kind: 'network' });
      // A 429 or 503 may say when to come back (seconds or an HTTP date): heeded, up to an hour.
      const retryAfter = honoursRetryAfter(sent.status) ? sent.retryAfter : undefined;
      const retryAfterMs = parseRetryAfter(retryAfter, new Date());
      return finish({ kind: 'response', status: sent.status, body: sent.body, durationMs }, { kind: 'response', status: sent.status }, retryAfterMs !== undefined ? { header: retryAfter!, ms: retryAfterMs } : undefined);

      function finish(r: AttemptResult, outcome: AttemptOutcome, asked?: { header: string; ms: number }): void {
        let step = nextStep(ctx.attempt, outcome, { ...defaultBackoff, maxAttempts: max });
        // The job service waits exactly what the log says: the back-off (jobs.retryDelay,
        // doubling), or longer when the receiver asked for longer.
        if (step.retry) step = { retry: true, delayMs: retryWait(retryDelayMs(ctx.attempt, opts.retryDelayMs), asked?.ms) };
        ctx.log(resultLine(vendor, r));
        ctx.log(nextLine(step, ctx.attempt, max, asked?.header));
        record(r, r.kind === 'response' ? r.status : 0, step.retry ? { retry_delay_ms: step.delayMs, ...(asked ? { retry_after_ms: asked.ms } : {}) } : {});
        if (!step.retry && step.reason === 'delivered') return;
        const why = r.kind === 'response' ? `abnormal response code: ${r.status}` : r.kind === 'network' ? r.message : r.message;
        if (step.retry) throw new RetryLaterError(why, step.delayMs);
        throw new PermanentJobError(why);
      }
    },
  };
}
