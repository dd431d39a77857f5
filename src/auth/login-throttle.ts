/**
 * Slows password guessing without letting a guesser lock others out. Failures count per
 * (account, client): after `freeFailures` of them, that client must wait before trying that
 * account again, twice as long after each further failure (capped). A client also waits after
 * `freeIpFailures` failures on any accounts (one address spraying many), and an account that
 * failed `freeAccountFailures` times from everywhere (a distributed guess) waits too, but only
 * for clients that have already failed on it: a correct login from a client that has not failed
 * is never refused. A success clears its (account, client) count. In-process; with several
 * instances this moves to Redis.
 */
export function createLoginThrottle(
  opts: { freeFailures?: number; freeIpFailures?: number; freeAccountFailures?: number; baseMs?: number; maxMs?: number; forgetMs?: number } = {},
) {
  const freeFailures = opts.freeFailures ?? 5;
  const freeIpFailures = opts.freeIpFailures ?? 30;
  const freeAccountFailures = opts.freeAccountFailures ?? 100;
  const baseMs = opts.baseMs ?? 1000;
  const maxMs = opts.maxMs ?? 15 * 60_000;
  const forgetMs = opts.forgetMs ?? 30 * 60_000;
  const entries = new Map<string, { failures: number; lockedUntil: number; last: number }>();

  const pairKey = (account: string, ip: string) => `p:${account}\0${ip}`;

  function current(key: string, now: number) {
    const e = entries.get(key);
    if (e && now - e.last > forgetMs) {
      entries.delete(key);
      return undefined;
    }
    return e;
  }

  function wait(key: string, now: number): number {
    const e = current(key, now);
    return e ? Math.max(0, e.lockedUntil - now) : 0;
  }

  function fail(key: string, free: number, now: number): void {
    const e = current(key, now) ?? { failures: 0, lockedUntil: 0, last: now };
    e.failures++;
    e.last = now;
    if (e.failures > free) e.lockedUntil = now + Math.min(maxMs, baseMs * 2 ** Math.min(30, e.failures - free - 1));
    entries.set(key, e);
    if (entries.size > 100_000) entries.delete(entries.keys().next().value!);
  }

  return {
    /** Milliseconds the caller must wait before this attempt may be checked (0: go ahead). */
    retryAfter(account: string, ip: string, now = Date.now()): number {
      const pair = pairKey(account, ip);
      const hasFailed = current(pair, now) !== undefined;
      return Math.max(wait(pair, now), wait(`ip:${ip}`, now), hasFailed ? wait(`a:${account}`, now) : 0);
    },
    failed(account: string, ip: string, now = Date.now()): void {
      fail(pairKey(account, ip), freeFailures, now);
      fail(`ip:${ip}`, freeIpFailures, now);
      fail(`a:${account}`, freeAccountFailures, now);
    },
    succeeded(account: string, ip: string): void {
      entries.delete(pairKey(account, ip));
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
