// PostgreSQL takes an outbox id when the row is inserted, not when its transaction commits: an
// event whose transaction commits after a later id's must still be delivered. A transaction held
// open here with its event inserted: the push after it is not delivered past it; on commit, both
// are. (SQLite has one writer: its ids commit in order; this file runs on PostgreSQL only.)
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { types } from '../src/db/postgres.js';
import { eventually } from './helpers/eventually.js';
import { havenSql } from './helpers/haven-db.js';
import { startHaven, testDatabase, type RunningHaven } from './helpers/haven.js';
import { asAdmin, pushImage } from './helpers/oci.js';

describe('webhook events committed out of id order', { skip: testDatabase !== 'postgres' && 'PostgreSQL only (HAVEN_TEST_DATABASE=postgres)' }, () => {
  let h: RunningHaven;
  let server: Server;
  const tags: string[] = [];

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const p = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { event_data: { resources: Array<{ tag: string }> } };
        tags.push(p.event_data.resources[0]!.tag);
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    h = await startHaven({ env: { HAVEN_JOBS_POLL_INTERVAL: '100', HAVEN_WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
    await h.createProject('order');
    const r = await h.adminFetch(`${h.url}/api/v2.0/projects/order/webhook/policies`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'p', event_types: ['PUSH_ARTIFACT'], targets: [{ type: 'http', address: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` }] }),
    });
    assert.equal(r.status, 201, await r.text());
  });
  after(async () => {
    await h?.cleanup();
    server?.closeAllConnections();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  test('an event committed after a later id is delivered, and the later one waits for it', async () => {
    const projectId = Number((await havenSql<{ id: number }>(h, "select id from projects where name = 'order'")).rows[0]!.id);
    const client = new pg.Client({ connectionString: h.databaseUrl, types });
    await client.connect();
    try {
      await client.query('begin');
      const payload = { operator: 'admin', host: h.host, requestId: '', repository: 'order/app', digest: `sha256:${'a'.repeat(64)}`, mediaType: 'application/vnd.oci.image.manifest.v1+json', tags: ['early'] };
      const held = await client.query<{ id: number }>('insert into event_outbox (type, project_id, payload, created_at) values ($1, $2, $3, $4) returning id', ['PUSH_ARTIFACT', projectId, JSON.stringify(payload), Date.now()]);
      const heldId = Number(held.rows[0]!.id);
      await pushImage(asAdmin(h), 'order/app', 'late');
      const late = Number((await havenSql<{ id: number }>(h, "select max(id) as id from event_outbox where type = 'PUSH_ARTIFACT'")).rows[0]!.id);
      assert.ok(late > heldId, `the push's event ${late} comes after the held ${heldId}`);
      // For a while (many consumer polls), nothing passes the uncommitted id.
      for (let i = 0; i < 10; i++) {
        await delay(150);
        const cursor = Number((await havenSql<{ c: number }>(h, 'select last_event_id as c from webhook_cursor where id = 1')).rows[0]?.c ?? 0);
        assert.ok(cursor < heldId, `the cursor ${cursor} passed the uncommitted event ${heldId}`);
        assert.deepEqual(tags, [], 'nothing delivered past the gap');
      }
      await client.query('commit');
    } finally {
      await client.end();
    }
    await eventually(() => assert.deepEqual([...tags].sort(), ['early', 'late']));
  });
});
