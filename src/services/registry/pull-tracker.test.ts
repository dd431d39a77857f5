import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ManifestPulls } from '../../db/pull-stats.js';
import type { Logger } from '../../platform/logger.js';
import { createPullTracker } from './pull-tracker.js';

const log = { error: () => {}, warn: () => {} } as unknown as Logger;

function fakeStore() {
  const batches: ManifestPulls[][] = [];
  return { batches, store: { write: async (b: ManifestPulls[]) => void batches.push(b) } };
}

test('pulls are summed per manifest in memory and written as one batch on flush', async () => {
  const { store, batches } = fakeStore();
  const pulls = createPullTracker(store, log, { flushEveryMs: 60_000 });
  pulls.record(1, 'v1', 100);
  pulls.record(1, null, 200);
  pulls.record(1, 'latest', 300);
  pulls.record(2, null, 150);
  assert.equal(batches.length, 0, 'nothing is written on the request path');
  await pulls.flush();
  assert.equal(batches.length, 1);
  const [one, two] = batches[0]!;
  const { events: oneEvents, ...oneCounts } = one!;
  const { events: _twoEvents, ...twoCounts } = two!;
  assert.deepEqual({ ...oneCounts, tags: Object.fromEntries(one!.tags) }, { manifestId: 1, count: 3, at: 300, tags: { v1: 100, latest: 300 } });
  assert.deepEqual({ ...twoCounts, tags: Object.fromEntries(two!.tags) }, { manifestId: 2, count: 1, at: 150, tags: {} });
  // The PULL_ARTIFACT events ride along: one per operator and reference, with its count.
  assert.deepEqual([...oneEvents!.values()].map((e) => [e.tag, e.count]), [['v1', 1], [null, 1], ['latest', 1]]);
  await pulls.flush();
  assert.equal(batches.length, 1, 'an empty flush writes nothing');
  await pulls.close();
});

test('a clean stop flushes what is pending; a failed write is logged, not thrown', async () => {
  const { store, batches } = fakeStore();
  const pulls = createPullTracker(store, log, { flushEveryMs: 60_000 });
  pulls.record(7, 'v1');
  await pulls.close();
  assert.equal(batches[0]?.[0]?.count, 1);

  let errors = 0;
  const failing = createPullTracker({ write: async () => Promise.reject(new Error('disk full')) }, { error: () => errors++ } as unknown as Logger, { flushEveryMs: 60_000 });
  failing.record(1, null);
  await failing.close();
  assert.equal(errors, 1);
});

test('past maxPending distinct manifests a flush starts without waiting for the timer', async () => {
  const { store, batches } = fakeStore();
  const pulls = createPullTracker(store, log, { flushEveryMs: 60_000, maxPending: 3 });
  for (let id = 1; id <= 3; id++) pulls.record(id, null);
  await pulls.flush();
  assert.equal(batches[0]?.length, 3);
  await pulls.close();
});

test('a failed write is kept and retried with the next flush, merged with newer pulls', async () => {
  const batches: ManifestPulls[][] = [];
  let fail = true;
  const pulls = createPullTracker(
    { write: async (b: ManifestPulls[]) => (fail ? Promise.reject(new Error('database busy')) : void batches.push(b)) },
    log,
    { flushEveryMs: 60_000 },
  );
  pulls.record(1, 'v1', 100);
  await pulls.flush();
  assert.equal(batches.length, 0);
  fail = false;
  pulls.record(1, null, 200);
  await pulls.flush();
  assert.equal(batches.length, 1);
  assert.equal(batches[0]?.[0]?.count, 2, 'the failed pull is counted once, with the new one');
  assert.equal(batches[0]?.[0]?.tags.get('v1'), 100);
  assert.deepEqual([...batches[0]![0]!.events!.values()].map((e) => [e.tag, e.count]), [['v1', 1], [null, 1]], 'the failed batch keeps its events');
  await pulls.close();
});
