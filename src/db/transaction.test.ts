import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { postgres } from '../../test/backends/postgres.js';
import { openPostgres } from './postgres.js';
import { projectQueue, transaction } from './transaction.js';

test('transactions in one queue take turns; those in other queues, or in none, run side by side', async () => {
  const server = await postgres();
  const url = await server.createDatabase('queue');
  const handle = openPostgres(url, { poolSize: 8 });
  try {
    const spans: Record<string, Array<[number, number]>> = { a: [], b: [], none: [] };
    const run = (name: keyof typeof spans, queue?: string) =>
      transaction(
        handle.db,
        async (tx) => {
          const start = performance.now();
          await sql`select pg_sleep(0.15)`.execute(tx);
          spans[name]!.push([start, performance.now()]);
        },
        queue === undefined ? {} : { queue },
      );
    const failing = transaction(handle.db, async () => {
      throw new Error('refused');
    }, { queue: projectQueue('a/x') });
    await Promise.all([run('a', projectQueue('a/one')), run('a', projectQueue('a/two/deep')), failing.catch(() => {}), run('a', projectQueue('a/three')), run('b', projectQueue('b/one')), run('none'), run('none')]);
    await assert.rejects(failing, /refused/);
    const overlap = ([s1, e1]: [number, number], [s2, e2]: [number, number]) => s1 < e2 && s2 < e1;
    const a = spans.a!.sort((x, y) => x[0] - y[0]);
    assert.equal(a.length, 3);
    // One project's writers, one after the other, a failed one in between included.
    for (let i = 1; i < a.length; i++) assert.ok(!overlap(a[i - 1]!, a[i]!), 'two transactions of project a overlapped');
    assert.ok(overlap(a[0]!, spans.b![0]!), 'project b waited for project a');
    assert.ok(overlap(spans.none![0]!, spans.none![1]!), 'transactions without a queue waited for each other');
  } finally {
    await handle.close();
    await server.dropDatabase(url);
  }
});
