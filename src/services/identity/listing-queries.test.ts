// Listings load in a constant number of queries, however many rows they show (no N+1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDatabase } from '../../db/test-database.js';
import { createMemberStore } from '../../db/members.js';
import { createProjectStore } from '../../db/projects.js';
import { createRobotStore } from '../../db/robots.js';
import { createUserStore } from '../../db/users.js';
import { createManifestStore } from '../../db/manifests.js';
import { digestOf } from '../../platform/digest.js';
import type { Principal } from '../../domain/identity/principal.js';
import type { AuditLog } from '../audit/audit-log.js';
import { createAuthorizer } from './authorizer.js';
import { createProjectService } from './project-service.js';
import { createRobotService } from './robot-service.js';

async function setup(projectCount: number) {
  const database = await openTestDatabase();
  const stores = { projects: createProjectStore(database.db), members: createMemberStore(database.db), users: createUserStore(database.db), robots: createRobotStore(database.db) };
  const audit = { record() {} } as unknown as AuditLog;
  const projects = createProjectService({ ...stores, authorizer: createAuthorizer(stores), audit, creationRestricted: async () => false, identity: { forgetProject: async () => {} } });
  const robots = createRobotService({ robots: stores.robots, users: stores.users, projects, audit, forgetLogins: async () => {}, identity: { forgetRobot: async () => {} } });
  const user = (name: string, sysadmin: boolean) => stores.users.create({ username: name, email: null, realname: '', comment: '', passwordHash: 'x', sysadmin });
  const adminId = await user('admin', true);
  const aliceId = await user('alice', false);
  const admin: Principal = { kind: 'user', id: adminId, name: 'admin', sysadmin: true };
  const alice: Principal = { kind: 'user', id: aliceId, name: 'alice', sysadmin: false };
  for (let i = 0; i < projectCount; i++) {
    const name = `p${String(i).padStart(3, '0')}`;
    const id = await projects.create(i % 2 ? alice : admin, { project_name: name, public: true }, '');
    for (let r = 0; r < i % 3; r++) {
      const content = Buffer.from(`{"repo":${r}}`);
      await createManifestStore(database.db).put(`${name}/repo${r}`, { digest: digestOf(`${name}/${r}`), mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: null, subjectDigest: null, annotations: null, content, blobDigests: [], manifestDigests: [] }, 'v1', async () => {});
    }
    await robots.create(admin, { name: `bot${i}`, level: 'project', permissions: [{ kind: 'project', namespace: name, access: [{ resource: 'repository', action: 'pull' }] }] }, '');
    await robots.create(admin, { name: `sys${i}`, level: 'system', permissions: [{ kind: 'project', namespace: name, access: [{ resource: 'repository', action: 'pull' }] }, { kind: 'project', namespace: '*', access: [{ resource: 'repository', action: 'push' }] }] }, '');
    void id;
  }
  return { database, projects, robots, admin, alice };
}

async function queriesOf(database: { queries: () => number }, work: () => Promise<unknown>): Promise<number> {
  const before = database.queries();
  await work();
  return database.queries() - before;
}

test('a project list with owner, repository count and role costs the same for 3 projects as for 30', async () => {
  const small = await setup(3);
  const large = await setup(30);
  const page = { offset: 0, limit: 100 };
  const costSmall = await queriesOf(small.database, () => small.projects.list(small.alice, {}, page));
  const costLarge = await queriesOf(large.database, () => large.projects.list(large.alice, {}, page));
  assert.equal(costLarge, costSmall);
  assert.ok(costLarge <= 3, `${costLarge} queries`);
  const { items } = await large.projects.list(large.alice, {}, page);
  assert.equal(items.length, 30);
  const p4 = items.find((p) => p.name === 'p004')!;
  const p5 = items.find((p) => p.name === 'p005')!;
  assert.deepEqual([p4.owner_name, p4.repo_count, p4.current_user_role_id], ['admin', 1, 0]);
  assert.deepEqual([p5.owner_name, p5.repo_count, p5.current_user_role_id, p5.current_user_role_ids], ['alice', 2, 1, [1]]);
  await small.database.close();
  await large.database.close();
});

test('robot lists with their permissions and creators cost the same for 3 robots as for 30', async () => {
  const small = await setup(3);
  const large = await setup(30);
  const page = { offset: 0, limit: 100 };
  const costSmall = await queriesOf(small.database, () => small.robots.list(small.admin, 'level=system', page));
  const costLarge = await queriesOf(large.database, () => large.robots.list(large.admin, 'level=system', page));
  assert.equal(costLarge, costSmall);
  const { items } = await large.robots.list(large.admin, 'level=system', page);
  assert.equal(items.length, 30);
  const sys6 = items.find((r) => r.name === 'robot$sys6')!;
  assert.deepEqual(sys6.permissions.map((p) => [p.namespace, p.access.map((a) => a.action)]).sort(), [['*', ['push']], ['p006', ['pull']]]);
  assert.ok(sys6.creator_ref > 0);
  // A deleted project's grants are not shown any more.
  await large.projects.delete(large.admin, 'p006', true, '');
  const after = (await large.robots.list(large.admin, 'level=system', page)).items.find((r) => r.name === 'robot$sys6')!;
  assert.deepEqual(after.permissions.map((p) => p.namespace), ['*']);
  await small.database.close();
  await large.database.close();
});
