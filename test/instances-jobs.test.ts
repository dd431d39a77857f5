// @haven-own-database: chooses its own databases, so the PostgreSQL pass of npm test skips it.
// Background jobs with two Haven instances on one PostgreSQL database and one Redis (issue 10):
// both run workers and schedulers, so each piece of work must still happen exactly once. A
// schedule forced due fires once per firing, not once per instance; a webhook event is delivered
// once though both instances consume the outbox; and a retention run whose worker is killed -9 in
// the middle of its deletes is finished by the other instance, leaving every artifact whole or
// gone with its tags, and the quota equal to what remains. Everything is checked through HTTP.
// Every assert.ok has a message (see test/webhooks.test.ts: without one, node re-reads this file).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { postgres } from './backends/postgres.js';
import { redisSkip, startRedis, type RedisBackend } from './backends/redis.js';
import { apiClient } from './helpers/api-client.js';
import { eventually } from './helpers/eventually.js';
import { havenSql } from './helpers/haven-db.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import { asAdmin, imageManifest, mediaType, pushBlob, pushImage, putManifest, randomBlob, sha256 } from './helpers/oci.js';

// biome-ignore lint/suspicious/noExplicitAny: payloads are read field by field
type Payload = any;

/**
 * Long enough that a duplicate would have shown up: each instance's scheduler ticks and its
 * outbox consumer and job poll run every 100 ms (HAVEN_JOBS_POLL_INTERVAL), so this is ten rounds
 * of each. Waiting for something NOT to happen needs a fixed wait; everything else uses eventually().
 */
const settle = () => delay(1000);

/** A webhook receiver on loopback that answers 200 and keeps every request. */
async function startReceiver() {
  const got: Array<{ path: string; body: string }> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    got,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('background jobs on two Havens sharing one PostgreSQL and one Redis', { skip: redisSkip }, () => {
  let redis: RedisBackend;
  let databaseUrl: string;
  let a: RunningHaven;
  let b: RunningHaven;
  let rx: Awaited<ReturnType<typeof startReceiver>>;

  before(async () => {
    [redis, rx] = await Promise.all([startRedis(), startReceiver()]);
    databaseUrl = await (await postgres()).createDatabase('instances_jobs');
    const env = {
      HAVEN_DATABASE_URL: databaseUrl,
      HAVEN_REDIS_URL: redis.url,
      // Quick polls and a short lease, so the tests wait seconds, not the production 30 s.
      HAVEN_JOBS_POLL_INTERVAL: '100',
      HAVEN_JOBS_LEASE_TIME: '2s',
      HAVEN_JOBS_RETRY_DELAY: '200',
      // The receiver is on loopback, which the SSRF guard refuses by default.
      HAVEN_WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      HAVEN_WEBHOOK_TIMEOUT: '1000',
    };
    // One after the other: the first migrates the empty database (instances.test.ts covers a start together).
    a = await startHaven({ env });
    b = await startHaven({ env });
  });
  after(async () => {
    await Promise.all([a?.cleanup(), b?.cleanup()]);
    if (databaseUrl) await (await postgres()).dropDatabase(databaseUrl);
    await Promise.all([redis?.cleanup(), rx?.close()]);
  });

  test('a schedule forced due fires exactly once per firing, as both instances report', async () => {
    const onA = apiClient(a);
    const onB = apiClient(b);
    const parameters = { audit_retention_hour: 168, include_event_types: 'create_project', dry_run: true };
    const created = await onA.api('POST', '/system/purgeaudit/schedule', { body: { schedule: { type: 'Daily', cron: '0 0 0 * * *' }, parameters } });
    assert.equal(created.status, 201, created.text);
    const history = async (h: typeof onA) => {
      const r = await h.api('GET', '/system/purgeaudit?page=1&page_size=100');
      assert.equal(r.status, 200, r.text);
      return { total: Number(r.headers.get('x-total-count')), items: r.json as Array<{ id: number; job_kind: string; job_status: string }> };
    };
    const nextFire = async (h: typeof onA) => Date.parse((await h.api('GET', '/system/purgeaudit/schedule')).json.schedule.next_scheduled_time);
    assert.equal((await history(onA)).total, 0);

    for (let firing = 1; firing <= 4; firing++) {
      // Due now for both schedulers, which tick every 100 ms: both see it, one may fire it.
      const forced = await havenSql(a, "update job_schedules set next_fire = ? where vendor_type = 'PURGE_AUDIT_LOG'", [Date.now() - 1000]);
      assert.equal(forced.changes, 1);
      await eventually(
        async () => {
          const { items } = await history(onB);
          assert.equal(items[0]?.job_status, 'Success', `firing ${firing}: ${JSON.stringify(items[0])}`);
          assert.ok(items.length >= firing, `firing ${firing}: ${items.length} runs`);
        },
        { timeoutMs: 20_000 },
      );
      // The firing moved the schedule on (tomorrow at midnight), as both instances see it.
      for (const h of [onA, onB]) assert.ok((await nextFire(h)) > Date.now(), `firing ${firing}: the schedule moved on`);
      await settle();
      for (const [name, h] of [['A', onA], ['B', onB]] as const) {
        const { total, items } = await history(h);
        assert.equal(total, firing, `${name} after firing ${firing}: one run per firing, not one per instance: ${JSON.stringify(items)}`);
        assert.deepEqual(
          items.map((e) => [e.job_kind, e.job_status]),
          Array.from({ length: firing }, () => ['SCHEDULE', 'Success']),
        );
      }
    }
  });

  test('webhooks: each push through A or B is delivered exactly once, though both consume the outbox', async () => {
    const onA = apiClient(a);
    await a.createProject('hooks');
    const policy = await onA.api('POST', '/projects/hooks/webhook/policies', {
      body: { name: 'once', event_types: ['PUSH_ARTIFACT'], targets: [{ type: 'http', address: `${rx.url}/hooks` }] },
    });
    assert.equal(policy.status, 201, policy.text);
    const policyId = Number(policy.headers.get('location')!.split('/').pop());

    // Alternately through A and B, one after the other, then both at once (ids committed out of
    // order across instances: the consumers' gap handling must neither drop nor repeat them).
    const pushed: Array<{ tag: string; digest: string }> = [];
    for (let i = 0; i < 6; i++) {
      const tag = `seq${i}`;
      pushed.push({ tag, digest: (await pushImage(asAdmin(i % 2 ? b : a), 'hooks/app', tag, 1, 256)).digest });
    }
    for (let round = 0; round < 3; round++) {
      const both = await Promise.all([a, b].map((h, i) => pushImage(asAdmin(h), 'hooks/app', `par${round}-${i}`, 1, 256)));
      both.forEach((p, i) => pushed.push({ tag: `par${round}-${i}`, digest: p.digest }));
    }

    const deliveredTags = () =>
      rx.got
        .filter((g) => g.path === '/hooks')
        .map((g) => JSON.parse(g.body) as Payload)
        .filter((p) => p.type === 'PUSH_ARTIFACT')
        .map((p) => `${p.event_data.resources[0].tag}@${p.event_data.resources[0].digest}`)
        .sort();
    const expected = pushed.map((p) => `${p.tag}@${p.digest}`).sort();
    // The consumers may hold events behind a gap in the outbox ids for up to 5 s.
    await eventually(() => assert.deepEqual(new Set(deliveredTags()), new Set(expected), 'every push delivered'), { timeoutMs: 30_000 });
    await eventually(
      async () => {
        const r = await onA.api('GET', `/projects/hooks/webhook/policies/${policyId}/executions?page_size=100`);
        const statuses = (r.json as Array<{ status: string }>).map((e) => e.status);
        assert.ok(statuses.every((s) => s === 'Success'), `executions: ${statuses}`);
      },
      { timeoutMs: 20_000 },
    );
    await settle();
    assert.deepEqual(deliveredTags(), expected, 'each push arrived exactly once');
    for (const [name, h] of [['A', a], ['B', b]] as const) {
      const r = await apiClient(h).api('GET', `/projects/hooks/webhook/policies/${policyId}/executions?page_size=100`);
      assert.equal(r.headers.get('x-total-count'), String(pushed.length), `${name}: one delivery execution per push: ${r.text}`);
    }
  });

  test('kill -9 in the middle of a retention run: the other instance finishes it, nothing is half deleted', async () => {
    const onA = apiClient(a);
    const created = await onA.api('POST', '/projects', { body: { project_name: 'ret' } });
    assert.equal(created.status, 201, created.text);
    const projectId = Number(created.headers.get('location')!.split('/').pop());

    // Many small artifacts in one repository (one retention task): one shared config and layer,
    // each manifest made distinct by an annotation, so each delete releases exactly its manifest.
    const reg = asAdmin(a);
    const config = randomBlob(100);
    const layer = randomBlob(2000);
    await pushBlob(reg, 'ret/app', config.bytes);
    await pushBlob(reg, 'ret/app', layer.bytes);
    const artifacts: Array<{ tag: string; digest: string; size: number; keep: boolean }> = [];
    const drop = 600;
    const keep = 5;
    const tags = [...Array.from({ length: drop }, (_, i) => `drop-${i}`), ...Array.from({ length: keep }, (_, i) => `keep-${i}`)];
    for (let i = 0; i < tags.length; i += 8) {
      await Promise.all(
        tags.slice(i, i + 8).map(async (tag) => {
          const manifest = imageManifest(config, [layer], { annotations: { tag } });
          const r = await putManifest(reg, 'ret/app', tag, manifest);
          assert.equal(r.status, 201, await r.text());
          artifacts.push({ tag, digest: sha256(manifest), size: manifest.length, keep: tag.startsWith('keep-') });
        }),
      );
    }
    const usage = async (h: RunningHaven) => {
      const r = await apiClient(h).api('GET', '/projects/ret/summary', { headers: { 'X-Is-Resource-Name': 'true' } });
      assert.equal(r.status, 200, r.text);
      return Number(r.json.quota.used.storage);
    };
    const expectedUsage = (left: typeof artifacts) => config.size + layer.size + left.reduce((n, x) => n + x.size, 0);
    assert.equal(await usage(a), expectedUsage(artifacts), 'the quota counts the shared blobs once and every manifest');

    const policy = await onA.api('POST', '/retentions', {
      body: {
        algorithm: 'or',
        rules: [{ action: 'retain', template: 'always', params: {}, tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: 'keep-*' }], scope_selectors: {} }],
        trigger: { kind: 'Schedule', settings: {} },
        scope: { level: 'project', ref: projectId },
      },
    });
    assert.equal(policy.status, 201, policy.text);
    const policyId = Number(policy.headers.get('location')!.split('/').pop());
    const run = await onA.api('POST', `/retentions/${policyId}/executions`, { body: { dry_run: false } });
    assert.equal(run.status, 201, run.text);
    const executionId = Number(run.headers.get('location')!.split('/').pop());

    const artifactCount = async (h: RunningHaven) => {
      const r = await apiClient(h).api('GET', '/projects/ret/repositories/app/artifacts?page_size=1');
      assert.equal(r.status, 200, r.text);
      return Number(r.headers.get('x-total-count'));
    };
    // The run was queued on A, whose worker looks at once; B polls too and may win the claim.
    // The dashboard names the pool running the task, and the pools their process ids.
    const runner = await eventually(
      async () => {
        const workers = (await onA.api('GET', '/jobservice/pools/all/workers')).json as Array<{ pool_id: string; job_name: string }>;
        const retention = workers.find((w) => w.job_name === 'RETENTION');
        assert.ok(retention, `no RETENTION task running yet: ${JSON.stringify(workers)}`);
        const pools = (await onA.api('GET', '/jobservice/pools')).json as Array<{ worker_pool_id: string; pid: number }>;
        const pid = pools.find((p) => p.worker_pool_id === retention.pool_id)?.pid;
        const h = [a, b].find((x) => x.proc.pid === pid);
        assert.ok(h, `pool ${retention.pool_id} (pid ${pid}) is neither instance`);
        return h;
      },
      { timeoutMs: 20_000, intervalMs: 10 },
    );
    const survivor = runner === a ? b : a;
    // Killed once some artifacts are gone and many are left: in the middle of its deletes.
    await eventually(
      async () => {
        const n = await artifactCount(survivor);
        assert.ok(n <= tags.length - 50, `${n} artifacts left, not enough deleted yet`);
      },
      { timeoutMs: 60_000, intervalMs: 20 },
    );
    await runner.kill();
    const leftAtKill = await artifactCount(survivor);
    assert.ok(leftAtKill > keep + 100, `the run should have been killed in the middle, but only ${leftAtKill} artifacts were left`);

    // The dead worker's lease (2 s) runs out; the survivor runs the task again from what is left.
    const onSurvivor = apiClient(survivor);
    const execution = await eventually(
      async () => {
        const list = await onSurvivor.api('GET', `/retentions/${policyId}/executions`);
        const e = (list.json as Array<{ id: number; status: string; end_time: string }>).find((x) => x.id === executionId);
        assert.ok(e && ['Success', 'Error', 'Stopped'].includes(e.status), `execution not over: ${list.text}`);
        return e;
      },
      { timeoutMs: 120_000, intervalMs: 200 },
    );
    assert.equal(execution.status, 'Success', 'the run was finished, not failed');
    assert.notEqual(execution.end_time, '0001-01-01T00:00:00Z');
    const tasks = await onSurvivor.api('GET', `/retentions/${policyId}/executions/${executionId}/tasks`);
    assert.deepEqual(
      (tasks.json as Array<{ status: string; retained: number }>).map((t) => [t.status, t.retained]),
      [['Success', keep]],
    );
    const taskId = (tasks.json as Array<{ id: number }>)[0]!.id;
    const log = await onSurvivor.api('GET', `/retentions/${policyId}/executions/${executionId}/tasks/${taskId}`);
    assert.match(log.text, /RETENTION task \d+ started \(attempt 2 of 3\)/, 'the survivor ran the lost task again');

    // Every artifact is whole or gone with its tags, as the registry and the API show it.
    const tagList = await onSurvivor.call('GET', '/v2/ret/app/tags/list?n=1000');
    assert.equal(tagList.status, 200, tagList.text);
    const kept = artifacts.filter((x) => x.keep);
    assert.deepEqual([...(tagList.json.tags as string[])].sort(), kept.map((x) => x.tag).sort());
    const listed = await onSurvivor.api('GET', '/projects/ret/repositories/app/artifacts?page_size=100&with_tag=true');
    assert.deepEqual(
      (listed.json as Array<{ digest: string; tags: Array<{ name: string }> | null }>).map((x) => [x.digest, (x.tags ?? []).map((t) => t.name)]).sort(),
      kept.map((x) => [x.digest, [x.tag]]).sort(),
    );
    const manifest = (ref: string) => fetch(`${survivor.url}/v2/ret/app/manifests/${ref}`, { headers: { ...survivor.asAdmin, Accept: mediaType.ociManifest } });
    for (const x of artifacts) {
      const [byDigest, byTag] = await Promise.all([manifest(x.digest), manifest(x.tag)]);
      if (x.keep) {
        assert.equal(byDigest.status, 200, `${x.tag}: kept, by digest`);
        assert.equal(sha256(Buffer.from(await byDigest.arrayBuffer())), x.digest);
        assert.equal(byTag.status, 200, `${x.tag}: kept, by tag`);
        assert.equal(byTag.headers.get('docker-content-digest'), x.digest);
        await byTag.arrayBuffer();
      } else {
        assert.equal(byDigest.status, 404, `${x.tag}: deleted, by digest`);
        assert.equal(byTag.status, 404, `${x.tag}: its tag went with it`);
        await Promise.all([byDigest.arrayBuffer(), byTag.arrayBuffer()]);
      }
    }
    assert.equal(await usage(survivor), expectedUsage(kept), 'the quota is exactly what remains');
  });
});
