import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { redisSkip, startRedis, useTwoRedisClients, } from '../../../test/backends/redis.js';
import { eventually } from '../../../test/helpers/eventually.js';
import { lockContract } from '../lock-contract.js';
import { connectRedis, type RedisConnection } from './client.js';
import { createRedisLeases, createRedisLocks, createRedisMutex } from './locks.js';

describe('Redis locks and leases', { skip: redisSkip }, () => {
  let a: RedisConnection;
  let b: RedisConnection;
  let n = 0;
  useTwoRedisClients((_redis, x, y) => {
    a = x;
    b = y;
  });

  lockContract('redis, two instances', async () => {
    const prefix = `t${++n}:`;
    const ma = createRedisMutex(a.command, { prefix });
    const mb = createRedisMutex(b.command, { prefix });
    return { a: createRedisLocks(ma), b: createRedisLocks(mb), la: createRedisLeases(ma), lb: createRedisLeases(mb) };
  });

  test('a held lock outlives its TTL while its holder refreshes it', async () => {
    const prefix = `t${++n}:`;
    const held = await createRedisMutex(a.command, { prefix }).tryAcquire('k', 300);
    assert.ok(held);
    await new Promise((r) => setTimeout(r, 900));
    assert.equal(await createRedisMutex(b.command, { prefix }).tryAcquire('k', 300), null, 'still held after three TTLs');
    assert.equal(held.lost.aborted, false);
    await held.release();
  });

  test("a dead holder's lock expires after its TTL and B gets it; the old holder learns it lost it and cannot release B's", async () => {
    const prefix = `t${++n}:`;
    const own = await startRedis();
    const dying = await connectRedis(own.url);
    const survivor = await connectRedis(own.url);
    try {
      const held = await createRedisMutex(dying.command, { prefix }).tryAcquire('k', 400);
      assert.ok(held);
      const other = createRedisMutex(survivor.command, { prefix });
      assert.equal(await other.tryAcquire('k', 400), null);
      // The holder is cut off (its connection dies and stays down): no more refreshes.
      dying.command.disconnect();
      const started = Date.now();
      let theirs = null;
      while (!(theirs = await other.tryAcquire('k', 400))) {
        assert.ok(Date.now() - started < 3000, 'the lock never expired');
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(Date.now() - started >= 200, 'not before its TTL');
      await held.release();
      assert.equal(await createRedisMutex(survivor.command, { prefix }).tryAcquire('k', 400), null, "the old holder's release left B's lock alone");
      await theirs.release();
    } finally {
      await dying.close();
      await survivor.close();
      await own.cleanup();
    }
  });

  test('a lease taken over by another holder aborts the old holder\'s signal', async () => {
    const prefix = `t${++n}:`;
    const leases = createRedisLeases(createRedisMutex(a.command, { prefix }));
    const r = await leases.withLeaderLease('jobs', 300, async (lost) => {
      // Someone else ends up holding it (as after an expiry while this holder was cut off).
      await b.command.set(`${prefix}lease:jobs`, 'someone-else', 'PX', 5000);
      await new Promise<void>((resolve) => lost.addEventListener('abort', () => resolve(), { once: true }));
      return lost.aborted;
    });
    assert.deepEqual(r, { held: true, value: true });
    assert.equal(await b.command.get(`${prefix}lease:jobs`), 'someone-else', "the old holder's release did not delete the new holder's lease");
  });

  test('a leader cut off from Redis stops calling itself leader within the TTL, and the other campaigner takes over', async () => {
    const own = await startRedis();
    const ca = await connectRedis(own.url);
    const cb = await connectRedis(own.url);
    const x = createRedisLeases(createRedisMutex(ca.command)).elect('dispatcher', 600);
    try {
      await eventually(() => assert.equal(x.isLeader(), true));
      const y = createRedisLeases(createRedisMutex(cb.command)).elect('dispatcher', 600);
      try {
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(y.isLeader(), false, 'one leader while the first is alive');
        ca.command.disconnect();
        const cut = Date.now();
        await eventually(() => assert.equal(x.isLeader(), false), { timeoutMs: 2000, intervalMs: 10 });
        // Within its TTL (600 ms) of being cut off, plus some slack for a busy test machine.
        assert.ok(Date.now() - cut <= 900, `still leader ${Date.now() - cut} ms after being cut off`);
        await eventually(() => assert.equal(y.isLeader(), true), { timeoutMs: 3000 });
        assert.equal(x.isLeader(), false, 'never two leaders');
      } finally {
        await y.stop();
      }
    } finally {
      await x.stop();
      await ca.close();
      await cb.close();
      await own.cleanup();
    }
  });

  test('with Redis away, acquiring fails at once with a 503', async () => {
    const own = await startRedis();
    const c = await connectRedis(own.url);
    try {
      const locks = createRedisLocks(createRedisMutex(c.command));
      await own.stop();
      const started = Date.now();
      await assert.rejects(locks.tryAcquire('upload:x'), (e: Error & { status?: number }) => e.status === 503);
      assert.ok(Date.now() - started < 3000);
    } finally {
      await c.close();
      await own.cleanup();
    }
  });
});

describe('a Redis that hangs', { skip: redisSkip }, () => {
  test('a command to a hung server fails with a 503 within the command timeout, and works again when it answers', async () => {
    const own = await startRedis();
    const c = await connectRedis(own.url);
    try {
      const locks = createRedisLocks(createRedisMutex(c.command, { prefix: 'hang:' }));
      own.pause();
      const started = Date.now();
      await assert.rejects(locks.tryAcquire('upload:y'), (e: Error & { status?: number }) => e.status === 503);
      const took = Date.now() - started;
      assert.ok(took >= 1000 && took < 4000, `failed after ${took} ms`);
      assert.match((await c.health()) ?? '', /timed out/i);
      own.resume();
      const deadline = Date.now() + 10_000;
      let release: (() => Promise<void>) | null = null;
      while (!release) {
        try {
          release = await locks.tryAcquire('upload:z');
        } catch (err) {
          if (Date.now() > deadline) throw err;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      await release();
    } finally {
      own.resume();
      await c.close();
      await own.cleanup();
    }
  });
});
