import { AppError } from '../../platform/errors.js';

export const gcVendorType = 'GARBAGE_COLLECTION';

export interface GcParams {
  delete_untagged: boolean;
  dry_run: boolean;
  workers: number;
  /** Harbor's time_window, in hours (ours may be a fraction: tests use seconds). */
  time_window: number;
}

const workersProblem = (w: unknown) => `Error: Invalid number of workers:${String(w)}. Workers must be greater than 0 and less than or equal to 10.`;

/**
 * Harbor's GC parameters (its handler/gc.go kick): delete_untagged, dry_run, workers 1..10 with
 * its messages; the time window is the server's (gc.minAge), added as Harbor adds time_window.
 * Unknown parameters are kept out, as Harbor's CleanExtraAttrs keeps its own out.
 */
export function gcParameters(minAgeMs: number) {
  return (raw: Record<string, unknown> | undefined): Record<string, unknown> => {
    const p = raw ?? {};
    for (const key of ['delete_untagged', 'dry_run'] as const) {
      if (p[key] !== undefined && typeof p[key] !== 'boolean') throw new AppError('BAD_REQUEST', `${key} should be a boolean`);
    }
    let workers = 1;
    if (p.workers !== undefined) {
      if (typeof p.workers !== 'number' || !Number.isInteger(p.workers)) throw new AppError('BAD_REQUEST', 'workers should be integer format');
      if (p.workers <= 0 || p.workers > 10) throw new AppError('BAD_REQUEST', workersProblem(p.workers));
      workers = p.workers;
    }
    const out: GcParams = { delete_untagged: p.delete_untagged === true, dry_run: p.dry_run === true, workers, time_window: minAgeMs / 3_600_000 };
    return { ...out };
  };
}

/** The parameters a task runs with (stored by the API, so already valid; defaults otherwise). */
export function readGcParams(raw: Record<string, unknown>, minAgeMs: number): GcParams {
  const w = typeof raw.workers === 'number' && raw.workers >= 1 && raw.workers <= 10 ? Math.floor(raw.workers) : 1;
  return { delete_untagged: raw.delete_untagged === true, dry_run: raw.dry_run === true, workers: w, time_window: minAgeMs / 3_600_000 };
}

/** Harbor's formatSize: IEC units, two decimals truncated. */
export function formatSize(size: number): string {
  const units: Array<[number, string]> = [
    [1024 ** 4, 'TiB'],
    [1024 ** 3, 'GiB'],
    [1024 ** 2, 'MiB'],
    [1024, 'KiB'],
  ];
  for (const [n, unit] of units) if (size >= n) return `${(Math.trunc((size / n) * 100) / 100).toFixed(2)} ${unit}`;
  return `${size} B`;
}
