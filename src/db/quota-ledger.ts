import { sql } from 'kysely';
import { crossesWarning, fits, overflowMessage, unlimited, warningMessage } from '../domain/quota/quota-math.js';
import { AppError } from '../platform/errors.js';
import { eventOrigin } from '../events/event-context.js';
import type { Db } from './database.js';
import { writeEvent } from './event-outbox.js';
import { prepared } from './sql-helpers.js';

/**
 * Storage quota accounting, run inside the transactions that add and remove manifest rows, so
 * usage can never drift from what the project's manifests reference. `project_blobs` holds each
 * distinct digest (manifest, config, layer) a project's manifest rows are or reference, with how
 * many rows do; usage is the sum of their sizes, so a layer shared by ten repositories counts
 * once, as in Harbor.
 *
 * Concurrency: the ledger rows are upserted in digest order and the quota row is updated last,
 * by one conditional UPDATE (`used + delta <= hard`), so concurrent pushes into one project
 * cannot together exceed the limit, and on PostgreSQL they take their locks in one order.
 * SQLite runs one writer at a time.
 */

/** What a refused push (or blob) was: the QUOTA_EXCEED event written after the rollback. */
export interface QuotaRefusal {
  projectId: number;
  project: string;
  repository: string;
  digest: string;
  used: number;
  hard: number;
  delta: number;
  /** The tag a manifest PUT by tag pushed (Harbor's quota events name it); absent otherwise. */
  tag?: string | undefined;
}

/** Harbor's refusal: 403 DENIED with its ResourceOverflow message, which clients print. */
export class QuotaExceededError extends AppError {
  constructor(readonly refusal: QuotaRefusal) {
    super('DENIED', overflowMessage(refusal.hard, refusal.used, refusal.used + refusal.delta));
  }
}

const num = (v: unknown) => Number(v ?? 0);

async function projectOfRepository(tx: Db, repositoryId: number): Promise<number | null> {
  const row = await tx.selectFrom('repositories').select('project_id').where('id', '=', repositoryId).executeTakeFirst();
  return row?.project_id ?? null;
}

/**
 * Adds `delta` bytes to the project's usage if they fit; returns usage before and after, or
 * null when they do not fit (nothing changed). A project without a quota row (none should be
 * left) gets an unlimited one counted from its ledger.
 */
async function addUsage(tx: Db, projectId: number, delta: number, now: number): Promise<{ before: number; after: number; hard: number } | null> {
  const row = await tx
    .updateTable('quotas')
    .set({ used_storage: sql`used_storage + ${delta}`, updated_at: now })
    .where('project_id', '=', projectId)
    .where((eb) => eb.or([eb('hard_storage', '<', 0), eb(sql`used_storage + ${delta}`, '<=', eb.ref('hard_storage'))]))
    .returning(['used_storage', 'hard_storage'])
    .executeTakeFirst();
  if (row) return { before: num(row.used_storage) - delta, after: num(row.used_storage), hard: num(row.hard_storage) };
  const existing = await tx.selectFrom('quotas').select('id').where('project_id', '=', projectId).executeTakeFirst();
  if (existing) return null;
  const used = await ledgerTotal(tx, projectId);
  await tx.insertInto('quotas').values({ project_id: projectId, hard_storage: unlimited, used_storage: used, created_at: now, updated_at: now }).execute();
  return { before: used - delta, after: used, hard: unlimited };
}

async function ledgerTotal(tx: Db, projectId: number): Promise<number> {
  const r = await tx
    .selectFrom('project_blobs')
    .select((eb) => eb.fn.sum<number>('size').as('n'))
    .where('project_id', '=', projectId)
    .executeTakeFirst();
  return num(r?.n);
}

async function refusal(tx: Db, projectId: number, repositoryId: number, manifestId: number, delta: number): Promise<QuotaRefusal> {
  const q = await tx
    .selectFrom('quotas as q')
    .innerJoin('projects as p', 'p.id', 'q.project_id')
    .select(['q.used_storage', 'q.hard_storage', 'p.name'])
    .where('q.project_id', '=', projectId)
    .executeTakeFirstOrThrow();
  const r = await tx.selectFrom('repositories').select('name').where('id', '=', repositoryId).executeTakeFirstOrThrow();
  const m = await tx.selectFrom('manifests').select('digest').where('id', '=', manifestId).executeTakeFirstOrThrow();
  return { projectId, project: q.name, repository: r.name, digest: m.digest, used: num(q.used_storage), hard: num(q.hard_storage), delta };
}

/** The QUOTA_* payload (events/domain-events.ts QuotaEventPayload), with who pushed (Harbor's operator). */
function eventPayload(r: Omit<QuotaRefusal, 'delta'>, message: string) {
  return { ...eventOrigin(), project: { id: r.projectId, name: r.project }, repository: r.repository, digest: r.digest, ...(r.tag ? { tag: r.tag } : {}), usage: r.used, hard: r.hard, message };
}

/**
 * Charges a NEW manifest row (called by manifests.put after its references are inserted, in
 * its transaction): every digest it is or references that the project did not hold yet adds its
 * size. Throws QuotaExceededError when that would pass the hard limit, so the whole push rolls
 * back. Writes QUOTA_WARNING in the same transaction when usage reaches 85 %.
 */
export async function chargeManifest(tx: Db, repositoryId: number, manifestId: number, now: number, tag: string | null = null, knownProjectId?: number | null): Promise<void> {
  const projectId = knownProjectId !== undefined ? knownProjectId : await projectOfRepository(tx, repositoryId);
  if (projectId === null) return;
  // `where true` keeps SQLite from reading ON CONFLICT as a join constraint; digest order keeps
  // PostgreSQL's row locks in one order across concurrent pushes.
  const { rows } = await sql<{ refs: number; size: number }>`
    insert into project_blobs (project_id, digest, size, refs)
    select cast(${projectId} as integer), t.digest, max(t.size), 1 from (
      select m.digest as digest, m.size as size from manifests m where m.id = ${manifestId}
      union all
      select ref.digest, b.size from manifest_references ref join blobs b on b.digest = ref.digest
        where ref.manifest_id = ${manifestId} and ref.kind = 'blob'
    ) t where true group by t.digest order by t.digest
    on conflict (project_id, digest) do update set refs = project_blobs.refs + 1
    returning refs, size`.execute(tx);
  let delta = 0;
  for (const r of rows) if (num(r.refs) === 1) delta += num(r.size);
  if (delta === 0) return;
  const usage = await addUsage(tx, projectId, delta, now);
  const named = tag !== null ? { tag } : {};
  if (!usage) throw new QuotaExceededError({ ...(await refusal(tx, projectId, repositoryId, manifestId, delta)), ...named });
  if (crossesWarning(usage.hard, usage.before, usage.after)) {
    const r = { ...(await refusal(tx, projectId, repositoryId, manifestId, 0)), ...named };
    await writeEvent(tx, 'QUOTA_WARNING', projectId, eventPayload({ ...r, used: usage.after }, warningMessage(usage.hard, usage.after)), now);
  }
}

/** Digest -> how many of the manifest rows `ids` are or reference it (as chargeManifest counted). */
async function digestsOf(tx: Db, ids: number[]): Promise<Map<string, number>> {
  const { rows } = await sql<{ digest: string; n: number }>`
    select t.digest as digest, count(*) as n from (
      select m.digest as digest from manifests m where m.id in (${sql.join(ids)})
      union all
      select ref.digest from manifest_references ref join blobs b on b.digest = ref.digest
        where ref.manifest_id in (${sql.join(ids)}) and ref.kind = 'blob'
    ) t group by t.digest`.execute(tx);
  return new Map(rows.map((r) => [r.digest, num(r.n)]));
}

/** Called before the manifest rows are deleted, in the same transaction. */
export async function releaseManifests(tx: Db, repositoryId: number, manifestIds: number[], now: number): Promise<void> {
  if (manifestIds.length === 0) return;
  const projectId = await projectOfRepository(tx, repositoryId);
  if (projectId === null) return;
  const counts = await digestsOf(tx, manifestIds);
  const byCount = new Map<number, string[]>();
  for (const [digest, n] of counts) byCount.set(n, [...(byCount.get(n) ?? []), digest]);
  let freed = 0;
  for (const [n, digests] of [...byCount].sort((a, b) => a[0] - b[0])) {
    for (let i = 0; i < digests.length; i += 500) {
      const chunk = digests.slice(i, i + 500).sort();
      await tx
        .updateTable('project_blobs')
        .set({ refs: sql`refs - ${n}` })
        .where('project_id', '=', projectId)
        .where('digest', 'in', chunk)
        .execute();
      const gone = await tx
        .deleteFrom('project_blobs')
        .where('project_id', '=', projectId)
        .where('digest', 'in', chunk)
        .where('refs', '<=', 0)
        .returning('size')
        .execute();
      for (const g of gone) freed += num(g.size);
    }
  }
  if (freed > 0) {
    await tx
      .updateTable('quotas')
      .set({ used_storage: sql`used_storage - ${freed}`, updated_at: now })
      .where('project_id', '=', projectId)
      .execute();
  }
}

/**
 * Pre-check of a blob about to be linked into `repository` (upload completion, mount): refused
 * when the project does not hold the digest yet and its size would pass the hard limit. Not a
 * reservation; the manifest PUT is the authoritative check.
 */
export function blobFitsCheck(db: Db) {
  // Asked at every blob completion: a named statement on PostgreSQL.
  const quotaOf = prepared(db, (q, project: string, digest: string) =>
    q
      .selectFrom('quotas as q')
      .innerJoin('projects as p', 'p.id', 'q.project_id')
      .select((eb) => [
        'q.project_id',
        'q.used_storage',
        'q.hard_storage',
        eb.exists(eb.selectFrom('project_blobs as pb').select('pb.digest').whereRef('pb.project_id', '=', 'q.project_id').where('pb.digest', '=', digest)).as('held'),
      ])
      .where('p.name', '=', project),
  );
  return async (project: string, repository: string, digest: string, size: number): Promise<void> => {
    const [q] = await quotaOf(db, project, digest);
    if (!q || Boolean(q.held) || fits(num(q.hard_storage), num(q.used_storage), size)) return;
    const err = new QuotaExceededError({ projectId: q.project_id, project, repository, digest, used: num(q.used_storage), hard: num(q.hard_storage), delta: size });
    await recordExceeded(db, err);
    throw err;
  };
}

/** Writes the QUOTA_EXCEED event of a refused push, in its own small transaction. */
export async function recordExceeded(db: Db, err: QuotaExceededError, now = Date.now()): Promise<void> {
  const r = err.refusal;
  await writeEvent(db, 'QUOTA_EXCEED', r.projectId, eventPayload(r, err.message), now);
}

/** For a push transaction's `.catch`: records the QUOTA_EXCEED event of a refusal, then rethrows. */
export function rethrowRecordingExceeded(db: Db) {
  return async (err: unknown): Promise<never> => {
    if (err instanceof QuotaExceededError) await recordExceeded(db, err);
    throw err;
  };
}

/**
 * Usage counted from scratch: the distinct digests the project's manifests are or reference.
 * The oracle the tests hold the kept figure (and migration 0005's backfill) against.
 */
export async function recountUsage(db: Db, projectId: number): Promise<number> {
  const { rows } = await sql<{ n: number | null }>`
    select sum(u.size) as n from (
      select t.digest, max(t.size) as size from (
        select m.digest as digest, m.size as size
          from manifests m join repositories r on r.id = m.repository_id where r.project_id = ${projectId}
        union all
        select ref.digest, b.size
          from manifest_references ref
          join manifests m on m.id = ref.manifest_id
          join repositories r on r.id = m.repository_id
          join blobs b on b.digest = ref.digest
          where ref.kind = 'blob' and r.project_id = ${projectId}
      ) t group by t.digest
    ) u`.execute(db);
  return num(rows[0]?.n);
}
