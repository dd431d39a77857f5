import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import { AppError } from '../platform/errors.js';
import { createAuditStore, type AuditRecord } from './audit.js';
import { createBlobStore } from './blobs.js';
import { createLeaseStore } from './leases.js';
import { createSharedKeyStore } from './shared-keys.js';
import { createSealer, isSealed } from '../platform/secret-box.js';
import { migrateToLatest, type DatabaseHandle, type Db } from './database.js';
import { createManifestStore, type ManifestRecord } from './manifests.js';
import { createMemberStore } from './members.js';
import { createProjectStore } from './projects.js';
import { createRepositoryStore } from './repositories.js';
import { createRobotStore, type NewRobot } from './robots.js';
import { createSessionStore } from './sessions.js';
import { createSettingStore } from './settings.js';
import { createTagStore } from './tags.js';
import { createUploadStore } from './uploads.js';
import { createUserStore, type NewUser } from './users.js';

const digestOf = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;
const page = { offset: 0, limit: 100 };
/** Harbor's role ids: projectAdmin, developer, guest, maintainer. */
const admin = 1;
const developer = 2;
const guest = 3;
const maintainer = 4;

const user = (name: string, extra: Partial<NewUser> = {}): NewUser => ({
  username: name,
  email: `${name}@example.com`,
  realname: name.toUpperCase(),
  comment: '',
  passwordHash: `hash-of-${name}`,
  sysadmin: false,
  ...extra,
});

const robot = (name: string, extra: Partial<NewRobot> = {}): NewRobot => ({
  name,
  description: '',
  secretHash: `secret-of-${name}`,
  level: 'system',
  projectId: null,
  duration: -1,
  expiresAt: -1,
  disabled: false,
  creator: 'admin',
  grants: [],
  ...extra,
});

const audit = (extra: Partial<AuditRecord> = {}): AuditRecord => ({
  projectId: null,
  operation: 'create',
  resourceType: 'project',
  resource: 'p1',
  username: 'admin',
  clientIp: '127.0.0.1',
  success: true,
  time: 1_000,
  ...extra,
});

const manifestRecord = (content: string, blobs: string[], extra: Partial<ManifestRecord> = {}): ManifestRecord => ({
  digest: digestOf(content),
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  artifactType: null,
  subjectDigest: null,
  annotations: null,
  content: Buffer.from(content),
  blobDigests: blobs,
  manifestDigests: [],
  ...extra,
});

const indexRecord = (content: string, children: string[]): ManifestRecord =>
  manifestRecord(content, [], { mediaType: 'application/vnd.oci.image.index.v1+json', manifestDigests: children });

const noCheck = async () => {};

/** Fails with the message unless the promise rejects (a constraint the database enforces). */
async function rejects(p: Promise<unknown>, what: string): Promise<void> {
  await assert.rejects(p, Error, what);
}

/** Rejects as a push into a project that does not exist does. */
async function rejectsUnknownProject(p: Promise<unknown>): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof AppError && e.code === 'NAME_UNKNOWN');
}

/**
 * The behaviour every metadata backend must show, whatever its SQL dialect: each store's main
 * operations and their edge cases (absent rows, uniqueness, cascades, paging, check-and-act in
 * one transaction, races). A backend's test file calls this with a function that opens a fresh,
 * empty database; each test gets its own.
 */
export function runStoreContract(name: string, openDb: () => Promise<DatabaseHandle>): void {
  describe(`metadata stores on ${name}`, () => {
    let handle: DatabaseHandle;
    let db: Db;
    beforeEach(async () => {
      handle = await openDb();
      await migrateToLatest(handle);
      db = handle.db;
    });
    afterEach(async () => {
      await handle.close();
    });

    /** Pushes one small artifact (a manifest with no blobs) into the repository: it becomes a Harbor repository. */
    const artifactIn = (repository: string) => createManifestStore(db).put(repository, manifestRecord(JSON.stringify({ in: repository }), []), 'v1', noCheck);

    /** Creates the projects (owned by a user "owner", created once) and returns their ids. */
    async function projectsNamed(...names: string[]): Promise<number[]> {
      const users = createUserStore(db);
      const owner = (await users.byName('owner'))?.id ?? (await users.create(user('owner')));
      const projects = createProjectStore(db);
      const ids: number[] = [];
      for (const n of names) ids.push(await projects.createWithAdmin(n, owner, false, {}));
      return ids;
    }

    describe('users', () => {
      test('create, read by id, name and email; absent ones are null', async () => {
        const users = createUserStore(db);
        const id = await users.create(user('alice'));
        assert.equal((await users.byId(id))?.username, 'alice');
        assert.equal((await users.byName('alice'))?.id, id);
        assert.equal((await users.byEmail('alice@example.com'))?.id, id);
        assert.equal(await users.byId(id + 1000), null);
        assert.equal(await users.byName('nobody'), null);
        assert.equal(await users.byEmail('nobody@example.com'), null);
      });

      test('usernames and emails are unique', async () => {
        const users = createUserStore(db);
        await users.create(user('alice'));
        await rejects(users.create(user('alice', { email: 'other@example.com' })), 'a second alice');
        await rejects(users.create(user('bob', { email: 'alice@example.com' })), 'a second alice@example.com');
        // Users without an email do not collide with each other.
        await users.create(user('nomail1', { email: null }));
        await users.create(user('nomail2', { email: null }));
      });

      test('password, profile and sysadmin changes; delete', async () => {
        const users = createUserStore(db);
        const id = await users.create(user('alice'), 1_000);
        await users.setPassword(id, 'new-hash', 2_000);
        assert.equal((await users.byId(id))?.password_hash, 'new-hash');
        assert.equal((await users.byId(id))?.password_changed_at, 2_000);
        await users.updateProfile(id, { realname: 'Alice A.', comment: 'hi' });
        const row = await users.byId(id);
        assert.equal(row?.realname, 'Alice A.');
        assert.equal(row?.comment, 'hi');
        assert.equal(row?.email, 'alice@example.com', 'fields not given are kept');
        await users.updateProfile(id, { email: null });
        assert.equal((await users.byId(id))?.email, null, 'an email can be cleared');
        assert.equal(await users.countAdmins(), 0);
        await users.setSysadmin(id, true);
        assert.equal(await users.countAdmins(), 1);
        await users.setSysadmin(id, false);
        assert.equal(await users.countAdmins(), 0);
        assert.equal(await users.delete(id), true);
        assert.equal(await users.byId(id), null);
        assert.equal(await users.delete(id), false, 'deleting twice reports nothing deleted');
      });

      test('list filters exactly and by substring (LIKE wildcards taken literally), sorts and pages with a total', async () => {
        const users = createUserStore(db);
        for (const n of ['carol', 'alice', 'bob', 'al_ce', 'a%b']) await users.create(user(n));
        const all = await users.list({}, page, [{ column: 'username', desc: false }]);
        assert.deepEqual(all.rows.map((u) => u.username), ['a%b', 'al_ce', 'alice', 'bob', 'carol']);
        assert.equal(all.total, 5);
        assert.deepEqual((await users.list({ usernameLike: 'al' }, page, [{ column: 'username', desc: false }])).rows.map((u) => u.username), ['al_ce', 'alice']);
        assert.deepEqual((await users.list({ usernameLike: '_' }, page, [])).rows.map((u) => u.username), ['al_ce']);
        assert.deepEqual((await users.list({ usernameLike: '%' }, page, [])).rows.map((u) => u.username), ['a%b']);
        assert.deepEqual((await users.list({ username: 'bob' }, page, [])).rows.map((u) => u.username), ['bob']);
        assert.deepEqual((await users.list({ email: 'bob@example' }, page, [])).rows, [], 'email= is exact');
        assert.deepEqual((await users.list({ emailLike: 'bob@example' }, page, [])).rows.map((u) => u.username), ['bob']);
        const second = await users.list({}, { offset: 2, limit: 2 }, [{ column: 'username', desc: true }]);
        assert.deepEqual(second.rows.map((u) => u.username), ['alice', 'al_ce']);
        assert.equal(second.total, 5, 'the total counts every match, not the page');
      });

      test('idsByName maps the named users that exist, and only those', async () => {
        const users = createUserStore(db);
        const alice = await users.create(user('alice'));
        const bob = await users.create(user('bob'));
        const ids = await users.idsByName(['alice', 'bob', 'nobody']);
        assert.deepEqual([...ids.entries()].sort(), [['alice', alice], ['bob', bob]]);
        assert.equal((await users.idsByName([])).size, 0);
      });
    });

    describe('sessions', () => {
      test('create, find, touch, delete; a user\'s sessions end with the user', async () => {
        const users = createUserStore(db);
        const sessions = createSessionStore(db);
        const alice = await users.create(user('alice'));
        const bob = await users.create(user('bob'));
        await sessions.create('s1', alice, 1_000);
        await sessions.create('s2', alice, 1_000);
        await sessions.create('s3', bob, 1_000);
        assert.deepEqual(await sessions.find('s1'), { userId: alice, createdAt: 1_000, lastSeen: 1_000 });
        assert.equal(await sessions.find('none'), null);
        await rejects(sessions.create('s1', bob), 'a second session s1');
        await sessions.touch('s1', 5_000);
        assert.equal((await sessions.find('s1'))?.lastSeen, 5_000);
        assert.equal((await sessions.find('s1'))?.createdAt, 1_000);
        await sessions.delete('s1');
        assert.equal(await sessions.find('s1'), null);
        await sessions.deleteForUser(alice);
        assert.equal(await sessions.find('s2'), null);
        assert.notEqual(await sessions.find('s3'), null, 'another user\'s session stays');
        await users.delete(bob);
        assert.equal(await sessions.find('s3'), null, 'deleting the user ends its sessions');
      });

      test('purgeIdleSince removes sessions not seen since a time and counts them', async () => {
        const sessions = createSessionStore(db);
        const alice = await createUserStore(db).create(user('alice'));
        await sessions.create('old', alice, 1_000);
        await sessions.create('new', alice, 1_000);
        await sessions.touch('new', 5_000);
        assert.equal(await sessions.purgeIdleSince(3_000), 1);
        assert.equal(await sessions.find('old'), null);
        assert.notEqual(await sessions.find('new'), null);
        assert.equal(await sessions.purgeIdleSince(3_000), 0);
      });
    });

    describe('settings', () => {
      test('set inserts and overwrites, all returns every key', async () => {
        const settings = createSettingStore(db);
        assert.deepEqual(await settings.all(), {});
        await settings.set({ a: '1', b: '2' });
        await settings.set({ b: '3', c: '' });
        assert.deepEqual(await settings.all(), { a: '1', b: '3', c: '' });
        await settings.set({});
        assert.deepEqual(await settings.all(), { a: '1', b: '3', c: '' });
      });
    });

    describe('projects and members', () => {
      test('createWithAdmin: read by id and name, owner is project admin, metadata round-trips, names are unique', async () => {
        const projects = createProjectStore(db);
        const members = createMemberStore(db);
        const owner = await createUserStore(db).create(user('owner'));
        const id = await projects.createWithAdmin('p1', owner, false, { auto_scan: 'false' });
        const row = await projects.byName('p1');
        assert.equal(row?.id, id);
        assert.equal(row?.public, 0);
        assert.equal(row?.owner_id, owner);
        assert.deepEqual(JSON.parse(row!.metadata), { auto_scan: 'false' });
        assert.equal((await projects.byId(id))?.name, 'p1');
        assert.equal(await projects.byName('p2'), null);
        assert.equal(await projects.byId(id + 1000), null);
        assert.equal(await members.roleOf(id, owner), admin, 'the owner administers the project');
        assert.deepEqual((await members.list(id)).map((m) => [m.username, m.roleId]), [['owner', admin]]);
        await rejects(projects.createWithAdmin('p1', owner, true, {}), 'a second p1');
        assert.equal((await members.list(id)).length, 1, 'a refused create adds no member');
      });

      test('createWithAdmin is one transaction: an owner that does not exist leaves no project', async () => {
        const projects = createProjectStore(db);
        await rejects(projects.createWithAdmin('p1', 9_999, false, {}), 'an owner that is not a user');
        assert.equal(await projects.byName('p1'), null);
        assert.equal((await projects.list({}, page, { column: 'name', desc: false }, null)).total, 0);
      });

      test('update changes only what it is given', async () => {
        const projects = createProjectStore(db);
        const [id] = await projectsNamed('p1');
        await projects.update(id!, { metadata: { a: '1' } });
        await projects.update(id!, { public: true });
        assert.equal((await projects.byId(id!))?.public, 1);
        assert.deepEqual(JSON.parse((await projects.byId(id!))!.metadata), { a: '1' });
        await projects.update(id!, { metadata: { b: '2' } });
        assert.equal((await projects.byId(id!))?.public, 1);
        assert.deepEqual(JSON.parse((await projects.byId(id!))!.metadata), { b: '2' });
      });

      test('list: visible to a user = public or member; anonymous sees public only; paging and total', async () => {
        const projects = createProjectStore(db);
        const members = createMemberStore(db);
        const uid = await createUserStore(db).create(user('alice'));
        const [pub, mine] = await projectsNamed('pub', 'mine', 'hidden');
        await projects.update(pub!, { public: true });
        await members.add(mine!, uid, developer);
        const names = async (f: Parameters<typeof projects.list>[0]) =>
          (await projects.list(f, page, { column: 'name', desc: false }, null)).rows.map((p) => p.name);
        assert.deepEqual(await names({}), ['hidden', 'mine', 'pub']);
        assert.deepEqual(await names({ visibleTo: { userId: uid } }), ['mine', 'pub']);
        assert.deepEqual(await names({ visibleTo: { userId: null } }), ['pub']);
        assert.deepEqual(await names({ visibleTo: null }), ['hidden', 'mine', 'pub']);
        assert.deepEqual(await names({ public: false }), ['hidden', 'mine']);
        assert.deepEqual(await names({ nameLike: 'i' }), ['hidden', 'mine']);
        assert.deepEqual(await names({ nameLike: '_' }), [], 'LIKE wildcards are taken literally');
        assert.deepEqual(await names({ name: 'pub' }), ['pub']);
        const p = await projects.list({}, { offset: 1, limit: 1 }, { column: 'name', desc: true }, null);
        assert.deepEqual(p.rows.map((r) => r.name), ['mine']);
        assert.equal(p.total, 3);
      });

      test('list and details show the owner\'s name, the repository count and the viewer\'s role', async () => {
        const projects = createProjectStore(db);
        const members = createMemberStore(db);
        const blobs = createBlobStore(db);
        const users = createUserStore(db);
        const alice = await users.create(user('alice'));
        const [p1, p2] = await projectsNamed('p1', 'p2');
        await members.add(p1!, alice, guest);
        await artifactIn('p1/a');
        await artifactIn('p1/b');
        // A repository with blobs only (an unfinished or refused push) is no repository yet.
        await blobs.recordAndLink('p1/c', digestOf('x'), 1);
        const listed = await projects.list({}, page, { column: 'name', desc: false }, alice);
        assert.deepEqual(
          listed.rows.map((r) => [r.name, r.ownerName, r.repoCount, r.viewerRoleId]),
          [['p1', 'owner', 2, guest], ['p2', 'owner', 0, null]],
        );
        const d = await projects.details(p1!, alice);
        assert.equal(d?.name, 'p1');
        assert.equal(d?.ownerName, 'owner');
        assert.equal(d?.repoCount, 2);
        assert.equal(d?.viewerRoleId, guest);
        assert.equal((await projects.details(p2!, null))?.viewerRoleId, null, 'anonymous has no role');
        assert.equal(await projects.details(p2! + 1000, alice), null);
        // The owner's user going away leaves the project, without an owner.
        await users.delete((await users.byName('owner'))!.id);
        assert.equal((await projects.details(p1!, null))?.ownerName, null);
        assert.equal((await projects.byId(p1!))?.owner_id, null);
      });

      test('members: add, role, list, page, set role, remove; one membership per user and project', async () => {
        const members = createMemberStore(db);
        const users = createUserStore(db);
        const [pid, other] = await projectsNamed('p1', 'p2');
        const alice = await users.create(user('alice'));
        const bob = await users.create(user('bob'));
        const mid = await members.add(pid!, alice, admin);
        await members.add(pid!, bob, guest);
        assert.equal(await members.roleOf(pid!, alice), admin);
        assert.equal(await members.roleOf(pid!, bob + 1000), null);
        assert.equal(await members.roleOf(other!, alice), null);
        await rejects(members.add(pid!, alice, developer), 'alice twice in p1');
        assert.deepEqual((await members.list(pid!)).map((m) => m.username), ['owner', 'alice', 'bob']);
        assert.deepEqual((await members.list(pid!, 'bob')).map((m) => m.roleId), [guest]);
        const paged = await members.page(pid!, undefined, { offset: 1, limit: 1 });
        assert.deepEqual(paged.rows.map((m) => m.username), ['alice']);
        assert.equal(paged.total, 3);
        const named = await members.page(pid!, 'bob', page);
        assert.deepEqual(named.rows.map((m) => m.username), ['bob']);
        assert.equal(named.total, 1);
        assert.deepEqual(await members.byId(pid!, mid), { id: mid, projectId: pid, userId: alice, username: 'alice', roleId: admin });
        assert.equal(await members.byId(other!, mid), null, 'a member id of another project is not found');
        assert.equal(await members.setRole(pid!, mid, maintainer), true);
        assert.equal(await members.roleOf(pid!, alice), maintainer);
        assert.equal(await members.setRole(other!, mid, admin), false, 'a member id of another project changes nothing');
        assert.equal(await members.remove(other!, mid), false);
        assert.equal(await members.remove(pid!, mid), true);
        assert.equal(await members.roleOf(pid!, alice), null);
        assert.equal(await members.remove(pid!, mid), false);
        await users.delete(bob);
        assert.deepEqual((await members.list(pid!)).map((m) => m.username), ['owner'], 'a deleted user\'s memberships go with it');
      });

      test('deleteIfEmpty refuses while the project has repositories and changes nothing', async () => {
        const projects = createProjectStore(db);
        const members = createMemberStore(db);
        const blobs = createBlobStore(db);
        const [pid] = await projectsNamed('p1');
        await blobs.recordAndLink('p1/a', digestOf('x'), 1);
        await artifactIn('p1/a');
        await artifactIn('p1/b/c');
        assert.deepEqual(await projects.deleteIfEmpty(pid!), { deleted: false, repositories: 2 });
        assert.notEqual(await projects.byId(pid!), null);
        assert.equal((await members.list(pid!)).length, 1);
        assert.equal(await blobs.sizeInRepository('p1/a', digestOf('x')), 1);
      });

      test('deleteIfEmpty takes along repositories that hold blobs but no artifact', async () => {
        const projects = createProjectStore(db);
        const blobs = createBlobStore(db);
        const [pid] = await projectsNamed('p1');
        await blobs.recordAndLink('p1/a', digestOf('x'), 1);
        assert.equal(await projects.repositoryCount(pid!), 0);
        assert.deepEqual(await projects.deleteIfEmpty(pid!), { deleted: true });
        assert.equal(await createRepositoryStore(db).findId('p1/a'), null);
      });

      test('deleteIfEmpty deletes an empty project with its members, its robots and system robots\' grants on it', async () => {
        const projects = createProjectStore(db);
        const members = createMemberStore(db);
        const robots = createRobotStore(db);
        const manifests = createManifestStore(db);
        const [pid] = await projectsNamed('p1', 'p2');
        const uid = await createUserStore(db).create(user('alice'));
        await members.add(pid!, uid, admin);
        const projectRobot = await robots.create(robot('robot$p1+ci', { level: 'project', projectId: pid!, grants: [{ namespace: 'p1', resource: 'repository', action: 'pull' }] }));
        const sys = await robots.create(robot('robot$sys', { grants: [{ namespace: 'p1', resource: 'repository', action: 'pull' }, { namespace: 'p2', resource: 'repository', action: 'pull' }] }));
        // A repository that lost its last manifest is gone and no longer keeps the project.
        const m = manifestRecord('{"m":1}', []);
        await manifests.put('p1/a', m, 'v1', noCheck);
        assert.equal((await projects.deleteIfEmpty(pid!)).deleted, false);
        assert.deepEqual(await manifests.deleteUnlisted('p1/a', m.digest), { kind: 'deleted', repositoryGone: true });
        assert.deepEqual(await projects.deleteIfEmpty(pid!), { deleted: true });
        assert.equal(await projects.byId(pid!), null);
        assert.equal(await projects.byName('p1'), null);
        assert.equal(await members.roleOf(pid!, uid), null);
        assert.equal(await robots.byId(projectRobot), null);
        assert.deepEqual((await robots.grantsOf(sys)).map((g) => g.namespace), ['p2']);
        // A new project of the same name starts with its owner only.
        const [again] = await projectsNamed('p1');
        assert.deepEqual((await members.list(again!)).map((m) => m.username), ['owner']);
        assert.deepEqual((await robots.list({ level: 'project', projectId: again! }, page)).rows, []);
      });

      test('a first push racing a project delete: either the push is refused or the delete is', async () => {
        const projects = createProjectStore(db);
        const [pid] = await projectsNamed('p1');
        const [del, push] = await Promise.allSettled([projects.deleteIfEmpty(pid!), artifactIn('p1/a')]);
        assert.equal(del.status, 'fulfilled');
        if (del.status === 'fulfilled' && del.value.deleted) {
          assert.equal(push.status, 'rejected', 'a push into a deleted project is refused');
          assert.equal(await createRepositoryStore(db).findId('p1/a'), null, 'and leaves no orphan repository');
        } else {
          assert.equal(push.status, 'fulfilled');
          assert.notEqual(await projects.byId(pid!), null);
          assert.equal(await projects.repositoryCount(pid!), 1);
        }
      });

      test('repositoryCount counts the project\'s repositories only, not a prefix-sharing project\'s', async () => {
        const projects = createProjectStore(db);
        const [p, p2] = await projectsNamed('p', 'p-2');
        await artifactIn('p/a');
        await artifactIn('p/b/c');
        await artifactIn('p-2/a');
        assert.equal(await projects.repositoryCount(p!), 2);
        assert.equal(await projects.repositoryCount(p2!), 1);
        assert.equal(await projects.repositoryCount(p2! + 1000), 0);
      });
    });

    describe('robots', () => {
      test('create with grants, read, list with filters, update, delete; names are unique', async () => {
        const robots = createRobotStore(db);
        const [pid] = await projectsNamed('p1');
        const id = await robots.create(robot('robot$p1+ci', { level: 'project', projectId: pid!, grants: [{ namespace: 'p1', resource: 'repository', action: 'push' }] }));
        await robots.create(robot('robot$sys'));
        assert.equal((await robots.byName('robot$p1+ci'))?.id, id);
        assert.equal(await robots.byName('robot$none'), null);
        await rejects(robots.create(robot('robot$sys')), 'a second robot$sys');
        assert.deepEqual(await robots.grantsOf(id), [{ namespace: 'p1', resource: 'repository', action: 'push' }]);
        assert.deepEqual((await robots.list({ level: 'project', projectId: pid! }, page)).rows.map((r) => r.name), ['robot$p1+ci']);
        assert.equal((await robots.list({}, page)).total, 2);
        assert.deepEqual((await robots.list({ nameLike: 'sys' }, page)).rows.map((r) => r.name), ['robot$sys']);
        assert.deepEqual((await robots.list({ name: 'robot$sys' }, page)).rows.map((r) => r.name), ['robot$sys']);
        assert.deepEqual((await robots.list({ level: 'system' }, page)).rows.map((r) => r.name), ['robot$sys']);
        const paged = await robots.list({}, { offset: 1, limit: 1 });
        assert.deepEqual(paged.rows.map((r) => r.name), ['robot$sys']);
        assert.equal(paged.total, 2);

        await robots.update(id, { disabled: true, description: 'off', grants: [{ namespace: 'p1', resource: 'repository', action: 'pull' }] });
        const row = await robots.byId(id);
        assert.equal(row?.disabled, 1);
        assert.equal(row?.description, 'off');
        assert.equal(row?.secret_hash, 'secret-of-robot$p1+ci', 'fields not given are kept');
        assert.deepEqual(await robots.grantsOf(id), [{ namespace: 'p1', resource: 'repository', action: 'pull' }], 'grants are replaced');
        await robots.update(id, { secretHash: 'rotated', expiresAt: 9_000, duration: 3 });
        assert.equal((await robots.byId(id))?.secret_hash, 'rotated');
        assert.equal((await robots.byId(id))?.expires_at, 9_000);
        assert.equal((await robots.grantsOf(id)).length, 1, 'grants not given are kept');
        await robots.update(id, { grants: [] });
        assert.deepEqual(await robots.grantsOf(id), []);
        assert.equal(await robots.delete(id), true);
        assert.equal(await robots.byId(id), null);
        assert.deepEqual(await robots.grantsOf(id), [], 'grants go with the robot');
        assert.equal(await robots.delete(id), false);
      });

      test('grantsOfMany: grants by robot, live only while the project they name exists ("*" always)', async () => {
        const robots = createRobotStore(db);
        await projectsNamed('p1');
        const a = await robots.create(robot('robot$a', { grants: [{ namespace: 'p1', resource: 'repository', action: 'pull' }, { namespace: 'gone', resource: 'repository', action: 'pull' }] }));
        const b = await robots.create(robot('robot$b', { grants: [{ namespace: '*', resource: 'project', action: 'list' }] }));
        const c = await robots.create(robot('robot$c'));
        const many = await robots.grantsOfMany([a, b, c]);
        const live = (id: number) => (many.get(id) ?? []).map((g) => `${g.namespace}:${g.live}`).sort();
        assert.deepEqual(live(a), ['gone:false', 'p1:true']);
        assert.deepEqual(live(b), ['*:true']);
        assert.equal(many.has(c), false, 'a robot without grants has no entry');
        assert.equal((await robots.grantsOfMany([])).size, 0);
      });
    });

    describe('repositories, blobs, manifests and tags', () => {
      test('a blob recorded in a repository is served there only; recording twice is one row', async () => {
        const blobs = createBlobStore(db);
        await projectsNamed('p');
        const d = digestOf('layer');
        await blobs.recordAndLink('p/a', d, 5);
        await blobs.recordAndLink('p/a', d, 5);
        assert.equal(await blobs.sizeInRepository('p/a', d), 5);
        assert.equal(await blobs.sizeInRepository('p/b', d), null);
        assert.equal(await blobs.size(d), 5);
        assert.equal(await blobs.size(digestOf('none')), null);
        await blobs.recordAndLink('p/b', d, 5);
        assert.deepEqual(await blobs.repositoriesHolding(d), ['p/a', 'p/b']);
        assert.deepEqual(await blobs.repositoriesHolding(d, 1), ['p/a']);
        assert.deepEqual(await blobs.repositoriesHolding(digestOf('none')), []);
      });

      test('a repository is created only inside an existing project', async () => {
        const blobs = createBlobStore(db);
        const manifests = createManifestStore(db);
        const repos = createRepositoryStore(db);
        await projectsNamed('p');
        await rejectsUnknownProject(blobs.recordAndLink('q/a', digestOf('x'), 1));
        await rejectsUnknownProject(manifests.put('q/a', manifestRecord('{"m":1}', []), 'v1', noCheck));
        await rejectsUnknownProject(blobs.recordAndLink('pp/a', digestOf('x'), 1));
        assert.equal(await repos.findId('q/a'), null);
        assert.equal(await blobs.size(digestOf('x')), null, 'a refused link records no blob');
        await blobs.recordAndLink('p/a', digestOf('x'), 1);
        assert.ok((await repos.findId('p/a'))! > 0);
      });

      test('unlinkUnreferenced unlinks a blob unless a manifest of the repository references it', async () => {
        const blobs = createBlobStore(db);
        const manifests = createManifestStore(db);
        await projectsNamed('p');
        const d = digestOf('layer');
        const free = digestOf('free');
        await blobs.recordAndLink('p/a', d, 5);
        await blobs.recordAndLink('p/a', free, 4);
        await blobs.recordAndLink('p/b', d, 5);
        const m = manifestRecord('{"m":1}', [d]);
        await manifests.put('p/a', m, 'v1', noCheck);
        assert.deepEqual(await blobs.unlinkUnreferenced('p/a', d), { kind: 'referenced', by: [m.digest] });
        assert.equal(await blobs.sizeInRepository('p/a', d), 5, 'a refused unlink keeps the link');
        assert.deepEqual(await blobs.unlinkUnreferenced('p/b', d), { kind: 'unlinked' }, 'a manifest of another repository does not count');
        assert.equal(await blobs.sizeInRepository('p/b', d), null);
        assert.equal(await blobs.sizeInRepository('p/a', d), 5, 'the other repository keeps its link');
        assert.deepEqual(await blobs.unlinkUnreferenced('p/a', free), { kind: 'unlinked' });
        assert.deepEqual(await blobs.unlinkUnreferenced('p/a', free), { kind: 'not-linked' });
        assert.deepEqual(await blobs.unlinkUnreferenced('p/none', d), { kind: 'no-repository' });
        assert.equal(await blobs.size(free), 4, 'the blob row stays for garbage collection');
      });

      test('missingInRepository: the digests a repository holds no blob link or manifest for', async () => {
        const blobs = createBlobStore(db);
        const manifests = createManifestStore(db);
        const repos = createRepositoryStore(db);
        await projectsNamed('p');
        const [x, y, z] = [digestOf('x'), digestOf('y'), digestOf('z')];
        await blobs.recordAndLink('p/a', x, 1);
        await blobs.recordAndLink('p/b', y, 1);
        const m = manifestRecord('{"m":1}', [x]);
        await manifests.put('p/a', m, null, noCheck);
        const id = (await repos.findId('p/a'))!;
        assert.deepEqual(await blobs.missingInRepository(id, [x, y, z, y]), [y, z]);
        assert.deepEqual(await blobs.missingInRepository(id, []), []);
        assert.deepEqual(await manifests.missingInRepository(db, id, [m.digest, x]), [x]);
      });

      test('repositories: found by name, listed in order after a marker, deleted with everything in them', async () => {
        const blobs = createBlobStore(db);
        const manifests = createManifestStore(db);
        const repos = createRepositoryStore(db);
        await projectsNamed('p', 'q');
        for (const r of ['p/c', 'p/a', 'q/b']) await blobs.recordAndLink(r, digestOf('x'), 1);
        assert.equal(await repos.findId('p/none'), null);
        assert.ok((await repos.findId('p/a'))! > 0);
        assert.deepEqual(await repos.listNames(10), ['p/a', 'p/c', 'q/b']);
        assert.deepEqual(await repos.listNames(1, 'p/a'), ['p/c']);
        assert.deepEqual(await repos.listNames(10, 'q/b'), []);
        await repos.touch((await repos.findId('p/a'))!);
        const m = manifestRecord('{"m":1}', [digestOf('x')]);
        await manifests.put('p/a', m, 'v1', noCheck);
        assert.equal(await repos.delete('p/a'), true);
        assert.equal(await repos.findId('p/a'), null);
        assert.equal(await manifests.byDigest('p/a', m.digest), null);
        assert.equal(await manifests.byTag('p/a', 'v1'), null);
        assert.equal(await blobs.sizeInRepository('p/a', digestOf('x')), null);
        assert.equal(await blobs.sizeInRepository('p/c', digestOf('x')), 1);
        assert.equal(await blobs.size(digestOf('x')), 1, 'the bytes stay for garbage collection');
        assert.equal(await repos.delete('p/a'), false);
        assert.deepEqual(await repos.listNames(10), ['p/c', 'q/b']);
      });

      test('manifests: put with a tag, read by digest and tag, retag, tags listed in order, delete', async () => {
        const blobs = createBlobStore(db);
        const manifests = createManifestStore(db);
        const tags = createTagStore(db);
        const repos = createRepositoryStore(db);
        await projectsNamed('p');
        const layer = digestOf('layer');
        await blobs.recordAndLink('p/a', layer, 5);
        const m1 = manifestRecord('{"m":1}', [layer]);
        const m2 = manifestRecord('{"m":2}', [layer]);
        await manifests.put('p/a', m1, 'v1', noCheck);
        await manifests.put('p/a', m1, 'latest', noCheck);
        await manifests.put('p/a', m1, null, noCheck);
        const stored = await manifests.byDigest('p/a', m1.digest);
        assert.equal(stored?.content.toString(), '{"m":1}');
        assert.equal(stored?.mediaType, 'application/vnd.oci.image.manifest.v1+json');
        assert.equal((await manifests.byTag('p/a', 'v1'))?.digest, m1.digest);
        assert.equal(await manifests.byDigest('p/b', m1.digest), null, 'manifests belong to their repository');
        assert.equal(await manifests.byTag('p/a', 'v9'), null);
        await manifests.put('p/a', m2, 'latest', noCheck);
        assert.equal((await manifests.byTag('p/a', 'latest'))?.digest, m2.digest, 'a tag moves to the new manifest');
        const id = (await repos.findId('p/a'))!;
        assert.deepEqual(await tags.list(id, 10), ['latest', 'v1']);
        assert.deepEqual(await tags.list(id, 10, 'latest'), ['v1']);
        assert.deepEqual(await tags.list(id, 1), ['latest']);
        assert.deepEqual(
          ((await blobs.unlinkUnreferenced('p/a', layer)) as { by: string[] }).by.sort(),
          [m1.digest, m2.digest].sort(),
          'both manifests reference the layer',
        );
        assert.equal(await tags.delete(id, 'v1'), true);
        assert.equal(await tags.delete(id, 'v1'), false);
        assert.notEqual(await manifests.byDigest('p/a', m1.digest), null, 'deleting a tag keeps the manifest');
        assert.deepEqual(await manifests.deleteUnlisted('p/a', m2.digest), { kind: 'deleted', repositoryGone: false });
        assert.equal(await manifests.byTag('p/a', 'latest'), null, 'deleting a manifest removes its tags');
        assert.deepEqual(await tags.list(id, 10), []);
        assert.deepEqual(await manifests.deleteUnlisted('p/a', m2.digest), { kind: 'unknown' });
        assert.deepEqual(await manifests.deleteUnlisted('p/none', m2.digest), { kind: 'no-repository' });
        assert.deepEqual(await manifests.deleteUnlisted('p/a', m1.digest), { kind: 'deleted', repositoryGone: true }, 'the repository goes with its last manifest');
        assert.equal(await repos.findId('p/a'), null);
        assert.equal(await blobs.sizeInRepository('p/a', layer), null, 'its blob links go with it');
        assert.equal(await blobs.size(layer), 5, 'the bytes stay for garbage collection');
      });

      test('deleteUnlisted refuses while an index lists the manifest; an index takes along the children nothing else keeps', async () => {
        const manifests = createManifestStore(db);
        const repos = createRepositoryStore(db);
        await projectsNamed('p');
        const tagged = manifestRecord('{"arch":"amd64"}', []);
        const untagged = manifestRecord('{"arch":"arm64"}', []);
        const shared = manifestRecord('{"arch":"s390x"}', []);
        for (const m of [tagged, untagged, shared]) await manifests.put('p/a', m, null, noCheck);
        await manifests.put('p/a', tagged, 'amd64', noCheck);
        const index = indexRecord('{"index":1}', [tagged.digest, untagged.digest, shared.digest]);
        const other = indexRecord('{"index":2}', [shared.digest]);
        await manifests.put('p/a', index, 'v1', noCheck);
        await manifests.put('p/a', other, 'v2', noCheck);
        assert.deepEqual(await manifests.deleteUnlisted('p/a', untagged.digest), { kind: 'listed', by: [index.digest] });
        assert.notEqual(await manifests.byDigest('p/a', untagged.digest), null, 'a refused delete deletes nothing');
        assert.deepEqual(await manifests.deleteUnlisted('p/a', index.digest), { kind: 'deleted', repositoryGone: false });
        assert.equal(await manifests.byDigest('p/a', index.digest), null);
        assert.equal(await manifests.byTag('p/a', 'v1'), null);
        assert.equal(await manifests.byDigest('p/a', untagged.digest), null, 'a child nothing keeps goes with its index');
        assert.notEqual(await manifests.byDigest('p/a', tagged.digest), null, 'a tagged child stays');
        assert.notEqual(await manifests.byDigest('p/a', shared.digest), null, 'a child another index lists stays');
        assert.deepEqual(await manifests.deleteUnlisted('p/a', shared.digest), { kind: 'listed', by: [other.digest] });
        assert.deepEqual(await manifests.deleteUnlisted('p/a', other.digest), { kind: 'deleted', repositoryGone: false });
        assert.equal(await manifests.byDigest('p/a', shared.digest), null);
        assert.deepEqual(await manifests.deleteUnlisted('p/a', tagged.digest), { kind: 'deleted', repositoryGone: true });
        assert.equal(await repos.findId('p/a'), null);
      });

      test('a put whose check throws stores nothing, not even a new repository', async () => {
        const manifests = createManifestStore(db);
        const repos = createRepositoryStore(db);
        await projectsNamed('p');
        const m = manifestRecord('{"m":3}', []);
        let seen: number | null = null;
        await assert.rejects(
          manifests.put('p/new', m, 'v1', async (_tx, repositoryId) => {
            seen = repositoryId;
            throw new Error('a referenced blob is missing');
          }),
          /referenced blob is missing/,
        );
        assert.ok(seen !== null, 'the check is given the repository id');
        assert.equal(await manifests.byDigest('p/new', m.digest), null);
        assert.equal(await manifests.byTag('p/new', 'v1'), null);
        assert.equal(await repos.findId('p/new'), null);
      });

      test('a push racing a blob unlink: either the manifest is refused or the unlink is', async () => {
        const blobs = createBlobStore(db);
        const manifests = createManifestStore(db);
        await projectsNamed('p');
        const layer = digestOf('layer');
        const keep = digestOf('keep');
        await blobs.recordAndLink('p/a', layer, 5);
        await blobs.recordAndLink('p/a', keep, 1);
        const m = manifestRecord('{"m":1}', [layer]);
        const check = async (tx: Db, repositoryId: number) => {
          const missing = await blobs.missingInRepository(repositoryId, m.blobDigests, tx);
          if (missing.length > 0) throw new Error(`blob unknown: ${missing.join(', ')}`);
        };
        const [unlink, put] = await Promise.allSettled([blobs.unlinkUnreferenced('p/a', layer), manifests.put('p/a', m, 'v1', check)]);
        assert.equal(unlink.status, 'fulfilled');
        if (unlink.status === 'fulfilled' && unlink.value.kind === 'unlinked') {
          assert.equal(put.status, 'rejected', 'a manifest naming an unlinked blob is refused');
          assert.equal(await manifests.byDigest('p/a', m.digest), null);
        } else {
          assert.deepEqual(unlink.status === 'fulfilled' && unlink.value, { kind: 'referenced', by: [m.digest] });
          assert.equal(put.status, 'fulfilled');
          assert.equal(await blobs.sizeInRepository('p/a', layer), 5);
        }
      });

      test('an index push racing a child delete: either the index is refused or the delete is', async () => {
        const manifests = createManifestStore(db);
        await projectsNamed('p');
        const child = manifestRecord('{"arch":"amd64"}', []);
        const keep = manifestRecord('{"keep":1}', []);
        await manifests.put('p/a', child, null, noCheck);
        await manifests.put('p/a', keep, 'keep', noCheck);
        const index = indexRecord('{"index":1}', [child.digest]);
        const check = async (tx: Db, repositoryId: number) => {
          const missing = await manifests.missingInRepository(tx, repositoryId, index.manifestDigests);
          if (missing.length > 0) throw new Error(`manifest unknown: ${missing.join(', ')}`);
        };
        const [del, put] = await Promise.allSettled([manifests.deleteUnlisted('p/a', child.digest), manifests.put('p/a', index, 'v1', check)]);
        assert.equal(del.status, 'fulfilled');
        if (del.status === 'fulfilled' && del.value.kind === 'deleted') {
          assert.equal(put.status, 'rejected', 'an index listing a deleted manifest is refused');
          assert.equal(await manifests.byDigest('p/a', index.digest), null);
        } else {
          assert.deepEqual(del.status === 'fulfilled' && del.value, { kind: 'listed', by: [index.digest] });
          assert.equal(put.status, 'fulfilled');
          assert.notEqual(await manifests.byDigest('p/a', child.digest), null);
        }
      });

      test('referrers: manifests naming a subject, filtered by artifact type', async () => {
        const manifests = createManifestStore(db);
        await projectsNamed('p');
        const subject = manifestRecord('{"subject":1}', []);
        await manifests.put('p/a', subject, 'v1', noCheck);
        const sbom = manifestRecord('{"sbom":1}', [], { subjectDigest: subject.digest, artifactType: 'application/spdx+json', annotations: '{"a":"b"}' });
        const sig = manifestRecord('{"sig":1}', [], { subjectDigest: subject.digest, artifactType: 'application/vnd.dev.cosign' });
        await manifests.put('p/a', sbom, null, noCheck);
        await manifests.put('p/a', sig, null, noCheck);
        assert.deepEqual((await manifests.referrers('p/a', subject.digest)).map((r) => r.digest).sort(), [sbom.digest, sig.digest].sort());
        assert.deepEqual(await manifests.referrers('p/a', subject.digest, 'application/spdx+json'), [
          { digest: sbom.digest, mediaType: sbom.mediaType, size: sbom.content.length, artifactType: 'application/spdx+json', annotations: '{"a":"b"}' },
        ]);
        assert.deepEqual(await manifests.referrers('p/a', subject.digest, 'text/plain'), []);
        assert.deepEqual(await manifests.referrers('p/b', subject.digest), []);
      });
    });

    describe('uploads', () => {
      test('create, get, advance only from the current offset, delete', async () => {
        const uploads = createUploadStore(db);
        await uploads.create('u1', 'p/a', 1_000);
        assert.equal((await uploads.get('u1'))?.offset, 0);
        assert.equal((await uploads.get('u1'))?.repository, 'p/a');
        assert.equal(await uploads.get('u2'), null);
        assert.equal(await uploads.advance('u1', 0, 100, 2_000), true);
        assert.equal((await uploads.get('u1'))?.offset, 100);
        assert.equal(await uploads.advance('u1', 0, 50), false, 'a writer that started from a stale offset loses');
        assert.equal((await uploads.get('u1'))?.offset, 100);
        assert.equal(await uploads.advance('u2', 0, 10), false);
        assert.equal(await uploads.advance('u1', 100, { offset: 200, state: '{"u":"x"}', token: 't1' }), true);
        const row = await uploads.get('u1');
        assert.deepEqual([row?.offset, row?.driver_state, row?.write_token], [200, '{"u":"x"}', 't1'], 'driver state and write token travel with the offset');
        await rejects(uploads.create('u1', 'p/a'), 'a second upload u1');
        assert.equal(await uploads.delete('u1'), true);
        assert.equal(await uploads.delete('u1'), false);
      });

      test('idleSince lists the sessions untouched since a time, at most `limit`', async () => {
        const uploads = createUploadStore(db);
        await uploads.create('old1', 'p/a', 1_000);
        await uploads.create('old2', 'p/a', 1_000);
        await uploads.create('busy', 'p/a', 1_000);
        await uploads.advance('busy', 0, 10, 5_000);
        assert.deepEqual((await uploads.idleSince(3_000)).sort(), ['old1', 'old2']);
        assert.equal((await uploads.idleSince(3_000, 1)).length, 1);
        assert.deepEqual(await uploads.idleSince(500), []);
      });
    });

    describe('audit', () => {
      test('insertMany, list newest first with filters and a total, purgeBefore', async () => {
        const store = createAuditStore(db);
        await store.insertMany([
          audit({ time: 1_000, operation: 'create', resource: 'p1', username: 'alice' }),
          audit({ time: 2_000, operation: 'delete', resource: 'p1', username: 'bob' }),
          audit({ time: 3_000, operation: 'login', resourceType: 'user', resource: 'mallory', username: 'mallory', success: false }),
        ]);
        await store.insertMany([]);
        const all = await store.list({}, page);
        assert.deepEqual(all.rows.map((r) => r.operation), ['login', 'delete', 'create']);
        assert.equal(all.total, 3);
        assert.equal(all.rows[0]?.success, 0);
        assert.deepEqual((await store.list({}, page, false)).rows.map((r) => r.operation), ['create', 'delete', 'login']);
        assert.deepEqual((await store.list({ operation: 'delete' }, page)).rows.map((r) => r.username), ['bob']);
        assert.deepEqual((await store.list({ operation: { eq: 'delete' } }, page)).rows.map((r) => r.username), ['bob']);
        assert.deepEqual((await store.list({ username: { like: 'lic' } }, page)).rows.map((r) => r.username), ['alice']);
        assert.deepEqual((await store.list({ operation: { any: ['create', 'login'] } }, page)).rows.map((r) => r.operation), ['login', 'create']);
        assert.deepEqual((await store.list({ operation: { any: [] } }, page)).rows, []);
        assert.deepEqual((await store.list({ resourceType: 'user' }, page)).rows.map((r) => r.resource), ['mallory']);
        assert.deepEqual((await store.list({ from: 1_500, to: 2_500 }, page)).rows.map((r) => r.operation), ['delete']);
        const paged = await store.list({}, { offset: 1, limit: 1 });
        assert.deepEqual(paged.rows.map((r) => r.operation), ['delete']);
        assert.equal(paged.total, 3);
        assert.equal(await store.purgeBefore(2_500), 2);
        assert.deepEqual((await store.list({}, page)).rows.map((r) => r.operation), ['login']);
      });

      test('by project, and memberOf: records of projects where the user has one of the roles', async () => {
        const store = createAuditStore(db);
        const members = createMemberStore(db);
        const users = createUserStore(db);
        const owner = await users.create(user('owner'));
        const alice = await users.create(user('alice'));
        const projects = createProjectStore(db);
        const p1 = await projects.createWithAdmin('p1', owner, false, {}, 2_000);
        const p2 = await projects.createWithAdmin('p2', owner, false, {}, 2_000);
        await members.add(p1, alice, guest);
        await members.add(p2, alice, developer);
        await store.insertMany([
          audit({ projectId: p1, time: 3_000, resource: 'p1/a' }),
          audit({ projectId: p2, time: 3_000, resource: 'p2/a' }),
          audit({ projectId: null, time: 3_000, resource: 'system' }),
        ]);
        assert.deepEqual((await store.list({ projectId: p2 }, page)).rows.map((r) => r.resource), ['p2/a']);
        const seen = async (roleIds: number[]) => (await store.list({ memberOf: { userId: alice, roleIds } }, page)).rows.map((r) => r.resource).sort();
        assert.deepEqual(await seen([guest, developer]), ['p1/a', 'p2/a']);
        assert.deepEqual(await seen([developer]), ['p2/a']);
        assert.deepEqual(await seen([]), []);
        assert.deepEqual((await store.list({ memberOf: { userId: owner, roleIds: [admin] } }, page)).total, 2);
      });
    });

    // On SQLite these hold because one writer runs at a time; on PostgreSQL the writers really run
    // at once, on separate connections of the pool, and the transactions must make them safe.
    describe('several writers at once', () => {
      test('quota: concurrent pushes into a project never take usage past its limit, and usage equals a recount', async () => {
        const [projectId] = await projectsNamed('q');
        const manifests = createManifestStore(db);
        // Each manifest counts its own bytes; room for 5 of the 20.
        const records = Array.from({ length: 20 }, (_, i) => manifestRecord(JSON.stringify({ n: String(i).padStart(2, '0'), pad: 'x'.repeat(90) }), []));
        const size = records[0]!.content.length;
        await db.updateTable('quotas').set({ hard_storage: size * 5 + size - 1 }).where('project_id', '=', projectId!).execute();
        const results = await Promise.allSettled(records.map((r, i) => manifests.put(`q/r${i % 3}`, r, `t${i}`, noCheck)));
        const stored = results.filter((r) => r.status === 'fulfilled').length;
        assert.equal(stored, 5, results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok')).join('\n'));
        const quota = await db.selectFrom('quotas').select('used_storage').where('project_id', '=', projectId!).executeTakeFirstOrThrow();
        assert.equal(quota.used_storage, stored * size);
        const rows = await db.selectFrom('manifests').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        assert.equal(Number(rows.n), stored);
      });

      test('one tag, many concurrent pushes: exactly one tag row, on one of the pushed manifests', async () => {
        await projectsNamed('t');
        const manifests = createManifestStore(db);
        const records = Array.from({ length: 12 }, (_, i) => manifestRecord(JSON.stringify({ tag: i }), []));
        const results = await Promise.allSettled(records.map((r) => manifests.put('t/a', r, 'latest', noCheck)));
        assert.ok(results.every((r) => r.status === 'fulfilled'), 'a retag is not a conflict');
        const tags = await db.selectFrom('tags').innerJoin('manifests', 'manifests.id', 'tags.manifest_id').select(['tags.name', 'manifests.digest']).execute();
        assert.equal(tags.length, 1);
        assert.ok(records.some((r) => r.digest === tags[0]!.digest));
        assert.equal((await manifests.byTag('t/a', 'latest'))?.digest, tags[0]!.digest);
      });

      test('the same manifest pushed concurrently into one repository is one row, charged once', async () => {
        const [projectId] = await projectsNamed('s');
        const manifests = createManifestStore(db);
        const record = manifestRecord('{"same":true}', []);
        await Promise.all(Array.from({ length: 8 }, (_, i) => manifests.put('s/a', record, `v${i}`, noCheck)));
        const quota = await db.selectFrom('quotas').select('used_storage').where('project_id', '=', projectId!).executeTakeFirstOrThrow();
        assert.equal(quota.used_storage, record.content.length);
        assert.equal((await createTagStore(db).list((await createRepositoryStore(db).findId('s/a'))!, 100)).length, 8);
      });
    });

    describe('leases and shared keys (several instances on one database)', () => {
      test('a lease has one holder until it expires; the holder renews it; anyone may take an expired one', async () => {
        const leases = createLeaseStore(db);
        const takers = ['a', 'b', 'c', 'd', 'e'];
        const won = await Promise.all(takers.map((h) => leases.take('purge', h, 1_000, 10_000)));
        assert.equal(won.filter(Boolean).length, 1, 'exactly one instance holds it');
        const holder = takers[won.indexOf(true)]!;
        assert.equal(await leases.holderOf('purge', 10_500), holder);
        assert.equal(await leases.take('purge', holder, 1_000, 10_500), true, 'the holder renews');
        assert.equal(await leases.take('purge', 'other', 1_000, 11_000), false, 'renewed until 11 500');
        assert.equal(await leases.take('purge', 'other', 1_000, 11_500), true, 'expired: taken over');
        assert.equal(await leases.holderOf('purge', 11_600), 'other');
        await leases.release('purge', holder);
        assert.equal(await leases.holderOf('purge', 11_600), 'other', 'a former holder cannot release it');
        await leases.release('purge', 'other');
        assert.equal(await leases.holderOf('purge', 11_600), null);
        assert.equal(await leases.take('other-job', 'a', 1_000, 11_600), true, 'leases are per name');
        await leases.take('third-job', 'a', 1_000, 11_600);
        await leases.releaseAll('a');
        assert.equal(await leases.holderOf('other-job', 11_600), null);
        assert.equal(await leases.holderOf('third-job', 11_600), null);
        // The clock leases are compared against (the database's, on PostgreSQL) is wall time.
        assert.ok(Math.abs((await leases.clock()) - Date.now()) < 5_000);
      });

      test('a shared key is made once, whoever asks first, and every caller reads that one', async () => {
        const keys = createSharedKeyStore(db);
        let made = 0;
        const values = await Promise.all(Array.from({ length: 6 }, (_, i) => keys.getOrCreate('k', () => `value-${i}-${++made}`)));
        assert.equal(new Set(values).size, 1);
        assert.equal(await keys.getOrCreate('k', () => 'late'), values[0]);
      });

      test('with a secret key, shared keys are kept sealed; plain ones are sealed once by instances starting together', async () => {
        const plain = createSharedKeyStore(db);
        const old = await plain.getOrCreate('old', () => 'kept-before-the-key');
        const stored = async (name: string) => (await db.selectFrom('shared_keys').select('value').where('name', '=', name).executeTakeFirstOrThrow()).value;
        const sealer = createSealer(Buffer.from('s'.repeat(32)));
        const instances = Array.from({ length: 4 }, () => createSharedKeyStore(db, sealer));
        const results = await Promise.all(instances.map((k) => k.sealPlainValues()));
        assert.equal(results.reduce((n, r) => n + r.sealed, 0), 1, 'sealed once');
        const sealedOld = await stored('old');
        assert.ok(isSealed(sealedOld));
        assert.equal(await instances[0]!.getOrCreate('old', () => 'new'), old);
        const fresh = await Promise.all(instances.map((k, i) => k.getOrCreate('fresh', () => `made-${i}`)));
        assert.equal(new Set(fresh).size, 1);
        assert.ok(isSealed(await stored('fresh')) && !(await stored('fresh')).includes('made-'));
        // A key written plain by an instance without the secret key, after the sealing pass: the
        // next read with the key seals it.
        await plain.getOrCreate('late', () => 'written-plain');
        assert.equal(await instances[1]!.getOrCreate('late', () => 'x'), 'written-plain');
        assert.ok(isSealed(await stored('late')));
        assert.equal(await instances[2]!.getOrCreate('late', () => 'x'), 'written-plain');
        // A sealed value moved to another row does not open there.
        await db.updateTable('shared_keys').set({ value: sealedOld }).where('name', '=', 'fresh').execute();
        await assert.rejects(instances[0]!.getOrCreate('fresh', () => 'x'), /secrets\.key: cannot decrypt/);
        await assert.rejects(plain.sealPlainValues(), /^StartupProblem: secrets\.key: the keys in the database are encrypted/);
        await assert.rejects(createSharedKeyStore(db, createSealer(Buffer.from('w'.repeat(32)))).sealPlainValues(), /secrets\.key: cannot decrypt/);
      });
    });

    describe('the same answers on every dialect', () => {
      test('catalog and tag pages are in byte order (uppercase before lowercase, "_" between them)', async () => {
        await projectsNamed('p');
        const manifests = createManifestStore(db);
        const names = ['p/b', 'p/B', 'p/a', 'p/_x', 'p/Z', 'p/a-b', 'p/a.b', 'p/a/b'];
        for (const [i, n] of names.entries()) await manifests.put(n, manifestRecord(JSON.stringify({ n, i }), []), null, noCheck);
        const bytewise = [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
        const repositories = createRepositoryStore(db);
        assert.deepEqual(await repositories.listNames(100), bytewise);
        assert.deepEqual(await repositories.listNames(3, 'p/Z'), bytewise.slice(bytewise.indexOf('p/Z') + 1, bytewise.indexOf('p/Z') + 4));
        const tagNames = ['v1', 'V1', 'v10', 'v2', '_x', 'latest', 'Latest'];
        for (const [i, t] of tagNames.entries()) await manifests.put('p/a', manifestRecord(JSON.stringify({ t, i }), []), t, noCheck);
        const repoId = (await repositories.findId('p/a'))!;
        const tagOrder = [...tagNames].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
        assert.deepEqual(await createTagStore(db).list(repoId, 100), tagOrder);
        assert.deepEqual(await createTagStore(db).list(repoId, 2, 'V1'), tagOrder.slice(tagOrder.indexOf('V1') + 1, tagOrder.indexOf('V1') + 3));
      });

      test("Harbor's fuzzy match (~) ignores case; equality does not", async () => {
        const users = createUserStore(db);
        await users.create(user('MixedCase'));
        await users.create(user('other'));
        const like = await users.list({ usernameLike: 'mixedc' }, page, []);
        assert.deepEqual(like.rows.map((u) => u.username), ['MixedCase']);
        assert.equal(await users.byName('mixedcase'), null);
        await projectsNamed('alpha', 'beta');
        const projects = await createProjectStore(db).list({ nameLike: 'ALP' }, page, { column: 'name', desc: false }, null);
        assert.deepEqual(projects.rows.map((p) => p.name), ['alpha']);
      });

      test('64-bit columns come back as numbers: times, sizes and a robot that never expires (-1)', async () => {
        const robots = createRobotStore(db);
        const id = await robots.create(robot('forever'), 1_700_000_000_123);
        const row = await robots.byId(id);
        assert.equal(row?.expires_at, -1);
        assert.equal(row?.created_at, 1_700_000_000_123);
        await projectsNamed('n');
        const big = 5 * 1024 ** 4;
        await createBlobStore(db).recordAndLink('n/a', digestOf('huge'), big);
        assert.equal(await createBlobStore(db).sizeInRepository('n/a', digestOf('huge')), big);
        const count = await db.selectFrom('blobs').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
        assert.equal(typeof count.n, 'number');
        const sum = await db.selectFrom('blobs').select((eb) => eb.fn.sum('size').as('s')).executeTakeFirstOrThrow();
        assert.equal(sum.s, big);
      });

      test('every text column compares bytewise and the growing ids are 64-bit', async () => {
        if (handle.dialect === 'sqlite') {
          // SQLite's default collation is BINARY and its integers are 64-bit: nothing to declare.
          const r = await sql<{ lt: number }>`select 'B' < 'a' as lt`.execute(db);
          assert.equal(Number(r.rows[0]!.lt), 1);
          return;
        }
        const columns = await sql<{ table_name: string; column_name: string; collation_name: string | null }>`
          select table_name, column_name, collation_name from information_schema.columns
          where table_schema = current_schema() and data_type in ('character varying', 'text') and table_name not like 'kysely%'`.execute(db);
        assert.ok(columns.rows.length > 30);
        assert.deepEqual(columns.rows.filter((c) => c.collation_name !== 'C').map((c) => `${c.table_name}.${c.column_name}`), []);
        const ids = await sql<{ table_name: string; column_name: string; data_type: string }>`
          select table_name, column_name, data_type from information_schema.columns
          where table_schema = current_schema() and (column_name in ('manifest_id') or (column_name = 'id' and table_name in ('manifests', 'tags', 'audit_logs', 'event_outbox')))`.execute(db);
        assert.deepEqual(ids.rows.filter((c) => c.data_type !== 'bigint').map((c) => `${c.table_name}.${c.column_name}`), []);
      });
    });
  });
}
