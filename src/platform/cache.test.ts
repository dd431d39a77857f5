import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryCache } from './cache.js';

test('keeps at most max entries, pushing out the least recently used', () => {
  const c = createMemoryCache<string, number>({ max: 2 });
  c.set('a', 1);
  c.set('b', 2);
  assert.equal(c.get('a'), 1);
  c.set('c', 3);
  assert.equal(c.get('b'), undefined, 'b was used least recently');
  assert.equal(c.get('a'), 1);
  assert.equal(c.get('c'), 3);
  assert.equal(c.size, 2);
});

test('entries expire after their TTL; a per-entry TTL overrides the default', () => {
  let t = 1000;
  const c = createMemoryCache<string, string>({ max: 10, ttlMs: 60_000, now: () => t });
  c.set('short', 'x', 20);
  c.set('long', 'y');
  c.set('gone', 'z', 0);
  assert.equal(c.get('short'), 'x');
  assert.equal(c.get('gone'), undefined, 'a TTL of 0 or less stores nothing');
  t += 20;
  assert.equal(c.get('short'), 'x');
  t += 1;
  assert.equal(c.get('short'), undefined);
  assert.equal(c.get('long'), 'y');
  t += 60_000;
  assert.equal(c.get('long'), undefined);
});

test('delete, deleteWhere and clear', () => {
  const c = createMemoryCache<string, { user: string }>({ max: 10 });
  c.set('k1', { user: 'alice' });
  c.set('k2', { user: 'bob' });
  c.set('k3', { user: 'alice' });
  c.deleteWhere((v) => v.user === 'alice');
  assert.deepEqual([c.get('k1'), c.get('k2'), c.get('k3')], [undefined, { user: 'bob' }, undefined]);
  c.delete('k2');
  assert.equal(c.get('k2'), undefined);
  c.set('k4', { user: 'carol' });
  c.clear();
  assert.equal(c.size, 0);
});

test('a cache without a default TTL still expires entries given one', () => {
  let t = 5000;
  const c = createMemoryCache<string, string>({ max: 10, now: () => t });
  c.set('token', 'claims', 1000);
  c.set('statement', 'kept');
  t += 1001;
  assert.equal(c.get('token'), undefined);
  assert.equal(c.get('statement'), 'kept');
});
