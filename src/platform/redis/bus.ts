import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { InvalidationBus } from '../invalidation.js';
import type { Logger } from '../logger.js';
import { guarded } from './client.js';

/**
 * The invalidation bus over Redis pub/sub: one channel, messages `{o: origin, t: topic, k: key}`.
 * The publisher runs its own handlers directly (its change must show at once even if Redis is
 * slow) and skips its own echo. Pub/sub keeps nothing for a disconnected subscriber, so when the
 * subscriber connection comes back every handler gets `null`: drop everything, it may be stale.
 */
export function createRedisBus(conn: { command: Redis; subscriber: Redis }, opts: { channel?: string; log?: Logger } = {}): InvalidationBus & { ready: Promise<void> } {
  const channel = opts.channel ?? 'haven:invalidate';
  const origin = randomUUID();
  const handlers = new Map<string, Array<(key: string | null) => void>>();
  const run = (topic: string, key: string | null) => {
    for (const h of handlers.get(topic) ?? []) {
      try {
        h(key);
      } catch (err) {
        opts.log?.error({ err, topic }, 'cache invalidation handler failed');
      }
    }
  };
  const runAll = () => {
    for (const topic of handlers.keys()) run(topic, null);
  };

  conn.subscriber.on('message', (ch: string, text: string) => {
    if (ch !== channel) return;
    let m: { o?: unknown; t?: unknown; k?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return;
    }
    if (m.o === origin || typeof m.t !== 'string' || typeof m.k !== 'string') return;
    run(m.t, m.k);
  });
  // 'ready' comes again after every reconnect, and ioredis resubscribes by itself; whatever was
  // published while the subscriber was away is lost. So everything is dropped once a
  // subscription made after the reconnect is acknowledged (commands run in order, so the channel
  // is live by then). While Redis is away, what is cached stays usable for its own short life
  // (the caches' TTLs bound staleness), so logins already checked keep working.
  let connectedOnce = false;
  let wasDown = false;
  conn.subscriber.on('close', () => {
    wasDown = connectedOnce;
  });
  conn.subscriber.on('ready', () => {
    if (!wasDown) return;
    wasDown = false;
    conn.subscriber.subscribe(channel).then(runAll, () => {});
  });
  const ready = conn.subscriber.subscribe(channel).then(() => {
    connectedOnce = true;
  });

  return {
    ready,
    async publish(topic, key) {
      run(topic, key);
      // The change itself is already made (committed) when its cache is forgotten: failing the
      // request now would report a change that happened as failed. The other instances' copies
      // live out their short TTLs, and are all dropped when their own connection comes back.
      await guarded(opts.log, 'cache invalidation', () => conn.command.publish(channel, JSON.stringify({ o: origin, t: topic, k: key }))).catch(() => {});
    },
    on(topic, handler) {
      handlers.set(topic, [...(handlers.get(topic) ?? []), handler]);
    },
  };
}
