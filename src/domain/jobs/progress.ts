/** How far a run got, as the API shows it beside Harbor's fields. */
export interface Progress {
  /** Items done (blobs scanned, artifacts deleted, audit rows purged). */
  done: number;
  /** Items to do; 0 while the run does not know yet, or never will (the purge counts as it goes). */
  total: number;
  /** done of total in whole per cent, 100 once the run succeeded; null while the total is unknown. */
  percent: number | null;
}

export function progressOf(done: number, total: number, status: string): Progress {
  if (status === 'Success') return { done, total, percent: 100 };
  // A run that counts past its estimate (GC's scan, when rows arrive meanwhile) stays below 100 until it ends.
  const percent = total > 0 ? Math.min(99, Math.floor((done * 100) / total)) : null;
  return { done, total, percent };
}
