/**
 * Exclusive, non-blocking locks by key. An upload holds its lock from the moment a request starts
 * writing to it until that request's write, verification and commit are over, so no other request
 * can hold a handle on the file being turned into a blob. In-process; with several instances a
 * Redis implementation of the same interface takes its place.
 */
export interface KeyedLocks {
  /** The release function, or null when someone else holds the key. */
  tryAcquire(key: string): Promise<HeldKey | null>;
}

/**
 * Releases a held key. `lost` (shared locks only) aborts when the lock can no longer be vouched
 * for (its store was out of reach past its TTL): another instance may hold it by then, so the
 * holder must stop writing and commit nothing.
 */
export type HeldKey = (() => Promise<void>) & { lost?: AbortSignal };

export function createLocalLocks(): KeyedLocks {
  const held = new Set<string>();
  return {
    async tryAcquire(key) {
      if (held.has(key)) return null;
      held.add(key);
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        held.delete(key);
      };
    },
  };
}
