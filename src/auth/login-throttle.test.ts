import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLoginThrottle } from './login-throttle.js';

const t0 = 1_000_000;

test('five failures of one account from one client are free; the sixth locks that client out of that account only', () => {
  const th = createLoginThrottle();
  for (let i = 0; i < 5; i++) {
    assert.equal(th.retryAfter('admin', 'A', t0), 0);
    th.failed('admin', 'A', t0);
  }
  assert.equal(th.retryAfter('admin', 'A', t0), 0);
  th.failed('admin', 'A', t0);
  assert.equal(th.retryAfter('admin', 'A', t0), 1000);
  // Another client logging into the same account, and the same client logging into another one, go ahead.
  assert.equal(th.retryAfter('admin', 'B', t0), 0);
  assert.equal(th.retryAfter('alice', 'A', t0), 0);
});

test('each further failure doubles the wait, up to the cap; it ends on time', () => {
  const th = createLoginThrottle({ maxMs: 10_000 });
  let now = t0;
  for (let i = 0; i < 6; i++) th.failed('u', 'A', now);
  const waits: number[] = [];
  for (let i = 0; i < 6; i++) {
    const w = th.retryAfter('u', 'A', now);
    waits.push(w);
    now += w;
    assert.equal(th.retryAfter('u', 'A', now), 0, 'the wait is over when it says');
    th.failed('u', 'A', now);
  }
  assert.deepEqual(waits, [1000, 2000, 4000, 8000, 10_000, 10_000]);
});

test('a success clears that client: its next failures are free again', () => {
  const th = createLoginThrottle();
  for (let i = 0; i < 6; i++) th.failed('u', 'A', t0);
  assert.ok(th.retryAfter('u', 'A', t0) > 0);
  th.succeeded('u', 'A');
  assert.equal(th.retryAfter('u', 'A', t0), 0);
  for (let i = 0; i < 5; i++) th.failed('u', 'A', t0);
  assert.equal(th.retryAfter('u', 'A', t0), 0);
});

test('an account failing from everywhere waits for clients that failed on it, never for one that has not', () => {
  const th = createLoginThrottle({ freeAccountFailures: 100 });
  for (let i = 0; i < 100; i++) th.failed('admin', `10.0.0.${i}`, t0);
  assert.equal(th.retryAfter('admin', '10.0.0.1', t0), 0, 'still within the account allowance');
  th.failed('admin', '10.0.1.1', t0);
  assert.ok(th.retryAfter('admin', '10.0.0.1', t0) > 0, 'a client that failed on the account waits');
  assert.ok(th.retryAfter('admin', '10.0.1.1', t0) > 0);
  assert.equal(th.retryAfter('admin', '192.0.2.9', t0), 0, 'a client that never failed goes ahead');
  assert.equal(th.retryAfter('other', '10.0.0.1', t0), 0, 'other accounts are untouched');
});

test('one client failing on many accounts is slowed everywhere, others are not', () => {
  const th = createLoginThrottle({ freeIpFailures: 30 });
  for (let i = 0; i < 31; i++) th.failed(`user${i}`, 'A', t0);
  assert.ok(th.retryAfter('fresh', 'A', t0) > 0);
  assert.equal(th.retryAfter('fresh', 'B', t0), 0);
});

test('failures are forgotten after a quiet while', () => {
  const th = createLoginThrottle({ forgetMs: 60_000 });
  for (let i = 0; i < 5; i++) th.failed('u', 'A', t0);
  th.failed('u', 'A', t0 + 61_000);
  assert.equal(th.retryAfter('u', 'A', t0 + 61_000), 0, 'the old five no longer count');
});
