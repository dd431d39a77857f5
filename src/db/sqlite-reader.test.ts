import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { migrateToLatest, openSqlite } from './database.js';
import { openSqliteReader } from './sqlite-reader.js';

test('the reader thread answers what the server thread committed, and a bad statement rejects without killing it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'haven-reader-'));
  const handle = openSqlite(join(dir, 'haven.db'));
  const reader = openSqliteReader(handle.file!);
  try {
    await migrateToLatest(handle);
    const { db } = handle;
    const query = sql<{ digest: string; size: number }>`select digest, size from blobs where digest > ${''} order by digest limit ${10}`;
    assert.deepEqual(await reader.all(query.compile(db)), [], 'no blobs yet');
    await db.insertInto('blobs').values([{ digest: 'sha256:b', size: 2, created_at: 1 }, { digest: 'sha256:a', size: 1, created_at: 1 }]).execute();
    assert.deepEqual(await reader.all(query.compile(db)), [{ digest: 'sha256:a', size: 1 }, { digest: 'sha256:b', size: 2 }], 'both rows, in order');
    await assert.rejects(reader.all(sql`select x from nowhere`.compile(db)), /no such table/);
    await assert.rejects(reader.all(sql`delete from blobs returning digest`.compile(db)), /readonly|read-only|attempt to write/i, 'it cannot write');
    assert.equal((await reader.all(query.compile(db))).length, 2, 'still answering after the errors');
  } finally {
    await reader.close();
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the reader thread runs at the lowest priority, and the server thread keeps its own', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'haven-reader-'));
  const handle = openSqlite(join(dir, 'haven.db'));
  // The nice value of each thread of this process (field 19 of /proc/self/task/<tid>/stat).
  const nices = () =>
    readdirSync('/proc/self/task').map((tid) => {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    });
  assert.equal(nices().filter((n) => n === 19).length, 0, 'no thread is lowered before the reader starts');
  const reader = openSqliteReader(handle.file!);
  try {
    await migrateToLatest(handle);
    await reader.all(sql`select 1 as one`.compile(handle.db));
    assert.equal(nices().filter((n) => n === 19).length, 1, 'the reader thread yields the cores');
    assert.equal(getPriority(), 0, 'the server thread is untouched');
  } finally {
    await reader.close();
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
