import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { KeyedLocks } from '../keyed-lock.js';
import type { Leases } from '../leader-lease.js';
import type { Logger } from '../logger.js';
import { guarded } from './client.js';
import { luaScript } from './lua.js';

// Only the holder's token may extend or delete a lock: one whose TTL ran out and was taken by
// another instance must never be extended or released by its old holder.
const refreshLock = luaScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`);
const releaseLock = luaScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`);

export interface HeldLock {
  /** Aborted when the lock was found taken by someone else (it expired while we were cut off). */
  lost: AbortSignal;
  /**
   * Until when the lock is surely still ours: the TTL counted from the last acquire or refresh
   * that Redis confirmed (counted from when it was sent). Past it, another may hold it.
   */
  surelyHeldUntil(): number;
  release(): Promise<void>;
}

/**
 * Exclusive locks across instances: SET NX PX with a random token, refreshed every third of the
 * TTL while held, released by compare-and-delete. A holder that dies stops refreshing, so its
 * lock expires after at most `ttlMs`.
 */
export function createRedisMutex(redis: Redis, opts: { prefix?: string; ttlMs?: number; log?: Logger } = {}) {
  const prefix = opts.prefix ?? 'haven:lock:';
  const defaultTtl = opts.ttlMs ?? 30_000;
  const log = opts.log;

  return {
    /** The held lock, or null when another holder has it. Throws a 503 AppError when Redis is away. */
    async tryAcquire(name: string, ttlMs = defaultTtl): Promise<HeldLock | null> {
      const key = prefix + name;
      const token = randomBytes(16).toString('base64url');
      let confirmedAt = Date.now();
      const ok = await guarded(log, 'lock', () => redis.set(key, token, 'PX', ttlMs, 'NX'));
      if (ok !== 'OK') return null;
      const lost = new AbortController();
      let released = false;
      const timer = setInterval(() => {
        const sentAt = Date.now();
        refreshLock(redis, [key], [token, ttlMs]).then(
          (r) => {
            if (r === 1) confirmedAt = sentAt;
            else if (!released) {
              clearInterval(timer);
              log?.warn({ lock: name }, 'a held lock expired and is no longer ours');
              lost.abort(new Error(`lock ${name} lost`));
            }
          },
          // Redis away: keep trying; if it stays away longer than the TTL the next answer says lost.
          () => {},
        );
      }, Math.max(10, Math.floor(ttlMs / 3)));
      timer.unref();
      return {
        lost: lost.signal,
        surelyHeldUntil: () => (lost.signal.aborted || released ? 0 : confirmedAt + ttlMs),
        async release() {
          if (released) return;
          released = true;
          clearInterval(timer);
          // Not releasable now (Redis away): it expires by itself within the TTL.
          await releaseLock(redis, [key], [token]).catch((err: Error) => log?.warn({ lock: name, err: err.message }, 'could not release a lock; it will expire'));
        },
      };
    },
  };
}

export type RedisMutex = ReturnType<typeof createRedisMutex>;

/** The upload "busy" locks (KeyedLocks) across instances. */
export function createRedisLocks(mutex: RedisMutex): KeyedLocks {
  return {
    async tryAcquire(key) {
      const held = await mutex.tryAcquire(key);
      return held ? Object.assign(() => held.release(), { lost: held.lost }) : null;
    },
  };
}

/** Leader leases across instances: one holder per name among all instances on this Redis. */
export function createRedisLeases(mutex: RedisMutex): Leases {
  return {
    elect(name, ttlMs) {
      let held: HeldLock | null = null;
      let stopped = false;
      let trying: Promise<void> | null = null;
      // A campaigner that is not leading tries again every third of the TTL, so a dead leader's
      // successor starts within about 4/3 of it.
      const campaign = () => {
        if (stopped || trying || (held && !held.lost.aborted)) return;
        trying = mutex
          .tryAcquire(`leader:${name}`, ttlMs)
          .then(
            (h) => {
              if (stopped) return h?.release();
              held = h;
            },
            () => {}, // Redis away: not leading; try again next time.
          )
          .finally(() => {
            trying = null;
          });
      };
      const timer = setInterval(campaign, Math.max(10, Math.floor(ttlMs / 3)));
      timer.unref();
      campaign();
      return {
        isLeader: () => !stopped && held !== null && Date.now() < held.surelyHeldUntil(),
        async stop() {
          stopped = true;
          clearInterval(timer);
          await trying;
          await held?.release();
          held = null;
        },
      };
    },
    async withLeaderLease(name, ttlMs, work) {
      const held = await mutex.tryAcquire(`lease:${name}`, ttlMs);
      if (!held) return { held: false };
      try {
        return { held: true, value: await work(held.lost) };
      } finally {
        await held.release();
      }
    },
  };
}
