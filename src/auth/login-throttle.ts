/**
 * Slows password guessing: after `freeFailures` failures for one account (or `freeIpFailures`
 * from one client IP), each further attempt must wait twice as long as the previous lockout
 * (capped). The IP allowance is larger, so one script with a stale password cannot lock out
 * every user behind the same address. Successes reset the account's count. In-process; with
 * several instances this moves to Redis.
 */
export function createLoginThrottle(opts: { freeFailures?: number; freeIpFailures?: number; baseMs?: number; maxMs?: number; forgetMs?: number } = {}) {
  const freeFailures = opts.freeFailures ?? 5;
  const freeIpFailures = opts.freeIpFailures ?? 30;
  const baseMs = opts.baseMs ?? 1000;
  const maxMs = opts.maxMs ?? 15 * 60_000;
  const forgetMs = opts.forgetMs ?? 30 * 60_000;
  const entries = new Map<string, { failures: number; lockedUntil: number; last: number }>();

  function retryAfter(key: string, now: number): number {
    const e = entries.get(key);
    if (!e) return 0;
    if (now - e.last > forgetMs) {
      entries.delete(key);
      return 0;
    }
    return Math.max(0, e.lockedUntil - now);
  }

  function fail(key: string, free: number, now: number): void {
    const e = entries.get(key) ?? { failures: 0, lockedUntil: 0, last: now };
    e.failures++;
    e.last = now;
    if (e.failures > free) e.lockedUntil = now + Math.min(maxMs, baseMs * 2 ** (e.failures - free - 1));
    entries.set(key, e);
    if (entries.size > 100_000) entries.delete(entries.keys().next().value!);
  }

  return {
    /** Milliseconds the caller must wait before this attempt may be checked (0: go ahead). */
    retryAfter(account: string, ip: string, now = Date.now()): number {
      return Math.max(retryAfter(`u:${account}`, now), retryAfter(`ip:${ip}`, now));
    },
    failed(account: string, ip: string, now = Date.now()): void {
      fail(`u:${account}`, freeFailures, now);
      fail(`ip:${ip}`, freeIpFailures, now);
    },
    succeeded(account: string): void {
      entries.delete(`u:${account}`);
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
