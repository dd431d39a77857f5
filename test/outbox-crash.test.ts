// Webhook events survive kill -9: an acknowledged push's PUSH_ARTIFACT reaches every policy exactly
// once, whether Haven died while the delivery was being retried (the receiver answering 500) or
// before any worker had read the event from the outbox; a refused push (MANIFEST_BLOB_UNKNOWN, a
// quota exceeded) leaves no PUSH_ARTIFACT at all. What a user sees is asserted: the receiver's
// requests and the delivery history of Harbor's API.
// Every assert.ok has a message (see test/webhooks.test.ts: without one, a failed check is slow).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { eventually } from './helpers/eventually.js';
import { type RunningHaven, startHaven } from './helpers/haven.js';
import { asAdmin, imageManifest, ociError, pushBlob, pushImage, putManifest, randomBlob } from './helpers/oci.js';

/**
 * Fast polls and back-off, so the test waits seconds; ten attempts, so a delivery outlives the
 * crash and the restart instead of giving up; a short lease, so a task that was running in the
 * killed process is soon run again.
 */
const env = {
  HAVEN_JOBS_POLL_INTERVAL: '100',
  HAVEN_JOBS_RETRY_DELAY: '300',
  HAVEN_JOBS_LEASE_TIME: '3s',
  HAVEN_WEBHOOK_MAX_ATTEMPTS: '10',
  HAVEN_WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  HAVEN_WEBHOOK_TIMEOUT: '1000',
};

interface Received {
  path: string;
  /** What the receiver answered: 500 while down, 200 once up. */
  answered: number;
  at: number;
  // biome-ignore lint/suspicious/noExplicitAny: payloads are read field by field
  payload: any;
}

/** A receiver on loopback that answers 500 while `down` (so Haven keeps retrying), 200 after. */
async function startReceiver() {
  const got: Received[] = [];
  const state = { down: true };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answered = state.down ? 500 : 200;
      got.push({ path: req.url ?? '', answered, at: Date.now(), payload: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(answered).end(state.down ? 'receiver down' : 'ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    got,
    /** The tags of the PUSH_ARTIFACT events a path accepted (answered 200), in arrival order. */
    pushedTags: (path: string) => got.filter((g) => g.path === path && g.answered === 200 && g.payload.type === 'PUSH_ARTIFACT').map((g) => g.payload.event_data.resources[0].tag as string),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

interface Execution {
  id: number;
  status: string;
  extra_attrs: { event_type: string; payload: string };
}
interface Task {
  id: number;
  status: string;
  run_count: number;
  // biome-ignore lint/suspicious/noExplicitAny: attributes are read field by field
  extra_attrs: Record<string, any>;
}

describe('webhook events across kill -9', () => {
  /** The first Haven: it owns the data directory and database every restart reuses. */
  let first: RunningHaven;
  let h: RunningHaven;
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  const api = (path: string, init: RequestInit = {}) => h.adminFetch(`${h.url}/api/v2.0${path}`, { ...init, headers: { 'Content-Type': 'application/json', ...init.headers } });
  const restart = async (args: string[] = []) => {
    h = await startHaven({ dataDir: first.dataDir, env, args });
  };
  const createPolicy = async (project: string, name: string, eventTypes = ['PUSH_ARTIFACT']) => {
    const r = await api(`/projects/${project}/webhook/policies`, { method: 'POST', body: JSON.stringify({ name, event_types: eventTypes, targets: [{ type: 'http', address: `${rx.url}/${project}/${name}` }] }) });
    assert.equal(r.status, 201, await r.text());
    return Number(r.headers.get('location')!.split('/').pop());
  };
  const executions = async (project: string, policyId: number) => {
    const r = await api(`/projects/${project}/webhook/policies/${policyId}/executions`);
    const text = await r.text();
    assert.equal(r.status, 200, text);
    return JSON.parse(text) as Execution[];
  };
  const tasksOf = async (project: string, policyId: number, executionId: number) => (await (await api(`/projects/${project}/webhook/policies/${policyId}/executions/${executionId}/tasks`)).json()) as Task[];
  /** Per execution, oldest first: the event type, the tag its payload names, and its status. */
  const history = async (project: string, policyId: number) =>
    (await executions(project, policyId)).reverse().map((e) => [e.extra_attrs.event_type, (JSON.parse(e.extra_attrs.payload) as { event_data: { resources: Array<{ tag: string }> } }).event_data.resources[0]?.tag, e.status]);
  /** Waits until every execution of the policy is done and the receiver accepted `tags` on its path. */
  const delivered = (project: string, name: string, policyId: number, tags: string[]) =>
    eventually(
      async () => {
        const l = await executions(project, policyId);
        assert.ok(l.every((e) => e.status === 'Success'), `${project}/${name}: ${JSON.stringify(l.map((e) => e.status))}`);
        assert.deepEqual([...new Set(rx.pushedTags(`/${project}/${name}`))].sort(), [...tags].sort());
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );

  before(async () => {
    rx = await startReceiver();
    first = h = await startHaven({ env });
  });
  after(async () => {
    if (h && h !== first) await h.stop();
    await first?.cleanup();
    await rx?.close();
  });

  test('a delivery being retried when Haven is killed is delivered once per policy after the restart', async () => {
    rx.state.down = true;
    await h.createProject('retried');
    const policies = { a: await createPolicy('retried', 'a'), b: await createPolicy('retried', 'b') };
    await pushImage(asAdmin(h), 'retried/app', 'v1'); // throws unless acknowledged (201)

    // Both deliveries were planned and tried, and the receiver refused them: they wait to be retried.
    const runsBeforeKill: Record<string, number> = {};
    for (const [name, id] of Object.entries(policies)) {
      runsBeforeKill[name] = await eventually(async () => {
        const [e] = await executions('retried', id);
        assert.ok(e, `no execution yet for policy ${name}`);
        const [t] = await tasksOf('retried', id, e.id);
        assert.equal(t?.extra_attrs.attempt_1?.status_code, 500, `policy ${name}: ${JSON.stringify(t)}`);
        assert.notEqual(e.status, 'Success');
        return t!.run_count;
      });
    }
    assert.deepEqual(rx.pushedTags('/retried/a'), []);
    assert.deepEqual(rx.pushedTags('/retried/b'), []);

    await h.kill();
    const killedAt = Date.now();
    await restart();

    // The delivery history survived, and the restarted Haven goes on retrying: the receiver is
    // called again (and still refuses).
    for (const [name, id] of Object.entries(policies)) {
      await eventually(
        async () => {
          const [e, ...more] = await executions('retried', id);
          assert.equal(more.length, 0, `policy ${name}: one execution for the one push`);
          const [t] = await tasksOf('retried', id, e!.id);
          assert.ok(t!.run_count > runsBeforeKill[name]!, `policy ${name}: run_count ${t!.run_count}, ${runsBeforeKill[name]} before the kill`);
          assert.ok(rx.got.some((g) => g.path === `/retried/${name}` && g.at > killedAt), `policy ${name}: no attempt since the restart`);
        },
        { timeoutMs: 20_000 },
      );
    }

    rx.state.down = false;
    await delivered('retried', 'a', policies.a, ['v1']);
    await delivered('retried', 'b', policies.b, ['v1']);
    // A later push, delivered after it: had v1 been planned or sent twice, it would show by now.
    await pushImage(asAdmin(h), 'retried/app', 'v2');
    for (const [name, id] of Object.entries(policies)) {
      await delivered('retried', name, id, ['v1', 'v2']);
      assert.deepEqual(rx.pushedTags(`/retried/${name}`), ['v1', 'v2'], `policy ${name}: each push accepted exactly once`);
      assert.deepEqual(await history('retried', id), [
        ['PUSH_ARTIFACT', 'v1', 'Success'],
        ['PUSH_ARTIFACT', 'v2', 'Success'],
      ]);
    }
  });

  test('an event still in the outbox when Haven is killed is delivered once per policy after the restart', async () => {
    rx.state.down = false;
    await h.createProject('queued');
    const policies = { c: await createPolicy('queued', 'c'), d: await createPolicy('queued', 'd') };

    // An API-only instance runs no outbox consumer: its push's event stays in the outbox exactly
    // as a crash between the push's commit and the consumer's next poll leaves it.
    await h.stop();
    await restart(['--role', 'api']);
    await pushImage(asAdmin(h), 'queued/app', 'v1');
    for (const id of Object.values(policies)) assert.deepEqual(await executions('queued', id), [], 'nothing planned yet');
    await h.kill();

    await restart();
    await delivered('queued', 'c', policies.c, ['v1']);
    await delivered('queued', 'd', policies.d, ['v1']);
    await pushImage(asAdmin(h), 'queued/app', 'v2');
    for (const [name, id] of Object.entries(policies)) {
      await delivered('queued', name, id, ['v1', 'v2']);
      assert.deepEqual(rx.pushedTags(`/queued/${name}`), ['v1', 'v2'], `policy ${name}: each push accepted exactly once`);
      assert.deepEqual(await history('queued', id), [
        ['PUSH_ARTIFACT', 'v1', 'Success'],
        ['PUSH_ARTIFACT', 'v2', 'Success'],
      ]);
    }
  });

  test('a refused push leaves no PUSH_ARTIFACT event', async () => {
    rx.state.down = false;
    // 4 KiB: room for the small image below, not for the 8 KiB one.
    const created = await api('/projects', { method: 'POST', body: JSON.stringify({ project_name: 'refused', storage_limit: 4096 }) });
    assert.equal(created.status, 201, await created.text());
    const policyId = await createPolicy('refused', 'e', ['PUSH_ARTIFACT', 'QUOTA_EXCEED']);
    const reg = asAdmin(h);

    // A manifest naming a layer that was never uploaded.
    const config = randomBlob(64);
    await pushBlob(reg, 'refused/app', config.bytes);
    const unknown = await putManifest(reg, 'refused/app', 'missing', imageManifest(config, [randomBlob(512)]));
    assert.equal(unknown.status, 404, 'refused as test/oci-manifests.test.ts expects');
    assert.equal(await ociError(unknown), 'MANIFEST_BLOB_UNKNOWN');
    // An image over the project's quota: refused with 403, and a QUOTA_EXCEED instead.
    await assert.rejects(pushImage(reg, 'refused/app', 'big', 2, 4096), /manifest push failed: 403/);
    // Then an accepted push, delivered after the refused ones' events would have been.
    await pushImage(reg, 'refused/app', 'ok', 1, 256);

    await eventually(
      async () => {
        const l = await executions('refused', policyId);
        assert.equal(l.length, 2, JSON.stringify(l.map((e) => e.extra_attrs.event_type)));
        assert.ok(l.every((e) => e.status === 'Success'), JSON.stringify(l.map((e) => e.status)));
      },
      { timeoutMs: 30_000 },
    );
    assert.deepEqual(await history('refused', policyId), [
      ['QUOTA_EXCEED', 'big', 'Success'],
      ['PUSH_ARTIFACT', 'ok', 'Success'],
    ]);
    // The two deliveries run side by side, so they may arrive in either order.
    const got = rx.got.filter((g) => g.path === '/refused/e').map((g) => `${g.payload.type} ${g.payload.event_data.resources[0]?.tag}`);
    assert.deepEqual(got.sort(), ['PUSH_ARTIFACT ok', 'QUOTA_EXCEED big']);
  });
});
