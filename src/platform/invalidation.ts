/**
 * Tells every instance that something cached from the database changed, so each drops its copy
 * at once (a disabled robot or changed password bites everywhere, not after a TTL). In-process
 * here, where the only instance is this one; the Redis implementation (platform/redis/bus.ts)
 * carries the same calls to every instance over pub/sub.
 */
export interface InvalidationBus {
  /**
   * Runs `topic`'s handlers with `key` here at once and on every other instance. Resolves once
   * the message is sent, or found unsendable (logged; it never fails the change it reports: the
   * other instances' copies then live out their TTL, and are dropped when they reconnect).
   */
  publish(topic: string, key: string): Promise<void>;
  /**
   * `handler(key)` for each publish on `topic`, from any instance; `handler(null)` when messages
   * may have been missed (the connection to the others was lost), meaning "drop everything".
   */
  on(topic: string, handler: (key: string | null) => void): void;
}

export function createLocalBus(): InvalidationBus {
  const handlers = new Map<string, Array<(key: string | null) => void>>();
  return {
    async publish(topic, key) {
      for (const h of handlers.get(topic) ?? []) h(key);
    },
    on(topic, handler) {
      handlers.set(topic, [...(handlers.get(topic) ?? []), handler]);
    },
  };
}
