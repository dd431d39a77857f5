import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retryDelayMs } from './backoff.js';

test('retries back off exponentially from the first delay, with bounded jitter, capped at an hour', () => {
  const none = () => 0;
  assert.deepEqual([1, 2, 3, 4].map((a) => retryDelayMs(a, 10_000, none)), [10_000, 20_000, 40_000, 80_000]);
  assert.equal(retryDelayMs(30, 10_000, none), 3_600_000);
  assert.equal(retryDelayMs(1, 10_000, () => 1), 12_000, 'at most 20 % more');
  assert.equal(retryDelayMs(2, 100, none), 200, 'the first delay is configurable');
});
