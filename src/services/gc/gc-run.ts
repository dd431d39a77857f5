import { blobPath } from '../../content/blob-content.js';
import type { ArtifactWriteStore } from '../../db/artifact-writes.js';
import type { GcArtifact, GcBlob, GcStore } from '../../db/gc.js';
import type { JobContext, JobHandler } from '../../jobs/job-service.js';
import type { AuditLog } from '../audit/audit-log.js';
import { runAsOperator } from '../../events/event-context.js';
import { scheduleOperator } from '../jobs/system-job.js';
import type { BlobDriver } from '../../storage/blob-driver.js';
import { formatSize, gcVendorType, readGcParams, type GcParams } from './gc-params.js';

export interface GcDeps {
  gc: GcStore;
  artifacts: Pick<ArtifactWriteStore, 'delete'>;
  /** Where delete_untagged's artifact deletes are audited, as the API's are (Harbor's GC audits none). */
  audit: Pick<AuditLog, 'record'>;
  driver: BlobDriver;
  /** Harbor's check-in: the figures also go to the execution's extra_attrs (its history's job_parameters). */
  checkIn(executionId: number, values: Record<string, unknown>): Promise<void>;
  minAgeMs: number;
  /** A mark older than this is another sweep's that died; a sweep never acts on its own past half of it. */
  markTimeoutMs: number;
  /** Blobs marked and swept at once. */
  batch?: number;
  now?: () => number;
}

/** What a run freed (or, dry, would free). */
export interface GcResult {
  blobs: number;
  manifests: number;
  bytes: number;
}

/** The share of a scan page's time the sweep then leaves to everything else. */
const breathShare = 0.2;

const pathDigest = /^blobs\/(sha256|sha512)\/[0-9a-f]{2}\/([0-9a-f]{64}|[0-9a-f]{128})$/;

/** The digest a stored object's path names, or null for anything else under blobs/. */
function digestOfPath(path: string): string | null {
  const m = pathDigest.exec(path);
  return m ? `${m[1]}:${m[2]}` : null;
}

class Stopped extends Error {
  constructor() {
    super('garbage collection stopped');
  }
}

/**
 * One garbage collection, marked from the database, swept in batches while pushes go on:
 * 1. marks a dead sweep left behind are taken over and finished (bytes, then rows);
 * 2. delete_untagged: untagged artifacts older than the window, through the API's artifact delete
 *    (quota released, accessories and orphaned index children with them);
 * 3. garbage blobs, in digest order: marked (the optimistic lock, see GcStore.mark), their bytes
 *    deleted by `workers` in parallel (or one batch delete on S3), then their rows;
 * 4. objects under blobs/ with no row at all, older than the window (a crash between bytes and row).
 * A dry run marks nothing and reports what 2-4 would free.
 */
export async function runGc(deps: GcDeps, p: GcParams, ctx: Pick<JobContext, 'signal' | 'log' | 'progress' | 'attrs' | 'params' | 'executionId'>): Promise<GcResult> {
  // Who the deletes are audited as: the caller of a run now, "system" for a schedule.
  const operator = gcOperator(ctx.params);
  const now = deps.now ?? Date.now;
  const batch = deps.batch ?? 1000;
  const scanPage = 1000;
  const cutoff = now() - deps.minAgeMs;
  const result: GcResult = { blobs: 0, manifests: 0, bytes: 0 };
  // Harbor's names (its saveGCRes), in the task's attributes and the execution's.
  const figures = () => ({ freed_space: result.bytes, purged_blobs: result.blobs, purged_manifests: result.manifests });
  const checkStop = () => {
    if (ctx.signal.aborted) throw new Stopped();
  };

  /** Deletes the bytes of blobs this sweep marked with `stamp`, then their rows. */
  async function sweep(blobs: GcBlob[], stamp: number): Promise<void> {
    if (blobs.length === 0) return;
    if (ctx.signal.aborted || now() - stamp > deps.markTimeoutMs / 2) {
      // Not one byte deleted: the marks are given back (a push may take them over by now anyway).
      await deps.gc.unmark(blobs.map((b) => b.digest), stamp);
      checkStop();
      return;
    }
    const paths = blobs.map((b) => blobPath(b.digest));
    if (deps.driver.deleteMany) await deps.driver.deleteMany(paths, 2 * p.workers);
    else {
      let next = 0;
      const worker = async () => {
        while (next < paths.length) await deps.driver.delete(paths[next++]!);
      };
      await Promise.all(Array.from({ length: Math.min(p.workers, paths.length) }, worker));
    }
    // Rows only after their bytes: a crash in between leaves marked rows the next run finishes.
    await deps.gc.finish(blobs.map((b) => b.digest), stamp);
    result.blobs += blobs.length;
    for (const b of blobs) result.bytes += b.size;
  }

  ctx.log(`Garbage Collection parameters: [delete_untagged: ${p.delete_untagged}, dry_run: ${p.dry_run}, time_window: ${p.time_window}, workers: ${p.workers}]`);
  ctx.log('start to run gc in job.');
  try {
    // 1. What a sweep that died left marked.
    if (!p.dry_run) {
      for (;;) {
        checkStop();
        const left = await deps.gc.leftMarked(now() - deps.markTimeoutMs, batch);
        if (left.length === 0) break;
        const stamp = now();
        const mine = await deps.gc.retake(left.map((b) => b.digest), now() - deps.markTimeoutMs, stamp);
        if (mine.length > 0) ctx.log(`finishing ${mine.length} blobs an interrupted garbage collection had marked`);
        await sweep(mine, stamp);
        if (mine.length === 0) break;
      }
    }

    // 2. Untagged artifacts (a dry run notes them, and counts below what their deletes free).
    const untagged: GcArtifact[] = [];
    if (p.delete_untagged) {
      let after = 0;
      for (;;) {
        checkStop();
        const arts = await deps.gc.untagged(after, cutoff, 200);
        if (arts.length === 0) break;
        after = arts[arts.length - 1]!.id;
        for (const a of arts) {
          if (p.dry_run) {
            result.manifests++;
            untagged.push(a);
            continue;
          }
          // The API's delete: refused if an index listed it or a tag appeared meanwhile (then kept).
          const r = await deps.artifacts.delete(a.repository, { digest: a.digest }).catch(() => ({ kind: 'failed' as const }));
          if (r.kind === 'deleted') {
            result.manifests++;
            deps.audit.record({ projectId: a.projectId, operation: 'delete', resourceType: 'artifact', resource: `${a.repository}:${a.digest}`, username: operator, clientIp: '', success: true });
            ctx.log(`delete the untagged artifact: RepositoryName(${a.repository})-Digest:(${a.digest})`);
          }
        }
      }
    }

    if (untagged.length > 0) {
      // Referenced today, so the scan below does not count them: the real run finds them there.
      const freed = await deps.gc.freedByDeleting(untagged, cutoff);
      let bytes = 0;
      for (const b of freed) bytes += b.size;
      result.blobs += freed.length;
      result.bytes += bytes;
      ctx.log(`${untagged.length} untagged artifacts eligible for deletion, which would free ${freed.length} blobs (${formatSize(bytes)})`);
    }

    // 3. Garbage blobs: every row in digest order, in bounded pages; the garbage of each page is
    // marked (re-checked in the mark's transaction) and swept before the next page is read.
    const rows = await deps.gc.rowCount();
    ctx.progress(0, rows);
    let after = '';
    let scanned = 0;
    let found = 0;
    let foundBytes = 0;
    for (;;) {
      checkStop();
      const pageStarted = performance.now();
      const page = await deps.gc.scan(after, cutoff, scanPage);
      if (page.last === null) break;
      after = page.last;
      scanned += page.scanned;
      found += page.garbage.length;
      for (const g of page.garbage) foundBytes += g.size;
      if (p.dry_run) {
        result.blobs += page.garbage.length;
        for (const g of page.garbage) result.bytes += g.size;
      } else {
        for (let i = 0; i < page.garbage.length; i += batch) {
          const stamp = now();
          await sweep(await deps.gc.mark(page.garbage.slice(i, i + batch).map((c) => c.digest), cutoff, stamp), stamp);
        }
      }
      ctx.progress(Math.min(scanned, rows), Math.max(rows, scanned));
      // A breath between pages, a fifth of the page's time: on two cores the sweep otherwise
      // takes the CPU the pushes beside it need (they slowed by 31 % without it, 26 % with it,
      // for 15 % more GC time; bench workload gc, docs/benchmarks.md).
      await new Promise((r) => setTimeout(r, (performance.now() - pageStarted) * breathShare));
    }
    ctx.log(`${scanned} blob rows scanned, ${found} of them unreferenced and older than the window (${formatSize(foundBytes)})`);

    // 4. Objects with no row.
    ctx.log('looking for stored objects that have no blob row');
    let pending: GcBlob[] = [];
    const orphans = async () => {
      const found = await deps.gc.existing(pending.map((o) => o.digest));
      const rowless = pending.filter((o) => !found.has(o.digest));
      pending = [];
      if (rowless.length === 0) return;
      if (p.dry_run) {
        result.blobs += rowless.length;
        for (const o of rowless) result.bytes += o.size;
        return;
      }
      const stamp = now();
      await sweep(await deps.gc.markOrphans(rowless, stamp), stamp);
    };
    for await (const o of deps.driver.list('blobs')) {
      const digest = digestOfPath(o.path);
      if (digest === null || o.modified >= cutoff) continue;
      pending.push({ digest, size: o.size });
      if (pending.length >= batch) {
        checkStop();
        await orphans();
      }
    }
    await orphans();
  } catch (err) {
    ctx.attrs(figures());
    await deps.checkIn(ctx.executionId, figures()).catch(() => {});
    if (err instanceof Stopped) ctx.log(`garbage collection stopped: ${result.blobs} blobs and ${result.manifests} manifests deleted so far, ${formatSize(result.bytes)} freed`);
    throw err;
  }

  if (p.dry_run) {
    ctx.log(`${result.blobs} blobs and ${result.manifests} manifests eligible for deletion`);
    ctx.log(`The GC could free up ${formatSize(result.bytes)} space, the size is a rough estimation.`);
  } else {
    ctx.log(`${result.blobs} blobs and ${result.manifests} manifests are actually deleted`);
    ctx.log(`The GC job actual frees up ${formatSize(result.bytes)} space.`);
  }
  ctx.attrs({ ...figures(), dry_run: p.dry_run });
  await deps.checkIn(ctx.executionId, figures());
  ctx.log('success to run gc in job.');
  return result;
}

const gcOperator = (params: Record<string, unknown>) => (typeof params.operator === 'string' && params.operator !== '' ? params.operator : scheduleOperator);

/** The job: one task per run, one run at a time per instance. */
export function gcHandler(deps: GcDeps): JobHandler {
  return {
    type: gcVendorType,
    concurrency: 1,
    // Besides one execution at a time (the API's 409), one task on the whole cluster.
    alone: true,
    async run(ctx) {
      // delete_untagged's artifact events name whom its audit records name.
      await runAsOperator(gcOperator(ctx.params), () => runGc(deps, readGcParams(ctx.params, deps.minAgeMs), ctx));
    },
  };
}
