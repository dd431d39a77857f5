// Tag retention rules end to end, beyond what retention.test.ts covers: the latestPulledN and
// nDaysSinceLastPush templates over real pushes and real pulls, tag and repository selectors
// with Harbor's "excludes" decorations, and the webhooks a real run sends (one DELETE_ARTIFACT
// per deleted artifact, one TAG_RETENTION per task that deleted something), naming who deleted
// as the audit log does, for a manual and a scheduled run. Every run is a dry
// run first and a real run after: the dry run changes nothing and logs the decisions the real run
// then carries out. What is left is read the way a user reads it: /v2 tags/list and the artifact
// API; why is read from the task log.
// Every assert.ok has a message: without one, node's assert re-reads this file to quote the
// expression (see test/helpers/assert-messages.ts), which stalls eventually() loops.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { apiClient } from './helpers/api-client.js';
import { eventually } from './helpers/eventually.js';
import { havenSql } from './helpers/haven-db.js';
import { type RunningHaven, startHaven } from './helpers/haven.js';
import { repoSel, retentionSetup, rule, tagSel } from './helpers/retention.js';
import { asAdmin, imageManifest, pushImage, putManifest, randomBlob, pushBlob, sha256 } from './helpers/oci.js';

const day = 86_400_000;
/** The host of this Haven's externalUrl, as webhook payloads name it. */
const externalHost = 'haven.test';

/** One row of a task log's table, as a user reads it. */
interface LogRow {
  tags: string;
  pushed: string;
  pulled: string;
  mark: string;
  reason: string;
}

/**
 * The table rows of a task log by digest (Digest | Tag | Kind | Labels | PushedTime | PulledTime |
 * Retention | Reason); each log line starts with its time, the table after it.
 */
function logRows(text: string): Record<string, LogRow> {
  const out: Record<string, LogRow> = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf('| sha256:');
    if (at === -1) continue;
    const [digest, tags, , , pushed, pulled, mark, reason] = line
      .slice(at + 1, line.lastIndexOf('|'))
      .split(' | ')
      .map((c) => c.trim());
    out[digest!] = { tags: tags!, pushed: pushed!, pulled: pulled!, mark: mark!, reason: reason! };
  }
  return out;
}
const marksOf = (rows: Record<string, LogRow>) => Object.fromEntries(Object.entries(rows).map(([d, r]) => [d, r.mark]));

interface Delivery {
  path: string;
  // biome-ignore lint/suspicious/noExplicitAny: payloads are read field by field and asserted against what Harbor sends
  body: any;
}

/** A webhook receiver on loopback that answers 200 and keeps every body it got. */
async function startReceiver() {
  const got: Delivery[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    on: (path: string) => got.filter((g) => g.path === path),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('tag retention rules', () => {
  let h: RunningHaven;
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  let client: ReturnType<typeof apiClient>;
  const api = (method: string, path: string, body?: unknown) => client.api(method, path, body === undefined ? {} : { body });

  const { project, createPolicy, runToEnd } = retentionSetup(() => client);
  /** Runs the policy, waits for the run to end, and returns its tasks with each task's log. */
  async function run(id: number, dryRun: boolean) {
    const execution = await runToEnd(id, dryRun);
    const eid = execution.id;
    assert.deepEqual([execution.status, execution.dry_run], ['Success', dryRun]);
    const t = await api('GET', `/retentions/${id}/executions/${eid}/tasks?page_size=100`);
    assert.equal(t.status, 200, t.text);
    const tasks = t.json as Array<{ id: number; repository: string; status: string; total: number; retained: number }>;
    const out: Record<string, { status: string; total: number; retained: number; log: string }> = {};
    for (const task of tasks) {
      const l = await api('GET', `/retentions/${id}/executions/${eid}/tasks/${task.id}`);
      assert.equal(l.status, 200, l.text);
      out[task.repository] = { status: task.status, total: task.total, retained: task.retained, log: l.text };
    }
    return out;
  }
  /** The tags a registry client sees (GET /v2/<repo>/tags/list), sorted. */
  async function tagList(repo: string): Promise<string[]> {
    const r = await fetch(`${h.url}/v2/${repo}/tags/list`, { headers: h.asAdmin });
    assert.equal(r.status, 200, `tags/list of ${repo}`);
    return ((await r.json()) as { tags: string[] | null }).tags?.sort() ?? [];
  }
  /** digest -> sorted tag names, as the artifact API lists the repository. */
  async function artifacts(projectName: string, repo: string): Promise<Record<string, string[]>> {
    const r = await api('GET', `/projects/${projectName}/repositories/${encodeURIComponent(repo)}/artifacts?page_size=100&with_tag=true`);
    assert.equal(r.status, 200, r.text);
    return Object.fromEntries((r.json as Array<{ digest: string; tags: Array<{ name: string }> | null }>).map((a) => [a.digest, (a.tags ?? []).map((t) => t.name).sort()]));
  }
  /** Moves an artifact's (and its tags') push time; pull times are left as they are. */
  async function pushedDaysAgo(digest: string, days: number) {
    const at = Date.now() - days * day;
    await havenSql(h, 'update manifests set pushed_at = ? where digest = ?', [at, digest]);
    await havenSql(h, 'update tags set updated_at = ? where manifest_id in (select id from manifests where digest = ?)', [at, digest]);
  }
  /** Sets an artifact's (and its tags') pull time, for pulls days ago that a test cannot wait for. */
  async function pulledDaysAgo(digest: string, days: number) {
    const at = Date.now() - days * day;
    await havenSql(h, 'update manifests set pulled_at = ? where digest = ?', [at, digest]);
    await havenSql(h, 'update tags set pulled_at = ? where manifest_id in (select id from manifests where digest = ?)', [at, digest]);
  }
  /** A webhook policy of the project for what retention sends, delivering to `path` of the receiver. */
  async function hookPolicy(projectName: string, path: string): Promise<number> {
    const r = await api('POST', `/projects/${projectName}/webhook/policies`, {
      name: 'retention',
      event_types: ['DELETE_ARTIFACT', 'TAG_RETENTION'],
      targets: [{ type: 'http', address: `${rx.url}${path}` }],
    });
    assert.equal(r.status, 201, r.text);
    return Number(r.headers.get('location')!.split('/').pop());
  }
  /** Waits for `n` deliveries to `path`; their bodies by event type. */
  async function deliveries(path: string, n: number) {
    const got = await eventually(() => {
      const g = rx.on(path);
      assert.equal(g.length, n, `deliveries to ${path} so far: ${g.map((x) => x.body.type)}`);
      return g.map((x) => x.body);
    });
    return { deletes: got.filter((b) => b.type === 'DELETE_ARTIFACT'), retention: got.filter((b) => b.type === 'TAG_RETENTION') };
  }
  /** Who the audit log says deleted each artifact of `repo` (full name): digest -> username. */
  async function auditedDeletes(repo: string, n: number): Promise<Record<string, string>> {
    return eventually(async () => {
      const r = await api('GET', `/audit-logs?q=${encodeURIComponent('operation=delete')}&page_size=100`);
      const rows = (r.json as Array<{ resource: string; username: string }>).filter((l) => l.resource.startsWith(`${repo}:`));
      assert.equal(rows.length, n, `audited deletes of ${repo}: ${JSON.stringify(rows)}`);
      return Object.fromEntries(rows.map((l) => [l.resource.slice(repo.length + 1), l.username]));
    });
  }
  /** A registry client's pull of a manifest, by tag or by digest. */
  async function pull(repo: string, reference: string) {
    const r = await fetch(`${h.url}/v2/${repo}/manifests/${reference}`, { headers: { ...h.asAdmin, Accept: 'application/vnd.oci.image.manifest.v1+json' } });
    assert.equal(r.status, 200, `pull ${repo}:${reference}`);
    await r.arrayBuffer();
  }

  before(async () => {
    rx = await startReceiver();
    // The receiver listens on 127.0.0.1, which the SSRF guard refuses unless told otherwise. An
    // external URL, as Harbor always has one (ext_endpoint): events written by a job, outside any
    // request, take their host from it (resource_url, harbor_hostname).
    h = await startHaven({
      env: { HAVEN_JOBS_POLL_INTERVAL: '100', HAVEN_JOBS_RETRY_DELAY: '200', HAVEN_WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', HAVEN_EXTERNAL_URL: `http://${externalHost}` },
    });
    client = apiClient(h);
  });
  after(async () => {
    await h?.cleanup();
    await rx?.close();
  });

  test('latestPulledN keeps the most recently pulled, whatever the push order; never pulled sorts last', async () => {
    const pid = await project('rr-pull');
    const reg = asAdmin(h);
    const a: Record<string, string> = {};
    // Pushed oldest first: a push-based rule would keep t4 and t5, exactly the ones this one deletes.
    for (const [tag, days] of [['t1', 50], ['t2', 40], ['t3', 30], ['t4', 2], ['t5', 1]] as const) {
      a[tag] = (await pushImage(reg, 'rr-pull/app', tag)).digest;
      await pushedDaysAgo(a[tag]!, days);
    }
    // t1 and t2 pulled now by a client (t1 by digest, t2 by tag), through the pull tracker.
    await pull('rr-pull/app', a.t1!);
    await pull('rr-pull/app', 't2');
    await eventually(async () => {
      for (const tag of ['t1', 't2']) {
        const r = await api('GET', `/projects/rr-pull/repositories/app/artifacts/${tag}`);
        assert.ok(Date.parse(r.json.pull_time) > Date.now() - 60_000, `${tag} pull recorded: ${r.json.pull_time}`);
      }
    });
    // Pulls days ago cannot be made by pulling: t3 three days ago, t4 ten days ago; t5 never.
    await pulledDaysAgo(a.t3!, 3);
    await pulledDaysAgo(a.t4!, 10);
    const before = await artifacts('rr-pull', 'app');

    const id = await createPolicy(pid, [rule('latestPulledN', 3, tagSel('**', 'matches'), repoSel('**', 'repoMatches'))]);
    const kept = 'retained by rule 1 (the most recently pulled 3 artifacts)';
    const want = { [a.t1!]: 'RETAIN', [a.t2!]: 'RETAIN', [a.t3!]: 'RETAIN', [a.t4!]: 'DEL', [a.t5!]: 'DEL' };

    const dry = (await run(id, true)).app!;
    assert.deepEqual([dry.total, dry.retained], [5, 3]);
    const dryRows = logRows(dry.log);
    assert.deepEqual(marksOf(dryRows), want);
    for (const tag of ['t1', 't2', 't3']) assert.equal(dryRows[a[tag]!]!.reason, kept, `${tag}'s reason`);
    for (const tag of ['t4', 't5']) assert.equal(dryRows[a[tag]!]!.reason, 'no rule retains it', `${tag}'s reason`);
    // The log shows the pull times the rule saw: t5 was never pulled.
    assert.equal(dryRows[a.t5!]!.pulled, '');
    assert.match(dryRows[a.t1!]!.pulled, /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d$/);
    assert.match(dry.log, /\[DRYRUN\] retained 3 of 5 artifacts, would delete 2/);
    assert.deepEqual(await artifacts('rr-pull', 'app'), before, 'a dry run deletes nothing');
    assert.deepEqual(await tagList('rr-pull/app'), ['t1', 't2', 't3', 't4', 't5']);

    const real = (await run(id, false)).app!;
    assert.deepEqual([real.total, real.retained], [5, 3]);
    assert.deepEqual(marksOf(logRows(real.log)), want, "the real run makes the dry run's decisions");
    assert.match(real.log, /Dry Run: false/);
    assert.match(real.log, /retained 3 of 5 artifacts, deleted 2/);
    assert.deepEqual(await tagList('rr-pull/app'), ['t1', 't2', 't3']);
    assert.deepEqual(await artifacts('rr-pull', 'app'), { [a.t1!]: ['t1'], [a.t2!]: ['t2'], [a.t3!]: ['t3'] });
  });

  test('nDaysSinceLastPush keeps what was pushed (or tagged) within N days; a recent pull does not save an old push', async () => {
    const pid = await project('rr-age');
    const reg = asAdmin(h);
    const a: Record<string, string> = {};
    for (const [tag, days] of [['fresh', 0], ['six-days', 6], ['eight-days', 8], ['old', 30], ['retagged', 40]] as const) {
      const img = await pushImage(reg, 'rr-age/app', tag);
      a[tag] = img.digest;
      if (days > 0) await pushedDaysAgo(img.digest, days);
      // The 40-day-old image gets a new tag today: its latest push is today's, as Harbor counts it.
      if (tag === 'retagged') assert.equal((await putManifest(reg, 'rr-age/app', 'again', img.manifest)).status, 201);
    }
    // Pulled yesterday, pushed a month ago: this template looks only at pushes.
    await pulledDaysAgo(a.old!, 1);

    const id = await createPolicy(pid, [rule('nDaysSinceLastPush', 7, tagSel('**', 'matches'), repoSel('**', 'repoMatches'))]);
    const kept = 'retained by rule 1 (pushed within the last 7 days)';
    const want = { [a.fresh!]: 'RETAIN', [a['six-days']!]: 'RETAIN', [a.retagged!]: 'RETAIN', [a['eight-days']!]: 'DEL', [a.old!]: 'DEL' };

    const dry = (await run(id, true)).app!;
    assert.deepEqual([dry.total, dry.retained], [5, 3]);
    const rows = logRows(dry.log);
    assert.deepEqual(marksOf(rows), want);
    for (const tag of ['fresh', 'six-days', 'retagged']) assert.equal(rows[a[tag]!]!.reason, kept, `${tag}'s reason`);
    for (const tag of ['eight-days', 'old']) assert.equal(rows[a[tag]!]!.reason, 'no rule retains it', `${tag}'s reason`);
    assert.equal(rows[a.retagged!]!.tags, 'again,retagged', 'both tags of the re-tagged image are in its row');
    assert.deepEqual(await tagList('rr-age/app'), ['again', 'eight-days', 'fresh', 'old', 'retagged', 'six-days'], 'a dry run deletes nothing');

    const real = (await run(id, false)).app!;
    assert.deepEqual([real.total, real.retained], [5, 3]);
    assert.deepEqual(marksOf(logRows(real.log)), want);
    assert.deepEqual(await tagList('rr-age/app'), ['again', 'fresh', 'retagged', 'six-days']);
    assert.deepEqual(await artifacts('rr-age', 'app'), { [a.fresh!]: ['fresh'], [a['six-days']!]: ['six-days'], [a.retagged!]: ['again', 'retagged'] });
  });

  test('excludes: a repository excluded is untouched; tags excluded by one rule are kept or deleted as another says', async () => {
    // The decorations are the ones Harbor's metadatas offer, read from there.
    const meta = await api('GET', '/retentions/metadatas');
    assert.equal(meta.status, 200, meta.text);
    assert.deepEqual(meta.json.tag_selectors, [{ display_text: 'Tags', kind: 'doublestar', decorations: ['matches', 'excludes'] }]);
    const [matches, excludes] = meta.json.tag_selectors[0].decorations as [string, string];
    const [, repoExcludes] = meta.json.scope_selectors[0].decorations as [string, string];

    const pid = await project('rr-ex');
    const reg = asAdmin(h);
    const a: Record<string, string> = {};
    for (const [tag, days] of [['v1', 10], ['v2', 9], ['dev-1', 3], ['dev-2', 1]] as const) {
      a[tag] = (await pushImage(reg, 'rr-ex/app', tag)).digest;
      await pushedDaysAgo(a[tag]!, days);
    }
    // One image tagged both dev-3 and stable: "excluding dev-*" still selects it (stable is not
    // excluded), as Harbor's excludes selects an artifact with any tag outside the pattern.
    const both = await pushImage(reg, 'rr-ex/app', 'dev-3');
    assert.equal((await putManifest(reg, 'rr-ex/app', 'stable', both.manifest)).status, 201);
    a.both = both.digest;
    await pushedDaysAgo(both.digest, 5);
    // An untagged image, which both rules below leave out through the untagged extra: the portal's
    // "excluding dev-* [x] untagged" and "matching dev-* [ ] untagged".
    const config = randomBlob(64);
    await pushBlob(reg, 'rr-ex/app', config.bytes);
    const loose = imageManifest(config, []);
    assert.equal((await putManifest(reg, 'rr-ex/app', sha256(loose), loose)).status, 201);
    a.loose = sha256(loose);
    await pushedDaysAgo(a.loose, 20);
    // Another repository holding what the rules would delete in app: excluded from every rule.
    const frozenDev = (await pushImage(reg, 'rr-ex/frozen', 'dev-1')).digest;
    const frozenOld = (await pushImage(reg, 'rr-ex/frozen', 'old')).digest;
    await pushedDaysAgo(frozenDev, 100);
    await pushedDaysAgo(frozenOld, 100);
    const frozenBefore = await artifacts('rr-ex', 'frozen');

    const id = await createPolicy(pid, [
      // Keep everything but dev builds ...
      rule('always', null, tagSel('dev-*', excludes, '{"untagged":true}'), repoSel('frozen', repoExcludes)),
      // ... and of the dev builds only the newest.
      rule('latestPushedK', 1, tagSel('dev-*', matches, '{"untagged":false}'), repoSel('frozen', repoExcludes)),
    ]);
    const want = { [a.v1!]: 'RETAIN', [a.v2!]: 'RETAIN', [a.both]: 'RETAIN', [a['dev-2']!]: 'RETAIN', [a['dev-1']!]: 'DEL', [a.loose]: 'DEL' };

    const dry = await run(id, true);
    assert.deepEqual(Object.keys(dry), ['app'], 'no task for the excluded repository');
    const rows = logRows(dry.app!.log);
    assert.deepEqual(marksOf(rows), want);
    assert.equal(rows[a.v1!]!.reason, 'retained by rule 1 (always)');
    assert.equal(rows[a.both]!.reason, 'retained by rule 1 (always)', 'rule 2 picks dev-2, the newer dev push');
    assert.equal(rows[a['dev-2']!]!.reason, 'retained by rule 2 (the most recently pushed 1 artifacts)');
    assert.equal(rows[a['dev-1']!]!.reason, 'no rule retains it');
    assert.equal(rows[a.loose]!.reason, 'no rule retains it');
    assert.deepEqual([dry.app!.total, dry.app!.retained], [6, 4]);
    assert.deepEqual(await tagList('rr-ex/app'), ['dev-1', 'dev-2', 'dev-3', 'stable', 'v1', 'v2'], 'a dry run deletes nothing');

    const real = await run(id, false);
    assert.deepEqual(Object.keys(real), ['app']);
    assert.deepEqual(marksOf(logRows(real.app!.log)), want);
    assert.deepEqual(await tagList('rr-ex/app'), ['dev-2', 'dev-3', 'stable', 'v1', 'v2']);
    assert.deepEqual(await artifacts('rr-ex', 'app'), { [a.v1!]: ['v1'], [a.v2!]: ['v2'], [a.both]: ['dev-3', 'stable'], [a['dev-2']!]: ['dev-2'] });
    // The excluded repository is as it was, its dev-1 and 100-day-old pushes included.
    assert.deepEqual(await tagList('rr-ex/frozen'), ['dev-1', 'old']);
    assert.deepEqual(await artifacts('rr-ex', 'frozen'), frozenBefore);
  });

  test('a real run sends DELETE_ARTIFACT per deleted artifact and one TAG_RETENTION in Harbor’s shape; a dry run sends nothing', async () => {
    const pid = await project('rr-hook');
    const hookId = await hookPolicy('rr-hook', '/rr-hook');
    const reg = asAdmin(h);
    const a: Record<string, string> = {};
    for (const [tag, days] of [['v1', 4], ['v2', 3], ['v3', 2], ['v4', 1]] as const) {
      a[tag] = (await pushImage(reg, 'rr-hook/app', tag)).digest;
      await pushedDaysAgo(a[tag]!, days);
    }
    // A second repository the rule keeps whole: its task deletes nothing, and Harbor sends no TAG_RETENTION for it.
    await pushImage(reg, 'rr-hook/web', 'only');

    const rules = [rule('latestPushedK', 2, tagSel('**', 'matches'), repoSel('**', 'repoMatches'))];
    const id = await createPolicy(pid, rules);
    const dry = await run(id, true);
    assert.deepEqual(marksOf(logRows(dry.app!.log)), { [a.v1!]: 'DEL', [a.v2!]: 'DEL', [a.v3!]: 'RETAIN', [a.v4!]: 'RETAIN' });
    const real = await run(id, false);
    assert.deepEqual(marksOf(logRows(real.app!.log)), marksOf(logRows(dry.app!.log)));
    assert.deepEqual([real.app!.total, real.app!.retained, real.web!.total, real.web!.retained], [4, 2, 1, 1]);
    assert.deepEqual(await tagList('rr-hook/app'), ['v3', 'v4']);

    const { deletes, retention } = await deliveries('/rr-hook', 3);
    assert.equal(deletes.length, 2, 'one DELETE_ARTIFACT per deleted artifact');
    assert.equal(retention.length, 1, 'one TAG_RETENTION, for the task that deleted something; none for the dry run');

    // DELETE_ARTIFACT as for any artifact delete: the digest and the tag it had, in a repository that still exists.
    const byDigest = Object.fromEntries(deletes.map((d) => [d.event_data.resources[0].digest, d]));
    for (const tag of ['v1', 'v2']) {
      const d = byDigest[a[tag]!];
      assert.ok(d, `a DELETE_ARTIFACT for ${tag}`);
      assert.deepEqual(d.event_data.resources, [{ digest: a[tag], tag, resource_url: `${externalHost}/rr-hook/app:${tag}` }]);
      const { date_created, ...repository } = d.event_data.repository;
      assert.deepEqual(repository, { name: 'app', namespace: 'rr-hook', repo_full_name: 'rr-hook/app', repo_type: 'private' });
      assert.equal(typeof date_created, 'number', 'the repository still exists: its creation time is sent');
    }
    // The run was started by admin: the audit log and TAG_RETENTION name admin, and so must the deletes.
    const audited = await auditedDeletes('rr-hook/app', 2);
    assert.deepEqual(audited, { [a.v1!]: 'admin', [a.v2!]: 'admin' });
    for (const d of deletes) assert.equal(d.operator, audited[d.event_data.resources[0].digest], `the operator of the DELETE_ARTIFACT of ${d.event_data.resources[0].tag}`);

    // TAG_RETENTION in Harbor's Default format (handler/webhook/artifact/retention.go).
    const t = retention[0];
    assert.deepEqual(Object.keys(t), ['type', 'occur_at', 'operator', 'event_data']);
    assert.equal(t.operator, 'admin');
    assert.ok(Math.abs(t.occur_at - Date.now() / 1000) < 120, `occur_at ${t.occur_at} is in seconds, recent`);
    const { deleted_artifact, ...summary } = t.event_data.retention;
    assert.deepEqual(summary, {
      total: 4,
      retained: 2,
      harbor_hostname: externalHost,
      project_name: 'rr-hook',
      retention_policy_id: id,
      retention_rule: [
        {
          template: 'latestPushedK',
          params: { latestPushedK: 2 },
          tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: '**', extras: '' }],
          scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**', extras: '' }] },
        },
      ],
      result: 'SUCCESS',
    });
    // Deleted = total - retained, and each deleted artifact named by the tag it had.
    assert.equal(deleted_artifact.length, summary.total - summary.retained);
    assert.deepEqual(
      [...deleted_artifact].sort((x: { name_tag: string }, y: { name_tag: string }) => x.name_tag.localeCompare(y.name_tag)),
      [
        { type: 'image', status: 'SUCCESS', name_tag: 'app:v1', references: null },
        { type: 'image', status: 'SUCCESS', name_tag: 'app:v2', references: null },
      ],
    );

    // The webhook's own history agrees: three deliveries, all delivered.
    await eventually(async () => {
      const e = await api('GET', `/projects/rr-hook/webhook/policies/${hookId}/executions?page_size=100`);
      const list = e.json as Array<{ status: string; extra_attrs: { event_type: string } }>;
      assert.deepEqual(list.map((x) => x.extra_attrs.event_type).sort(), ['DELETE_ARTIFACT', 'DELETE_ARTIFACT', 'TAG_RETENTION']);
      assert.ok(list.every((x) => x.status === 'Success'), JSON.stringify(list.map((x) => x.status)));
    });
  });

  test('a scheduled run’s events name harbor-jobservice, as its TAG_RETENTION and audit log do', async () => {
    // A scheduled run has no request behind it: its operator is harbor-jobservice (Harbor's
    // retention deletes go through its core API as harbor-jobservice too).
    const pid = await project('rr-cron');
    await hookPolicy('rr-cron', '/rr-cron');
    const reg = asAdmin(h);
    const old = (await pushImage(reg, 'rr-cron/app', 'old')).digest;
    await pushedDaysAgo(old, 2);
    const kept = (await pushImage(reg, 'rr-cron/app', 'new')).digest;
    const id = await createPolicy(pid, [rule('latestPushedK', 1, tagSel('**', 'matches'), repoSel('**', 'repoMatches'))], '0 0 3 * * *');
    // Due now: the scheduler fires it on its next tick.
    await havenSql(h, "update job_schedules set next_fire = ? where vendor_type = 'RETENTION' and vendor_id = ?", [Date.now() - 1000, id]);
    await eventually(async () => {
      const list = (await api('GET', `/retentions/${id}/executions`)).json as Array<{ status: string; trigger: string }>;
      assert.deepEqual(list.map((e) => [e.trigger, e.status]), [['SCHEDULE', 'Success']]);
    });
    assert.deepEqual(await tagList('rr-cron/app'), ['new']);
    assert.deepEqual(Object.keys(await artifacts('rr-cron', 'app')), [kept]);

    const { deletes, retention } = await deliveries('/rr-cron', 2);
    assert.equal(retention[0].operator, 'harbor-jobservice');
    assert.deepEqual(retention[0].event_data.retention.deleted_artifact, [{ type: 'image', status: 'SUCCESS', name_tag: 'app:old', references: null }]);
    assert.deepEqual(await auditedDeletes('rr-cron/app', 1), { [old]: 'harbor-jobservice' });
    assert.deepEqual(deletes[0].event_data.resources, [{ digest: old, tag: 'old', resource_url: `${externalHost}/rr-cron/app:old` }]);
    assert.equal(deletes[0].operator, 'harbor-jobservice', 'the DELETE_ARTIFACT names who deleted, as the audit log does');
  });
});

describe('tag retention webhooks without externalUrl', () => {
  let h: RunningHaven;
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  let client: ReturnType<typeof apiClient>;
  const { project, createPolicy, runToEnd } = retentionSetup(() => client);

  before(async () => {
    rx = await startReceiver();
    h = await startHaven({ env: { HAVEN_JOBS_POLL_INTERVAL: '100', HAVEN_JOBS_RETRY_DELAY: '200', HAVEN_WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
    client = apiClient(h);
  });
  after(async () => {
    await h?.cleanup();
    await rx?.close();
  });

  test('a manual run names the host it was asked through, in harbor_hostname and every resource_url', async () => {
    // No ext_endpoint to read: the run's request is the only address a receiver could pull from.
    const host = new URL(h.url).host;
    const pid = await project('rr-host');
    const hook = await client.api('POST', '/projects/rr-host/webhook/policies', {
      body: { name: 'retention', event_types: ['DELETE_ARTIFACT', 'TAG_RETENTION'], targets: [{ type: 'http', address: `${rx.url}/rr-host` }] },
    });
    assert.equal(hook.status, 201, hook.text);
    const reg = asAdmin(h);
    const old = (await pushImage(reg, 'rr-host/app', 'old')).digest;
    await havenSql(h, 'update manifests set pushed_at = ? where digest = ?', [Date.now() - 2 * day, old]);
    await havenSql(h, 'update tags set updated_at = ? where manifest_id in (select id from manifests where digest = ?)', [Date.now() - 2 * day, old]);
    await pushImage(reg, 'rr-host/app', 'new');
    const id = await createPolicy(pid, [rule('latestPushedK', 1, tagSel('**', 'matches'), repoSel('**', 'repoMatches'))]);
    assert.equal((await runToEnd(id, false)).status, 'Success');

    const got = await eventually(() => {
      const g = rx.on('/rr-host').map((d) => d.body);
      assert.equal(g.length, 2, `deliveries so far: ${g.map((b) => b.type)}`);
      return g;
    });
    const retention = got.find((b) => b.type === 'TAG_RETENTION');
    const removed = got.find((b) => b.type === 'DELETE_ARTIFACT');
    assert.equal(retention?.event_data.retention.harbor_hostname, host.split(':')[0]);
    assert.deepEqual(removed?.event_data.resources, [{ digest: old, tag: 'old', resource_url: `${host}/rr-host/app:old` }]);
  });
});
