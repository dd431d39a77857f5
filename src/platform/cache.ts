import { LRUCache } from 'lru-cache';

/**
 * A bounded key-value cache: at most `max` entries (least recently used go first), each living at
 * most `ttlMs`. Synchronous, because the in-process caches sit on hot paths (a token check on
 * every /v2 request); state that instances must share sits behind async interfaces of its own
 * (login throttle, credential forgetting), which a Redis implementation can back.
 */
export interface Cache<K, V> {
  get(key: K): V | undefined;
  /** `ttlMs` overrides the cache's default for this entry (e.g. a token's remaining life). */
  set(key: K, value: V, ttlMs?: number): void;
  delete(key: K): void;
  /** Drops every entry the predicate holds for. Walks the whole cache: for rare invalidations only. */
  deleteWhere(predicate: (value: V, key: K) => boolean): void;
  clear(): void;
  readonly size: number;
}

export interface MemoryCacheOptions {
  max: number;
  /** 0 or absent: entries live until pushed out by newer ones. */
  ttlMs?: number;
  /** Milliseconds clock for TTLs (tests); default performance.now. */
  now?: () => number;
}

export function createMemoryCache<K extends {}, V extends {}>(opts: MemoryCacheOptions): Cache<K, V> {
  const now = opts.now;
  const lru = new LRUCache<K, V>({ max: opts.max, ttl: opts.ttlMs ?? 0, ...(now ? { perf: { now }, ttlResolution: 0 } : {}) });
  return {
    get: (key) => lru.get(key),
    set(key, value, ttlMs) {
      if (ttlMs !== undefined && ttlMs <= 0) lru.delete(key);
      else lru.set(key, value, ttlMs === undefined ? undefined : { ttl: ttlMs });
    },
    delete(key) {
      lru.delete(key);
    },
    deleteWhere(predicate) {
      const doomed: K[] = [];
      for (const [k, v] of lru.entries()) if (predicate(v, k)) doomed.push(k);
      for (const k of doomed) lru.delete(k);
    },
    clear: () => lru.clear(),
    get size() {
      return lru.size;
    },
  };
}
