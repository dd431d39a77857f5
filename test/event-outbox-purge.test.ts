// The event outbox is pruned (EVENT_PURGE, a periodic job on the job service): events the webhook
// consumer has read and that are older than events.outboxRetention (0 here) are deleted; an event
// the consumer's cursor has not passed is kept, however old, and is still delivered later.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { eventually } from './helpers/eventually.js';
import { havenSql } from './helpers/haven-db.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import { asAdmin, pushImage } from './helpers/oci.js';

describe('event outbox purge', () => {
  let h: RunningHaven;
  let server: Server;
  /** The tag of every PUSH_ARTIFACT the receiver got, in order. */
  const pushedTags: string[] = [];
  const api = (path: string, init: RequestInit = {}) => h.adminFetch(`${h.url}/api/v2.0${path}`, { ...init, headers: { 'Content-Type': 'application/json', ...init.headers } });
  const queueAction = async (type: string, action: string) => {
    const r = await api(`/jobservice/queues/${type}`, { method: 'PUT', body: JSON.stringify({ action }) });
    assert.equal(r.status, 200, await r.text());
  };
  // Not polled faster: a test reopening the SQLite file every few milliseconds starves the server's writes.
  const slowly = { intervalMs: 250 };
  /** The outbox's PUSH_ARTIFACT rows: id and tag. */
  const outbox = async () =>
    (await havenSql<{ id: number; payload: string }>(h, "select id, payload from event_outbox where type = 'PUSH_ARTIFACT' order by id")).rows.map((r) => ({
      id: Number(r.id),
      tag: (JSON.parse(r.payload) as { tags: string[] }).tags[0]!,
    }));
  const allRows = async () => Number((await havenSql<{ n: number }>(h, 'select count(*) as n from event_outbox')).rows[0]!.n);
  const cursor = async () => Number((await havenSql<{ c: number }>(h, 'select last_event_id as c from webhook_cursor where id = 1')).rows[0]?.c ?? 0);
  const purgeLines = async () =>
    (await havenSql<{ line: string }>(h, "select l.line from job_task_logs l join job_tasks t on t.id = l.task_id where t.job_type = 'EVENT_PURGE' order by l.id")).rows.map((r) => r.line);

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const p = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type: string; event_data: { resources: Array<{ tag: string }> } };
        if (p.type === 'PUSH_ARTIFACT') pushedTags.push(p.event_data.resources[0]!.tag);
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    h = await startHaven({
      env: {
        HAVEN_JOBS_POLL_INTERVAL: '100',
        HAVEN_WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
        HAVEN_EVENTS_OUTBOX_RETENTION: '0',
        HAVEN_EVENTS_OUTBOX_PURGE_INTERVAL: '300ms',
      },
    });
    await h.createProject('hooks');
    const r = await api('/projects/hooks/webhook/policies', {
      method: 'POST',
      body: JSON.stringify({ name: 'all', event_types: ['PUSH_ARTIFACT'], targets: [{ type: 'http', address: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ok` }] }),
    });
    assert.equal(r.status, 201, await r.text());
  });
  after(async () => {
    await h?.cleanup();
    server?.closeAllConnections();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  test('delivered events are deleted by the EVENT_PURGE job', async () => {
    await pushImage(asAdmin(h), 'hooks/app', 'v1');
    await eventually(() => assert.ok(pushedTags.includes('v1'), 'v1 not delivered yet'));
    await eventually(async () => assert.equal(await allRows(), 0, 'the outbox still holds read events'), slowly);
    assert.ok((await purgeLines()).some((l) => /^purged [1-9]\d* event\(s\) read by every consumer \(up to event \d+\) and older than 0 ms$/.test(l)), 'a purge said what it deleted');
    const schedules = (await (await api('/schedules?page_size=50')).json()) as Array<{ vendor_type: string; cron: string }>;
    assert.equal(schedules.find((s) => s.vendor_type === 'EVENT_PURGE')?.cron, '@every 300ms');
  });

  test('an event the cursor has not passed survives the purge and is still delivered', async () => {
    // Hold the purge while the consumer reads two events, and let no purge be running.
    await queueAction('EVENT_PURGE', 'pause');
    await eventually(async () => {
      const { rows } = await havenSql<{ n: number }>(h, "select count(*) as n from job_tasks where job_type = 'EVENT_PURGE' and status = 'Running'");
      assert.equal(Number(rows[0]!.n), 0, 'a purge is still running');
    }, slowly);
    await pushImage(asAdmin(h), 'hooks/app', 'v2');
    await pushImage(asAdmin(h), 'hooks/app', 'v3');
    await eventually(() => assert.ok(pushedTags.includes('v2') && pushedTags.includes('v3'), 'v2 and v3 not delivered yet'));
    const rows = await outbox();
    assert.deepEqual(rows.map((r) => r.tag), ['v2', 'v3'], 'the paused purge deleted nothing');
    const v2 = rows[0]!;
    const v3 = rows[1]!;
    await eventually(async () => assert.ok((await cursor()) >= v3.id, 'the consumer has not read v3 yet'), slowly);

    // A consumer behind: its cursor back at v2, so v3 is unread. (The consumer itself looks only
    // past the newest event it saw, so it stays idle until a new event comes.)
    await havenSql(h, 'update webhook_cursor set last_event_id = ? where id = 1', [v2.id]);
    await queueAction('EVENT_PURGE', 'resume');
    await eventually(async () => assert.ok((await purgeLines()).some((l) => l.includes(`(up to event ${v2.id})`)), 'no purge has read the set-back cursor yet'), slowly);
    assert.deepEqual((await outbox()).map((r) => r.tag), ['v3'], 'v2 (read) is gone, v3 (unread) is kept');
    assert.equal(await cursor(), v2.id);

    // The next event wakes the consumer: it reads on from its cursor, so v3 is delivered (again,
    // here), then both are read and pruned.
    const deliveredBefore = pushedTags.length;
    await pushImage(asAdmin(h), 'hooks/app', 'v4');
    await eventually(() => assert.deepEqual(pushedTags.slice(deliveredBefore).sort(), ['v3', 'v4']));
    await eventually(async () => assert.equal(await allRows(), 0, 'the outbox still holds read events'), slowly);
  });
});
