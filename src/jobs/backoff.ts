/** Retries never more than an hour apart. */
const maxMs = 3_600_000;

/**
 * How long a task waits before its next attempt, after `attempt` failed ones: `firstMs` (10 s by
 * default, jobs.retryDelay), doubling each time; exponential, with
 * up to 20 % jitter so tasks that failed together (a target down, a backend restarting) do not
 * all come back in the same second.
 */
export function retryDelayMs(attempt: number, firstMs = 10_000, random: () => number = Math.random): number {
  const base = Math.min(maxMs, firstMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (1 + 0.2 * random()));
}
