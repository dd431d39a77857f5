/**
 * Exclusive, non-blocking locks by key. An upload holds its lock from the moment a request starts
 * writing to it until that request's write, verification and commit are over, so no other request
 * can hold a handle on the file being turned into a blob. In-process; with several instances a
 * Redis implementation of the same interface takes its place.
 */
export interface KeyedLocks {
  /** The release function, or null when someone else holds the key. */
  tryAcquire(key: string): Promise<(() => Promise<void>) | null>;
}

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
