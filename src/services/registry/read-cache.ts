import { LRUCache } from 'lru-cache';
import type { StoredManifest } from '../../db/manifests.js';
import type { ArtifactWriteStore } from '../../db/artifact-writes.js';
import type { InvalidationBus } from '../../platform/invalidation.js';

/**
 * The registry's hottest reads, from memory: a manifest by tag or digest and a blob's size in a
 * repository, which every pull asks for. On PostgreSQL each is a network round trip that costs
 * the instance more than the rest of the request (measured: the socket write alone was a third
 * of a manifest GET's CPU), and the database is the one part several instances share.
 *
 * Only what exists is remembered: a miss always asks the database, so a new push is seen at once.
 * What goes away (a tag moved or deleted, a manifest, blob link or repository deleted) is
 * forgotten by the writer after its commit, on every instance through the invalidation bus,
 * before the change is answered. `ttlMs` bounds what a writer outside this process (the CLI)
 * leaves stale.
 */
export interface RegistryReadCache {
  manifest(repository: string, reference: { tag: string } | { digest: string }, load: () => Promise<StoredManifest | null>): Promise<StoredManifest | null>;
  blobSize(repository: string, digest: string, load: () => Promise<number | null>): Promise<number | null>;
  forgets: RegistryForgets;
}

/** What writers call once their change has committed (async: the other instances hear first). */
export interface RegistryForgets {
  /** A repository's tags, manifests or blob links changed, or it was deleted. */
  repository(name: string): Promise<void>;
  /** Blob links went in many repositories at once (a GC sweep). */
  all(): Promise<void>;
}

interface Entry {
  repository: string;
  bytes: number;
  value: StoredManifest | number;
}

const topic = 'registry.repository';
/** Larger manifests (rare: huge indexes) are read from the database each time. */
const maxCachedManifestBytes = 256 * 1024;

export function createRegistryReadCache(bus: InvalidationBus, opts: { ttlMs?: number; maxBytes?: number } = {}): RegistryReadCache {
  /** Keys of each repository's entries, so a repository is forgotten without walking the cache. */
  const byRepository = new Map<string, Set<string>>();
  const entries = new LRUCache<string, Entry>({
    maxSize: opts.maxBytes ?? 64 * 1024 * 1024,
    sizeCalculation: (e) => e.bytes,
    ttl: opts.ttlMs ?? 5_000,
    dispose: (e, key) => {
      const keys = byRepository.get(e.repository);
      keys?.delete(key);
      if (keys?.size === 0) byRepository.delete(e.repository);
    },
  });
  /** Bumped by every forget: a read under way then may have seen what was just changed. */
  let epoch = 0;

  function forgetLocally(name: string | null): void {
    epoch++;
    if (name === null || name === '') {
      entries.clear();
      return;
    }
    // A project's forget (deleted, renamed away) names the project: its repositories go with it.
    const prefix = `${name}/`;
    for (const [repository, keys] of [...byRepository]) {
      if (repository !== name && !repository.startsWith(prefix)) continue;
      for (const key of [...keys]) entries.delete(key);
    }
  }
  bus.on(topic, forgetLocally);
  bus.on('identity.project', forgetLocally);

  async function cached<V extends StoredManifest | number>(
    repository: string,
    key: string,
    size: (v: V) => number,
    load: () => Promise<V | null>,
  ): Promise<V | null> {
    const hit = entries.get(key);
    if (hit) return hit.value as V;
    const started = epoch;
    const value = await load();
    if (value === null || started !== epoch) return value;
    const bytes = size(value);
    if (bytes > maxCachedManifestBytes) return value;
    entries.set(key, { repository, bytes, value });
    let keys = byRepository.get(repository);
    if (!keys) byRepository.set(repository, (keys = new Set()));
    keys.add(key);
    return value;
  }

  return {
    manifest: (repository, ref, load) =>
      cached<StoredManifest>(repository, `${'tag' in ref ? 't' : 'd'}\n${repository}\n${'tag' in ref ? ref.tag : ref.digest}`, (m) => m.content.length + 200, load),
    blobSize: (repository, digest, load) => cached<number>(repository, `b\n${repository}\n${digest}`, () => 200, load),
    forgets: {
      repository: (name) => bus.publish(topic, name),
      // The bus's "drop everything" is a null key, which publish cannot send: an empty name means it.
      all: () => bus.publish(topic, ''),
    },
  };
}

/** The artifact writes of the API, retention and GC, each forgetting what it changed once it committed. */
export function forgettingArtifactWrites(store: ArtifactWriteStore, forgets: RegistryForgets): ArtifactWriteStore {
  const after = async <T>(result: T, repository: string): Promise<T> => {
    await forgets.repository(repository);
    return result;
  };
  return {
    ...store,
    delete: async (repository, ref) => after(await store.delete(repository, ref), repository),
    createTag: async (repository, ref, tag, now) => after(await store.createTag(repository, ref, tag, now), repository),
    deleteTag: async (repository, ref, tag) => after(await store.deleteTag(repository, ref, tag), repository),
    copy: async (source, ref, target, now) => after(await store.copy(source, ref, target, now), target),
  };
}
