// Webhooks end to end: policies through Harbor's API, events from pushes, deletes, a quota refusal
// and a retention run, delivered from the outbox to a receiver in this test (node:http on
// loopback), in Harbor's Default, CloudEvents and Slack formats; retries, a hanging target that
// never slows a push, a disabled policy, the delivery history through the API, bad policies,
// ids of another project, and the SSRF guard's refusal.
// Every assert.ok here has a message: without one, node's assert reads this file to quote the
// expression, which under tsx (positions of the compiled code) takes seconds per failed check and
// stalls the receiver inside eventually() loops.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { eventually } from './helpers/eventually.js';
import { havenSql } from './helpers/haven-db.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import { asAdmin, pushImage } from './helpers/oci.js';

// biome-ignore lint/suspicious/noExplicitAny: payloads are read field by field and asserted against what Harbor sends
type Payload = any;

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A receiver: /ok answers 200, /fail2 answers 500 twice per event then 200, /hang never answers. */
async function startReceiver() {
  const got: Received[] = [];
  const failures = new Map<string, number>();
  const hanging: Array<() => void> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      got.push({ path: req.url ?? '', headers: req.headers, body, at: Date.now() });
      const path = (req.url ?? '').split('?')[0]!;
      if (path.startsWith('/hang')) {
        hanging.push(() => res.destroy());
        return;
      }
      if (path.startsWith('/fail2')) {
        const n = failures.get(body) ?? 0;
        failures.set(body, n + 1);
        if (n < 2) {
          res.writeHead(500).end('receiver down');
          return;
        }
      }
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    got,
    on: (path: string) => got.filter((g) => g.path === path),
    close: async () => {
      for (const h of hanging) h();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

describe('webhooks', () => {
  let h: RunningHaven;
  let rx: Receiver;
  const api = (path: string, init: RequestInit = {}) => h.adminFetch(`${h.url}/api/v2.0${path}`, { ...init, headers: { 'Content-Type': 'application/json', ...init.headers } });
  const createPolicy = async (project: string, policy: Record<string, unknown>) => {
    const r = await api(`/projects/${project}/webhook/policies`, { method: 'POST', body: JSON.stringify(policy) });
    assert.equal(r.status, 201, await r.text());
    return Number(r.headers.get('location')!.split('/').pop());
  };
  const projectId = async (name: string) => ((await (await api(`/projects/${name}`)).json()) as { project_id: number }).project_id;
  const json = (r: Received) => JSON.parse(r.body) as Record<string, Payload>;

  before(async () => {
    rx = await startReceiver();
    h = await startHaven({
      env: { HAVEN_JOBS_POLL_INTERVAL: '100', HAVEN_JOBS_RETRY_DELAY: '200', HAVEN_WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', HAVEN_WEBHOOK_TIMEOUT: '1000' },
    });
    for (const p of ['hooks', 'other', 'cloud', 'slacky', 'retry', 'slow', 'pulls']) await h.createProject(p);
  });
  after(async () => {
    await h?.cleanup();
    await rx?.close();
  });

  test('PUSH_ARTIFACT and DELETE_ARTIFACT in Harbor’s Default format, with the auth header', async () => {
    const policyId = await createPolicy('hooks', {
      name: 'default',
      event_types: ['PUSH_ARTIFACT', 'DELETE_ARTIFACT'],
      targets: [{ type: 'http', address: `${rx.url}/ok/default`, auth_header: 'Bearer s3cret' }],
    });
    const before = Math.floor(Date.now() / 1000);
    const { digest } = await pushImage(asAdmin(h), 'hooks/app', 'v1');
    const push = await eventually(() => {
      const r = rx.on('/ok/default').find((g) => json(g).type === 'PUSH_ARTIFACT');
      assert.ok(r, 'no PUSH_ARTIFACT yet');
      return r;
    });
    assert.equal(push.headers.authorization, 'Bearer s3cret');
    assert.equal(push.headers['content-type'], 'application/json');
    const p = json(push);
    assert.equal(p.operator, 'admin');
    assert.ok(p.occur_at >= before && p.occur_at <= Date.now() / 1000 + 1, String(p.occur_at));
    assert.deepEqual(p.event_data.resources, [{ digest, tag: 'v1', resource_url: `${h.host}/hooks/app:v1` }]);
    const { date_created, ...repo } = p.event_data.repository;
    assert.deepEqual(repo, { name: 'app', namespace: 'hooks', repo_full_name: 'hooks/app', repo_type: 'private' });
    assert.ok(typeof date_created === 'number' && date_created >= before - 1, `date_created ${date_created}`);
    assert.deepEqual(Object.keys(p), ['type', 'occur_at', 'operator', 'event_data']);

    // The auth header is a secret: sealed or not, the API shows it back to the project admin as Harbor does.
    const shown = (await (await api(`/projects/hooks/webhook/policies/${policyId}`)).json()) as { targets: Array<{ auth_header: string }>; creator: string };
    assert.equal(shown.targets[0]!.auth_header, 'Bearer s3cret');
    assert.equal(shown.creator, 'admin');

    const del = await api(`/projects/hooks/repositories/app/artifacts/${digest}`, { method: 'DELETE' });
    assert.equal(del.status, 200, await del.text());
    const d = json(
      await eventually(() => {
        const r = rx.on('/ok/default').find((g) => json(g).type === 'DELETE_ARTIFACT');
        assert.ok(r, 'no DELETE_ARTIFACT yet');
        return r;
      }),
    );
    assert.equal(d.operator, 'admin');
    assert.deepEqual(d.event_data.resources, [{ digest, tag: 'v1', resource_url: `${h.host}/hooks/app:v1` }]);
    // The repository went with its last artifact: no date_created, as in Harbor.
    assert.deepEqual(d.event_data.repository, { name: 'app', namespace: 'hooks', repo_full_name: 'hooks/app', repo_type: 'private' });

    // The history through the API: executions, their one task, its log, lasttrigger, the old jobs list.
    const execs = await api(`/projects/hooks/webhook/policies/${policyId}/executions`);
    assert.equal(execs.status, 200);
    assert.equal(execs.headers.get('x-total-count'), '2');
    const list = (await execs.json()) as Array<{ id: number; vendor_type: string; vendor_id: number; status: string; trigger: string; extra_attrs: { event_type: string; payload: string } }>;
    await eventually(async () => {
      const l = (await (await api(`/projects/hooks/webhook/policies/${policyId}/executions`)).json()) as typeof list;
      assert.deepEqual(l.map((e) => e.status), ['Success', 'Success']);
    });
    assert.deepEqual(list.map((e) => [e.vendor_type, e.vendor_id, e.trigger, e.extra_attrs.event_type]), [
      ['WEBHOOK', policyId, 'EVENT', 'DELETE_ARTIFACT'],
      ['WEBHOOK', policyId, 'EVENT', 'PUSH_ARTIFACT'],
    ]);
    assert.equal(list[1]!.extra_attrs.payload, push.body, 'the body sent is the one recorded');
    const tasks = (await (await api(`/projects/hooks/webhook/policies/${policyId}/executions/${list[1]!.id}/tasks`)).json()) as Array<{ id: number; status: string; run_count: number; extra_attrs: Record<string, unknown> }>;
    assert.equal(tasks.length, 1);
    assert.equal(tasks[0]!.status, 'Success');
    assert.equal(tasks[0]!.run_count, 1);
    assert.equal(tasks[0]!.extra_attrs.status_code, 200);
    assert.equal(typeof tasks[0]!.extra_attrs.duration_ms, 'number');
    const log = await api(`/projects/hooks/webhook/policies/${policyId}/executions/${list[1]!.id}/tasks/${tasks[0]!.id}/log`);
    assert.equal(log.status, 200);
    assert.match(log.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await log.text();
    assert.match(text, /start to run webhook job/);
    assert.match(text, /success to run webhook job \(200 in \d+ ms\)/);
    assert.ok(!text.includes('s3cret'), 'the auth header is not logged');

    const last = (await (await api('/projects/hooks/webhook/lasttrigger')).json()) as Array<{ policy_name: string; event_type: string; last_trigger_time?: string; enabled: boolean }>;
    assert.deepEqual(last.map((l) => [l.policy_name, l.event_type, l.enabled, typeof l.last_trigger_time]), [
      ['default', 'PUSH_ARTIFACT', true, 'string'],
      ['default', 'DELETE_ARTIFACT', true, 'string'],
    ]);
    const jobs = (await (await api(`/projects/hooks/webhook/jobs?policy_id=${policyId}`)).json()) as Array<{ policy_id: number; notify_type: string; event_type: string; status: string; job_detail: string }>;
    assert.deepEqual(jobs.map((j) => [j.policy_id, j.notify_type, j.event_type, j.status]), [
      [policyId, 'http', 'DELETE_ARTIFACT', 'Success'],
      [policyId, 'http', 'PUSH_ARTIFACT', 'Success'],
    ]);
    assert.equal(jobs[1]!.job_detail, push.body);
    const events = (await (await api('/projects/hooks/webhook/events')).json()) as { event_type: string[]; notify_type: string[] };
    assert.ok(events.event_type.includes('TAG_RETENTION') && events.notify_type.includes('slack'), JSON.stringify(events));
  });

  test('pulls become PULL_ARTIFACT events in the pull tracker’s batch; a tag delete writes DELETE_TAG', async () => {
    await createPolicy('pulls', { name: 'pulled', event_types: ['PULL_ARTIFACT'], targets: [{ type: 'http', address: `${rx.url}/ok/pull` }] });
    const { digest } = await pushImage(asAdmin(h), 'pulls/app', 'v1');
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        const r = await fetch(`${h.url}/v2/pulls/app/manifests/v1`, { headers: { ...h.asAdmin, Accept: 'application/vnd.oci.image.manifest.v1+json' } });
        assert.equal(r.status, 200);
        await r.arrayBuffer();
      }),
    );
    const got = await eventually(() => {
      const g = rx.on('/ok/pull');
      assert.ok(g.length >= 1, 'no PULL_ARTIFACT yet');
      return g;
    });
    const p = json(got[0]!);
    assert.equal(p.type, 'PULL_ARTIFACT');
    assert.equal(p.operator, 'admin');
    assert.deepEqual(p.event_data.resources, [{ digest, tag: 'v1', resource_url: `${h.host}/pulls/app:v1` }]);
    // Every pull is counted, in far fewer rows than pulls (one per flush of the tracker).
    const rows = await eventually(async () => {
      const { rows } = await havenSql<{ payload: string }>(h, "select payload from event_outbox where type = 'PULL_ARTIFACT' and payload like ?", ['%pulls/app%']);
      assert.equal(rows.reduce((n, r) => n + (JSON.parse(r.payload) as { count: number }).count, 0), 10);
      return rows;
    });
    assert.ok(rows.length < 10, `${rows.length} rows for 10 pulls`);

    const del = await api(`/projects/pulls/repositories/app/artifacts/v1/tags/v1`, { method: 'DELETE' });
    assert.equal(del.status, 200, await del.text());
    const tagEvents = await havenSql<{ payload: string }>(h, "select payload from event_outbox where type = 'DELETE_TAG'");
    assert.deepEqual(tagEvents.rows.map((r) => JSON.parse(r.payload) as Record<string, unknown>).map((e) => [e.repository, e.tag, e.digest, e.operator]), [['pulls/app', 'v1', digest, 'admin']]);
  });

  test('CloudEvents 1.0 and Slack formats', async () => {
    const id = await projectId('cloud');
    const policyId = await createPolicy('cloud', { name: 'ce', event_types: ['PUSH_ARTIFACT'], targets: [{ type: 'http', address: `${rx.url}/ok/ce`, payload_format: 'CloudEvents' }] });
    await createPolicy('slacky', { name: 'sl', event_types: ['PUSH_ARTIFACT'], targets: [{ type: 'slack', address: `${rx.url}/ok/slack`, auth_header: 'never-sent' }] });
    const { digest } = await pushImage(asAdmin(h), 'cloud/web', 'latest');
    const ce = await eventually(() => {
      const [r] = rx.on('/ok/ce');
      assert.ok(r, 'no CloudEvents delivery yet');
      return r;
    });
    assert.equal(ce.headers['content-type'], 'application/cloudevents+json');
    const e = json(ce);
    assert.equal(e.specversion, '1.0');
    assert.equal(e.type, 'harbor.artifact.pushed');
    assert.equal(e.source, `/projects/${id}/webhook/policies/${policyId}`);
    assert.equal(e.datacontenttype, 'application/json');
    assert.match(e.id, /^[0-9a-f-]{36}$/);
    assert.match(e.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(e.requestid, /^[0-9a-f-]{36}$/, 'the X-Request-Id of the push');
    assert.equal(e.operator, 'admin');
    assert.deepEqual(e.data.resources, [{ digest, tag: 'latest', resource_url: `${h.host}/cloud/web:latest` }]);

    await pushImage(asAdmin(h), 'slacky/tool', 't1');
    const sl = await eventually(() => {
      const [r] = rx.on('/ok/slack');
      assert.ok(r, 'no Slack delivery yet');
      return r;
    });
    assert.equal(sl.headers.authorization, undefined, 'Harbor never sends the auth header to Slack');
    const blocks = json(sl).blocks as Array<{ type: string; text: { type: string; text: string } }>;
    assert.equal(blocks[1]!.text.text, '*event_type:* PUSH_ARTIFACT');
    assert.equal(blocks[3]!.text.text, '*operator:* admin');
    assert.match(blocks[5]!.text.text, /slacky\/tool:t1/);
    const execs = (await (await api(`/projects/slacky/webhook/jobs?policy_id=${(await (await api('/projects/slacky/webhook/policies')).json() as Array<{ id: number }>)[0]!.id}`)).json()) as Array<{ notify_type: string }>;
    assert.equal(execs[0]!.notify_type, 'slack');
  });

  test('QUOTA_EXCEED when a push passes the quota, and TAG_RETENTION as the retention job writes it', async () => {
    const r = await api('/projects', { method: 'POST', body: JSON.stringify({ project_name: 'small', storage_limit: 1500 }) });
    assert.equal(r.status, 201);
    const id = await projectId('small');
    await createPolicy('small', { name: 'q', event_types: ['QUOTA_EXCEED', 'TAG_RETENTION'], targets: [{ type: 'http', address: `${rx.url}/ok/quota` }] });
    await assert.rejects(pushImage(asAdmin(h), 'small/big', 'v1', 2, 1024));
    const q = json(
      await eventually(() => {
        const g = rx.on('/ok/quota').find((x) => json(x).type === 'QUOTA_EXCEED');
        assert.ok(g, 'no QUOTA_EXCEED yet');
        return g;
      }),
    );
    assert.equal(q.event_data.repository.repo_full_name, 'small/big');
    assert.equal(q.event_data.repository.namespace, 'small');
    assert.match(q.event_data.custom_attributes.Details, /exceed|quota/i);
    // Harbor's quota events name who pushed (operator.FromContext) and what.
    assert.equal(q.operator, 'admin');
    assert.equal(q.event_data.resources.length, 1);

    const retention = {
      occurAt: new Date().toISOString(),
      operator: 'admin',
      dryRun: false,
      policyId: 7,
      projectName: 'small',
      status: 'SUCCESS',
      total: 3,
      retained: 2,
      deleted: [{ repository: 'nginx', tags: ['old'], digest: 'sha256:aaaa', kind: 'image' }],
      rules: [{ template: 'latestPushedK', params: { latestPushedK: 2 }, tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: '**' }] }],
    };
    await havenSql(h, 'insert into event_outbox (type, project_id, payload, created_at) values (?, ?, ?, ?)', ['TAG_RETENTION', id, JSON.stringify(retention), Date.now()]);
    const t = json(
      await eventually(() => {
        const g = rx.on('/ok/quota').find((x) => json(x).type === 'TAG_RETENTION');
        assert.ok(g, 'no TAG_RETENTION yet');
        return g;
      }),
    );
    assert.equal(t.operator, 'admin');
    assert.deepEqual(t.event_data.retention.deleted_artifact, [{ type: 'image', status: 'SUCCESS', name_tag: 'nginx:old', references: null }]);
    assert.equal(t.event_data.retention.total, 3);
    assert.equal(t.event_data.retention.retained, 2);
    assert.equal(t.event_data.retention.project_name, 'small');
    assert.equal(t.event_data.retention.retention_policy_id, 7);
    assert.equal(t.event_data.retention.result, 'SUCCESS');
    assert.equal(t.event_data.retention.retention_rule[0].tag_selectors[0].extras, '');
  });

  test('QUOTA_WARNING when a push reaches 85 % of the quota, as Harbor sends it', async () => {
    const r = await api('/projects', { method: 'POST', body: JSON.stringify({ project_name: 'nearly', storage_limit: 10_000 }) });
    assert.equal(r.status, 201, await r.text());
    await createPolicy('nearly', { name: 'w', event_types: ['QUOTA_WARNING', 'QUOTA_EXCEED'], targets: [{ type: 'http', address: `${rx.url}/ok/warn` }] });
    // Config (64 B), one 1 KiB layer and the manifest: under 85 %, no event.
    await pushImage(asAdmin(h), 'nearly/app', 'small', 1, 1024);
    // Another 7.5 KiB: about 87 %, under the limit: the warning, once.
    const { digest } = await pushImage(asAdmin(h), 'nearly/app', 'big', 1, 7_500);
    const w = json(
      await eventually(() => {
        const g = rx.on('/ok/warn').find((x) => json(x).type === 'QUOTA_WARNING');
        assert.ok(g, 'no QUOTA_WARNING yet');
        return g;
      }),
    );
    assert.deepEqual(Object.keys(w), ['type', 'occur_at', 'operator', 'event_data']);
    assert.equal(w.operator, 'admin');
    assert.ok(Math.abs(w.occur_at - Date.now() / 1000) < 60, String(w.occur_at));
    assert.deepEqual(w.event_data.resources, [{ digest, tag: 'big' }]);
    assert.deepEqual(w.event_data.repository, { name: 'app', namespace: 'nearly', repo_full_name: 'nearly/app', repo_type: 'private' });
    assert.match(w.event_data.custom_attributes.Details, /^quota usage reach 85%: resource storage used .* of 9\.8 KiB$/);
    // A push that stays above 85 % (and under the limit) warns no more: the outbox holds one event.
    await pushImage(asAdmin(h), 'nearly/app', 'tiny', 1, 16);
    const { rows } = await havenSql<{ type: string }>(h, "select type from event_outbox where type like 'QUOTA%' and project_id = ?", [await projectId('nearly')]);
    assert.deepEqual(rows.map((x) => x.type), ['QUOTA_WARNING']);
    assert.deepEqual(rx.on('/ok/warn').map((x) => json(x).type), ['QUOTA_WARNING']);
  });

  test('a target answering 500 is retried with back-off until it succeeds; a disabled policy sends nothing', async () => {
    const policyId = await createPolicy('retry', { name: 'flaky', event_types: ['PUSH_ARTIFACT'], targets: [{ type: 'http', address: `${rx.url}/fail2` }] });
    await createPolicy('retry', { name: 'off', enabled: false, event_types: ['PUSH_ARTIFACT'], targets: [{ type: 'http', address: `${rx.url}/ok/disabled` }] });
    await pushImage(asAdmin(h), 'retry/app', 'v1');
    const [exec] = await eventually(async () => {
      const l = (await (await api(`/projects/retry/webhook/policies/${policyId}/executions`)).json()) as Array<{ id: number; status: string }>;
      assert.equal(l[0]?.status, 'Success');
      return l;
    });
    const attempts = rx.on('/fail2');
    assert.equal(attempts.length, 3);
    assert.equal(new Set(attempts.map((a) => a.body)).size, 1, 'every attempt sends the same bytes');
    assert.ok(attempts[1]!.at - attempts[0]!.at >= 150, 'a back-off between attempts');
    const [task] = (await (await api(`/projects/retry/webhook/policies/${policyId}/executions/${exec!.id}/tasks`)).json()) as Array<{ id: number; run_count: number; extra_attrs: Record<string, Payload> }>;
    assert.equal(task!.run_count, 3);
    assert.equal(task!.extra_attrs.attempt_1.status_code, 500);
    assert.equal(task!.extra_attrs.attempt_3.status_code, 200);
    const log = await (await api(`/projects/retry/webhook/policies/${policyId}/executions/${exec!.id}/tasks/${task!.id}/log`)).text();
    assert.match(log, /abnormal response code: 500, body: receiver down/);
    assert.match(log, /attempt 1 of 3 failed; retrying/);
    assert.match(log, /delivered on attempt 3/);
    assert.deepEqual(rx.on('/ok/disabled'), [], 'the disabled policy sent nothing');

    // Deleting a policy deletes its delivery history, as in Harbor.
    assert.equal((await api(`/projects/retry/webhook/policies/${policyId}`, { method: 'DELETE' })).status, 200);
    const left = await havenSql<{ n: number }>(h, "select count(*) as n from job_executions where vendor_type in ('WEBHOOK', 'SLACK') and vendor_id = ?", [policyId]);
    assert.equal(Number(left.rows[0]!.n), 0);
  });

  test('a hanging target never slows a push', async (t) => {
    const time = async (tag: string) => {
      const t0 = performance.now();
      await pushImage(asAdmin(h), 'slow/app', tag, 1, 256);
      return performance.now() - t0;
    };
    const baseline: number[] = [];
    for (let i = 0; i < 3; i++) baseline.push(await time(`base${i}`));
    const policyId = await createPolicy('slow', { name: 'hang', event_types: ['PUSH_ARTIFACT'], targets: [{ type: 'http', address: `${rx.url}/hang` }] });
    const hung: number[] = [];
    for (let i = 0; i < 3; i++) hung.push(await time(`hung${i}`));
    await eventually(() => assert.ok(rx.on('/hang').length >= 3, 'deliveries reached the hanging target'));
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
    // The delivery timeout is 1 s: a push that waited on it would take over a second.
    t.diagnostic(`push latency median: ${Math.round(median(baseline))} ms without a webhook, ${Math.round(median(hung))} ms with a hanging target`);
    assert.ok(median(hung) < median(baseline) + 300, `pushes took ${hung.map(Math.round)} ms with a hanging target, ${baseline.map(Math.round)} ms before`);
    const tasks = await eventually(async () => {
      const [e] = (await (await api(`/projects/slow/webhook/policies/${policyId}/executions`)).json()) as Array<{ id: number }>;
      const [t] = (await (await api(`/projects/slow/webhook/policies/${policyId}/executions/${e!.id}/tasks`)).json()) as Array<{ id: number; run_count: number; extra_attrs: Record<string, Payload> }>;
      assert.ok(t!.run_count >= 2, 'timed out and retried');
      return { e: e!, t: t! };
    });
    const log = await (await api(`/projects/slow/webhook/policies/${policyId}/executions/${tasks.e.id}/tasks/${tasks.t.id}/log`)).text();
    assert.match(log, /timeout after 1000 ms/);
  });

  test('bad policies get Harbor’s 400s; a second policy of the same name is a 409', async () => {
    const post = (body: unknown) => api('/projects/other/webhook/policies', { method: 'POST', body: JSON.stringify(body) });
    const target = [{ type: 'http', address: `${rx.url}/ok/x` }];
    const cases: Array<[unknown, RegExp]> = [
      [{ name: 'a', targets: target }, /empty event type/],
      [{ name: 'a', event_types: ['NOPE'], targets: target }, /unsupported event type NOPE/],
      [{ name: 'a', event_types: ['PUSH_ARTIFACT'] }, /empty notification target with policy a/],
      [{ name: 'a', event_types: ['PUSH_ARTIFACT'], targets: [{ type: 'ftp', address: 'http://x' }] }, /unsupported target type ftp/],
      [{ name: 'a', event_types: ['PUSH_ARTIFACT'], targets: [{ type: 'http', address: 'ftp://x' }] }, /invalid scheme: ftp/],
      [{ name: 'a', event_types: ['PUSH_ARTIFACT'], targets: [{ type: 'slack', address: 'http://x', payload_format: 'CloudEvents' }] }, /set payload format is not allowed for slack/],
      [{ name: 'a', event_types: ['PUSH_ARTIFACT'], targets: [{ type: 'http', address: 'http://x', payload_format: 'XML' }] }, /unsupported payload format type: XML/],
      [{ name: 'a', event_types: 'PUSH_ARTIFACT', targets: target }, /event_types/],
    ];
    for (const [body, message] of cases) {
      const r = await post(body);
      assert.equal(r.status, 400, JSON.stringify(body));
      const err = (await r.json()) as { errors: Array<{ code: string; message: string }> };
      assert.match(err.errors[0]!.message, message);
    }
    assert.equal((await post({ name: 'dup', event_types: ['PUSH_ARTIFACT'], targets: target })).status, 201);
    const dup = await post({ name: 'dup', event_types: ['PULL_ARTIFACT'], targets: target });
    assert.equal(dup.status, 409);
    assert.match(await dup.text(), /notification policy named dup already exists/);
    assert.equal((await (await api('/projects/other/webhook/policies')).json() as unknown[]).length, 1);
  });

  test('ids of another project answer 404 and change nothing', async () => {
    const mine = await createPolicy('other', { name: 'mine', event_types: ['PUSH_ARTIFACT'], targets: [{ type: 'http', address: `${rx.url}/ok/mine` }] });
    const [theirs] = (await (await api('/projects/hooks/webhook/policies')).json()) as Array<{ id: number; name: string }>;
    const [theirExec] = (await (await api(`/projects/hooks/webhook/policies/${theirs!.id}/executions`)).json()) as Array<{ id: number }>;
    const [theirTask] = (await (await api(`/projects/hooks/webhook/policies/${theirs!.id}/executions/${theirExec!.id}/tasks`)).json()) as Array<{ id: number }>;
    const paths = [
      `/projects/other/webhook/policies/${theirs!.id}`,
      `/projects/other/webhook/policies/${theirs!.id}/executions`,
      `/projects/other/webhook/policies/${mine}/executions/${theirExec!.id}/tasks`,
      `/projects/other/webhook/policies/${mine}/executions/${theirExec!.id}/tasks/${theirTask!.id}/log`,
      `/projects/other/webhook/jobs?policy_id=${theirs!.id}`,
      `/projects/other/webhook/policies/999999`,
    ];
    for (const p of paths) assert.equal((await api(p)).status, 404, p);
    const put = await api(`/projects/other/webhook/policies/${theirs!.id}`, { method: 'PUT', body: JSON.stringify({ name: 'stolen', event_types: ['PUSH_ARTIFACT'], targets: [{ type: 'http', address: 'http://evil.example' }] }) });
    assert.equal(put.status, 404);
    assert.equal((await api(`/projects/other/webhook/policies/${theirs!.id}`, { method: 'DELETE' })).status, 404);
    const still = (await (await api(`/projects/hooks/webhook/policies/${theirs!.id}`)).json()) as { name: string };
    assert.equal(still.name, theirs!.name);

    // A user who is not a member does not see the project's policies at all.
    assert.equal((await api('/users', { method: 'POST', body: JSON.stringify({ username: 'nobody', email: 'n@x.io', realname: 'n', password: 'Passw0rd1' }) })).status, 201);
    const asNobody = { Authorization: `Basic ${Buffer.from('nobody:Passw0rd1').toString('base64')}` };
    assert.equal((await api(`/projects/hooks/webhook/policies`, { headers: asNobody })).status, 404);
    // Update and delete in the right project work, and PUT keeps `enabled` when left out.
    assert.equal((await api(`/projects/other/webhook/policies/${mine}`, { method: 'PUT', body: JSON.stringify({ name: 'renamed', event_types: ['PULL_ARTIFACT'], targets: [{ type: 'http', address: `${rx.url}/ok/mine` }] }) })).status, 200);
    const updated = (await (await api(`/projects/other/webhook/policies/${mine}`)).json()) as { name: string; enabled: boolean; event_types: string[] };
    assert.deepEqual([updated.name, updated.enabled, updated.event_types], ['renamed', true, ['PULL_ARTIFACT']]);
    assert.equal((await api(`/projects/other/webhook/policies/${mine}`, { method: 'DELETE' })).status, 200);
    assert.equal((await api(`/projects/other/webhook/policies/${mine}`)).status, 404);
  });
});

describe('webhooks without webhook.allowPrivateTargets', () => {
  let h: RunningHaven;
  let rx: Receiver;
  before(async () => {
    rx = await startReceiver();
    h = await startHaven({ projects: ['guarded'], env: { HAVEN_JOBS_POLL_INTERVAL: '100', HAVEN_JOBS_RETRY_DELAY: '200' } });
  });
  after(async () => {
    await h?.cleanup();
    await rx?.close();
  });

  test('a loopback target is refused, not called, and not retried', async () => {
    const api = (path: string, init: RequestInit = {}) => h.adminFetch(`${h.url}/api/v2.0${path}`, { ...init, headers: { 'Content-Type': 'application/json', ...init.headers } });
    const r = await api('/projects/guarded/webhook/policies', { method: 'POST', body: JSON.stringify({ name: 'local', event_types: ['PUSH_ARTIFACT'], targets: [{ type: 'http', address: `${rx.url}/ok/guarded` }] }) });
    assert.equal(r.status, 201);
    const policyId = Number(r.headers.get('location')!.split('/').pop());
    await pushImage(asAdmin(h), 'guarded/app', 'v1');
    const exec = await eventually(async () => {
      const [e] = (await (await api(`/projects/guarded/webhook/policies/${policyId}/executions`)).json()) as Array<{ id: number; status: string }>;
      assert.equal(e?.status, 'Error');
      return e!;
    });
    const [task] = (await (await api(`/projects/guarded/webhook/policies/${policyId}/executions/${exec.id}/tasks`)).json()) as Array<{ id: number; run_count: number }>;
    assert.equal(task!.run_count, 1);
    const log = await (await api(`/projects/guarded/webhook/policies/${policyId}/executions/${exec.id}/tasks/${task!.id}/log`)).text();
    assert.match(log, /target refused: webhook target 127\.0\.0\.1 is a loopback address/);
    assert.deepEqual(rx.got, []);
  });
});
