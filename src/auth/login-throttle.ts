import { createMemoryCache } from '../platform/cache.js';

/**
 * Where failed logins are counted. Async because several instances must share the counts
 * (a Redis implementation); the in-process one is `createLoginThrottle`.
 */
export interface LoginThrottle {
  /** Milliseconds the caller must wait before this attempt may be checked (0: go ahead). */
  retryAfter(account: string, ip: string, now?: number): Promise<number>;
  failed(account: string, ip: string, now?: number): Promise<void>;
  succeeded(account: string, ip: string): Promise<void>;
}

/**
 * Slows password guessing without letting a guesser lock others out. Failures count per
 * (account, client): after `freeFailures` of them, that client must wait before trying that
 * account again, twice as long after each further failure (capped). A client also waits after
 * `freeIpFailures` failures on any accounts (one address spraying many), and an account that
 * failed `freeAccountFailures` times from everywhere (a distributed guess) waits too, but only
 * for clients that have already failed on it: a correct login from a client that has not failed
 * is never refused. A success clears its (account, client) count.
 */
export interface ThrottleRules {
  freeFailures: number;
  freeIpFailures: number;
  freeAccountFailures: number;
  baseMs: number;
  maxMs: number;
  forgetMs: number;
}

/** The rules with their defaults, shared by the in-process and the Redis throttle. */
export function throttleRules(opts: Partial<ThrottleRules> = {}): ThrottleRules {
  return {
    freeFailures: opts.freeFailures ?? 5,
    freeIpFailures: opts.freeIpFailures ?? 30,
    freeAccountFailures: opts.freeAccountFailures ?? 100,
    baseMs: opts.baseMs ?? 1000,
    maxMs: opts.maxMs ?? 15 * 60_000,
    forgetMs: opts.forgetMs ?? 30 * 60_000,
  };
}

export function createLoginThrottle(opts: Partial<ThrottleRules> = {}): LoginThrottle {
  const { freeFailures, freeIpFailures, freeAccountFailures, baseMs, maxMs, forgetMs } = throttleRules(opts);
  // The cache's TTL bounds memory in real time; `last` decides forgetting, so tests can pass `now`.
  const entries = createMemoryCache<string, { failures: number; lockedUntil: number; last: number }>({ max: 100_000, ttlMs: forgetMs });

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
  }

  return {
    async retryAfter(account, ip, now = Date.now()) {
      const pair = pairKey(account, ip);
      const hasFailed = current(pair, now) !== undefined;
      return Math.max(wait(pair, now), wait(`ip:${ip}`, now), hasFailed ? wait(`a:${account}`, now) : 0);
    },
    async failed(account, ip, now = Date.now()) {
      fail(pairKey(account, ip), freeFailures, now);
      fail(`ip:${ip}`, freeIpFailures, now);
      fail(`a:${account}`, freeAccountFailures, now);
    },
    async succeeded(account, ip) {
      entries.delete(pairKey(account, ip));
    },
  };
}
