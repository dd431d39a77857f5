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
