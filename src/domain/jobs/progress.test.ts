import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressOf } from './progress.js';

test('progress: whole per cent of the total, unknown without one, 100 only once the run succeeded', () => {
  assert.deepEqual(progressOf(1, 3, 'Running'), { done: 1, total: 3, percent: 33 });
  assert.deepEqual(progressOf(0, 0, 'Running'), { done: 0, total: 0, percent: null });
  assert.deepEqual(progressOf(120, 100, 'Running'), { done: 120, total: 100, percent: 99 });
  assert.deepEqual(progressOf(100, 100, 'Running').percent, 99);
  assert.deepEqual(progressOf(0, 0, 'Success'), { done: 0, total: 0, percent: 100 });
  assert.deepEqual(progressOf(2, 5, 'Error').percent, 40);
});
