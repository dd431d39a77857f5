import assert from 'node:assert/strict';
import { after, beforeEach, describe, test } from 'node:test';
import type { DatabaseHandle, Db } from './database.js';
import { consumedUpTo, pruneOutbox, writeEvent } from './event-outbox.js';
import { openTestDatabase } from './test-database.js';

describe('pruneOutbox', () => {
  let handle: DatabaseHandle;
  let db: Db;
  const day = 86_400_000;
  const now = 100 * day;

  const ids = async () => (await db.selectFrom('event_outbox').select('id').orderBy('id').execute()).map((r) => r.id);
  const setCursor = (last: number) =>
    db.insertInto('webhook_cursor').values({ id: 1, last_event_id: last, update_time: now }).onConflict((oc) => oc.column('id').doUpdateSet({ last_event_id: last })).execute();
  /** Events 1..n created one minute apart, the last one at `lastAt`. */
  async function events(n: number, lastAt: number) {
    for (let i = 0; i < n; i++) await writeEvent(db, 'PUSH_ARTIFACT', null, { i }, lastAt - (n - 1 - i) * 60_000);
  }

  beforeEach(async () => {
    await handle?.close();
    handle = await openTestDatabase();
    db = handle.db;
  });
  after(async () => handle?.close());

  test('no consumer has run: nothing is consumed, nothing goes', async () => {
    await events(5, now - 30 * day);
    assert.equal(await consumedUpTo(db), 0);
    assert.deepEqual(await pruneOutbox(db, { before: now }), { deleted: 0, cursor: 0 });
    assert.equal((await ids()).length, 5);
  });

  test('deletes only what the cursor passed, in batches, however many', async () => {
    await events(25, now - 10 * day);
    await setCursor(17);
    const r = await pruneOutbox(db, { before: now - 7 * day, batch: 4 });
    assert.deepEqual(r, { deleted: 17, cursor: 17 });
    assert.deepEqual(await ids(), [18, 19, 20, 21, 22, 23, 24, 25]);
    // Again: nothing more to do.
    assert.equal((await pruneOutbox(db, { before: now - 7 * day, batch: 4 })).deleted, 0);
  });

  test('keeps consumed events younger than the retention', async () => {
    // 1..10 are 10 days old, 11..20 one hour old; all consumed.
    await events(10, now - 10 * day);
    await events(10, now - 3_600_000);
    await setCursor(20);
    assert.equal((await pruneOutbox(db, { before: now - 7 * day, batch: 3 })).deleted, 10);
    assert.deepEqual(await ids(), [11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
  });

  test('an old event out of order among young ones is taken within its page; the walk ends at young ones', async () => {
    await events(3, now - 10 * day); // 1..3 old
    await writeEvent(db, 'PUSH_ARTIFACT', null, {}, now - 60_000); // 4 young (a fast clock)
    await writeEvent(db, 'PUSH_ARTIFACT', null, {}, now - 10 * day); // 5 old
    await events(4, now - 60_000); // 6..9 young
    await setCursor(9);
    assert.equal((await pruneOutbox(db, { before: now - 7 * day, batch: 5 })).deleted, 4);
    assert.deepEqual(await ids(), [4, 6, 7, 8, 9]);
  });

  test('an aborted purge stops between batches', async () => {
    await events(10, now - 10 * day);
    await setCursor(10);
    const c = new AbortController();
    c.abort(new Error('stopped'));
    await assert.rejects(pruneOutbox(db, { before: now, batch: 2, signal: c.signal }), /stopped/);
    assert.equal((await ids()).length, 10);
  });
});
