import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ArtifactDelete, ArtifactRef } from '../../db/artifact-writes.js';
import type { RetentionStore } from '../../db/retention.js';
import type { RetentionArtifact } from '../../domain/retention/evaluate.js';
import { parseRetentionPolicy } from '../../domain/retention/policy.js';
import type { JobContext } from '../../jobs/job-service.js';
import { createRetentionJobs, deleteInTurn } from './retention-job.js';

const now = Date.UTC(2026, 0, 31);
const day = 86_400_000;
const art = (digest: string, daysAgo: number, tags: string[], over: Partial<RetentionArtifact> = {}): RetentionArtifact => ({
  digest,
  pushedAt: now - daysAgo * day,
  pulledAt: null,
  tags: tags.map((name) => ({ name, pushedAt: now - daysAgo * day, pulledAt: null, immutable: false })),
  labels: [],
  ...over,
});
const policy = parseRetentionPolicy({
  algorithm: 'or',
  rules: [{ action: 'retain', template: 'latestPushedK', params: { latestPushedK: 1 }, tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: '**' }] }],
  trigger: { kind: 'Schedule', settings: { cron: '' } },
  scope: { level: 'project', ref: 7 },
});

/** One task run against fakes: what was deleted, logged, attributed and announced. */
function harness(artifacts: RetentionArtifact[], onDelete: (digest: string, controller: AbortController) => ArtifactDelete | Error = () => ({ kind: 'deleted', repositoryGone: false })) {
  const controller = new AbortController();
  const deleted: string[] = [];
  const lines: string[] = [];
  const events: Array<Record<string, unknown>> = [];
  let attrs: Record<string, unknown> = {};
  const audited: string[] = [];
  let current: RetentionArtifact[] | null = null;
  const store = {
    candidates: async () => ({ projectId: 7, artifacts }),
    artifactState: async (_r: string, digest: string) => {
      const a = (current ?? artifacts).find((x) => x.digest === digest);
      return a ? { tags: a.tags.map((t) => t.name).sort(), pushedAt: Math.max(a.pushedAt, ...a.tags.map((t) => t.pushedAt)) } : null;
    },
    projectOf: async () => ({ id: 7, name: 'lib', public: false }),
    writeTaskEvent: async (_p: number, payload: Record<string, unknown>) => void events.push(payload),
  } as unknown as RetentionStore;
  const jobs = createRetentionJobs({
    store,
    artifacts: {
      async delete(_repository: string, ref: ArtifactRef) {
        const digest = 'digest' in ref ? ref.digest : '';
        const r = onDelete(digest, controller);
        if (r instanceof Error) throw r;
        if (r.kind === 'deleted') deleted.push(digest);
        return r;
      },
    },
    audit: { record: (r) => void audited.push(r.resource) },
    now: () => now,
  });
  const ctx = (dryRun: boolean): JobContext => ({
    taskId: 1,
    executionId: 1,
    attempt: 1,
    params: { policyId: 3, projectId: 7, repository: 'lib/app', dryRun, operator: 'alice', host: 'registry.example:5000', policy },
    signal: controller.signal,
    log: (l) => void lines.push(l),
    progress: () => {},
    attrs: (v) => void (attrs = { ...attrs, ...v }),
  });
  return {
    run: (dryRun = false) => jobs.handler.run(ctx(dryRun)),
    deleted,
    lines,
    events,
    audited,
    attrs: () => attrs,
    controller,
    /** What the database holds by the time the job deletes (a push since the plan). */
    setCurrent: (a: RetentionArtifact[]) => void (current = a),
  };
}

test('deleteInTurn: a stop takes effect between two deletes; refusals and errors are recorded and the rest goes on', async () => {
  const c = new AbortController();
  const seen: string[] = [];
  const out = await deleteInTurn(['a', 'b', 'c', 'd'], async (d) => {
    seen.push(d);
    if (d === 'a') return { refused: 'listed' };
    if (d === 'b') throw new Error('boom');
    c.abort();
    return 'deleted';
  }, c.signal);
  assert.deepEqual(seen, ['a', 'b', 'c']);
  assert.deepEqual(out.deleted, ['c']);
  assert.deepEqual([...out.failed], [['a', 'listed'], ['b', 'boom']]);
  assert.equal(out.stopped, true);
});

test('a run deletes what the plan says, audits each delete, logs every artifact and reports the counts', async () => {
  const h = harness([art('sha256:new', 1, ['v3']), art('sha256:mid', 2, ['v2']), art('sha256:old', 3, ['v1'])]);
  await h.run();
  assert.deepEqual(h.deleted, ['sha256:mid', 'sha256:old']);
  assert.deepEqual(h.audited, ['lib/app:sha256:mid', 'lib/app:sha256:old']);
  assert.deepEqual(h.attrs(), { repository: 'app', total: 3, retained: 1 });
  assert.ok(h.lines.some((l) => / Dry Run: false/.test(l)));
  assert.equal(h.lines.filter((l) => /^\| sha256:/.test(l)).length, 3);
  assert.equal(h.events.length, 1);
  assert.deepEqual(
    { ...h.events[0], rules: undefined },
    {
      occurAt: new Date(now).toISOString(),
      operator: 'alice',
      host: 'registry.example:5000',
      dryRun: false,
      policyId: 3,
      projectName: 'lib',
      status: 'SUCCESS',
      total: 3,
      retained: 1,
      deleted: [
        { repository: 'app', tags: ['v2'], digest: 'sha256:mid', kind: 'image' },
        { repository: 'app', tags: ['v1'], digest: 'sha256:old', kind: 'image' },
      ],
      rules: undefined,
    },
  );
});

test('a dry run deletes nothing and reports what would go', async () => {
  const h = harness([art('sha256:new', 1, ['v3']), art('sha256:old', 3, ['v1'])]);
  await h.run(true);
  assert.deepEqual(h.deleted, []);
  assert.deepEqual(h.audited, []);
  assert.deepEqual(h.attrs(), { repository: 'app', total: 2, retained: 1 });
  assert.ok(h.lines.some((l) => / Dry Run: true/.test(l)));
  assert.equal(h.events[0]?.dryRun, true);
});

test('stopped between deletes: what was deleted is reported, the rest stays', async () => {
  const h = harness([art('sha256:a', 1, ['x']), art('sha256:b', 2, ['y']), art('sha256:c', 3, ['z'])], (_d, c) => {
    c.abort();
    return { kind: 'deleted', repositoryGone: false };
  });
  await h.run();
  assert.deepEqual(h.deleted, ['sha256:b']);
  assert.deepEqual(h.attrs(), { repository: 'app', total: 3, retained: 2 });
  assert.ok(h.lines.includes('stopped after 1 of 2 deletions'), h.lines.join('\n'));
  assert.equal(h.events[0]?.status, 'STOPPED');
});

test('a refused delete is ERR in the table with its reason, and its artifact counts as retained', async () => {
  const h = harness([art('sha256:a', 1, ['x']), art('sha256:b', 2, ['y'])], () => new Error('the tag y configured as immutable, cannot be deleted'));
  await h.run();
  assert.deepEqual(h.attrs(), { repository: 'app', total: 2, retained: 2 });
  assert.ok(h.lines.some((l) => /^\| sha256:b .*\| ERR +\|/.test(l)), h.lines.join('\n'));
  assert.ok(h.lines.includes('Retention error for artifact image:lib/app:sha256:b : the tag y configured as immutable, cannot be deleted'));
});

test('an index is deleted alone; its untagged children go with it and count as deleted', async () => {
  const h = harness([art('sha256:keep', 1, ['new']), art('sha256:idx', 5, ['old']), art('sha256:child', 5, [], { parents: ['sha256:idx'] })]);
  await h.run();
  assert.deepEqual(h.deleted, ['sha256:idx']);
  assert.deepEqual(h.attrs(), { repository: 'app', total: 3, retained: 1 });
});

test('an artifact pushed or tagged again after the plan was made is kept, shown as ERR with why', async () => {
  const arts = [art('sha256:new', 1, ['v3']), art('sha256:tagged', 2, ['v2']), art('sha256:repushed', 3, ['v1']), art('sha256:old', 4, ['v0'])];
  const h = harness(arts);
  h.setCurrent([
    arts[0]!,
    art('sha256:tagged', 2, ['v2', 'stable']),
    { ...arts[2]!, tags: [{ name: 'v1', pushedAt: now, pulledAt: null, immutable: false }] },
    arts[3]!,
  ]);
  await h.run();
  assert.deepEqual(h.deleted, ['sha256:old']);
  assert.ok(h.lines.some((l) => /^\| sha256:tagged .*\| ERR +\|/.test(l)));
  assert.ok(h.lines.includes('Retention error for artifact image:lib/app:sha256:repushed : pushed or tagged since the run began: kept'));
  assert.deepEqual(h.attrs(), { repository: 'app', total: 4, retained: 3 });
});

test('an artifact gone before its delete is no error', async () => {
  const arts = [art('sha256:new', 1, ['v3']), art('sha256:old', 4, ['v0'])];
  const h = harness(arts);
  h.setCurrent([arts[0]!]);
  await h.run();
  assert.deepEqual(h.deleted, []);
  assert.ok(!h.lines.some((l) => /ERR/.test(l)));
});
