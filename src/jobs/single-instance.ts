import type { LeaseStore } from '../db/leases.js';

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
