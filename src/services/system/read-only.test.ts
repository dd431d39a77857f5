import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createReadOnlySwitch } from './read-only.js';

function counted(values: boolean[]) {
  let reads = 0;
  const read = async () => values[Math.min(reads++, values.length - 1)]!;
  return { read, reads: () => reads };
}

test('the setting is read once per TTL, then again', async () => {
  const src = counted([true, false]);
  const sw = createReadOnlySwitch(src.read, 1000);
  assert.equal(await sw.isOn(0), true);
  assert.equal(await sw.isOn(500), true, 'within the TTL: the cached answer');
  assert.equal(src.reads(), 1);
  assert.equal(await sw.isOn(Date.now() + 5000), false, 'past the TTL: read again');
  assert.equal(src.reads(), 2);
});

test("forget() makes the next call read at once (this instance's own change)", async () => {
  const src = counted([false, true]);
  const sw = createReadOnlySwitch(src.read, 60_000);
  assert.equal(await sw.isOn(), false);
  sw.forget();
  assert.equal(await sw.isOn(), true);
  assert.equal(src.reads(), 2);
});

test('concurrent callers share one read', async () => {
  const src = counted([true]);
  const sw = createReadOnlySwitch(src.read, 1000);
  const answers = await Promise.all(Array.from({ length: 10 }, () => sw.isOn()));
  assert.deepEqual(answers, Array(10).fill(true));
  assert.equal(src.reads(), 1);
});

test('a failed read fails the call and is retried by the next one', async () => {
  let fail = true;
  const sw = createReadOnlySwitch(async () => {
    if (fail) throw new Error('database is locked');
    return true;
  }, 1000);
  await assert.rejects(sw.isOn(), /locked/);
  fail = false;
  assert.equal(await sw.isOn(), true);
});
