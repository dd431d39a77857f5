import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from './eventually.js';
import { havenSql } from './haven-db.js';
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

/**
 * `n` garbage blobs, three hours old, written straight into the database and the data dir (a
 * push of each would take minutes): rows of one byte with their one-byte files. Their digests.
 */
export async function seedGarbage(h: RunningHaven, n: number): Promise<string[]> {
  const old = Date.now() - 3 * 3_600_000;
  const digests = Array.from({ length: n }, () => `sha256:${randomBytes(32).toString('hex')}`);
  for (let i = 0; i < n; i += 500) {
    const chunk = digests.slice(i, i + 500);
    await havenSql(h, `insert into blobs (digest, size, created_at) values ${chunk.map(() => '(?, 1, ?)').join(', ')}`, chunk.flatMap((d) => [d, old]));
  }
  for (const d of digests) {
    const f = blobFile(h.dataDir, d);
    mkdirSync(join(f, '..'), { recursive: true });
    writeFileSync(f, 'x');
  }
  return digests;
}

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

