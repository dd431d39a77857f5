// A webhook receiver that answers 503 or 429 with Retry-After (delay-seconds, or an HTTP date) is
// tried again no sooner than it asked, and the task log says so; a 500's Retry-After is not
// heeded (the plain back-off). Each receiver path refuses the first attempt, then answers 200.
// Every assert.ok has a message (see test/webhooks.test.ts: without one, a failed check is slow).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { eventually } from './helpers/eventually.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import { asAdmin, pushImage } from './helpers/oci.js';

describe('webhook Retry-After', () => {
  let h: RunningHaven;
  let server: Server;
  let url = '';
  /** When each path was called. */
  const calls = new Map<string, number[]>();
  /** The first answer of each path (then 200): status and Retry-After, made at the time of the call. */
  const first: Record<string, () => [number, string]> = {
    '/busy-seconds': () => [503, '2'],
    '/busy-date': () => [429, new Date(Date.now() + 3_000).toUTCString()],
    '/broken': () => [500, '30'],
  };
  const api = (path: string) => h.adminFetch(`${h.url}/api/v2.0${path}`);

  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const path = req.url ?? '';
        const at = calls.get(path) ?? [];
        at.push(Date.now());
        calls.set(path, at);
        const answer = first[path];
        if (answer && at.length === 1) {
          const [status, retryAfter] = answer();
          res.writeHead(status, { 'Retry-After': retryAfter }).end('come back later');
          return;
        }
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    h = await startHaven({ env: { HAVEN_JOBS_POLL_INTERVAL: '100', HAVEN_JOBS_RETRY_DELAY: '200', HAVEN_WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
    await h.createProject('busy');
  });
  after(async () => {
    await h?.cleanup();
    server?.closeAllConnections();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  /** A policy per path; the push makes one delivery to each. Returns the policy ids by path. */
  async function policies(): Promise<Record<string, number>> {
    const ids: Record<string, number> = {};
    for (const path of Object.keys(first)) {
      const r = await h.adminFetch(`${h.url}/api/v2.0/projects/busy/webhook/policies`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: path.slice(1), event_types: ['PUSH_ARTIFACT'], targets: [{ type: 'http', address: `${url}${path}` }] }),
      });
      assert.equal(r.status, 201, await r.text());
      ids[path] = Number(r.headers.get('location')!.split('/').pop());
    }
    return ids;
  }

  /** The delivery's one task once it succeeded, and its log. */
  async function delivered(policyId: number) {
    const exec = await eventually(async () => {
      const l = (await (await api(`/projects/busy/webhook/policies/${policyId}/executions`)).json()) as Array<{ id: number; status: string }>;
      assert.equal(l[0]?.status, 'Success', `policy ${policyId}: ${JSON.stringify(l)}`);
      return l[0]!;
    });
    // biome-ignore lint/suspicious/noExplicitAny: attributes are read field by field
    const [task] = (await (await api(`/projects/busy/webhook/policies/${policyId}/executions/${exec.id}/tasks`)).json()) as Array<{ id: number; run_count: number; extra_attrs: Record<string, any> }>;
    const log = await (await api(`/projects/busy/webhook/policies/${policyId}/executions/${exec.id}/tasks/${task!.id}/log`)).text();
    return { task: task!, log };
  }

  const gap = (path: string) => {
    const at = calls.get(path) ?? [];
    assert.equal(at.length, 2, `${path}: ${at.length} calls`);
    return at[1]! - at[0]!;
  };

  test('503 and 429 with Retry-After wait at least as asked; a 500 keeps the plain back-off', async () => {
    const ids = await policies();
    await pushImage(asAdmin(h), 'busy/app', 'v1');

    const seconds = await delivered(ids['/busy-seconds']!);
    assert.ok(gap('/busy-seconds') >= 2_000, `503 Retry-After: 2, retried after ${gap('/busy-seconds')} ms`);
    assert.match(seconds.log, /abnormal response code: 503, body: come back later/);
    assert.match(seconds.log, /attempt 1 of 3 failed; retrying in 2 s \(the receiver asked for Retry-After: 2\)/);
    assert.match(seconds.log, /delivered on attempt 2/);
    assert.equal(seconds.task.run_count, 2);
    assert.equal(seconds.task.extra_attrs.attempt_1.retry_after_ms, 2_000);
    assert.ok(seconds.task.extra_attrs.attempt_1.retry_delay_ms >= 2_000, JSON.stringify(seconds.task.extra_attrs.attempt_1));

    const date = await delivered(ids['/busy-date']!);
    // An HTTP date has whole seconds: 3 s from the call is 2-3 s after it.
    assert.ok(gap('/busy-date') >= 2_000, `429 Retry-After (date), retried after ${gap('/busy-date')} ms`);
    assert.match(date.log, /attempt 1 of 3 failed; retrying in [23] s \(the receiver asked for Retry-After: \w{3}, \d\d \w{3} \d{4} [\d:]{8} GMT\)/);
    assert.match(date.log, /delivered on attempt 2/);

    const broken = await delivered(ids['/broken']!);
    assert.ok(gap('/broken') < 10_000, `a 500's Retry-After: 30 is not heeded, retried after ${gap('/broken')} ms`);
    assert.match(broken.log, /attempt 1 of 3 failed; retrying in 0 s\n/);
    assert.doesNotMatch(broken.log, /Retry-After/);
  });
});
