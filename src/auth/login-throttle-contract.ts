import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LoginThrottle } from './login-throttle.js';

export type ThrottleOptions = { freeFailures?: number; freeIpFailures?: number; freeAccountFailures?: number; baseMs?: number; maxMs?: number; forgetMs?: number };

const t0 = 1_000_000;

/**
 * The login throttle's rules, for every implementation (in-process, Redis): `make` gives a fresh
 * throttle with nothing counted yet.
 */
export function loginThrottleContract(name: string, make: (opts?: ThrottleOptions) => Promise<LoginThrottle>): void {
  test(`${name}: five failures of one account from one client are free; the sixth locks that client out of that account only`, async () => {
    const th = await make();
    for (let i = 0; i < 5; i++) {
      assert.equal(await th.retryAfter('admin', 'A', t0), 0);
      await th.failed('admin', 'A', t0);
    }
    assert.equal(await th.retryAfter('admin', 'A', t0), 0);
    await th.failed('admin', 'A', t0);
    assert.equal(await th.retryAfter('admin', 'A', t0), 1000);
    // Another client logging into the same account, and the same client logging into another one, go ahead.
    assert.equal(await th.retryAfter('admin', 'B', t0), 0);
    assert.equal(await th.retryAfter('alice', 'A', t0), 0);
  });

  test(`${name}: each further failure doubles the wait, up to the cap; it ends on time`, async () => {
    const th = await make({ maxMs: 10_000 });
    let now = t0;
    for (let i = 0; i < 6; i++) await th.failed('u', 'A', now);
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const w = await th.retryAfter('u', 'A', now);
      waits.push(w);
      now += w;
      assert.equal(await th.retryAfter('u', 'A', now), 0, 'the wait is over when it says');
      await th.failed('u', 'A', now);
    }
    assert.deepEqual(waits, [1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  test(`${name}: a success clears that client: its next failures are free again`, async () => {
    const th = await make();
    for (let i = 0; i < 6; i++) await th.failed('u', 'A', t0);
    assert.ok(await th.retryAfter('u', 'A', t0) > 0);
    await th.succeeded('u', 'A');
    assert.equal(await th.retryAfter('u', 'A', t0), 0);
    for (let i = 0; i < 5; i++) await th.failed('u', 'A', t0);
    assert.equal(await th.retryAfter('u', 'A', t0), 0);
  });

  test(`${name}: an account failing from everywhere waits for clients that failed on it, never for one that has not`, async () => {
    const th = await make({ freeAccountFailures: 100 });
    for (let i = 0; i < 100; i++) await th.failed('admin', `10.0.0.${i}`, t0);
    assert.equal(await th.retryAfter('admin', '10.0.0.1', t0), 0, 'still within the account allowance');
    await th.failed('admin', '10.0.1.1', t0);
    assert.ok(await th.retryAfter('admin', '10.0.0.1', t0) > 0, 'a client that failed on the account waits');
    assert.ok(await th.retryAfter('admin', '10.0.1.1', t0) > 0);
    assert.equal(await th.retryAfter('admin', '192.0.2.9', t0), 0, 'a client that never failed goes ahead');
    assert.equal(await th.retryAfter('other', '10.0.0.1', t0), 0, 'other accounts are untouched');
  });

  test(`${name}: one client failing on many accounts is slowed everywhere, others are not`, async () => {
    const th = await make({ freeIpFailures: 30 });
    for (let i = 0; i < 31; i++) await th.failed(`user${i}`, 'A', t0);
    assert.ok(await th.retryAfter('fresh', 'A', t0) > 0);
    assert.equal(await th.retryAfter('fresh', 'B', t0), 0);
  });

  test(`${name}: failures are forgotten after a quiet while`, async () => {
    const th = await make({ forgetMs: 60_000 });
    for (let i = 0; i < 5; i++) await th.failed('u', 'A', t0);
    await th.failed('u', 'A', t0 + 61_000);
    assert.equal(await th.retryAfter('u', 'A', t0 + 61_000), 0, 'the old five no longer count');
  });
}
