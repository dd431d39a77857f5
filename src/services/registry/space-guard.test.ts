import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSpaceGuard } from './space-guard.js';

const GiB = 1024 ** 3;

function probe(values: number[]) {
  const free = async () => {
    free.calls++;
    return values[Math.min(free.calls - 1, values.length - 1)]!;
  };
  free.calls = 0;
  return free;
}

test('far above the reserve a probe is believed briefly; near it every request probes', async () => {
  const far = probe([100 * GiB]);
  const roomy = createSpaceGuard({ free: far, reserve: GiB, reuseMs: 60_000 });
  for (let i = 0; i < 5; i++) await roomy.assertRoom();
  assert.equal(far.calls, 1);

  const near = probe([3 * GiB, 3 * GiB, 0.5 * GiB]);
  const tight = createSpaceGuard({ free: near, reserve: GiB, reuseMs: 60_000 });
  await tight.assertRoom();
  await tight.assertRoom();
  await assert.rejects(tight.assertRoom(), (err: Error & { code?: string }) => err.code === 'INSUFFICIENT_STORAGE');
  assert.equal(near.calls, 3, 'within 4 GiB of the reserve nothing is reused');
});

test('a believed figure expires', async () => {
  const free = probe([100 * GiB]);
  const guard = createSpaceGuard({ free, reserve: GiB, reuseMs: 20 });
  await guard.assertRoom();
  await new Promise((r) => setTimeout(r, 40));
  await guard.assertRoom();
  assert.equal(free.calls, 2);
});
