import { transaction } from './transaction.js';
import type { Selectable } from 'kysely';
import type { Db } from './database.js';
import type { LabelsTable } from './schema.js';
import { escapeLike, likeEscaped } from './sql-helpers.js';

export type LabelRow = Selectable<LabelsTable>;

/** The unique key a label's name lives under: one namespace for global labels, one per project. */
export const scopeKeyOf = (scope: 'g' | 'p', projectId: number | null): string => (scope === 'g' ? 'g' : `p:${projectId}`);

export interface LabelFilter {
  scope: 'g' | 'p';
  projectId?: number;
  name?: string;
  nameLike?: string;
}

export type LabelSortColumn = 'name' | 'created_at' | 'updated_at' | 'id';

/** What attaching a label came to: done, or which of the checks (in Harbor's order) refused it. */
export type AttachResult = 'attached' | 'label-unknown' | 'label-elsewhere' | 'artifact-unknown' | 'already-attached';
export type DetachResult = 'detached' | 'artifact-unknown' | 'not-attached';

/**
 * The manifest row (Harbor's artifact) a reference names in a repository: a digest, or a tag.
 * The repository must belong to the project, so a path never reaches another project's content.
 */
async function artifactId(tx: Db, projectId: number, repository: string, reference: string): Promise<number | null> {
  const repo = await tx.selectFrom('repositories').select('id').where('name', '=', repository).where('project_id', '=', projectId).executeTakeFirst();
  if (!repo) return null;
  const row = reference.includes(':')
    ? await tx.selectFrom('manifests').select('id').where('repository_id', '=', repo.id).where('digest', '=', reference).executeTakeFirst()
    : await tx.selectFrom('tags').select('manifest_id as id').where('repository_id', '=', repo.id).where('name', '=', reference).executeTakeFirst();
  return row?.id ?? null;
}

export function createLabelStore(db: Db) {
  const filtered = (f: LabelFilter) => {
    let q = db.selectFrom('labels').where('scope_key', '=', scopeKeyOf(f.scope, f.projectId ?? null));
    if (f.name !== undefined) q = q.where('name', '=', f.name);
    if (f.nameLike !== undefined) q = q.where(likeEscaped('name', `%${escapeLike(f.nameLike)}%`));
    return q;
  };

  return {
    /** A taken name fails on the (scope_key, name) unique index; the caller answers 409. */
    async create(l: { name: string; description: string; color: string; scope: 'g' | 'p'; projectId: number | null }, now = Date.now()): Promise<number> {
      const row = await db
        .insertInto('labels')
        .values({
          name: l.name,
          description: l.description,
          color: l.color,
          scope: l.scope,
          project_id: l.scope === 'g' ? null : l.projectId,
          scope_key: scopeKeyOf(l.scope, l.projectId),
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },

    async byId(id: number): Promise<LabelRow | null> {
      return (await db.selectFrom('labels').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
    },

    async list(f: LabelFilter, page: { offset: number; limit: number }, sort: { column: LabelSortColumn; desc: boolean }): Promise<{ rows: LabelRow[]; total: number }> {
      const [rows, total] = await Promise.all([
        filtered(f).selectAll().orderBy(sort.column, sort.desc ? 'desc' : 'asc').orderBy('id').offset(page.offset).limit(page.limit).execute(),
        filtered(f).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { rows, total: Number(total.n) };
    },

    /** False when the label is gone; a name taken in its scope fails on the unique index (409). */
    async update(id: number, changes: { name: string; description: string; color: string }, now = Date.now()): Promise<boolean> {
      const r = await db.updateTable('labels').set({ ...changes, updated_at: now }).where('id', '=', id).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    /** Removes the label and (by cascade) every attachment of it. */
    async delete(id: number): Promise<boolean> {
      const r = await db.deleteFrom('labels').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    /**
     * Attaches a label to an artifact of the project, checks and write in one transaction: the
     * label must exist and be global or the project's own (a label of project B never reaches an
     * artifact of project A), and the artifact must be in one of the project's repositories.
     */
    async attach(projectId: number, repository: string, reference: string, labelId: number, now = Date.now()): Promise<AttachResult> {
      return transaction(db, async (tx) => {
        const label = await tx.selectFrom('labels').select(['scope_key']).where('id', '=', labelId).executeTakeFirst();
        if (!label) return 'label-unknown';
        if (label.scope_key !== 'g' && label.scope_key !== scopeKeyOf('p', projectId)) return 'label-elsewhere';
        const manifestId = await artifactId(tx, projectId, repository, reference);
        if (manifestId === null) return 'artifact-unknown';
        const r = await tx
          .insertInto('artifact_labels')
          .values({ manifest_id: manifestId, label_id: labelId, created_at: now })
          .onConflict((oc) => oc.columns(['manifest_id', 'label_id']).doNothing())
          .executeTakeFirst();
        return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0 ? 'attached' : 'already-attached';
      });
    },

    async detach(projectId: number, repository: string, reference: string, labelId: number): Promise<DetachResult> {
      return transaction(db, async (tx) => {
        const manifestId = await artifactId(tx, projectId, repository, reference);
        if (manifestId === null) return 'artifact-unknown';
        const r = await tx.deleteFrom('artifact_labels').where('manifest_id', '=', manifestId).where('label_id', '=', labelId).executeTakeFirst();
        return Number(r.numDeletedRows) > 0 ? 'detached' : 'not-attached';
      });
    },

  };
}

export type LabelStore = ReturnType<typeof createLabelStore>;
