/**
 * On PostgreSQL an outbox id is taken from a sequence when the row is inserted, not when its
 * transaction commits: a push holding id 100 may commit after one holding 101. A consumer that
 * read 101 and moved its cursor past it would never see 100. So the consumer reads only the
 * events up to the first gap in the ids after its cursor; a gap that lasts `waitMs` is taken for
 * what most gaps are (a rolled-back or retried transaction's id, never to be filled) and passed.
 * SQLite has one writer at a time, so its ids commit in order and it needs none of this.
 */
export function createGapTracker(waitMs: number) {
  /** The first missing id of each open gap, and when it was first seen. */
  const seen = new Map<number, number>();
  return {
    /** Of `ids` (ascending, all above `cursor`), how many leading ones may be consumed now. */
    consumable(cursor: number, ids: readonly number[], now: number): number {
      let expected = cursor + 1;
      let n = 0;
      for (const id of ids) {
        if (id > expected) {
          const since = seen.get(expected);
          if (since === undefined) seen.set(expected, now);
          if (since === undefined || now - since < waitMs) break;
        }
        expected = id + 1;
        n++;
      }
      return n;
    },
    /** Forgets the gaps at or below the new cursor. */
    passed(cursor: number): void {
      for (const id of seen.keys()) if (id <= cursor) seen.delete(id);
    },
    /** Open gaps (tests). */
    open: () => seen.size,
  };
}

export type GapTracker = ReturnType<typeof createGapTracker>;
