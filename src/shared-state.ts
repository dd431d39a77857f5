import { createLoginThrottle, type LoginThrottle } from './auth/login-throttle.js';
import { createRedisLoginThrottle } from './auth/redis-login-throttle.js';
import type { HavenConfig } from './config/schema.js';
import { createLocalBus, type InvalidationBus } from './platform/invalidation.js';
import { createLocalLocks, type KeyedLocks } from './platform/keyed-lock.js';
import { createLocalLeases, type Leases } from './platform/leader-lease.js';
import type { Logger } from './platform/logger.js';
import { createRedisBus } from './platform/redis/bus.js';
import { connectRedis } from './platform/redis/client.js';
import { createRedisLeases, createRedisLocks, createRedisMutex } from './platform/redis/locks.js';

/**
 * What instances serving one registry must share beyond the database: login throttle counts,
 * upload locks, leader leases and cache invalidation. In Redis when `redis.url` is set, else the
 * in-process versions (one instance).
 */
export interface SharedState {
  locks: KeyedLocks;
  throttle: LoginThrottle;
  bus: InvalidationBus;
  leases: Leases;
  /** The health components this adds: `{ redis: null | error }` with Redis, none without. */
  health(): Promise<Record<string, string | null>>;
  close(): Promise<void>;
}

export async function createSharedState(config: HavenConfig['redis'], log?: Logger): Promise<SharedState> {
  if (config.url === '') {
    return { locks: createLocalLocks(), throttle: createLoginThrottle(), bus: createLocalBus(), leases: createLocalLeases(), health: async () => ({}), close: async () => {} };
  }
  const conn = await connectRedis(config.url, log);
  const mutex = createRedisMutex(conn.command, { log });
  // Keys are per database (the URL's /db), pub/sub channels are server-wide: name the database in
  // the channel, so registries sharing one Redis server on different databases stay apart.
  const bus = createRedisBus(conn, { log, channel: `haven:invalidate:${conn.command.options.db ?? 0}` });
  try {
    await bus.ready;
  } catch (err) {
    await conn.close();
    throw err;
  }
  return {
    locks: createRedisLocks(mutex),
    throttle: createRedisLoginThrottle(conn.command, { log }),
    bus,
    leases: createRedisLeases(mutex),
    health: async () => ({ redis: await conn.health() }),
    close: () => conn.close(),
  };
}
