import { compileRule, type ImmutableRuleSpec, withoutProject } from '../domain/immutable/rules.js';
import type { RetentionArtifact } from '../domain/retention/evaluate.js';
import type { RetentionPolicy } from '../domain/retention/policy.js';
import type { Db } from './database.js';
import { writeEvent } from './event-outbox.js';
import { hasArtifacts } from './index-children.js';
import type { ScheduleSpec } from './job-schedules.js';
import { transaction } from './transaction.js';

export const retentionVendorType = 'RETENTION';

export interface StoredPolicy {
  id: number;
  projectId: number;
  policy: RetentionPolicy;
  cron: string;
}

/** What a schedule change does with the policy's job_schedules row, in the policy's transaction. */
export type ScheduleChange = { put: ScheduleSpec; next: number } | 'remove' | 'keep';

export type CreateResult = { kind: 'created'; id: number } | { kind: 'exists'; id: string } | { kind: 'missing' };

function row(r: { id: number; project_id: number; policy: string; cron: string }): StoredPolicy {
  const policy = JSON.parse(r.policy) as RetentionPolicy;
  return { id: Number(r.id), projectId: Number(r.project_id), policy: { ...policy, id: Number(r.id) }, cron: r.cron };
}

async function applySchedule(tx: Db, policyId: number, change: ScheduleChange, now: number): Promise<void> {
  if (change === 'keep') return;
  if (change === 'remove') {
    await tx.deleteFrom('job_schedules').where('vendor_type', '=', retentionVendorType).where('vendor_id', '=', policyId).execute();
    return;
  }
  const s = change.put;
  const values = { cron_type: s.cronType, cron: s.cron, params: JSON.stringify(s.params ?? {}), next_fire: change.next, update_time: now };
  await tx
    .insertInto('job_schedules')
    .values({ vendor_type: retentionVendorType, vendor_id: policyId, creation_time: now, ...values })
    .onConflict((oc) => oc.columns(['vendor_type', 'vendor_id']).doUpdateSet(values))
    .execute();
}

/** A cosign accessory's tag names its subject: sha256-<hex>.sig|.att|.sbom. */
const cosignTag = /^(sha256)-([a-f0-9]{64})\.(?:sig|att|sbom)$/;

/**
 * Tag retention's rows: the policies (one per project, bound through the project's
 * `retention_id` metadata as Harbor binds it), their schedules, the candidates of one
 * repository, and a task's TAG_RETENTION event.
 */
export function createRetentionStore(db: Db) {
  return {
    async get(id: number): Promise<StoredPolicy | null> {
      const r = await db.selectFrom('retention_policies').select(['id', 'project_id', 'policy', 'cron']).where('id', '=', id).executeTakeFirst();
      return r ? row(r) : null;
    },

    /**
     * Creates the project's policy, sets its `retention_id` metadata and its schedule, in one
     * transaction. A project that already names a policy is refused (Harbor's check); the unique
     * project_id closes the race of two creates (the loser is a 409).
     */
    async create(projectId: number, policy: RetentionPolicy, schedule: (id: number) => ScheduleChange, now = Date.now()): Promise<CreateResult> {
      return transaction(db, async (tx) => {
        const project = await tx.selectFrom('projects').select('metadata').where('id', '=', projectId).executeTakeFirst();
        if (!project) return { kind: 'missing' };
        const meta = JSON.parse(project.metadata) as Record<string, string>;
        if (meta.retention_id) return { kind: 'exists', id: meta.retention_id };
        const cron = typeof policy.trigger.settings.cron === 'string' ? policy.trigger.settings.cron : '';
        const inserted = await tx
          .insertInto('retention_policies')
          .values({ project_id: projectId, policy: JSON.stringify({ ...policy, id: undefined }), cron, created_at: now, updated_at: now })
          .returning('id')
          .executeTakeFirstOrThrow();
        const id = Number(inserted.id);
        meta.retention_id = String(id);
        await tx.updateTable('projects').set({ metadata: JSON.stringify(meta), updated_at: now }).where('id', '=', projectId).execute();
        await applySchedule(tx, id, schedule(id), now);
        return { kind: 'created', id };
      });
    },

    /** Replaces a policy's content (its project never changes) and its schedule; false when it is gone. */
    async update(id: number, policy: RetentionPolicy, schedule: ScheduleChange, now = Date.now()): Promise<boolean> {
      return transaction(db, async (tx) => {
        const cron = typeof policy.trigger.settings.cron === 'string' ? policy.trigger.settings.cron : '';
        const r = await tx
          .updateTable('retention_policies')
          .set({ policy: JSON.stringify({ ...policy, id: undefined }), cron, updated_at: now })
          .where('id', '=', id)
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) return false;
        await applySchedule(tx, id, schedule, now);
        return true;
      });
    },

    /**
     * Deletes a policy with its schedule, its finished executions (Harbor's deleteExecs) and the
     * project's `retention_id`; false when it is gone.
     */
    async delete(id: number, now = Date.now()): Promise<boolean> {
      return transaction(db, async (tx) => {
        const p = await tx.selectFrom('retention_policies').select(['project_id']).where('id', '=', id).executeTakeFirst();
        if (!p) return false;
        await tx.deleteFrom('retention_policies').where('id', '=', id).execute();
        await applySchedule(tx, id, 'remove', now);
        await tx
          .deleteFrom('job_executions')
          .where('vendor_type', '=', retentionVendorType)
          .where('vendor_id', '=', id)
          .where('status', 'in', ['Success', 'Error', 'Stopped'])
          .execute();
        const project = await tx.selectFrom('projects').select('metadata').where('id', '=', p.project_id).executeTakeFirst();
        if (project) {
          const meta = JSON.parse(project.metadata) as Record<string, string>;
          if (meta.retention_id === String(id)) {
            delete meta.retention_id;
            await tx.updateTable('projects').set({ metadata: JSON.stringify(meta), updated_at: now }).where('id', '=', p.project_id).execute();
          }
        }
        return true;
      });
    },

    /** The project's `retention_id` metadata (Harbor's requirePolicyAccess compares it with the policy). */
    async boundPolicy(projectId: number): Promise<string | null> {
      const p = await db.selectFrom('projects').select('metadata').where('id', '=', projectId).executeTakeFirst();
      if (!p) return null;
      return (JSON.parse(p.metadata) as Record<string, string>).retention_id ?? null;
    },

    async removeSchedule(policyId: number): Promise<void> {
      await applySchedule(db, policyId, 'remove', Date.now());
    },

    /** An artifact's tag names (sorted) and last push, or null when it is gone: the job's last look before a delete. */
    async artifactState(repository: string, digest: string): Promise<{ tags: string[]; pushedAt: number } | null> {
      const m = await db
        .selectFrom('manifests as m')
        .innerJoin('repositories as r', 'r.id', 'm.repository_id')
        .select(['m.id', 'm.pushed_at'])
        .where('r.name', '=', repository)
        .where('m.digest', '=', digest)
        .executeTakeFirst();
      if (!m) return null;
      const tags = await db.selectFrom('tags').select(['name', 'updated_at']).where('manifest_id', '=', m.id).orderBy('name').execute();
      return { tags: tags.map((t) => t.name), pushedAt: Math.max(Number(m.pushed_at), ...tags.map((t) => Number(t.updated_at))) };
    },

    /** Writes the TAG_RETENTION event of a finished task (Harbor's check-in of a retention job). */
    async writeTaskEvent(projectId: number, payload: Record<string, unknown>, now = Date.now()): Promise<void> {
      await writeEvent(db, 'TAG_RETENTION', projectId, payload, now);
    },

    async projectOf(projectId: number): Promise<{ id: number; name: string; public: boolean } | null> {
      const p = await db.selectFrom('projects').select(['id', 'name', 'public']).where('id', '=', projectId).executeTakeFirst();
      return p ? { id: Number(p.id), name: p.name, public: p.public === 1 } : null;
    },

    /** The project's repositories that hold artifacts (Harbor's repositories), by name. */
    async repositories(projectId: number): Promise<string[]> {
      const rows = await db
        .selectFrom('repositories as r')
        .select('r.name')
        .where('r.project_id', '=', projectId)
        .where((eb) => hasArtifacts(eb))
        .orderBy('r.name')
        .execute();
      return rows.map((r) => r.name);
    },

    /**
     * Every artifact of one repository as retention sees it: push and pull times, tags (each with
     * its times and whether an enabled immutable rule of the project covers it), label names, the
     * indexes of the repository that list it, and the subject of an accessory (OCI subject, or
     * cosign's tag naming it). Null when the repository is gone.
     */
    async candidates(repository: string): Promise<{ projectId: number; artifacts: RetentionArtifact[] } | null> {
      const repo = await db.selectFrom('repositories').select(['id', 'project_id']).where('name', '=', repository).executeTakeFirst();
      if (!repo || repo.project_id === null) return null;
      const repoId = repo.id;
      const [manifests, tags, labels, refs, rules] = await Promise.all([
        db
          .selectFrom('manifests')
          .select(['id', 'digest', 'artifact_kind', 'pushed_at', 'pulled_at', 'subject_digest'])
          .where('repository_id', '=', repoId)
          .execute(),
        db.selectFrom('tags').select(['manifest_id', 'name', 'updated_at', 'pulled_at']).where('repository_id', '=', repoId).orderBy('name').execute(),
        db
          .selectFrom('artifact_labels as al')
          .innerJoin('labels as l', 'l.id', 'al.label_id')
          .innerJoin('manifests as m', 'm.id', 'al.manifest_id')
          .select(['al.manifest_id', 'l.name'])
          .where('m.repository_id', '=', repoId)
          .orderBy('l.name')
          .execute(),
        db
          .selectFrom('manifest_references as ref')
          .innerJoin('manifests as m', 'm.id', 'ref.manifest_id')
          .select(['m.digest as parent', 'ref.digest as child'])
          .where('m.repository_id', '=', repoId)
          .where('ref.kind', '=', 'manifest')
          .execute(),
        db.selectFrom('immutable_rules').select('rule').where('project_id', '=', repo.project_id).where('disabled', '=', 0).execute(),
      ]);
      const matchers = rules.map((r) => compileRule(JSON.parse(r.rule) as ImmutableRuleSpec));
      const short = withoutProject(repository);
      const immutable = (tag: string) => matchers.some((m) => m(short, tag));
      const tagsOf = new Map<number, RetentionArtifact['tags'][number][]>();
      for (const t of tags) {
        const list = tagsOf.get(t.manifest_id) ?? [];
        list.push({ name: t.name, pushedAt: Number(t.updated_at), pulledAt: t.pulled_at === null ? null : Number(t.pulled_at), immutable: immutable(t.name) });
        tagsOf.set(t.manifest_id, list);
      }
      const labelsOf = new Map<number, string[]>();
      for (const l of labels) labelsOf.set(l.manifest_id, [...(labelsOf.get(l.manifest_id) ?? []), l.name]);
      const parentsOf = new Map<string, string[]>();
      for (const r of refs) parentsOf.set(r.child, [...(parentsOf.get(r.child) ?? []), r.parent]);
      const present = new Set(manifests.map((m) => m.digest));
      const artifacts = manifests.map((m): RetentionArtifact => {
        const own = tagsOf.get(m.id) ?? [];
        let subject = m.subject_digest;
        if (!subject && (m.artifact_kind === 'SIGNATURE' || m.artifact_kind === 'SBOM')) {
          for (const t of own) {
            const c = cosignTag.exec(t.name);
            if (c && present.has(`${c[1]}:${c[2]}`)) subject = `${c[1]}:${c[2]}`;
          }
        }
        return {
          digest: m.digest,
          pushedAt: Number(m.pushed_at),
          pulledAt: m.pulled_at === null ? null : Number(m.pulled_at),
          tags: own,
          labels: labelsOf.get(m.id) ?? [],
          type: m.artifact_kind,
          parents: parentsOf.get(m.digest) ?? [],
          subject,
        };
      });
      return { projectId: Number(repo.project_id), artifacts };
    },

  };
}

export type RetentionStore = ReturnType<typeof createRetentionStore>;
