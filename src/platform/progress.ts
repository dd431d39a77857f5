/** What long-running work reports to; the code doing the work knows nothing of terminals. */
export interface Progress {
  /** Starts a phase of `total` units (bytes when `bytes`), ending the previous one. */
  phase(label: string, total: number, opts?: { bytes?: boolean }): void;
  advance(units: number): void;
  /** Ends the current phase (reports its last state). */
  done(): void;
}

export const silentProgress: Progress = { phase() {}, advance() {}, done() {} };
