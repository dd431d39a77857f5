import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { postgres } from '../../test/backends/postgres.js';
import { openPostgres } from './postgres.js';

test('every pooled connection runs without JIT, the first one and those opened under load alike', async () => {
  const server = await postgres();
  const url = await server.createDatabase('jit');
  const handle = openPostgres(url, { poolSize: 4 });
  try {
    // Eight at once: the pool opens all four connections, each must have been set up.
    const settings = await Promise.all(Array.from({ length: 8 }, () => sql<{ jit: string; pid: number }>`select current_setting('jit') as jit, pg_backend_pid() as pid, pg_sleep(0.05)`.execute(handle.db)));
    assert.deepEqual([...new Set(settings.map((r) => r.rows[0]!.jit))], ['off']);
    assert.ok(new Set(settings.map((r) => r.rows[0]!.pid)).size > 1, 'more than one connection was asked');
  } finally {
    await handle.close();
    await server.dropDatabase(url);
  }
});

test('a connection is set up once, when it opens, not again before each query it runs', async () => {
  const server = await postgres();
  const url = await server.createDatabase('jit');
  const handle = openPostgres(url, { poolSize: 1 });
  try {
    // On the pool's only connection: a setting changed by one query is still there at the next
    // checkout, so nothing re-ran the setup (a round trip before every query) in between.
    await sql`set jit = on`.execute(handle.db);
    const pids = new Set<number>();
    for (let i = 0; i < 3; i++) {
      const r = await sql<{ jit: string; pid: number }>`select current_setting('jit') as jit, pg_backend_pid() as pid`.execute(handle.db);
      assert.equal(r.rows[0]!.jit, 'on');
      pids.add(r.rows[0]!.pid);
    }
    assert.equal(pids.size, 1);
  } finally {
    await handle.close();
    await server.dropDatabase(url);
  }
});
