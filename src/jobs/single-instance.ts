import type { LeaseStore } from '../db/leases.js';

/**
 * `work` run only by the instance that holds the job's lease: on several instances sharing a
 * database, each periodic purge runs on one of them per period. The lease lasts a little less
 * than the period, so a tick on the holder finds it expired and takes it again, and while `work`
 * runs it is renewed, so a long run is never joined by a second instance; a holder that dies
 * simply lets it expire and another instance takes over at its next tick.
 */
export function onOneInstance(leases: LeaseStore, holder: string, name: string, periodMs: number, work: () => Promise<unknown>): () => Promise<unknown> {
  const ttl = Math.max(1000, Math.floor(periodMs * 0.9));
  return async () => {
    if (!(await leases.take(name, holder, ttl, await leases.clock()))) return;
    const renew = setInterval(() => void leases.clock().then((now) => leases.take(name, holder, ttl, now)).catch(() => {}), Math.max(500, Math.floor(ttl / 3)));
    renew.unref();
    try {
      return await work();
    } finally {
      clearInterval(renew);
    }
  };
}

/**
 * A lease kept for as long as this instance runs (renewed every third of its TTL), for a role one
 * instance plays at a time: exporting the database-wide metrics, so that Prometheus sums them
 * once and not once per instance. Another instance takes it over within a TTL of this one dying.
 */
export function holdLease(leases: LeaseStore, holder: string, name: string, ttlMs: number): { held(): boolean; stop(): void } {
  let held = false;
  const tick = () =>
    void leases.clock().then((now) => leases.take(name, holder, ttlMs, now)).then(
      (ok) => (held = ok),
      () => (held = false),
    );
  tick();
  const timer = setInterval(tick, Math.max(1000, Math.floor(ttlMs / 3)));
  timer.unref();
  return {
    held: () => held,
    stop: () => clearInterval(timer),
  };
}
