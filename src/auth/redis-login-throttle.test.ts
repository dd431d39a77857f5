import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { redisSkip, startRedis, useTwoRedisClients, } from '../../test/backends/redis.js';
import { connectRedis, type RedisConnection } from '../platform/redis/client.js';
import { loginThrottleContract } from './login-throttle-contract.js';
import { createRedisLoginThrottle } from './redis-login-throttle.js';

describe('Redis login throttle', { skip: redisSkip }, () => {
  let a: RedisConnection;
  let b: RedisConnection;
  let n = 0;
  /** Each throttle gets its own key prefix: the tests share one server. */
  const fresh = () => `test${++n}:`;
  useTwoRedisClients((_redis, x, y) => {
    a = x;
    b = y;
  });

  loginThrottleContract('redis', async (opts) => createRedisLoginThrottle(a.command, { ...opts, prefix: fresh() }));

  test("two instances count together: A's failures throttle the client on B, B's success clears it for A", async () => {
    const prefix = fresh();
    const onA = createRedisLoginThrottle(a.command, { prefix });
    const onB = createRedisLoginThrottle(b.command, { prefix });
    const t0 = Date.now();
    for (let i = 0; i < 3; i++) await onA.failed('admin', '203.0.113.1', t0);
    for (let i = 0; i < 3; i++) await onB.failed('admin', '203.0.113.1', t0);
    assert.equal(await onB.retryAfter('admin', '203.0.113.1', t0), 1000, 'the sixth failure, counted on two instances, throttles');
    assert.equal(await onA.retryAfter('admin', '203.0.113.1', t0), 1000);
    assert.equal(await onA.retryAfter('admin', '198.51.100.2', t0), 0, 'another client is not throttled');
    await onB.succeeded('admin', '203.0.113.1');
    assert.equal(await onA.retryAfter('admin', '203.0.113.1', t0), 0);
  });

  test('failures racing on two instances are all counted: no free attempt is handed out twice', async () => {
    const prefix = fresh();
    const onA = createRedisLoginThrottle(a.command, { prefix, freeFailures: 10 });
    const onB = createRedisLoginThrottle(b.command, { prefix, freeFailures: 10 });
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? onA : onB).failed('u', 'c', t0)));
    // 20 failures, 10 free: the 10th over the allowance waits 2^9 s (a lost update would show less).
    assert.equal(await onA.retryAfter('u', 'c', t0), 1000 * 2 ** 9);
  });

  test('with Redis away every call fails at once with a 503, and works again when it is back', async () => {
    const own = await startRedis();
    const c = await connectRedis(own.url);
    try {
      const th = createRedisLoginThrottle(c.command, { prefix: fresh() });
      await th.failed('u', 'c');
      await own.stop();
      const started = Date.now();
      await assert.rejects(th.retryAfter('u', 'c'), (e: Error & { status?: number }) => e.status === 503);
      await assert.rejects(th.failed('u', 'c'), (e: Error & { status?: number }) => e.status === 503);
      assert.ok(Date.now() - started < 3000, `failed in ${Date.now() - started} ms`);
      await own.start();
      const deadline = Date.now() + 10_000;
      for (;;) {
        try {
          assert.equal(await th.retryAfter('u', 'c'), 0);
          break;
        } catch (err) {
          if (Date.now() > deadline) throw err;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    } finally {
      await c.close();
      await own.cleanup();
    }
  });
});
