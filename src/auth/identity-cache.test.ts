import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createIdentityCache } from './identity-cache.js';

/** Stores that count their lookups, over rows a test changes at will. */
function fakeStores() {
  const projects = new Map<string, { id: number; public?: number }>();
  const users = new Map<number, object>();
  const robots = new Map<number, { disabled: number; expires_at: number }>();
  /** `projectId:userId` → role id. */
  const roles = new Map<string, number>();
  const reads = { n: 0 };
  return {
    projects,
    users,
    robots,
    roles,
    reads,
    deps: {
      projects: { byName: async (n: string) => (reads.n++, (projects.get(n) ?? null) as never) },
      users: { byId: async (id: number) => (reads.n++, (users.get(id) ?? null) as never) },
      robots: { byId: async (id: number) => (reads.n++, (robots.get(id) ?? null) as never) },
      members: { roleOf: async (p: number, u: number) => (reads.n++, roles.get(`${p}:${u}`) ?? null) },
    },
  };
}

test('answers from memory within the TTL, re-reads after it', async () => {
  const s = fakeStores();
  s.projects.set('p', { id: 1 });
  const c = createIdentityCache(s.deps, { ttlMs: 1000 });
  assert.equal(await c.projectId('p', 0), 1);
  s.projects.set('p', { id: 2 });
  assert.equal(await c.projectId('p', 999), 1);
  assert.equal(s.reads.n, 1);
  assert.equal(await c.projectId('p', 1000), 2);
});

test('forgetting takes effect at once: deleted projects, users and robots', async () => {
  const s = fakeStores();
  s.projects.set('p', { id: 1 });
  s.users.set(7, {});
  s.robots.set(3, { disabled: 0, expires_at: -1 });
  const c = createIdentityCache(s.deps, { ttlMs: 60_000 });
  assert.equal(await c.projectId('p', 0), 1);
  assert.equal(await c.userExists(7, 0), true);
  assert.equal(await c.robotUsable(3, 0), true);
  s.projects.set('p', { id: 9 });
  s.users.delete(7);
  s.robots.set(3, { disabled: 1, expires_at: -1 });
  await c.forgetProject('p');
  await c.forgetUser(7);
  await c.forgetRobot(3);
  assert.equal(await c.projectId('p', 1), 9);
  assert.equal(await c.userExists(7, 1), false);
  assert.equal(await c.robotUsable(3, 1), false);
  // Missing things are remembered as missing, and forgetting undoes that too.
  s.projects.set('q', { id: 4 });
  assert.equal(await c.projectId('nope', 1), null);
  s.projects.set('nope', { id: 5 });
  await c.forgetProject('nope');
  assert.equal(await c.projectId('nope', 2), 5);
});

test('a robot expires to the millisecond, whatever the cache holds', async () => {
  const s = fakeStores();
  s.robots.set(3, { disabled: 0, expires_at: 5000 });
  const c = createIdentityCache(s.deps, { ttlMs: 60_000 });
  assert.equal(await c.robotUsable(3, 4999), true);
  assert.equal(await c.robotUsable(3, 5000), false);
  assert.equal(s.reads.n, 1);
});

test('a lookup under way when something is forgotten does not store what it read', async () => {
  const s = fakeStores();
  s.projects.set('p', { id: 1 });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const deps = { ...s.deps, projects: { byName: async (n: string) => { const row = s.projects.get(n) ?? null; await gate; return row as never; } } };
  const c = createIdentityCache(deps, { ttlMs: 60_000 });
  const slow = c.projectId('p', 0);
  s.projects.delete('p');
  await c.forgetProject('p');
  release();
  assert.equal(await slow, 1, 'the caller that asked before the delete sees what was there');
  assert.equal(await c.projectId('p', 1), null, 'but nobody after it');
});

test("a project's visibility comes with its id, from the same entry, and a forget re-reads both", async () => {
  const s = fakeStores();
  s.projects.set('p', { id: 1, public: 1 });
  const c = createIdentityCache(s.deps, { ttlMs: 60_000 });
  assert.deepEqual(await c.project('p', 0), { id: 1, public: true });
  assert.equal(await c.projectId('p', 0), 1);
  assert.equal(s.reads.n, 1, 'one read for both questions');
  s.projects.set('p', { id: 1, public: 0 });
  assert.deepEqual(await c.project('p', 1), { id: 1, public: true }, 'still remembered');
  await c.forgetProject('p');
  assert.deepEqual(await c.project('p', 2), { id: 1, public: false });
  assert.equal(await c.project('none', 2), null);
});

test("a user's role is answered from memory, and a project's member change forgets that project's roles only", async () => {
  const s = fakeStores();
  s.roles.set('1:7', 2);
  s.roles.set('2:7', 3);
  const c = createIdentityCache(s.deps, { ttlMs: 60_000 });
  assert.equal(await c.role(1, 7, 0), 2);
  assert.equal(await c.role(2, 7, 0), 3);
  assert.equal(await c.role(1, 8, 0), null, 'not a member');
  const reads = s.reads.n;
  assert.equal(await c.role(1, 7, 1), 2);
  assert.equal(await c.role(1, 8, 1), null);
  assert.equal(s.reads.n, reads, 'members and non-members alike from memory');

  s.roles.delete('1:7');
  s.roles.set('1:8', 4);
  s.roles.set('2:7', 1);
  await c.forgetMembers(1);
  assert.equal(await c.role(1, 7, 2), null, 'removed: refused at once');
  assert.equal(await c.role(1, 8, 2), 4, 'added: allowed at once');
  assert.equal(await c.role(2, 7, 2), 3, "another project's roles stay until their own change or TTL");
  c.forgetAll();
  assert.equal(await c.role(2, 7, 3), 1);
});
