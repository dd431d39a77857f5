import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DatabaseHandle } from './database.js';
import { createLabelStore } from './labels.js';
import { createProjectMetadataStore } from './project-metadata.js';
import { openTestDatabase } from './test-database.js';

let h: DatabaseHandle;
const now = 1_700_000_000_000;
const ids = { alpha: 0, beta: 0, alphaManifest: 0, betaManifest: 0 };

async function project(name: string): Promise<number> {
  return (await h.db.insertInto('projects').values({ name, owner_id: null, public: 0, metadata: '{}', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow()).id;
}

async function artifact(projectId: number, repository: string, digest: string, tag: string): Promise<number> {
  const repo = (await h.db.insertInto('repositories').values({ name: repository, project_id: projectId, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow()).id;
  const m = await h.db
    .insertInto('manifests')
    .values({ repository_id: repo, digest, media_type: 'application/vnd.oci.image.manifest.v1+json', artifact_type: null, subject_digest: null, annotations: null, size: 2, content: Buffer.from('{}'), created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  await h.db.insertInto('tags').values({ repository_id: repo, name: tag, manifest_id: m.id, created_at: now, updated_at: now }).execute();
  return m.id;
}

const attachments = async () => (await h.db.selectFrom('artifact_labels').select(['manifest_id', 'label_id']).orderBy('label_id').execute()).map((r) => `${r.manifest_id}:${r.label_id}`);

before(async () => {
  h = await openTestDatabase();
  ids.alpha = await project('alpha');
  ids.beta = await project('beta');
  ids.alphaManifest = await artifact(ids.alpha, 'alpha/app', `sha256:${'a'.repeat(64)}`, 'v1');
  ids.betaManifest = await artifact(ids.beta, 'beta/app', `sha256:${'b'.repeat(64)}`, 'v1');
});

after(async () => {
  await h.close();
});

test('names are unique per scope: globally, and per project', async () => {
  const labels = createLabelStore(h.db);
  const l = (scope: 'g' | 'p', projectId: number | null) => labels.create({ name: 'dup', description: '', color: '', scope, projectId }, now);
  await l('g', null);
  await assert.rejects(l('g', null), /UNIQUE/);
  await l('p', ids.alpha);
  await assert.rejects(l('p', ids.alpha), /UNIQUE/);
  await l('p', ids.beta);
  assert.equal((await labels.list({ scope: 'p', projectId: ids.alpha }, { offset: 0, limit: 10 }, { column: 'id', desc: false })).total, 1);
  assert.equal((await labels.list({ scope: 'g', nameLike: '%' }, { offset: 0, limit: 10 }, { column: 'id', desc: false })).total, 0, 'LIKE wildcards match literally');
});

test("attach: a global label or the project's own, onto the project's own artifacts only; the checks and the insert are one", async () => {
  const labels = createLabelStore(h.db);
  const g = await labels.create({ name: 'g1', description: '', color: '', scope: 'g', projectId: null }, now);
  const a = await labels.create({ name: 'a1', description: '', color: '', scope: 'p', projectId: ids.alpha }, now);
  const b = await labels.create({ name: 'b1', description: '', color: '', scope: 'p', projectId: ids.beta }, now);
  const before = await attachments();
  assert.equal(await labels.attach(ids.alpha, 'alpha/app', 'v1', b, now), 'label-elsewhere');
  assert.equal(await labels.attach(ids.alpha, 'beta/app', 'v1', a, now), 'artifact-unknown', "a repository of another project is not the project's");
  assert.equal(await labels.attach(ids.alpha, 'alpha/app', `sha256:${'b'.repeat(64)}`, a, now), 'artifact-unknown');
  assert.equal(await labels.attach(ids.alpha, 'alpha/app', 'v1', 999_999, now), 'label-unknown');
  assert.deepEqual(await attachments(), before, 'no refusal attached anything');
  assert.equal(await labels.attach(ids.alpha, 'alpha/app', 'v1', a, now), 'attached');
  assert.equal(await labels.attach(ids.alpha, 'alpha/app', `sha256:${'a'.repeat(64)}`, a, now), 'already-attached');
  assert.equal(await labels.attach(ids.beta, 'beta/app', 'v1', g, now), 'attached');
  assert.equal(await labels.detach(ids.alpha, 'alpha/app', 'v1', b), 'not-attached');
  assert.equal(await labels.detach(ids.beta, 'beta/app', 'v1', g), 'detached');
  // Deleting a label takes its attachments with it (foreign key cascade).
  assert.equal(await labels.delete(a), true);
  assert.deepEqual((await attachments()).filter((x) => x.endsWith(`:${a}`)), []);
});

test('metadata: two concurrent adds of one key, one wins; public is the column', async () => {
  const meta = createProjectMetadataStore(h.db);
  const results = await Promise.all([meta.change(ids.alpha, { op: 'add', key: 'auto_scan', value: 'true' }, now), meta.change(ids.alpha, { op: 'add', key: 'auto_scan', value: 'false' }, now)]);
  assert.deepEqual([...results].sort(), ['changed', 'exists']);
  assert.equal((await meta.get(ids.alpha))!.auto_scan, 'true');
  assert.equal(await meta.change(ids.alpha, { op: 'set', key: 'public', value: 'true' }, now), 'changed');
  assert.equal((await h.db.selectFrom('projects').select('public').where('id', '=', ids.alpha).executeTakeFirstOrThrow()).public, 1);
  assert.equal(JSON.parse((await h.db.selectFrom('projects').select('metadata').where('id', '=', ids.alpha).executeTakeFirstOrThrow()).metadata).public, undefined, 'never stored twice');
  assert.equal(await meta.change(ids.alpha, { op: 'delete', key: 'public' }, now), 'changed');
  assert.equal((await meta.get(ids.alpha))!.public, 'false');
  assert.equal(await meta.change(424242, { op: 'set', key: 'auto_scan', value: 'true' }, now), 'missing');
});
