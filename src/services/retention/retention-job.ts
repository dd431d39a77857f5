import type { ArtifactDelete, ArtifactRef } from '../../db/artifact-writes.js';
import type { ExecutionSpec } from '../../db/jobs.js';
import { type RetentionStore, retentionVendorType } from '../../db/retention.js';
import { withoutProject } from '../../domain/immutable/rules.js';
import { evaluateRepository, type RepositoryPlan, repositoriesInScope } from '../../domain/retention/evaluate.js';
import type { RetentionPolicy } from '../../domain/retention/policy.js';
import { taskLogHeader, taskLogTable } from '../../domain/retention/task-log.js';
import type { JobContext, JobHandler } from '../../jobs/job-service.js';
import type { AuditLog } from '../audit/audit-log.js';
import { runAsOperator } from '../../events/event-context.js';

/** The job type (queue) of retention tasks, one per repository. */
export const retentionJobType = 'RETENTION';

/** What one task is given: the policy as it was when the run started, and its repository. */
export interface RetentionTaskParams {
  policyId: number;
  projectId: number;
  /** The full name, with its project. */
  repository: string;
  dryRun: boolean;
  operator: string;
  /** The Host of the request that started a manual run ('' for a schedule): resource_url and harbor_hostname without externalUrl. */
  host?: string;
  policy: RetentionPolicy;
}

export interface RetentionJobDeps {
  store: RetentionStore;
  /** The API's artifact delete (db/artifact-writes.ts): tags, accessories, orphaned children, quota. */
  artifacts: { delete(repository: string, ref: ArtifactRef): Promise<ArtifactDelete> };
  audit: Pick<AuditLog, 'record'>;
  now?: () => number;
}

export interface DeleteOutcome {
  deleted: string[];
  failed: Map<string, string>;
  stopped: boolean;
}

/**
 * Deletes `digests` one at a time, checking `signal` before each: a stop takes effect between
 * two deletes, never inside one (each delete is one transaction). A refused delete is recorded
 * as failed with its reason, and the others go on.
 */
export async function deleteInTurn(
  digests: readonly string[],
  deleteOne: (digest: string) => Promise<'deleted' | 'gone' | { refused: string }>,
  signal: AbortSignal,
  progress: (done: number, total: number) => void = () => {},
): Promise<DeleteOutcome> {
  const out: DeleteOutcome = { deleted: [], failed: new Map(), stopped: false };
  for (const [i, digest] of digests.entries()) {
    if (signal.aborted) {
      out.stopped = true;
      break;
    }
    try {
      const r = await deleteOne(digest);
      if (r === 'deleted') out.deleted.push(digest);
      else if (r !== 'gone') out.failed.set(digest, r.refused);
    } catch (err) {
      out.failed.set(digest, (err as Error).message ?? String(err));
    }
    progress(i + 1, digests.length);
  }
  return out;
}

/** For each decision, the digest the job deletes itself that takes it along (an index, a subject), or itself. */
function rootsOf(plan: RepositoryPlan): Map<string, string> {
  const follows = new Map(plan.decisions.map((d) => [d.digest, d.follows]));
  const own = new Set(plan.toDelete);
  const roots = new Map<string, string>();
  for (const d of plan.decisions) {
    let at = d.digest;
    for (let hops = 0; hops < 16 && !own.has(at); hops++) {
      const next = follows.get(at);
      if (!next) break;
      at = next;
    }
    roots.set(d.digest, at);
  }
  return roots;
}

/**
 * The retention job and what queues it. A run is one execution (vendor RETENTION, vendor_id the
 * policy) with one task per repository in the policy's scope; each task evaluates its repository,
 * writes Harbor's table with every artifact and why it stays or goes, deletes (unless dry run)
 * through the API's artifact delete, and writes a TAG_RETENTION event, as Harbor's job checks in
 * per task.
 */
export function createRetentionJobs(deps: RetentionJobDeps) {
  const now = deps.now ?? Date.now;
  const { store } = deps;

  /** The execution of one run: its tasks are the repositories the policy's rules reach now. */
  async function runSpec(policyId: number, projectId: number, policy: RetentionPolicy, trigger: 'MANUAL' | 'SCHEDULE', dryRun: boolean, operator: string, host = ''): Promise<ExecutionSpec> {
    const repositories = repositoriesInScope(policy, await store.repositories(projectId));
    return {
      vendorType: retentionVendorType,
      vendorId: policyId,
      trigger,
      extraAttrs: { dry_run: dryRun, operator },
      tasks: repositories.map((repository) => ({
        jobType: retentionJobType,
        // A task whose worker died is run again (the plan is made anew from what is left).
        maxAttempts: 3,
        params: { policyId, projectId, repository, dryRun, operator, host, policy } satisfies RetentionTaskParams,
        extraAttrs: { repository: withoutProject(repository), total: 0, retained: 0 },
      })),
    };
  }

  async function run(ctx: JobContext): Promise<void> {
    const p = ctx.params as unknown as RetentionTaskParams;
    const loaded = await store.candidates(p.repository);
    const artifacts = loaded?.artifacts ?? [];
    const plan: RepositoryPlan = evaluateRepository(p.policy, p.repository, artifacts, now()) ?? {
      // The policy changed since the run started and no rule reaches this repository now: keep all.
      repository: p.repository,
      rules: [],
      decisions: [],
      toDelete: [],
      total: 0,
      retained: 0,
      deleted: 0,
    };
    for (const line of taskLogHeader(plan, p.dryRun).split('\n')) ctx.log(line);
    ctx.progress(0, plan.toDelete.length);
    const byDigest = new Map(plan.decisions.map((d) => [d.digest, d]));

    const outcome: DeleteOutcome = p.dryRun
      ? { deleted: [...plan.toDelete], failed: new Map(), stopped: false }
      : await deleteInTurn(
          plan.toDelete,
          async (digest) => {
            // A push or retag since the plan was made (the artifact is in use again): keep it.
            const decision = byDigest.get(digest);
            const state = await store.artifactState(p.repository, digest);
            if (!state) return 'gone';
            if (decision && (state.pushedAt > decision.pushedAt || state.tags.join(',') !== [...decision.tags].sort().join(','))) {
              return { refused: 'pushed or tagged since the run began: kept' };
            }
            const r = await deps.artifacts.delete(p.repository, { digest });
            if (r.kind === 'unknown') return 'gone';
            if (r.kind === 'listed') return { refused: 'the deleting artifact is referenced by others' };
            deps.audit.record({ projectId: p.projectId, operation: 'delete', resourceType: 'artifact', resource: `${p.repository}:${digest}`, username: p.operator, clientIp: '', success: true });
            return 'deleted';
          },
          ctx.signal,
          ctx.progress,
        );
    if (p.dryRun) ctx.progress(plan.toDelete.length, plan.toDelete.length);
    for (const line of taskLogTable(plan, outcome.failed).split('\n')) ctx.log(line);

    const went = new Set(outcome.deleted);
    const roots = rootsOf(plan);
    const removed = plan.decisions.filter((d) => d.action === 'delete' && went.has(roots.get(d.digest) ?? d.digest)).length;
    const retained = plan.total - removed;
    if (outcome.stopped) ctx.log(`stopped after ${outcome.deleted.length + outcome.failed.size} of ${plan.toDelete.length} deletions`);
    else ctx.log(`${p.dryRun ? '[DRYRUN] ' : ''}retained ${retained} of ${plan.total} artifacts, ${p.dryRun ? 'would delete' : 'deleted'} ${removed}`);
    ctx.attrs({ repository: withoutProject(p.repository), total: plan.total, retained });

    const project = await store.projectOf(p.projectId);
    // Harbor's RetentionEvent (domain/webhook/payload.ts); occurAt as ISO text in the outbox.
    await store.writeTaskEvent(p.projectId, {
      occurAt: new Date(now()).toISOString(),
      operator: p.operator,
      host: p.host ?? '',
      dryRun: p.dryRun,
      policyId: p.policyId,
      projectName: project?.name ?? '',
      status: outcome.stopped ? 'STOPPED' : 'SUCCESS',
      total: plan.total,
      retained,
      deleted: outcome.deleted.map((digest) => ({ repository: withoutProject(p.repository), tags: byDigest.get(digest)?.tags ?? [], digest, kind: 'image' })),
      rules: p.policy.rules.map((r) => ({ template: r.template, params: r.params, tag_selectors: r.tag_selectors, scope_selectors: r.scope_selectors })),
    });
  }

  const handler: JobHandler = {
    type: retentionJobType,
    concurrency: 2,
    run: (ctx) => {
      const p = ctx.params as unknown as RetentionTaskParams;
      return runAsOperator(p.operator, () => run(ctx), p.host ?? '');
    },
  };

  return {
    handler,
    runSpec,

    /** The schedule's firing: a run of the policy as it is now; a schedule whose policy is gone queues nothing. */
    async scheduled(policyId: number): Promise<ExecutionSpec> {
      const stored = await store.get(policyId);
      if (!stored) {
        // Its project was deleted (the policy went by cascade): drop the schedule, so the firing
        // that called this finds no row to advance and queues nothing.
        await store.removeSchedule(policyId);
        return { vendorType: retentionVendorType, vendorId: policyId, trigger: 'SCHEDULE', tasks: [] };
      }
      return runSpec(stored.id, stored.projectId, stored.policy, 'SCHEDULE', false, 'harbor-jobservice');
    },
  };
}

export type RetentionJobs = ReturnType<typeof createRetentionJobs>;
