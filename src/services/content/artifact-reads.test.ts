import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createArtifactStore } from '../../db/artifacts.js';
import { createManifestStore, type ManifestRecord } from '../../db/manifests.js';
import { openTestDatabase } from '../../db/test-database.js';
import type { Principal } from '../../domain/identity/principal.js';
import type { ProjectAccess } from '../identity/authorizer.js';
import { createArtifactReads } from './artifact-reads.js';

const digestOf = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;
const image = 'application/vnd.oci.image.manifest.v1+json';
const index = 'application/vnd.oci.image.index.v1+json';

let db: Awaited<ReturnType<typeof openTestDatabase>>;
let reads: ReturnType<typeof createArtifactReads>;
const actor = { kind: 'user', id: 1 } as unknown as Principal;
const all = { withTag: true, withLabel: true, withImmutableStatus: true, withAccessory: true, withInheritedAccessory: true };

function record(name: string, over: Partial<ManifestRecord> & { kind?: string } = {}): ManifestRecord {
  const content = Buffer.from(JSON.stringify({ name, ...(over.manifestDigests ? { manifests: over.manifestDigests.map((d) => ({ mediaType: image, digest: d, size: 1 })) } : {}) }));
  return {
    digest: digestOf(name),
    mediaType: over.manifestDigests ? index : image,
    artifactType: null,
    subjectDigest: null,
    annotations: null,
    content,
    blobDigests: [digestOf('shared-config'), digestOf('shared-layer')],
    manifestDigests: [],
    artifact: { configMediaType: 'application/vnd.oci.image.config.v1+json', kind: over.kind ?? 'IMAGE', totalSize: content.length, extraAttrs: null },
    ...over,
  };
}

before(async () => {
  db = await openTestDatabase();
  const now = Date.now();
  await db.db.insertInto('projects').values({ name: 'p', owner_id: null, public: 0, metadata: '{}', created_at: now, updated_at: now }).execute();
  const manifests = createManifestStore(db.db);
  const put = (r: ManifestRecord, tag: string | null, at: number) => manifests.put('p/r', r, tag, async () => {}, at);
  let t = now;
  // 5,000 untagged artifacts: if the index-child check ever walked the repository per row, this
  // list would take seconds instead of milliseconds.
  for (let i = 0; i < 5000; i++) await put(record(`loose-${i}`), null, t++);
  await put(record('child-a'), null, t++);
  await put(record('child-b'), 'b', t++); // a tagged child stays listed, as in Harbor
  await put(record('idx', { manifestDigests: [digestOf('child-a'), digestOf('child-b')] }), 'v1', t++);
  await put(record('sig', { subjectDigest: digestOf('idx'), artifactType: 'application/vnd.cncf.notary.signature', kind: 'SIGNATURE' }), null, t++);
  await put(record('cosign', { kind: 'SIGNATURE' }), `sha256-${digestOf('child-b').slice(7)}.sig`, t++);
  const resolve = async (_a: Principal, ref: string) => ({ project: { id: 1, name: ref } }) as unknown as ProjectAccess;
  reads = createArtifactReads({ artifacts: createArtifactStore(db.db), projects: { resolve } });
});
after(async () => {
  await db?.close();
});

test('untagged index children and accessories are hidden; base=* shows children, never accessories', async () => {
  const t0 = performance.now();
  const listed = await reads.list(actor, 'p', 'r', {}, all, { offset: 0, limit: 5 });
  const ms = performance.now() - t0;
  assert.equal(listed.total, 5002, '5,000 loose + the index + its tagged child');
  assert.ok(ms < 1500, `listing took ${ms.toFixed(0)} ms`);
  assert.deepEqual(listed.items.slice(0, 2).map((a) => a.digest), [digestOf('idx'), digestOf('child-b')]);
  assert.deepEqual(listed.items[0]!.accessories?.map((a) => [a.digest, a.type]), [[digestOf('sig'), 'signature.notation']]);
  assert.deepEqual(listed.items[1]!.accessories?.map((a) => [a.digest, a.type]), [[digestOf('cosign'), 'signature.cosign']]);
  assert.deepEqual(listed.items[1]!.inherited_accessories?.map((a) => a.subject_artifact_digest), [digestOf('idx')]);
  const based = await reads.list(actor, 'p', 'r', { q: 'base=*' }, all, { offset: 0, limit: 1 });
  assert.equal(based.total, 5003);
  const untagged = await reads.list(actor, 'p', 'r', { q: 'tags=nil' }, all, { offset: 0, limit: 1 });
  assert.equal(untagged.total, 5000);
});

test('a page costs the same number of queries whatever its size (no N+1)', async () => {
  const count = async (limit: number) => {
    const before = db.queries();
    await reads.list(actor, 'p', 'r', { q: 'base=*' }, all, { offset: 0, limit });
    return db.queries() - before;
  };
  assert.equal(await count(100), await count(3));
  // repository, count, page, tags, immutable rules, labels, accessories (2), children, parents, their accessories (2)
  assert.ok((await count(100)) <= 12, `${await count(100)} queries`);
});
