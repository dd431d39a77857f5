import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createGapTracker } from './outbox-gaps.js';

test('contiguous ids after the cursor are all consumable', () => {
  const g = createGapTracker(5_000);
  assert.equal(g.consumable(10, [11, 12, 13], 0), 3);
  assert.equal(g.consumable(0, [], 0), 0);
  assert.equal(g.open(), 0);
});

test('a gap holds what follows it until it is filled', () => {
  const g = createGapTracker(5_000);
  // 12 is not visible yet (its transaction has not committed): 11 only.
  assert.equal(g.consumable(10, [11, 13, 14], 1_000), 1);
  assert.equal(g.consumable(11, [13, 14], 2_000), 0, 'still waiting for 12');
  // 12 committed: everything.
  assert.equal(g.consumable(11, [12, 13, 14], 3_000), 3);
  g.passed(14);
  assert.equal(g.open(), 0);
});

test('a gap that lasts the wait is passed (a rolled-back id is never filled)', () => {
  const g = createGapTracker(5_000);
  assert.equal(g.consumable(10, [12], 1_000), 0);
  assert.equal(g.consumable(10, [12], 5_999), 0);
  assert.equal(g.consumable(10, [12, 14], 6_000), 1, 'past the first gap, held at the next (first seen now)');
  assert.equal(g.consumable(12, [14], 10_999), 0);
  assert.equal(g.consumable(12, [14], 11_000), 1);
  g.passed(14);
  assert.equal(g.open(), 0);
});

test('a gap right after the cursor holds everything; several gaps are timed apart', () => {
  const g = createGapTracker(100);
  assert.equal(g.consumable(0, [3, 4, 6], 0), 0);
  assert.equal(g.consumable(0, [3, 4, 6], 100), 2);
  assert.equal(g.consumable(4, [6], 150), 0);
  assert.equal(g.consumable(4, [5, 6], 160), 2, 'filled');
});
