import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { redisSkip, startRedis, useTwoRedisClients, } from '../../../test/backends/redis.js';
import { eventually } from '../../../test/helpers/eventually.js';
import { createIdentityCache } from '../../auth/identity-cache.js';
import { sharedIdentityCache, sharedLoginForgets, sharedSettingsForget } from '../../auth/shared-forgets.js';
import { createReadOnlySwitch } from '../../services/system/read-only.js';
import { createLocalBus } from '../invalidation.js';
import { createRedisBus } from './bus.js';
import { connectRedis, type RedisConnection } from './client.js';

/** A robot table both "instances" read: what the database says now. */
function fakeStores() {
  const robots = new Map<number, { disabled: number; expires_at: number }>([[7, { disabled: 0, expires_at: -1 }]]);
  let reads = 0;
  return {
    robots,
    reads: () => reads,
    stores: {
      projects: { byName: async () => null },
      users: { byId: async () => null },
      members: { roleOf: async () => null },
      robots: {
        byId: async (id: number) => {
          reads++;
          return (robots.get(id) ?? null) as never;
        },
      },
    },
  };
}

test('in-process bus: a publish runs its topic\'s handlers once, here', async () => {
  const bus = createLocalBus();
  const got: Array<string | null> = [];
  bus.on('t', (k) => got.push(k));
  bus.on('other', () => got.push('wrong'));
  await bus.publish('t', 'x');
  assert.deepEqual(got, ['x']);
});

describe('Redis invalidation bus, two instances', { skip: redisSkip }, () => {
  let a: RedisConnection;
  let b: RedisConnection;
  let n = 0;
  useTwoRedisClients((_redis, x, y) => {
    a = x;
    b = y;
  });

  async function pair() {
    const channel = `test:${++n}`;
    const busA = createRedisBus(a, { channel });
    const busB = createRedisBus(b, { channel });
    await Promise.all([busA.ready, busB.ready]);
    return { busA, busB };
  }

  test("A's publish runs A's handler once (at once, not its echo) and B's handler", async () => {
    const { busA, busB } = await pair();
    const onA: Array<string | null> = [];
    const onB: Array<string | null> = [];
    busA.on('robot', (k) => onA.push(k));
    busB.on('robot', (k) => onB.push(k));
    await busA.publish('robot', '7');
    assert.deepEqual(onA, ['7'], 'ran on the publisher before publish resolved');
    await eventually(() => assert.deepEqual(onB, ['7']));
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(onA, ['7'], 'its own echo is not run again');
  });

  test("a robot disabled through A is refused by B's identity cache at once, though B had it cached as usable", async () => {
    const { busA, busB } = await pair();
    const db = fakeStores();
    const idA = sharedIdentityCache(createIdentityCache(db.stores, { ttlMs: 60_000 }), busA);
    const idB = sharedIdentityCache(createIdentityCache(db.stores, { ttlMs: 60_000 }), busB);
    assert.equal(await idA.robotUsable(7), true);
    assert.equal(await idB.robotUsable(7), true);
    const reads = db.reads();
    assert.equal(await idB.robotUsable(7), true);
    assert.equal(db.reads(), reads, 'B answers from its cache');
    db.robots.set(7, { disabled: 1, expires_at: -1 });
    await idA.forgetRobot(7);
    assert.equal(await idA.robotUsable(7), false);
    await eventually(async () => assert.equal(await idB.robotUsable(7), false));
  });

  test("a forgotten login on A is forgotten on B (password changed through A)", async () => {
    const { busA, busB } = await pair();
    const forgotten: string[] = [];
    const fake = () => ({ forget: async (u: string) => void forgotten.push(u), forgetAll: () => forgotten.push('*') });
    const authA = sharedLoginForgets(fake(), busA);
    sharedLoginForgets(fake(), busB);
    await authA.forget('alice');
    await eventually(() => assert.deepEqual(forgotten, ['alice', 'alice']));
  });

  test('read-only switched on through A is seen by B at once, not after its re-read interval', async () => {
    const { busA, busB } = await pair();
    let stored = false;
    const onA = createReadOnlySwitch(async () => stored, 60_000);
    const onB = createReadOnlySwitch(async () => stored, 60_000);
    const changedOnA = sharedSettingsForget(onA.forget, busA);
    sharedSettingsForget(onB.forget, busB);
    assert.equal(await onB.isOn(), false);
    stored = true;
    assert.equal(await onB.isOn(), false, 'B answers from its copy');
    changedOnA();
    assert.equal(await onA.isOn(), true);
    await eventually(async () => assert.equal(await onB.isOn(), true));
  });

  test('after Redis comes back, B drops everything it cached (it may have missed forgets); A publishing then works again', async () => {
    const own = await startRedis();
    const ca = await connectRedis(own.url);
    const cb = await connectRedis(own.url);
    try {
      const busA = createRedisBus(ca);
      const busB = createRedisBus(cb);
      await Promise.all([busA.ready, busB.ready]);
      const onB: Array<string | null> = [];
      busB.on('robot', (k) => onB.push(k));
      await own.stop();
      const onA: Array<string | null> = [];
      busA.on('robot', (k) => onA.push(k));
      await busA.publish('robot', '1');
      assert.deepEqual(onA, ['1'], 'with Redis away a publish still forgets here, and does not fail the change it reports');
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(onB.length, 0, 'what B has cached stays usable while Redis is away');
      await own.start();
      await eventually(() => assert.deepEqual(onB, [null], 'dropped everything once resubscribed'), { timeoutMs: 10_000 });
      await eventually(async () => {
        await busA.publish('robot', '2');
        assert.ok(onB.includes('2'));
      }, { timeoutMs: 10_000 });
    } finally {
      await ca.close();
      await cb.close();
      await own.cleanup();
    }
  });
});
