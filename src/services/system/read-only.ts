/**
 * A setting read from the database as a cached answer: asked on every request (the write path's
 * read-only check, each token's lifetime), the database is asked at most once per `ttlMs`.
 * Instances sharing a database see another's change within that time; this instance's own change
 * is seen at once (`forget`).
 */
export function createCachedSetting<T>(read: () => Promise<T>, initial: T, ttlMs = 2000) {
  let value = initial;
  let readAt = Number.NEGATIVE_INFINITY;
  let pending: Promise<T> | null = null;

  return {
    async get(now = Date.now()): Promise<T> {
      if (now - readAt < ttlMs) return value;
      // One read at a time, however many requests arrive while it runs.
      pending ??= read()
        .then((v) => {
          value = v;
          readAt = Date.now();
          return v;
        })
        .finally(() => {
          pending = null;
        });
      return pending;
    },

    forget(): void {
      readAt = Number.NEGATIVE_INFINITY;
    },
  };
}

/** Whether the system is in read-only mode (Harbor's `read_only` configuration), cached as above. */
export function createReadOnlySwitch(read: () => Promise<boolean>, ttlMs = 2000) {
  const setting = createCachedSetting(read, false, ttlMs);
  return { isOn: setting.get, forget: setting.forget };
}

export type ReadOnlySwitch = ReturnType<typeof createReadOnlySwitch>;
