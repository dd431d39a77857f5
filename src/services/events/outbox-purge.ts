import type { HavenConfig } from '../../config/schema.js';
import type { Db } from '../../db/database.js';
import { pruneOutbox } from '../../db/event-outbox.js';
import type { PeriodicWork } from '../../jobs/job-area.js';

/** Its vendor and job type on the job service. */
export const eventPurgeType = 'EVENT_PURGE';

/**
 * The outbox purge as periodic work (EVENT_PURGE): deletes the events every consumer has read
 * that are older than events.outboxRetention, so the outbox stops growing with every push and
 * pull; an event no consumer has reached stays however old it is. `paused` says why not to run
 * now (the system is read-only), or null.
 */
export function outboxPurgeWork(db: Db, config: HavenConfig['events'], paused: () => Promise<string | null>): PeriodicWork {
  return {
    type: eventPurgeType,
    everyMs: config.outboxPurgeInterval,
    params: { retention_ms: config.outboxRetention },
    async work(signal) {
      const why = await paused();
      if (why) return why;
      const r = await pruneOutbox(db, { before: Date.now() - config.outboxRetention, signal });
      return `purged ${r.deleted} event(s) read by every consumer (up to event ${r.cursor}) and older than ${config.outboxRetention} ms`;
    },
  };
}
