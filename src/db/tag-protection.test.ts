import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { validateRule } from '../domain/immutable/rules.js';
import { AppError } from '../platform/errors.js';
import type { Db } from './database.js';
import { createImmutableRuleStore } from './immutable-rules.js';
import { createManifestStore, type ManifestRecord } from './manifests.js';
import { createProjectStore } from './projects.js';
import { createRepositoryStore } from './repositories.js';
import { immutableAmong } from './tag-protection.js';
import { createTagStore } from './tags.js';
import { openTestDatabase } from './test-database.js';
import { createUserStore } from './users.js';

// The store paths that can move or drop a tag, each against a project rule (tag "v*" in every
// repository): manifests.put (the /v2 PUT and any retag through setTag), tags.delete,
// manifests.deleteUnlisted (a /v2 delete by digest, an index with its orphans) and
// repositories.delete. The artifact and retag API call these same paths.

const record = (content: string, extra: Partial<ManifestRecord> = {}): ManifestRecord => ({
  digest: `sha256:${createHash('sha256').update(content).digest('hex')}`,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  artifactType: null,
  subjectDigest: null,
  annotations: null,
  content: Buffer.from(content),
  blobDigests: [],
  manifestDigests: [],
  ...extra,
});
const noCheck = async () => {};
const spec = (tag: string, repo = '**', tagDecoration = 'matches') =>
  validateRule({
    tag_selectors: [{ kind: 'doublestar', decoration: tagDecoration, pattern: tag }],
    scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: repo }] },
  });
const refused = (message: RegExp) => (e: unknown) => e instanceof AppError && e.status === 412 && e.code === 'PRECONDITION' && message.test(e.message);

describe('immutable tags in the stores', () => {
  let handle: Awaited<ReturnType<typeof openTestDatabase>>;
  let db: Db;
  let projectId: number;
  let rules: ReturnType<typeof createImmutableRuleStore>;
  let manifests: ReturnType<typeof createManifestStore>;
  let ruleId: number;

  beforeEach(async () => {
    handle = await openTestDatabase();
    db = handle.db;
    const owner = await createUserStore(db).create({ username: 'o', email: null, realname: '', comment: '', passwordHash: 'x', sysadmin: false });
    projectId = await createProjectStore(db).createWithAdmin('p', owner, false, {});
    rules = createImmutableRuleStore(db);
    manifests = createManifestStore(db);
    const r = await rules.create(projectId, spec('v*'), 0);
    assert.equal(r.kind, 'created');
    ruleId = r.kind === 'created' ? r.id : 0;
    await manifests.put('p/app', record('{"a":1}'), 'v1', noCheck);
    await manifests.put('p/app', record('{"a":1}'), 'latest', noCheck);
  });
  afterEach(async () => {
    await handle.close();
  });

  const repoId = async (name = 'p/app') => (await createRepositoryStore(db).findId(name))!;
  const tagOf = async (tag: string) => (await manifests.byTag('p/app', tag))?.digest;

  test('a manifest PUT may create a protected tag and repeat it, never move it', async () => {
    await manifests.put('p/app', record('{"a":1}'), 'v1', noCheck);
    await assert.rejects(manifests.put('p/app', record('{"b":2}'), 'v1', noCheck), refused(/^Failed to process request due to 'app:v1' configured as immutable\.$/));
    assert.equal(await tagOf('v1'), record('{"a":1}').digest);
    // The refused PUT left no manifest behind: it was one transaction.
    assert.equal(await manifests.byDigest('p/app', record('{"b":2}').digest), null);
    await manifests.put('p/app', record('{"b":2}'), 'latest', noCheck);
    assert.equal(await tagOf('latest'), record('{"b":2}').digest);
  });

  test('tags.delete, manifests.deleteUnlisted and repositories.delete refuse, and change nothing', async () => {
    const deleteRefusal = refused(/^the tag v1 configured as immutable, cannot be deleted$/);
    await assert.rejects(createTagStore(db).delete(await repoId(), 'v1'), deleteRefusal);
    await assert.rejects(manifests.deleteUnlisted('p/app', record('{"a":1}').digest), deleteRefusal);
    await assert.rejects(createRepositoryStore(db).delete('p/app'), deleteRefusal);
    assert.equal(await tagOf('v1'), record('{"a":1}').digest);
    assert.equal(await tagOf('latest'), record('{"a":1}').digest);
    // Unprotected tags go; a missing protected tag is "not there", not a refusal.
    assert.equal(await createTagStore(db).delete(await repoId(), 'latest'), true);
    assert.equal(await createTagStore(db).delete(await repoId(), 'v404'), false);
  });

  test('an index with a protected tag cannot be deleted; its untagged children are not asked', async () => {
    await manifests.put('p/multi', record('{"child":1}'), null, noCheck);
    const index = record('{"index":1}', { mediaType: 'application/vnd.oci.image.index.v1+json', manifestDigests: [record('{"child":1}').digest] });
    await manifests.put('p/multi', index, 'v2', noCheck);
    await assert.rejects(manifests.deleteUnlisted('p/multi', index.digest), refused(/tag v2/));
    assert.notEqual(await manifests.byDigest('p/multi', record('{"child":1}').digest), null);
    await manifests.put('p/multi', index, 'edge', noCheck);
    assert.equal((await manifests.deleteUnlisted('p/multi', record('{"child":1}').digest)).kind, 'listed');
  });

  test('disabled and deleted rules protect nothing; rule changes count at once', async () => {
    assert.equal((await rules.update(projectId, ruleId, { disabled: true })).kind, 'updated');
    assert.deepEqual(await immutableAmong(db, await repoId(), ['v1', 'latest']), new Set());
    await manifests.put('p/app', record('{"b":2}'), 'v1', noCheck);
    assert.equal((await rules.update(projectId, ruleId, { disabled: false })).kind, 'updated');
    assert.deepEqual(await immutableAmong(db, await repoId(), ['v1', 'latest']), new Set(['v1']));
    assert.equal((await rules.update(projectId, ruleId, { spec: spec('lat*') })).kind, 'updated');
    assert.deepEqual(await immutableAmong(db, await repoId(), ['v1', 'latest']), new Set(['latest']));
    assert.equal(await rules.delete(projectId, ruleId), true);
    assert.equal(await createRepositoryStore(db).delete('p/app'), true);
  });

  test('rules of another project do not reach this one, and are not found through it', async () => {
    const owner = (await createUserStore(db).byName('o'))!.id;
    const other = await createProjectStore(db).createWithAdmin('q', owner, false, {});
    await manifests.put('q/app', record('{"a":1}'), 'v1', noCheck);
    assert.deepEqual(await immutableAmong(db, await repoId('q/app'), ['v1']), new Set());
    assert.equal(await rules.get(other, ruleId), null);
    assert.equal((await rules.update(other, ruleId, { disabled: true })).kind, 'missing');
    assert.equal(await rules.delete(other, ruleId), false);
    assert.equal((await rules.get(projectId, ruleId))?.disabled, false);
  });

  test('the rule store: cap, duplicates, paging and filters', async () => {
    for (let i = 1; i < 15; i++) assert.equal((await rules.create(projectId, spec(`r${i}`), i)).kind, 'created');
    assert.equal((await rules.create(projectId, spec('r99'), 0)).kind, 'full');
    const all = await rules.list(projectId, {}, { offset: 0, limit: 100 });
    assert.equal(all.total, 15);
    assert.deepEqual(all.items.map((r) => r.id), [...all.items.map((r) => r.id)].sort((a, b) => a - b));
    const byPriority = await rules.list(projectId, { sort: [{ key: 'priority', desc: true }] }, { offset: 0, limit: 2 });
    assert.deepEqual(byPriority.items.map((r) => r.priority), [14, 13]);
    assert.equal(byPriority.total, 15);
    await rules.delete(projectId, ruleId);
    assert.equal((await rules.create(projectId, spec('r1'), 0)).kind, 'duplicate');
    // The same pattern with another decoration is another rule.
    assert.equal((await rules.create(projectId, spec('r1', '**', 'excludes'), 0)).kind, 'created');
    const second = all.items.find((r) => r.spec.tag_selectors[0].pattern === 'r2')!;
    assert.equal((await rules.update(projectId, second.id, { spec: spec('r3') })).kind, 'duplicate');
    assert.equal((await rules.update(projectId, second.id, { disabled: true })).kind, 'updated');
    assert.equal((await rules.list(projectId, { disabled: true }, { offset: 0, limit: 100 })).total, 1);
  });

  test('rules cost a PUT one indexed query when there are none, and one more when one covers the tag', async () => {
    const owner = (await createUserStore(db).byName('o'))!.id;
    await createProjectStore(db).createWithAdmin('free', owner, false, {});
    await manifests.put('free/app', record('{"f":0}'), 'v0', noCheck);
    const before = handle.queries();
    await manifests.put('free/app', record('{"f":1}'), 'v1', noCheck);
    const withoutRules = handle.queries() - before;
    const before2 = handle.queries();
    await manifests.put('p/app', record('{"f":1}'), 'v9', noCheck);
    const withRules = handle.queries() - before2;
    // With a matching rule, the PUT also reads whether the tag exists; without rules it does not.
    assert.equal(withRules - withoutRules, 1, `${withoutRules} vs ${withRules} queries`);
  });
});
