/** What long-running work reports to; the code doing the work knows nothing of terminals. */
export interface Progress {
  /**
   * Starts a phase of `total` units (bytes when `bytes`), ending the previous one. `count` adds a
   * second tally shown beside it (e.g. blobs beside their bytes), advanced by advance's `items`.
   */
  phase(label: string, total: number, opts?: { bytes?: boolean; count?: { total: number; noun: string } }): void;
  advance(units: number, items?: number): void;
  /** Ends the current phase (reports its last state). */
  done(): void;
}

export const silentProgress: Progress = { phase() {}, advance() {}, done() {} };
