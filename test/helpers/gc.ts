import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from './eventually.js';
import type { RunningHaven } from './haven.js';

/** Bytes of every file under the data dir's blobs/ (what the disk holds for blobs). */
export function blobBytesOnDisk(dataDir: string): number {
  let total = 0;
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else total += statSync(p).size;
    }
  };
  walk(join(dataDir, 'storage', 'blobs'));
  return total;
}

export const blobFile = (dataDir: string, digest: string) => {
  const hex = digest.slice('sha256:'.length);
  return join(dataDir, 'storage', 'blobs', 'sha256', hex.slice(0, 2), hex);
};

export interface GcRun {
  id: number;
  job_status: string;
  job_parameters: string;
  /** Haven's addition: items done of the total (GC: blob rows scanned). */
  progress: { done: number; total: number; percent: number | null };
  log: string;
}

/** Runs GC now with `parameters` and waits for it to end; its history entry and log. */
export async function runGc(h: RunningHaven, parameters: Record<string, unknown>): Promise<GcRun> {
  const api = (path: string, init: RequestInit = {}) => h.adminFetch(`${h.url}/api/v2.0${path}`, { ...init, headers: { 'Content-Type': 'application/json', ...init.headers } });
  const r = await api('/system/gc/schedule', { method: 'POST', body: JSON.stringify({ schedule: { type: 'Manual' }, parameters }) });
  assert.equal(r.status, 201, await r.text());
  const id = Number(r.headers.get('location')!.split('/').pop());
  const run = await eventually(
    async () => {
      const g = (await (await api(`/system/gc/${id}`)).json()) as GcRun;
      assert.ok(['Success', 'Error', 'Stopped'].includes(g.job_status), g.job_status);
      return g;
    },
    { timeoutMs: 60_000 },
  );
  return { ...run, log: await (await api(`/system/gc/${id}/log`)).text() };
}

/** The figures of a run's log: blobs, manifests, and the exact freed bytes from the task's attrs. */
export function figures(log: string): { blobs: number; manifests: number } {
  const m = /(\d+) blobs and (\d+) manifests (?:eligible for deletion|are actually deleted)/.exec(log);
  assert.ok(m, log);
  return { blobs: Number(m[1]), manifests: Number(m[2]) };
}

