import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { createAuditStore, type AuditRecord } from './audit.js';
import { createBlobStore } from './blobs.js';
import { migrateToLatest, type DatabaseHandle, type Db } from './database.js';
import { createManifestStore, type ManifestRecord } from './manifests.js';
import { createMemberStore } from './members.js';
import { createProjectStore } from './projects.js';
import { createRepositoryStore } from './repositories.js';
import { createRobotStore, type NewRobot } from './robots.js';
import { createTagStore } from './tags.js';
import { createUploadStore } from './uploads.js';
import { createUserStore, type NewUser } from './users.js';

const digestOf = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;
const page = { offset: 0, limit: 100 };

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

/** Fails with the message unless the promise rejects (a constraint the database enforces). */
async function rejects(p: Promise<unknown>, what: string): Promise<void> {
  await assert.rejects(p, Error, what);
}

/**
 * The behaviour every metadata backend must show, whatever its SQL dialect: each store's main
 * operations and their edge cases (absent rows, uniqueness, cascades, paging, races). A backend's
 * test file calls this with a function that opens a fresh, empty database; each test gets its own.
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
        const id = await users.create(user('alice'));
        await users.setPassword(id, 'new-hash');
        assert.equal((await users.byId(id))?.password_hash, 'new-hash');
        await users.updateProfile(id, { realname: 'Alice A.', comment: 'hi' });
        const row = await users.byId(id);
        assert.equal(row?.realname, 'Alice A.');
        assert.equal(row?.comment, 'hi');
        assert.equal(row?.email, 'alice@example.com', 'fields not given are kept');
        assert.equal(await users.countAdmins(), 0);
        await users.setSysadmin(id, true);
        assert.equal(await users.countAdmins(), 1);
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
        const second = await users.list({}, { offset: 2, limit: 2 }, [{ column: 'username', desc: true }]);
        assert.deepEqual(second.rows.map((u) => u.username), ['alice', 'al_ce']);
        assert.equal(second.total, 5, 'the total counts every match, not the page');
      });
    });

    describe('projects and members', () => {
      test('create and read by id and name; names are unique; metadata round-trips', async () => {
        const projects = createProjectStore(db);
        const owner = await createUserStore(db).create(user('owner'));
        const id = await projects.create('p1', owner, false, { auto_scan: 'false' });
        const row = await projects.byName('p1');
        assert.equal(row?.id, id);
        assert.equal(row?.public, 0);
        assert.deepEqual(JSON.parse(row!.metadata), { auto_scan: 'false' });
        assert.equal((await projects.byId(id))?.name, 'p1');
        assert.equal(await projects.byName('p2'), null);
        await rejects(projects.create('p1', owner, true, {}), 'a second p1');
      });

      test('update changes only what it is given', async () => {
        const projects = createProjectStore(db);
        const id = await projects.create('p1', null, false, { a: '1' });
        await projects.update(id, { public: true });
        assert.equal((await projects.byId(id))?.public, 1);
        assert.deepEqual(JSON.parse((await projects.byId(id))!.metadata), { a: '1' });
        await projects.update(id, { metadata: { b: '2' } });
        assert.equal((await projects.byId(id))?.public, 1);
        assert.deepEqual(JSON.parse((await projects.byId(id))!.metadata), { b: '2' });
      });

      test('list: visible to a user = public or member; anonymous sees public only; paging and total', async () => {
        const projects = createProjectStore(db);
        const members = createMemberStore(db);
        const uid = await createUserStore(db).create(user('alice'));
        const pub = await projects.create('pub', null, true, {});
        const mine = await projects.create('mine', null, false, {});
        await projects.create('hidden', null, false, {});
        await members.add(mine, uid, 2);
        const names = async (f: Parameters<typeof projects.list>[0]) =>
          (await projects.list(f, page, { column: 'name', desc: false })).rows.map((p) => p.name);
        assert.deepEqual(await names({}), ['hidden', 'mine', 'pub']);
        assert.deepEqual(await names({ visibleTo: { userId: uid } }), ['mine', 'pub']);
        assert.deepEqual(await names({ visibleTo: { userId: null } }), ['pub']);
        assert.deepEqual(await names({ public: false }), ['hidden', 'mine']);
        assert.deepEqual(await names({ nameLike: 'i' }), ['hidden', 'mine']);
        assert.deepEqual(await names({ name: 'pub' }), ['pub']);
        const p = await projects.list({}, { offset: 1, limit: 1 }, { column: 'name', desc: true });
        assert.deepEqual(p.rows.map((r) => r.name), ['mine']);
        assert.equal(p.total, 3);
        assert.ok(pub > 0);
      });

      test('members: add, role, list, set role, remove; one membership per user and project', async () => {
        const projects = createProjectStore(db);
        const members = createMemberStore(db);
        const users = createUserStore(db);
        const pid = await projects.create('p1', null, false, {});
        const alice = await users.create(user('alice'));
        const bob = await users.create(user('bob'));
        const mid = await members.add(pid, alice, 1);
        await members.add(pid, bob, 3);
        assert.equal(await members.roleOf(pid, alice), 1);
        assert.equal(await members.roleOf(pid, bob + 1000), null);
        await rejects(members.add(pid, alice, 2), 'alice twice in p1');
        assert.equal((await members.list(pid)).length, 2);
        assert.equal((await members.byId(pid, mid))?.roleId, 1);
        assert.equal(await members.setRole(pid, mid, 4), true);
        assert.equal(await members.roleOf(pid, alice), 4);
        const other = await projects.create('p2', null, false, {});
        assert.equal(await members.setRole(other, mid, 1), false, 'a member id of another project changes nothing');
        assert.equal(await members.remove(other, mid), false);
        assert.equal(await members.remove(pid, mid), true);
        assert.equal(await members.roleOf(pid, alice), null);
        assert.equal(await members.remove(pid, mid), false);
      });

      test('deleting a project removes its members, its robots and system robots\' grants on it', async () => {
        const projects = createProjectStore(db);
        const members = createMemberStore(db);
        const robots = createRobotStore(db);
        const pid = await projects.create('p1', null, false, {});
        const uid = await createUserStore(db).create(user('alice'));
        await members.add(pid, uid, 1);
        const projectRobot = await robots.create(robot('robot$p1+ci', { level: 'project', projectId: pid, grants: [{ namespace: 'p1', resource: 'repository', action: 'pull' }] }));
        const sys = await robots.create(robot('robot$sys', { grants: [{ namespace: 'p1', resource: 'repository', action: 'pull' }, { namespace: 'p2', resource: 'repository', action: 'pull' }] }));
        await projects.delete(pid);
        assert.equal(await projects.byId(pid), null);
        assert.equal(await members.roleOf(pid, uid), null);
        assert.equal(await robots.byId(projectRobot), null);
        assert.deepEqual((await robots.grantsOf(sys)).map((g) => g.namespace), ['p2']);
        // A new project of the same name starts empty.
        const again = await projects.create('p1', null, false, {});
        assert.deepEqual(await members.list(again), []);
      });

      test('repositoryCount counts the project\'s repositories only, not a prefix-sharing project\'s', async () => {
        const projects = createProjectStore(db);
        const blobs = createBlobStore(db);
        await projects.create('p', null, false, {});
        await projects.create('p-2', null, false, {});
        await blobs.recordAndLink('p/a', digestOf('x'), 1);
        await blobs.recordAndLink('p/b/c', digestOf('x'), 1);
        await blobs.recordAndLink('p-2/a', digestOf('x'), 1);
        assert.equal(await projects.repositoryCount('p'), 2);
        assert.equal(await projects.repositoryCount('p-2'), 1);
        assert.equal(await projects.repositoryCount('q'), 0);
      });
    });

    describe('robots', () => {
      test('create with grants, read, list with filters, update, delete; names are unique', async () => {
        const robots = createRobotStore(db);
        const pid = await createProjectStore(db).create('p1', null, false, {});
        const id = await robots.create(robot('robot$p1+ci', { level: 'project', projectId: pid, grants: [{ namespace: 'p1', resource: 'repository', action: 'push' }] }));
        await robots.create(robot('robot$sys'));
        assert.equal((await robots.byName('robot$p1+ci'))?.id, id);
        assert.equal(await robots.byName('robot$none'), null);
        await rejects(robots.create(robot('robot$sys')), 'a second robot$sys');
        assert.deepEqual(await robots.grantsOf(id), [{ namespace: 'p1', resource: 'repository', action: 'push' }]);
        assert.deepEqual((await robots.list({ level: 'project', projectId: pid }, page)).rows.map((r) => r.name), ['robot$p1+ci']);
        assert.equal((await robots.list({}, page)).total, 2);
        assert.deepEqual((await robots.list({ nameLike: 'sys' }, page)).rows.map((r) => r.name), ['robot$sys']);

        await robots.update(id, { disabled: true, description: 'off', grants: [{ namespace: 'p1', resource: 'repository', action: 'pull' }] });
        const row = await robots.byId(id);
        assert.equal(row?.disabled, 1);
        assert.equal(row?.description, 'off');
        assert.equal(row?.secret_hash, 'secret-of-robot$p1+ci', 'fields not given are kept');
        assert.deepEqual(await robots.grantsOf(id), [{ namespace: 'p1', resource: 'repository', action: 'pull' }], 'grants are replaced');
        assert.equal(await robots.delete(id), true);
        assert.equal(await robots.byId(id), null);
        assert.deepEqual(await robots.grantsOf(id), [], 'grants go with the robot');
        assert.equal(await robots.delete(id), false);
      });
    });

    describe('repositories, blobs, manifests and tags', () => {
      const record = (content: string, blobs: string[], extra: Partial<ManifestRecord> = {}): ManifestRecord => ({
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
      const noCheck = async () => {};

      test('a blob recorded in a repository is served there only; recording twice is one row', async () => {
        const blobs = createBlobStore(db);
        const repos = createRepositoryStore(db);
        const d = digestOf('layer');
        await blobs.recordAndLink('p/a', d, 5);
        await blobs.recordAndLink('p/a', d, 5);
        assert.equal(await blobs.sizeInRepository('p/a', d), 5);
        assert.equal(await blobs.sizeInRepository('p/b', d), null);
        assert.equal(await blobs.size(d), 5);
        assert.equal(await blobs.size(digestOf('none')), null);
        await blobs.recordAndLink('p/b', d, 5);
        assert.deepEqual(await blobs.repositoriesHolding(d), ['p/a', 'p/b']);
        const a = (await repos.findId('p/a'))!;
        assert.equal(await blobs.unlink(a, d), true);
        assert.equal(await blobs.unlink(a, d), false);
        assert.equal(await blobs.sizeInRepository('p/a', d), null);
        assert.equal(await blobs.sizeInRepository('p/b', d), 5, 'the other repository keeps its link');
      });

      test('repositories: found by name, listed in order after a marker', async () => {
        const blobs = createBlobStore(db);
        const repos = createRepositoryStore(db);
        for (const r of ['p/c', 'p/a', 'q/b']) await blobs.recordAndLink(r, digestOf('x'), 1);
        assert.equal(await repos.findId('p/none'), null);
        assert.ok((await repos.findId('p/a'))! > 0);
        assert.deepEqual(await repos.listNames(10), ['p/a', 'p/c', 'q/b']);
        assert.deepEqual(await repos.listNames(1, 'p/a'), ['p/c']);
        assert.deepEqual(await repos.listNames(10, 'q/b'), []);
      });

      test('manifests: put with a tag, read by digest and tag, retag, tags listed in order, delete', async () => {
        const blobs = createBlobStore(db);
        const manifests = createManifestStore(db);
        const tags = createTagStore(db);
        const repos = createRepositoryStore(db);
        const layer = digestOf('layer');
        await blobs.recordAndLink('p/a', layer, 5);
        const m1 = record('{"m":1}', [layer]);
        const m2 = record('{"m":2}', [layer]);
        await manifests.put('p/a', m1, 'v1', noCheck);
        await manifests.put('p/a', m1, 'latest', noCheck);
        await manifests.put('p/a', m1, null, noCheck);
        assert.equal((await manifests.byDigest('p/a', m1.digest))?.content.toString(), '{"m":1}');
        assert.equal((await manifests.byTag('p/a', 'v1'))?.digest, m1.digest);
        assert.equal(await manifests.byDigest('p/b', m1.digest), null, 'manifests belong to their repository');
        assert.equal(await manifests.byTag('p/a', 'v9'), null);
        await manifests.put('p/a', m2, 'latest', noCheck);
        assert.equal((await manifests.byTag('p/a', 'latest'))?.digest, m2.digest, 'a tag moves to the new manifest');
        const id = (await repos.findId('p/a'))!;
        assert.deepEqual(await tags.list(id, 10), ['latest', 'v1']);
        assert.deepEqual(await tags.list(id, 10, 'latest'), ['v1']);
        assert.deepEqual(await manifests.referencing(id, layer, 'blob'), [m1.digest, m2.digest].sort());
        assert.equal(await tags.delete(id, 'v1'), true);
        assert.equal(await tags.delete(id, 'v1'), false);
        assert.equal(await manifests.byDigest('p/a', m1.digest) !== null, true, 'deleting a tag keeps the manifest');
        assert.equal(await manifests.delete(id, m2.digest), true);
        assert.equal(await manifests.byTag('p/a', 'latest'), null, 'deleting a manifest removes its tags');
        assert.equal(await manifests.delete(id, m2.digest), false);
      });

      test('a put whose check throws stores nothing', async () => {
        const manifests = createManifestStore(db);
        const m = record('{"m":3}', []);
        await assert.rejects(
          manifests.put('p/new', m, 'v1', async () => {
            throw new Error('a referenced blob is missing');
          }),
          /referenced blob is missing/,
        );
        assert.equal(await manifests.byDigest('p/new', m.digest), null);
        assert.equal(await manifests.byTag('p/new', 'v1'), null);
      });

      test('referrers: manifests naming a subject, filtered by artifact type', async () => {
        const manifests = createManifestStore(db);
        const subject = record('{"subject":1}', []);
        await manifests.put('p/a', subject, 'v1', noCheck);
        const sbom = record('{"sbom":1}', [], { subjectDigest: subject.digest, artifactType: 'application/spdx+json' });
        const sig = record('{"sig":1}', [], { subjectDigest: subject.digest, artifactType: 'application/vnd.dev.cosign' });
        await manifests.put('p/a', sbom, null, noCheck);
        await manifests.put('p/a', sig, null, noCheck);
        assert.deepEqual((await manifests.referrers('p/a', subject.digest)).map((r) => r.digest).sort(), [sbom.digest, sig.digest].sort());
        assert.deepEqual((await manifests.referrers('p/a', subject.digest, 'application/spdx+json')).map((r) => r.digest), [sbom.digest]);
        assert.deepEqual(await manifests.referrers('p/b', subject.digest), []);
      });
    });

    describe('uploads', () => {
      test('create, get, advance only from the current offset, delete', async () => {
        const uploads = createUploadStore(db);
        await uploads.create('u1', 'p/a', 1_000);
        assert.equal((await uploads.get('u1'))?.offset, 0);
        assert.equal(await uploads.get('u2'), null);
        assert.equal(await uploads.advance('u1', 0, 100, 2_000), true);
        assert.equal((await uploads.get('u1'))?.offset, 100);
        assert.equal(await uploads.advance('u1', 0, 50), false, 'a writer that started from a stale offset loses');
        assert.equal((await uploads.get('u1'))?.offset, 100);
        assert.equal(await uploads.advance('u2', 0, 10), false);
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
        assert.deepEqual((await store.list({}, page, false)).rows.map((r) => r.operation), ['create', 'delete', 'login']);
        assert.deepEqual((await store.list({ operation: 'delete' }, page)).rows.map((r) => r.username), ['bob']);
        assert.deepEqual((await store.list({ username: { like: 'lic' } }, page)).rows.map((r) => r.username), ['alice']);
        assert.deepEqual((await store.list({ operation: { any: ['create', 'login'] } }, page)).rows.map((r) => r.operation), ['login', 'create']);
        assert.deepEqual((await store.list({ from: 1_500, to: 2_500 }, page)).rows.map((r) => r.operation), ['delete']);
        const paged = await store.list({}, { offset: 1, limit: 1 });
        assert.deepEqual(paged.rows.map((r) => r.operation), ['delete']);
        assert.equal(paged.total, 3);
        assert.equal(await store.purgeBefore(2_500), 2);
        assert.deepEqual((await store.list({}, page)).rows.map((r) => r.operation), ['login']);
      });
    });
  });
}
