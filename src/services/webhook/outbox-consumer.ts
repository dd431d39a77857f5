import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { JobStore } from '../../db/jobs.js';
import { dialectOf, transaction } from '../../db/transaction.js';
import type { WebhookPolicyStore } from '../../db/webhook-policies.js';
import { planDeliveries } from '../../domain/webhook/deliveries.js';
import type { Site } from '../../domain/webhook/payload.js';
import { policiesFor, type WebhookPolicyRecord } from '../../domain/webhook/policy.js';
import type { Logger } from '../../platform/logger.js';
import type { Sealer } from '../../platform/secret-box.js';
import { type OutboxRow, toWebhookEvent } from './event-mapping.js';
import { createGapTracker } from './outbox-gaps.js';

/** What a delivery task carries: the request built once, sent the same on every attempt. */
export interface DeliveryParams {
  policyId: number;
  address: string;
  headers: Record<string, string>;
  /** The Authorization header, sealed (secret-box) when secrets.key is set; '' for none. */
  authorization: string;
  body: string;
  skipCertVerify: boolean;
  maxAttempts: number;
  eventType: string;
}

export const authContext = (executionPolicyId: number) => `webhook-delivery:${executionPolicyId}`;

export interface OutboxConsumerDeps {
  db: Db;
  policies: Pick<WebhookPolicyStore, 'ofProject'>;
  jobs: Pick<JobStore, 'enqueue'>;
  sealer: Sealer;
  log: Logger;
  /** The external URL, or '' (then the Host the client used names the registry). */
  externalUrl: string;
  maxAttempts: number;
  /** Tells the job service there is work (a delivery starts at once). */
  wake: () => void;
  batch?: number;
  /** PostgreSQL: how long a gap in the outbox ids holds the events after it (outbox-gaps.ts). */
  gapWaitMs?: number;
}

/**
 * Turns outbox events into deliveries: reads the events after the cursor, plans one WEBHOOK or
 * SLACK execution with one task per target of every enabled policy that hears the event, and
 * advances the cursor, all in ONE transaction. Instances consume in turns without a lease: on
 * PostgreSQL the cursor row is locked (FOR UPDATE) and the transaction is serializable, so a
 * second consumer waits and then reads the advanced cursor; SQLite has one writer. An event is
 * planned exactly once, and a crash before the commit plans it again, never half.
 */
export function createOutboxConsumer(deps: OutboxConsumerDeps) {
  const batch = deps.batch ?? 200;
  const { db } = deps;
  const site = (host: string): Site => ({ externalUrl: deps.externalUrl !== '' ? deps.externalUrl : host !== '' ? `http://${host}` : '' });

  /** The cursor as last seen here: an idle poll is one indexed read, outside any transaction. */
  let seen = 0;
  const gaps = dialectOf(db) === 'postgres' ? createGapTracker(deps.gapWaitMs ?? 5_000) : null;

  async function consumeBatch(): Promise<{ events: number; deliveries: number }> {
    const pending = await db.selectFrom('event_outbox').select('id').where('id', '>', seen).limit(1).executeTakeFirst();
    if (!pending) return { events: 0, deliveries: 0 };
    const r = await transaction(db, async (tx) => {
      const now = Date.now();
      const lock = dialectOf(db) === 'postgres' ? sql` for update` : sql``;
      const { rows: cursorRows } = await sql<{ last_event_id: number }>`select last_event_id from webhook_cursor where id = 1${lock}`.execute(tx);
      if (cursorRows.length === 0) await tx.insertInto('webhook_cursor').values({ id: 1, last_event_id: 0, update_time: now }).execute();
      const cursor = Number(cursorRows[0]?.last_event_id ?? 0);
      let events = (await tx.selectFrom('event_outbox').selectAll().where('id', '>', cursor).orderBy('id').limit(batch).execute()) as OutboxRow[];
      // An id below a visible one may still be uncommitted: read up to the first gap only.
      if (gaps) events = events.slice(0, gaps.consumable(cursor, events.map((e) => Number(e.id)), now));
      if (events.length === 0) return { events: 0, deliveries: 0, last: cursor };
      const policyCache = new Map<number, WebhookPolicyRecord[]>();
      let deliveries = 0;
      for (const row of events) {
        if (row.project_id === null) continue;
        let policies = policyCache.get(row.project_id);
        if (!policies) {
          policies = await deps.policies.ofProject(row.project_id, tx);
          policyCache.set(row.project_id, policies);
        }
        if (policies.length === 0 || !policies.some((p) => p.enabled)) continue;
        const project = await tx.selectFrom('projects').select(['name', 'public']).where('id', '=', row.project_id).executeTakeFirst();
        if (!project) continue;
        let repositoryCreatedAt: Date | undefined;
        const repoName = (() => {
          try {
            return String((JSON.parse(row.payload) as { repository?: unknown }).repository ?? '');
          } catch {
            return '';
          }
        })();
        if (repoName !== '') {
          const repo = await tx.selectFrom('repositories').select('created_at').where('name', '=', repoName).executeTakeFirst();
          if (repo) repositoryCreatedAt = new Date(Number(repo.created_at));
        }
        const mapped = toWebhookEvent(row, { project: { name: project.name, public: project.public === 1 }, repositoryCreatedAt });
        if (!mapped || policiesFor(policies, mapped.event.type).length === 0) continue;
        let planned;
        try {
          planned = planDeliveries(mapped.event, policies, { site: site(mapped.host), requestId: mapped.requestId || undefined });
        } catch (err) {
          // One unreadable event must not stop the ones after it.
          deps.log.warn({ err, event: row.id, type: row.type }, 'webhook: could not build the payload of an event; skipped');
          continue;
        }
        for (const d of planned) {
          const { Authorization, ...headers } = d.request.headers;
          const params: DeliveryParams = {
            policyId: d.policyId,
            address: d.target.address,
            headers,
            authorization: Authorization ? deps.sealer.seal(Authorization, authContext(d.policyId)) : '',
            body: d.request.body,
            skipCertVerify: d.target.skip_cert_verify,
            maxAttempts: deps.maxAttempts,
            eventType: d.eventType,
          };
          await deps.jobs.enqueue(
            {
              vendorType: d.vendorType,
              vendorId: d.policyId,
              trigger: 'EVENT',
              // event_type first: the lasttrigger read matches on it.
              extraAttrs: { event_type: d.extraAttrs.event_type, payload: d.extraAttrs.payload },
              tasks: [{ jobType: d.vendorType, params: params as unknown as Record<string, unknown>, maxAttempts: deps.maxAttempts, extraAttrs: { event_type: d.eventType, address: d.target.address } }],
            },
            now,
            tx,
          );
          deliveries++;
        }
      }
      await tx.updateTable('webhook_cursor').set({ last_event_id: events.at(-1)!.id, update_time: now }).where('id', '=', 1).execute();
      return { events: events.length, deliveries, last: events.at(-1)!.id };
    });
    // Only once committed: a rolled-back batch must be looked for again.
    seen = r.last;
    gaps?.passed(r.last);
    return r;
  }

  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;

  /** Consumes until the outbox is drained. */
  async function drain(): Promise<void> {
    for (;;) {
      const r = await consumeBatch();
      if (r.deliveries > 0) deps.wake();
      if (r.events < batch) return;
    }
  }

  function tick(): void {
    if (running) return;
    running = drain()
      .catch((err) => deps.log.warn({ err }, 'webhook: could not consume the event outbox; retrying'))
      .finally(() => {
        running = null;
      });
  }

  return {
    drain,
    start(everyMs: number): void {
      timer = setInterval(tick, everyMs);
      timer.unref();
      tick();
    },
    async close(): Promise<void> {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}

export type OutboxConsumer = ReturnType<typeof createOutboxConsumer>;
