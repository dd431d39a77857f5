import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Migrator, sql } from 'kysely';
import { digestOf } from '../platform/digest.js';
import { createArtifactWriteStore } from './artifact-writes.js';
import { createBlobStore } from './blobs.js';
import { migrateToLatest, type DatabaseHandle, type Db } from './database.js';
import { openTestDatabase } from './test-database.js';
import { createManifestStore, type ManifestRecord } from './manifests.js';
import { migrationProvider } from './migrations/index.js';
import { createProjectStore } from './projects.js';
import { QuotaExceededError, recountUsage } from './quota-ledger.js';
import { createRepositoryStore } from './repositories.js';
import { createTagStore } from './tags.js';
import { createUserStore } from './users.js';

/** A small deterministic PRNG (mulberry32), so a failure replays with its seed. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)]! };
}

interface Pushed {
  repository: string;
  record: ManifestRecord;
}

/** The ledger counted from scratch: digest -> (refs, size) per project, over its manifest rows. */
async function recountLedger(db: Db, projectId: number): Promise<Map<string, string>> {
  const { rows } = await sql<{ digest: string; n: number; size: number }>`
    select t.digest as digest, count(*) as n, max(t.size) as size from (
      select m.digest as digest, m.size as size from manifests m join repositories r on r.id = m.repository_id where r.project_id = ${projectId}
      union all
      select ref.digest, b.size from manifest_references ref join manifests m on m.id = ref.manifest_id
        join repositories r on r.id = m.repository_id join blobs b on b.digest = ref.digest
        where ref.kind = 'blob' and r.project_id = ${projectId}
    ) t group by t.digest`.execute(db);
  return new Map(rows.map((r) => [r.digest, `${r.n}/${r.size}`]));
}

async function keptLedger(db: Db, projectId: number): Promise<Map<string, string>> {
  const rows = await db.selectFrom('project_blobs').selectAll().where('project_id', '=', projectId).execute();
  return new Map(rows.map((r) => [r.digest, `${r.refs}/${r.size}`]));
}

async function used(db: Db, projectId: number): Promise<number> {
  const q = await db.selectFrom('quotas').select('used_storage').where('project_id', '=', projectId).executeTakeFirstOrThrow();
  return Number(q.used_storage);
}

describe('quota ledger', () => {
  let handle: DatabaseHandle;
  let db: Db;
  const projectIds: number[] = [];
  const projectNames = ['alpha', 'beta'];

  before(async () => {
    // In memory: the ledger's logic, not fsync, is under test (the HTTP tests use a real file).
    handle = await openTestDatabase();
    db = handle.db;
    const owner = await createUserStore(db).create({ username: 'owner', email: null, realname: '', comment: '', passwordHash: 'x', sysadmin: false });
    for (const n of projectNames) projectIds.push(await createProjectStore(db).createWithAdmin(n, owner, false, {}));
  });
  after(async () => {
    await handle.close();
  });

  test('a new project has an unlimited quota with nothing used', async () => {
    const q = await db.selectFrom('quotas').selectAll().where('project_id', '=', projectIds[0]!).executeTakeFirstOrThrow();
    assert.equal(Number(q.hard_storage), -1);
    assert.equal(Number(q.used_storage), 0);
  });

  test('after thousands of random pushes, retags, copies, mounts and deletes, the kept usage and ledger equal a recount; so does migration 0005\'s backfill', async () => {
    const seed = Number(process.env.QUOTA_SEED ?? 20261201);
    const r = rng(seed);
    const blobs = createBlobStore(db);
    const manifests = createManifestStore(db);
    const repos = createRepositoryStore(db);
    const tags = createTagStore(db);
    const artifactWrites = createArtifactWriteStore(db);
    const layers = Array.from({ length: 40 }, (_, i) => ({ digest: digestOf(`layer ${i}`), size: 1 + r.int(5000) }));
    const repoNames = projectNames.flatMap((p) => ['a', 'b', 'c/d'].map((n) => `${p}/${n}`));
    const tagNames = ['latest', 'v1', 'v2', 'v3'];
    let serial = 0;
    let refused = 0;
    const counts: Record<string, number> = {};

    const put = async (repository: string, record: ManifestRecord, tag: string | null) => {
      const before = await used(db, projectIds[projectNames.indexOf(repository.split('/')[0]!)]!);
      const existed = (await manifests.byDigest(repository, record.digest)) !== null;
      try {
        await manifests.put(repository, record, tag, async () => {});
        records.set(record.digest, record);
      } catch (err) {
        if (!(err instanceof QuotaExceededError)) throw err;
        refused++;
        // A refusal changes nothing.
        assert.equal(await used(db, err.refusal.projectId), before);
        assert.equal(existed, false, 'only a new manifest row is charged');
        assert.equal(await manifests.byDigest(repository, record.digest), null, 'a refused push leaves no manifest');
      }
    };
    const linkAll = async (repository: string, digests: string[]) => {
      for (const d of digests) {
        const l = layers.find((x) => x.digest === d);
        if (l) await blobs.recordAndLink(repository, l.digest, l.size);
      }
    };
    const image = (): ManifestRecord => {
      const config = r.pick(layers);
      const ls = Array.from({ length: 1 + r.int(4) }, () => r.pick(layers));
      // Now and then the very same bytes again: one digest, an idempotent push.
      const content = Buffer.from(JSON.stringify({ config: config.digest, layers: ls.map((l) => l.digest), n: r.next() < 0.2 ? 0 : serial++ }));
      return { digest: digestOf(content), mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: null, subjectDigest: null, annotations: null, content, blobDigests: [config.digest, ...ls.map((l) => l.digest)], manifestDigests: [] };
    };
    const records = new Map<string, ManifestRecord>();
    const live = async (repository?: string): Promise<Pushed[]> => {
      let q = db.selectFrom('manifests as m').innerJoin('repositories as r', 'r.id', 'm.repository_id').select(['r.name', 'm.digest']).orderBy('m.id');
      if (repository !== undefined) q = q.where('r.name', '=', repository);
      return (await q.execute()).map((row) => ({ repository: row.name, record: records.get(row.digest)! }));
    };

    for (let i = 0; i < 3000; i++) {
      const op = r.int(100);
      const repository = r.pick(repoNames);
      const kind =
        op < 30 ? 'push' : op < 40 ? 'retag' : op < 52 ? 'copy' : op < 58 ? 'mount' : op < 68 ? 'untag' : op < 80 ? 'delete' : op < 88 ? 'index' : op < 91 ? 'repo-delete' : op < 96 ? 'limit' : 'unlimit';
      counts[kind] = (counts[kind] ?? 0) + 1;
      if (kind === 'push') {
        const m = image();
        await linkAll(repository, m.blobDigests);
        await put(repository, m, r.next() < 0.7 ? r.pick(tagNames) : null);
      } else if (kind === 'retag' || kind === 'copy' || kind === 'delete' || kind === 'index') {
        const candidates = await live(kind === 'copy' ? undefined : repository);
        if (candidates.length === 0) continue;
        const p = r.pick(candidates);
        if (kind === 'retag') await put(p.repository, p.record, r.pick(tagNames));
        else if (kind === 'copy' && r.next() < 0.5) {
          // The artifact API's copy (children, accessories and tags along); refused as a whole over the limit.
          try {
            await artifactWrites.copy(p.repository, { digest: p.record.digest }, repository);
          } catch (err) {
            if (!(err instanceof QuotaExceededError)) throw err;
            refused++;
          }
        } else if (kind === 'copy') {
          // A client's copy: the blobs mounted into the target, then the same manifest PUT there.
          await linkAll(repository, p.record.blobDigests);
          const children = p.record.manifestDigests;
          if (children.length > 0 && (await manifests.missingInRepository(db, (await repos.findId(repository)) ?? -1, children)).length > 0) continue;
          await put(repository, p.record, r.next() < 0.5 ? r.pick(tagNames) : null);
        } else if (kind === 'delete' && r.next() < 0.5) await artifactWrites.delete(p.repository, { digest: p.record.digest });
        else if (kind === 'delete') await manifests.deleteUnlisted(p.repository, p.record.digest);
        else {
          const children = [...new Set([p, ...candidates.slice(0, r.int(3))].map((c) => c.record.digest))];
          const content = Buffer.from(JSON.stringify({ manifests: children, n: serial++ }));
          const index: ManifestRecord = { digest: digestOf(content), mediaType: 'application/vnd.oci.image.index.v1+json', artifactType: null, subjectDigest: null, annotations: null, content, blobDigests: [], manifestDigests: children };
          await put(repository, index, r.next() < 0.5 ? r.pick(tagNames) : null);
        }
      } else if (kind === 'mount') {
        await linkAll(repository, [r.pick(layers).digest]);
      } else if (kind === 'untag') {
        const id = await repos.findId(repository);
        if (id !== null) await tags.delete(id, r.pick(tagNames));
      } else if (kind === 'repo-delete') {
        if (r.next() < 0.5) await repos.delete(repository);
      } else {
        // A limit near current usage, so some of the next pushes are refused.
        const pid = r.pick(projectIds);
        const hard = kind === 'limit' ? (await used(db, pid)) + r.int(8000) : -1;
        await db.updateTable('quotas').set({ hard_storage: hard }).where('project_id', '=', pid).execute();
      }
      if (i % 50 === 0 || i === 2999) {
        for (const pid of projectIds) {
          assert.deepEqual(await keptLedger(db, pid), await recountLedger(db, pid), `ledger of project ${pid} after op ${i} (seed ${seed})`);
          assert.equal(await used(db, pid), await recountUsage(db, pid), `usage of project ${pid} after op ${i} (seed ${seed})`);
          const q = await db.selectFrom('quotas').select(['hard_storage', 'used_storage']).where('project_id', '=', pid).executeTakeFirstOrThrow();
          if (Number(q.hard_storage) >= 0) assert.ok(Number(q.used_storage) <= Number(q.hard_storage) || kind === 'limit', 'usage never passes the limit through a push');
        }
      }
    }
    assert.ok(refused > 10, `some pushes were refused (${refused})`);
    assert.ok(counts.index! > 100 && counts['repo-delete']! > 50, JSON.stringify(counts));
    const totals = await Promise.all(projectIds.map((pid) => used(db, pid)));
    assert.ok(totals.some((t) => t > 0), 'something is left to count');

    // Migration 0005's backfill over the same manifests: down one step and up again.
    const kept = await Promise.all(projectIds.map((pid) => keptLedger(db, pid)));
    const migrator = new Migrator({ db, provider: migrationProvider('sqlite') });
    const down = await migrator.migrateDown();
    assert.equal(down.error, undefined);
    await migrateToLatest(handle);
    for (const [i, pid] of projectIds.entries()) {
      assert.deepEqual(await keptLedger(db, pid), kept[i], `backfilled ledger of project ${pid}`);
      assert.equal(await used(db, pid), totals[i], `backfilled usage of project ${pid}`);
    }
  });
});
