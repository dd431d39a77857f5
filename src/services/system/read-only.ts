/**
 * Whether the system is in read-only mode (Harbor's `read_only` configuration), as a cached
 * answer: the write path asks on every request, and the database is asked at most once per
 * `ttlMs`. Instances sharing a database see another's change within that time; this instance's
 * own change is seen at once (`forget`).
 */
export function createReadOnlySwitch(read: () => Promise<boolean>, ttlMs = 2000) {
  let value = false;
  let readAt = Number.NEGATIVE_INFINITY;
  let pending: Promise<boolean> | null = null;

  return {
    async isOn(now = Date.now()): Promise<boolean> {
      if (now - readAt < ttlMs) return value;
      // One read at a time, however many writes arrive while it runs.
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

export type ReadOnlySwitch = ReturnType<typeof createReadOnlySwitch>;
