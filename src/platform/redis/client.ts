import { Redis, type RedisOptions } from 'ioredis';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { redactUrl, StartupProblem } from '../startup-problem.js';

/**
 * The connections to Redis: `command` for everything, `subscriber` for pub/sub (a subscribed
 * connection can do nothing else). Both fail fast while Redis is away (no offline queue, a
 * command timeout), so a request needing Redis gets a 503 at once instead of hanging, and both
 * reconnect by themselves forever, so everything recovers when Redis returns.
 */
export interface RedisConnection {
  command: Redis;
  subscriber: Redis;
  /** Null when Redis answers a PING, else why not (for /api/v2.0/health). */
  health(): Promise<string | null>;
  close(): Promise<void>;
}

/** How long a command may take before the caller gets a 503; Redis answers in well under 1 ms. */
const commandTimeoutMs = 2000;

/** Any failure of a Redis command, as what a client is told: the service is unavailable for now. */
export function unavailable(): AppError {
  return new AppError('UNAVAILABLE', 'the shared state service (Redis) is unavailable, try again later', { headers: { 'Retry-After': '1' } });
}

/** When a failed command was last logged: an outage under load must not write a line per request. */
let lastLogged = 0;

/** Runs a Redis command; a failure becomes a 503 (logged at most every 10 s: it is an outage, not a bug in the request). */
export async function guarded<T>(log: Logger | undefined, what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const now = Date.now();
    if (now - lastLogged >= 10_000) {
      lastLogged = now;
      log?.warn({ err: (err as Error).message, what }, 'redis command failed; answering 503 while it lasts');
    }
    throw unavailable();
  }
}

/**
 * Connects both clients and checks the server answers (and the password is right), or throws
 * StartupProblem naming `redis.url`. After that first success the clients retry forever.
 */
export async function connectRedis(url: string, log?: Logger): Promise<RedisConnection> {
  let started = false;
  let lastError = '';
  const options: RedisOptions = {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutMs,
    connectTimeout: 3000,
    // Before the first success a failure is final (start-up reports it); afterwards retry, at most once a second.
    retryStrategy: (times) => (started ? Math.min(50 * times, 1000) : null),
    // Each reconnect is logged once by the 'error' listener below; never crash on an unhandled one.
    reconnectOnError: () => false,
  };
  const where = redactUrl(url);
  const make = (): Redis => {
    let c: Redis;
    try {
      c = new Redis(url, options);
    } catch (err) {
      throw new StartupProblem('redis.url', (err as Error).message);
    }
    let down = false;
    c.on('error', (err: Error) => {
      lastError = err.message || (err as NodeJS.ErrnoException).code || String(err);
      if (started && !down) log?.warn({ err: lastError, redis: where }, 'lost the connection to redis; retrying');
      down = true;
    });
    c.on('ready', () => {
      if (down && started) log?.info({ redis: where }, 'reconnected to redis');
      down = false;
    });
    return c;
  };
  const command = make();
  const subscriber = make();
  try {
    await command.connect();
    await command.ping();
    // ioredis selects the URL's database on connect but goes on with database 0 if that fails
    // (an index out of range): ask again, so a wrong /db stops start-up instead.
    if (command.options.db) await command.select(command.options.db);
    await subscriber.connect();
  } catch (err) {
    command.disconnect();
    subscriber.disconnect();
    const reason = lastError || (err as Error).message;
    throw new StartupProblem('redis.url', `cannot use Redis at ${where}: ${reason}`);
  }
  started = true;
  return {
    command,
    subscriber,
    async health() {
      try {
        await command.ping();
        return null;
      } catch (err) {
        return `redis: ${(err as Error).message}`;
      }
    },
    async close() {
      await Promise.allSettled([command.quit(), subscriber.quit()]);
      command.disconnect();
      subscriber.disconnect();
    },
  };
}
