// Tag retention end to end: Harbor's /retentions API over real pushes. Dry runs change nothing
// and log the same decisions the real run then carries out (quota usage drops by exactly what
// went); rules by push count, pull age, always, tag and repository selectors, untagged artifacts;
// immutable tags survive; one task per repository with its own log; stop; schedules; bad policies
// refused with Harbor's messages.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiClient } from './helpers/api-client.js';
import { imageParts, pushIndex, pushManifest, referrerParts } from './helpers/artifacts.js';
import { eventually } from './helpers/eventually.js';
import { havenSql } from './helpers/haven-db.js';
import { type RunningHaven, startHaven } from './helpers/haven.js';
import { policyBody, repoSel, retentionSetup, rule, tagSel } from './helpers/retention.js';
import { asAdmin, pushBlob, pushImage, putManifest, imageManifest, randomBlob, sha256 } from './helpers/oci.js';

const day = 86_400_000;

describe('tag retention', () => {
  let h: RunningHaven;
  let client: ReturnType<typeof apiClient>;
  const api = (method: string, path: string, body?: unknown) => client.api(method, path, body === undefined ? {} : { body });

  const { project, createPolicy, runToEnd: run } = retentionSetup(() => client);
  async function tasks(id: number, eid: number) {
    const r = await api('GET', `/retentions/${id}/executions/${eid}/tasks?page_size=100`);
    assert.equal(r.status, 200, r.text);
    return r.json as Array<{ id: number; execution_id: number; repository: string; status: string; status_code: number; total: number; retained: number; job_id: string; progress: { done: number; total: number; percent: number | null } }>;
  }
  async function log(id: number, eid: number, tid: number): Promise<string> {
    const r = await client.api('GET', `/retentions/${id}/executions/${eid}/tasks/${tid}`);
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain/);
    return r.text;
  }
  /** The table rows of a task log: digest -> mark. */
  const marks = (text: string) =>
    Object.fromEntries(
      text
        .split('\n')
        .map((l) => /\| (sha256:[0-9a-f]{64}) \|.*\| (RETAIN|DEL|IMMUTABLE|ERR) +\|/.exec(l))
        .filter((m) => m !== null)
        .map((m) => [m[1], m[2]]),
    );
  async function digests(projectName: string, repo: string): Promise<string[]> {
    const r = await api('GET', `/projects/${projectName}/repositories/${encodeURIComponent(repo)}/artifacts?page_size=100`);
    if (r.status === 404) return [];
    assert.equal(r.status, 200, r.text);
    return (r.json as Array<{ digest: string }>).map((a) => a.digest).sort();
  }
  async function used(projectId: number): Promise<number> {
    const r = await api('GET', `/quotas?reference=project&reference_id=${projectId}`);
    assert.equal(r.status, 200, r.text);
    return Number(r.json[0].used.storage);
  }
  /** Moves an artifact's (and its tags') push and pull times. */
  async function age(digest: string, pushedDaysAgo: number, pulledDaysAgo: number | null = null) {
    const pushed = Date.now() - pushedDaysAgo * day;
    const pulled = pulledDaysAgo === null ? null : Date.now() - pulledDaysAgo * day;
    await havenSql(h, 'update manifests set pushed_at = ?, pulled_at = ? where digest = ?', [pushed, pulled, digest]);
    await havenSql(h, 'update tags set updated_at = ?, pulled_at = ? where manifest_id in (select id from manifests where digest = ?)', [pushed, pulled, digest]);
  }

  before(async () => {
    h = await startHaven({ env: { HAVEN_JOBS_POLL_INTERVAL: '100' } });
    client = apiClient(h);
  });
  after(async () => {
    await h?.cleanup();
  });

  test('metadatas are Harbor\'s', async () => {
    const r = await api('GET', '/retentions/metadatas');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(
      r.json.templates.map((t: { rule_template: string }) => t.rule_template),
      ['latestPushedK', 'latestPulledN', 'nDaysSinceLastPush', 'nDaysSinceLastPull', 'always'],
    );
    assert.deepEqual(r.json.scope_selectors, [{ display_text: 'Repositories', kind: 'doublestar', decorations: ['repoMatches', 'repoExcludes'] }]);
    const anonymous = await client.api('GET', '/retentions/metadatas', { as: null });
    assert.equal(anonymous.status, 401);
  });

  test('latestPushedK: the dry run deletes nothing and lists what the real run then deletes; quota drops by exactly that', async () => {
    const pid = await project('ret-k');
    const reg = asAdmin(h);
    const app: Record<string, { digest: string; size: number }> = {};
    for (const [i, tag] of ['v1', 'v2', 'v3', 'v4'].entries()) {
      const img = await pushImage(reg, 'ret-k/app', tag);
      await age(img.digest, 10 - i);
      app[tag] = { digest: img.digest, size: img.manifest.length + 64 + 2 * 1024 };
    }
    const web = [await pushImage(reg, 'ret-k/web', 'a'), await pushImage(reg, 'ret-k/web', 'b')];
    const before = await digests('ret-k', 'app');
    const usedBefore = await used(pid);

    const id = await createPolicy(pid, [rule('latestPushedK', 2)]);
    const got = await api('GET', `/retentions/${id}`);
    assert.equal(got.status, 200, got.text);
    assert.equal(got.json.id, id);
    assert.deepEqual(got.json.scope, { level: 'project', ref: pid });
    assert.equal(got.json.rules[0].template, 'latestPushedK');
    // Harbor binds the policy to its project through the retention_id metadata.
    const meta = await api('GET', `/projects/ret-k/metadatas/retention_id`);
    assert.deepEqual(meta.json, { retention_id: String(id) });

    const dry = await run(id, true);
    assert.deepEqual([dry.status, dry.trigger, dry.dry_run, dry.policy_id], ['Success', 'MANUAL', true, id]);
    const dryTasks = await tasks(id, dry.id);
    assert.deepEqual(dryTasks.map((t) => [t.repository, t.status, t.status_code, t.total, t.retained]).sort(), [
      ['app', 'Success', 3, 4, 2],
      ['web', 'Success', 3, 2, 2],
    ]);
    // Progress counts the artifacts to delete: two in app, none in web, all of them handled.
    assert.deepEqual(dry.progress, { done: 2, total: 2, percent: 100 });
    assert.deepEqual(dryTasks.map((t) => [t.repository, t.progress]).sort(), [
      ['app', { done: 2, total: 2, percent: 100 }],
      ['web', { done: 0, total: 0, percent: 100 }],
    ]);
    const appTask = dryTasks.find((t) => t.repository === 'app')!;
    const dryLog = await log(id, dry.id, appTask.id);
    assert.match(dryLog, /Dry Run: true/);
    assert.match(dryLog, /Load 4 candidates from repository ret-k\/app/);
    assert.match(dryLog, /\| Digest +\| Tag +\| Kind +\| Labels +\| PushedTime +\| PulledTime +\| Retention \| Reason +\|/);
    const dryMarks = marks(dryLog);
    assert.deepEqual(dryMarks, { [app.v1!.digest]: 'DEL', [app.v2!.digest]: 'DEL', [app.v3!.digest]: 'RETAIN', [app.v4!.digest]: 'RETAIN' });
    assert.match(dryLog, /retained by rule 1 \(the most recently pushed 2 artifacts\)/);
    assert.match(dryLog, /no rule retains it/);
    assert.deepEqual(await digests('ret-k', 'app'), before, 'a dry run deletes nothing');
    assert.equal(await used(pid), usedBefore);

    const real = await run(id, false);
    assert.deepEqual([real.status, real.dry_run], ['Success', false]);
    const realTasks = await tasks(id, real.id);
    const realApp = realTasks.find((t) => t.repository === 'app')!;
    assert.deepEqual([realApp.total, realApp.retained], [4, 2]);
    assert.deepEqual([real.progress, realApp.progress], [{ done: 2, total: 2, percent: 100 }, { done: 2, total: 2, percent: 100 }]);
    const realLog = await log(id, real.id, realApp.id);
    assert.match(realLog, /Dry Run: false/);
    assert.deepEqual(marks(realLog), dryMarks, 'the real run makes the dry run\'s decisions');
    const deleted = Object.entries(dryMarks).filter(([, m]) => m === 'DEL').map(([d]) => d);
    assert.deepEqual(await digests('ret-k', 'app'), before.filter((d) => !deleted.includes(d)));
    assert.deepEqual(await digests('ret-k', 'web'), web.map((w) => w.digest).sort());
    assert.equal(usedBefore - (await used(pid)), app.v1!.size + app.v2!.size, 'quota usage drops by what went');

    // Deleted through the API's artifact delete: audited as the operator, and a TAG_RETENTION event per task.
    await eventually(async () => {
      const logs = await api('GET', `/audit-logs?q=${encodeURIComponent('operation=delete')}&page_size=100`);
      const resources = (logs.json as Array<{ resource: string; username: string }>).filter((l) => l.resource.startsWith('ret-k/app:'));
      assert.deepEqual(resources.map((l) => l.resource).sort(), deleted.map((d) => `ret-k/app:${d}`).sort());
      assert.ok(resources.every((l) => l.username === 'admin'));
    });
    const events = await havenSql<{ payload: string; project_id: number }>(h, "select payload, project_id from event_outbox where type = 'TAG_RETENTION' order by id");
    const ours = events.rows.map((e) => ({ ...(JSON.parse(e.payload) as Record<string, unknown>), project: Number(e.project_id) }) as Record<string, unknown>).filter((e) => e.policyId === id);
    assert.equal(ours.length, 4, 'one event per task of each run');
    const realApps = ours.filter((e) => e.dryRun === false && (e.deleted as unknown[]).length > 0);
    assert.equal(realApps.length, 1);
    assert.deepEqual(
      { ...realApps[0], occurAt: undefined, rules: undefined },
      {
        occurAt: undefined,
        rules: undefined,
        project: pid,
        operator: 'admin',
        // The Host the run was started through: the webhook's harbor_hostname without externalUrl.
        host: new URL(h.url).host,
        dryRun: false,
        policyId: id,
        projectName: 'ret-k',
        status: 'SUCCESS',
        total: 4,
        retained: 2,
        deleted: [
          { repository: 'app', tags: ['v2'], digest: app.v2!.digest, kind: 'image' },
          { repository: 'app', tags: ['v1'], digest: app.v1!.digest, kind: 'image' },
        ],
      },
    );

    // A second run finds nothing more to delete.
    const again = await run(id, false);
    const againApp = (await tasks(id, again.id)).find((t) => t.repository === 'app')!;
    assert.deepEqual([againApp.total, againApp.retained], [2, 2]);

    const list = await api('GET', `/retentions/${id}/executions?page=1&page_size=1`);
    assert.equal(list.headers.get('x-total-count'), '3');
    assert.match(list.headers.get('link') ?? '', /rel="next"/);
    assert.equal(list.json[0].id, again.id, 'newest first');
  });

  test('pull age, always, tag and repository selectors, untagged artifacts, and an immutable tag', async () => {
    const pid = await project('ret-mix');
    const reg = asAdmin(h);
    const fresh = await pushImage(reg, 'ret-mix/svc', 'release-1');
    await age(fresh.digest, 60, 1);
    const stale = await pushImage(reg, 'ret-mix/svc', 'release-2');
    await age(stale.digest, 60, 30);
    const dev = await pushImage(reg, 'ret-mix/svc', 'dev-1');
    await age(dev.digest, 60);
    const pinned = await pushImage(reg, 'ret-mix/svc', 'keep');
    await age(pinned.digest, 90);
    // An untagged image, pushed by digest.
    const config = randomBlob(64);
    await pushBlob(reg, 'ret-mix/svc', config.bytes);
    const loose = imageManifest(config, []);
    assert.equal((await putManifest(reg, 'ret-mix/svc', sha256(loose), loose)).status, 201);
    const looseDigest = sha256(loose);
    await age(looseDigest, 60);
    // Another repository no rule reaches: no task, nothing deleted.
    const other = await pushImage(reg, 'ret-mix/other', 'release-2');
    await age(other.digest, 60);
    const immutable = await api('POST', '/projects/ret-mix/immutabletagrules', {
      action: 'immutable',
      template: 'immutable_template',
      tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: 'keep' }],
      scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }] },
    });
    assert.equal(immutable.status, 201, immutable.text);

    const id = await createPolicy(pid, [
      rule('nDaysSinceLastPull', 7, tagSel('release-*'), repoSel('svc')),
      rule('always', null, tagSel('dev-*', 'matches', '{"untagged":false}'), repoSel('svc')),
    ]);
    const dry = await run(id, true);
    const dryTasks = await tasks(id, dry.id);
    assert.deepEqual(dryTasks.map((t) => t.repository), ['svc'], 'one task per repository in scope');
    const dryLog = await log(id, dry.id, dryTasks[0]!.id);
    const want = { [fresh.digest]: 'RETAIN', [dev.digest]: 'RETAIN', [pinned.digest]: 'IMMUTABLE', [stale.digest]: 'DEL', [looseDigest]: 'DEL' };
    assert.deepEqual(marks(dryLog), want);
    assert.match(dryLog, /retained by rule 1 \(pulled within the last 7 days\)/);
    assert.match(dryLog, /retained by rule 2 \(always\)/);
    assert.match(dryLog, /its tag keep is immutable: immutable tags are never deleted/);

    const real = await run(id, false);
    assert.equal(real.status, 'Success');
    const realTask = (await tasks(id, real.id))[0]!;
    assert.deepEqual([realTask.total, realTask.retained], [5, 3]);
    assert.deepEqual(marks(await log(id, real.id, realTask.id)), want);
    assert.deepEqual(await digests('ret-mix', 'svc'), [fresh.digest, dev.digest, pinned.digest].sort());
    assert.deepEqual(await digests('ret-mix', 'other'), [other.digest]);

    // Even a policy that keeps nothing leaves the immutable tag alone.
    const upd = await api('PUT', `/retentions/${id}`, policyBody(pid, [rule('latestPushedK', 0)]));
    assert.equal(upd.status, 200, upd.text);
    const wipe = await run(id, false);
    const wipeTasks = await tasks(id, wipe.id);
    assert.deepEqual(wipeTasks.map((t) => t.repository).sort(), ['other', 'svc']);
    assert.deepEqual(await digests('ret-mix', 'svc'), [pinned.digest]);
    assert.deepEqual(await digests('ret-mix', 'other'), []);
  });

  test('an index goes with its children and an image with its signature; what a kept index lists stays', async () => {
    const pid = await project('ret-idx');
    const reg = asAdmin(h);
    const child = async (arch: string, nonce: string) => {
      const c = await pushManifest(reg, 'ret-idx/multi', null, imageParts({ architecture: arch, nonce }));
      return { ...c, platform: { architecture: arch, os: 'linux' } };
    };
    const oldKids = [await child('amd64', 'old-a'), await child('arm64', 'old-b')];
    const oldIndex = await pushIndex(reg, 'ret-idx/multi', 'old', oldKids);
    const newKids = [await child('amd64', 'new-a'), await child('arm64', 'new-b')];
    const newIndex = await pushIndex(reg, 'ret-idx/multi', 'new', newKids);
    const oldImage = await pushManifest(reg, 'ret-idx/multi', 'single', imageParts({ nonce: 'single' }));
    const signature = await pushManifest(reg, 'ret-idx/multi', null, referrerParts('application/vnd.cncf.notary.signature', 'application/jose+json', Buffer.from('{"sig":1}'), oldImage));
    for (const d of [...oldKids.map((k) => k.digest), oldIndex.digest]) await age(d, 20);
    for (const d of [oldImage.digest, signature.digest]) await age(d, 30);
    for (const d of [...newKids.map((k) => k.digest), newIndex.digest]) await age(d, 1);
    const usedBefore = await used(pid);

    const id = await createPolicy(pid, [rule('latestPushedK', 1, tagSel('**', 'matches', '{"untagged":false}'))]);
    const dry = await run(id, true);
    const [task] = await tasks(id, dry.id);
    const dryLog = await log(id, dry.id, task!.id);
    const dryMarks = marks(dryLog);
    assert.deepEqual(dryMarks, {
      [newIndex.digest]: 'RETAIN',
      [newKids[0]!.digest]: 'RETAIN',
      [newKids[1]!.digest]: 'RETAIN',
      [oldIndex.digest]: 'DEL',
      [oldKids[0]!.digest]: 'DEL',
      [oldKids[1]!.digest]: 'DEL',
      [oldImage.digest]: 'DEL',
      [signature.digest]: 'DEL',
    });
    assert.match(dryLog, new RegExp(`deleted with its index ${oldIndex.digest}`));
    assert.match(dryLog, new RegExp(`deleted with its subject ${oldImage.digest}`));
    assert.match(dryLog, new RegExp(`kept with its index ${newIndex.digest}`));
    assert.deepEqual([task!.total, task!.retained], [8, 3]);

    const real = await run(id, false);
    const [realTask] = await tasks(id, real.id);
    assert.deepEqual([realTask!.total, realTask!.retained], [8, 3]);
    assert.deepEqual(marks(await log(id, real.id, realTask!.id)), dryMarks);
    const left = (await havenSql<{ digest: string }>(h, "select m.digest from manifests m join repositories r on r.id = m.repository_id where r.name = 'ret-idx/multi' order by m.digest")).rows.map((r) => r.digest);
    assert.deepEqual(left, [newIndex.digest, ...newKids.map((k) => k.digest)].sort(), 'children and accessories went with what listed or signed them');
    const expectedDrop = [...oldKids, oldIndex, oldImage, signature].reduce((n, x) => n + x.totalSize, 0);
    assert.equal(usedBefore - (await used(pid)), expectedDrop);
  });

  test('a label selector keeps what carries the label; the labels are in the log', async () => {
    const pid = await project('ret-label');
    const reg = asAdmin(h);
    const prod = await pushImage(reg, 'ret-label/app', 'v1');
    const plain = await pushImage(reg, 'ret-label/app', 'v2');
    const label = await api('POST', '/labels', { name: 'prod', scope: 'g', color: '#00ff00' });
    assert.equal(label.status, 201, label.text);
    const labelId = Number(label.headers.get('location')!.split('/').pop());
    assert.equal((await api('POST', `/projects/ret-label/repositories/app/artifacts/${prod.digest}/labels`, { id: labelId })).status, 200);
    const id = await createPolicy(pid, [
      { ...rule('always', null), tag_selectors: [tagSel('**'), { kind: 'label', decoration: 'withLabels', pattern: 'prod' }] },
    ]);
    const e = await run(id, false);
    const [task] = await tasks(id, e.id);
    const text = await log(id, e.id, task!.id);
    assert.deepEqual(marks(text), { [prod.digest]: 'RETAIN', [plain.digest]: 'DEL' });
    assert.match(text, new RegExp(`\\| ${prod.digest} \\| v1 +\\| IMAGE \\| prod +\\|`));
    assert.deepEqual(await digests('ret-label', 'app'), [prod.digest]);
  });

  test('stop: pending tasks stop at once and delete nothing; only "stop" is an action', async () => {
    const pid = await project('ret-stop');
    const reg = asAdmin(h);
    const pushed: string[] = [];
    for (const repo of ['a', 'b', 'c']) pushed.push((await pushImage(reg, `ret-stop/${repo}`, 'x')).digest);
    const id = await createPolicy(pid, [rule('latestPushedK', 0)]);
    // Hold the retention queue so the run cannot start before it is stopped.
    await havenSql(h, 'insert into job_queues (job_type, paused, update_time) values (?, 1, ?)', ['RETENTION', Date.now()]);
    try {
      const r = await api('POST', `/retentions/${id}/executions`, { dry_run: false });
      assert.equal(r.status, 201, r.text);
      const eid = Number(r.headers.get('location')!.split('/').pop());
      const bad = await api('PATCH', `/retentions/${id}/executions/${eid}`, { action: 'pause' });
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.json, { errors: [{ code: 'BAD_REQUEST', message: "action should be 'stop'" }] });
      const stop = await api('PATCH', `/retentions/${id}/executions/${eid}`, { action: 'stop' });
      assert.equal(stop.status, 200, stop.text);
      const e = (await api('GET', `/retentions/${id}/executions`)).json.find((x: { id: number }) => x.id === eid);
      assert.equal(e.status, 'Stopped');
      assert.notEqual(e.end_time, '0001-01-01T00:00:00Z');
      assert.deepEqual((await tasks(id, eid)).map((t) => t.status), ['Stopped', 'Stopped', 'Stopped']);
    } finally {
      await havenSql(h, "delete from job_queues where job_type = 'RETENTION'");
    }
    // A run after the stop still works, and deletes what the stopped one would have.
    const next = await run(id, false);
    assert.equal(next.status, 'Success');
    for (const repo of ['a', 'b', 'c']) assert.deepEqual(await digests('ret-stop', repo), []);
    assert.equal(pushed.length, 3);
  });

  test('the cron trigger is a schedule: kept with the policy, changed, fired, and removed with it', async () => {
    const pid = await project('ret-cron');
    const reg = asAdmin(h);
    await pushImage(reg, 'ret-cron/app', 'old');
    const schedule = async (id: number) =>
      (await havenSql<{ cron: string; next_fire: number }>(h, "select cron, next_fire from job_schedules where vendor_type = 'RETENTION' and vendor_id = ?", [id])).rows;
    const id = await createPolicy(pid, [rule('latestPushedK', 0)], '0 0 3 * * *');
    const [s] = await schedule(id);
    assert.equal(s?.cron, '0 0 3 * * *');
    const next = new Date(Number(s?.next_fire));
    assert.ok(next.getTime() > Date.now() && next.getUTCHours() === 3, next.toISOString());
    assert.equal((await api('PUT', `/retentions/${id}`, policyBody(pid, [rule('latestPushedK', 0)], '0 30 1 * * 1'))).status, 200);
    assert.equal((await schedule(id))[0]?.cron, '0 30 1 * * 1');
    assert.equal((await api('GET', `/retentions/${id}`)).json.trigger.settings.cron, '0 30 1 * * 1');

    // Due now: the scheduler fires it once, as a SCHEDULE run of the policy.
    await havenSql(h, "update job_schedules set next_fire = ? where vendor_type = 'RETENTION' and vendor_id = ?", [Date.now() - 1000, id]);
    const fired = await eventually(async () => {
      const list = (await api('GET', `/retentions/${id}/executions`)).json as Array<{ id: number; status: string; trigger: string }>;
      assert.equal(list.length, 1);
      assert.equal(list[0]!.status, 'Success');
      return list[0]!;
    });
    assert.equal(fired.trigger, 'SCHEDULE');
    assert.deepEqual(await digests('ret-cron', 'app'), []);
    assert.ok(Number((await schedule(id))[0]?.next_fire) > Date.now(), 'the next firing moved on');

    assert.equal((await api('PUT', `/retentions/${id}`, policyBody(pid, [rule('latestPushedK', 0)], ''))).status, 200);
    assert.deepEqual(await schedule(id), [], 'an empty cron: no schedule');
    assert.equal((await api('PUT', `/retentions/${id}`, policyBody(pid, [rule('latestPushedK', 0)], '0 0 4 * * *'))).status, 200);
    assert.equal((await schedule(id)).length, 1);

    const del = await api('DELETE', `/retentions/${id}`);
    assert.equal(del.status, 200, del.text);
    assert.deepEqual(await schedule(id), []);
    assert.equal((await api('GET', `/retentions/${id}`)).status, 404);
    assert.deepEqual((await api('GET', '/projects/ret-cron/metadatas/retention_id')).json, {}, 'the project no longer names it');
    // The project can have a policy again.
    await createPolicy(pid, [rule('always', null)]);
  });

  test('bad policies are refused with Harbor\'s messages and change nothing', async () => {
    const pid = await project('ret-bad');
    const refused = async (body: unknown, status: number, message: string | RegExp) => {
      const r = await api('POST', '/retentions', body);
      assert.equal(r.status, status, r.text);
      assert.equal(r.json.errors[0].code, status === 409 ? 'CONFLICT' : 'BAD_REQUEST');
      if (typeof message === 'string') assert.equal(r.json.errors[0].message, message);
      else assert.match(r.json.errors[0].message, message);
    };
    await refused(policyBody(pid, [rule('nothing', 1)]), 400, 'rule evaluator nothing is not registered');
    await refused(policyBody(pid, [rule('latestPushedK', -1)]), 400, 'latestPushedK is less than zero');
    await refused(policyBody(pid, [{ ...rule('latestPushedK', 1), params: {} }]), 400, 'missing required parameter latestPushedK for rule latestPushedK');
    await refused(policyBody(pid, [rule('always', null)], '* * * * *'), 400, 'invalid cron string for scheduled tag retention: * * * * *, error: expected exactly 6 fields, found 5: [* * * * *]');
    await refused(policyBody(pid, [rule('always', null)], '0 0 0 30 2 *'), 400, /invalid cron string for scheduled tag retention: 0 0 0 30 2 \*/);
    await refused(policyBody(pid, Array.from({ length: 16 }, (_, i) => rule('latestPushedK', i))), 400, 'only 15 rules are allowed at most');
    await refused(policyBody(pid, [rule('always', null), rule('always', null)]), 409, 'rule 1 is conflict with rule 0');
    await refused(policyBody(pid, [rule('always', null, tagSel('[a-'))]), 400, /^rules\.0\.tag_selectors\.0\.pattern: invalid pattern "\[a-"/);
    await refused(policyBody(pid, [rule('always', null, tagSel('*', 'regex'))]), 400, /decoration "regex" of selector doublestar is not supported/);
    await refused({ ...policyBody(pid, [rule('always', null)]), scope: { level: 'system', ref: pid } }, 400, 'scope system is not support');
    await refused(policyBody(999_999, [rule('always', null)]), 400, 'invalid Project id 999999');
    await refused({ ...policyBody(pid, [rule('always', null)]), algorithm: 'and' }, 400, /algorithm "and" is not supported/);
    assert.deepEqual((await api('GET', '/projects/ret-bad/metadatas/retention_id')).json, {}, 'nothing was created');

    const id = await createPolicy(pid, [rule('always', null)]);
    await refused(policyBody(pid, [rule('latestPushedK', 3)]), 400, `project ${pid} already has retention policy ${id}`);
    const bad = await api('PUT', `/retentions/${id}`, policyBody(pid, [rule('latestPushedK', 1.5)]));
    assert.equal(bad.status, 400);
    assert.equal(bad.json.errors[0].message, 'latestPushedK type error');
    assert.equal((await api('GET', `/retentions/${id}`)).json.rules[0].template, 'always', 'a refused update changes nothing');
    for (const path of [`/retentions/${id + 1000}`, `/retentions/${id}/executions/999999/tasks`]) {
      const r = await api('GET', path);
      assert.equal(r.status, 404, `${path}: ${r.text}`);
      assert.equal(r.json.errors[0].code, 'NOT_FOUND');
    }
    assert.equal((await api('GET', '/retentions/abc')).status, 400);
  });
});
