import { accessoriesOf } from './accessories.js';
import type { Db } from './database.js';
import type { GcArtifact, GcBlob } from './gc.js';
import { childrenOf } from './manifests.js';

const num = (v: unknown) => Number(v ?? 0);
const chunk = 500;
/** A breath for the requests waiting: better-sqlite3 runs every statement in the server's thread. */
const breathe = () => new Promise((r) => setImmediate(r));

/**
 * What a dry run of delete_untagged adds to its figures: the blobs that deleting `roots` (the
 * untagged artifacts, in the order the real run deletes them) would leave unreferenced, read only.
 * It follows the artifact delete (db/artifact-writes.ts): each root goes with its accessories and
 * the index children nothing else keeps (deleteOrphans, whose "listed by an index" then no longer
 * sees what went before), and a blob is freed when every manifest referencing it goes, and it is
 * older than the window and held by no sweep, as the real run's sweep then finds it.
 */
export async function blobsFreedByDeleting(db: Db, roots: GcArtifact[], cutoff: number): Promise<GcBlob[]> {
  const going = new Set<number>();

  async function take(repositoryId: number, id: number, digest: string): Promise<string[]> {
    const accessories = await accessoriesOf(db, repositoryId, digest);
    going.add(id);
    for (const a of accessories) going.add(a.id);
    const children: string[] = [];
    for (const d of [digest, ...accessories.map((a) => a.digest)]) children.push(...(await childrenOf(db, repositoryId, d)));
    return children;
  }

  /** deleteOrphans, read only: a child goes unless a tag or an index that stays keeps it. */
  async function orphans(repositoryId: number, digests: string[], depth: number): Promise<void> {
    if (depth > 8) return;
    for (const digest of digests) {
      const row = await db.selectFrom('manifests').select('id').where('repository_id', '=', repositoryId).where('digest', '=', digest).executeTakeFirst();
      if (!row || going.has(row.id)) continue;
      const tagged = await db.selectFrom('tags').select('name').where('manifest_id', '=', row.id).limit(1).executeTakeFirst();
      if (tagged) continue;
      const parents = await db
        .selectFrom('manifest_references as ref')
        .innerJoin('manifests as parent', 'parent.id', 'ref.manifest_id')
        .select('parent.id')
        .where('parent.repository_id', '=', repositoryId)
        .where('ref.kind', '=', 'manifest')
        .where('ref.digest', '=', digest)
        .execute();
      if (parents.some((p) => !going.has(p.id))) continue;
      await orphans(repositoryId, await take(repositoryId, row.id, digest), depth + 1);
    }
  }

  for (const [i, root] of roots.entries()) {
    if (i % 20 === 19) await breathe();
    if (going.has(root.id)) continue;
    await orphans(root.repositoryId, await take(root.repositoryId, root.id, root.digest), 0);
  }

  // The blobs those manifests reference, then those referenced by nothing that stays.
  const ids = [...going];
  const referenced = new Set<string>();
  for (let i = 0; i < ids.length; i += chunk) {
    const rows = await db.selectFrom('manifest_references').select('digest').distinct().where('kind', '=', 'blob').where('manifest_id', 'in', ids.slice(i, i + chunk)).execute();
    for (const r of rows) referenced.add(r.digest);
    await breathe();
  }
  const digests = [...referenced];
  const freed: GcBlob[] = [];
  for (let i = 0; i < digests.length; i += chunk) {
    const part = digests.slice(i, i + chunk);
    const refs = await db.selectFrom('manifest_references').select(['digest', 'manifest_id']).where('kind', '=', 'blob').where('digest', 'in', part).execute();
    const kept = new Set(refs.filter((r) => !going.has(r.manifest_id)).map((r) => r.digest));
    const candidates = part.filter((d) => !kept.has(d));
    if (candidates.length === 0) continue;
    const rows = await db
      .selectFrom('blobs')
      .select(['digest', 'size'])
      .where('digest', 'in', candidates)
      .where('deleting_since', 'is', null)
      .where('created_at', '<', cutoff)
      .execute();
    for (const r of rows) freed.push({ digest: r.digest, size: num(r.size) });
    await breathe();
  }
  return freed;
}
