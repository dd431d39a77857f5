import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KeyedLocks } from './keyed-lock.js';
import type { Leases } from './leader-lease.js';

/** Retries `check` until it holds or `timeoutMs` passes (this file is built with src/, so it cannot use test/helpers). */
async function eventually(check: () => void, opts: { timeoutMs?: number } = {}): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    try {
      return check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/**
 * What every KeyedLocks and Leases implementation must do. `make` gives two handles on the same
 * lock space: two instances for the Redis one, one process's object twice for the in-process one.
 */
export function lockContract(name: string, make: () => Promise<{ a: KeyedLocks; b: KeyedLocks; la: Leases; lb: Leases }>): void {
  test(`${name}: a key held by A is refused to B until A releases it; other keys are free`, async () => {
    const { a, b } = await make();
    const release = await a.tryAcquire('upload:1');
    assert.ok(release);
    assert.equal(await b.tryAcquire('upload:1'), null);
    assert.equal(await a.tryAcquire('upload:1'), null, 'not re-entrant either');
    const other = await b.tryAcquire('upload:2');
    assert.ok(other);
    await release();
    const again = await b.tryAcquire('upload:1');
    assert.ok(again, 'free once released');
    await release();
    assert.equal(await a.tryAcquire('upload:1'), null, "a second release by A does not free B's hold");
    await again();
    await other();
  });

  test(`${name}: a leader lease runs on one holder at a time`, async () => {
    const { la, lb } = await make();
    let inside = 0;
    let most = 0;
    const work = async () => {
      inside++;
      most = Math.max(most, inside);
      await new Promise((r) => setTimeout(r, 30));
      inside--;
      return 'done';
    };
    const [x, y] = await Promise.all([la.withLeaderLease('purge', 10_000, work), lb.withLeaderLease('purge', 10_000, work)]);
    assert.equal(most, 1);
    assert.deepEqual([x, y].filter((r) => r.held).map((r) => (r as { value: string }).value), ['done']);
    assert.equal([x, y].filter((r) => !r.held).length, 1);
    assert.deepEqual(await lb.withLeaderLease('purge', 10_000, async () => 2), { held: true, value: 2 }, 'let go after the work');
    await assert.rejects(la.withLeaderLease('purge', 10_000, async () => Promise.reject(new Error('boom'))), /boom/);
    assert.deepEqual(await lb.withLeaderLease('purge', 10_000, async () => 3), { held: true, value: 3 }, 'let go after a failure too');
  });

  test(`${name}: of two campaigners exactly one leads; when it stops, the other takes over`, async () => {
    const { la, lb } = await make();
    const x = la.elect('dispatcher', 600);
    const y = lb.elect('dispatcher', 600);
    try {
      await eventually(() => assert.equal(Number(x.isLeader()) + Number(y.isLeader()), 1));
      const [leader, other] = x.isLeader() ? [x, y] : [y, x];
      await leader.stop();
      assert.equal(leader.isLeader(), false);
      await eventually(() => assert.equal(other.isLeader(), true), { timeoutMs: 3000 });
    } finally {
      await x.stop();
      await y.stop();
    }
  });
}
