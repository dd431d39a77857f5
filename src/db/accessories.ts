import type { Db } from './database.js';
import { listedByIndex } from './index-children.js';

/** cosign's tag convention: the signature, attestation and SBOM of sha256:<hex> are tagged sha256-<hex>.sig/.att/.sbom. */
export function cosignTags(digest: string): string[] {
  const tagBase = digest.replace(':', '-');
  return [`${tagBase}.sig`, `${tagBase}.att`, `${tagBase}.sbom`];
}

/**
 * The accessories of `digest` in the repository (manifests whose OCI `subject` it is, and those
 * cosign's tags name), and theirs in turn, that no index lists (an index's child goes only with
 * its index, as in Harbor). Ids and digests, without `digest` itself.
 */
export async function accessoriesOf(tx: Db, repositoryId: number, digest: string): Promise<{ id: number; digest: string }[]> {
  const found = new Map<number, string>();
  let frontier = [digest];
  for (let depth = 0; depth < 4 && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const d of frontier) {
      // Two indexed lookups (by subject, and by cosign's tag names), never a scan of the repository.
      const bySubject = await tx
        .selectFrom('manifests as m')
        .select(['m.id', 'm.digest'])
        .where('m.repository_id', '=', repositoryId)
        .where('m.subject_digest', '=', d)
        .where((eb) => eb.not(listedByIndex(eb, repositoryId)))
        .execute();
      // By tag, only what cosign puts there (as the read side): a plain image under such a tag is no accessory.
      const byTag = await tx
        .selectFrom('tags as t')
        .innerJoin('manifests as m', 'm.id', 't.manifest_id')
        .select(['m.id', 'm.digest'])
        .where('t.repository_id', '=', repositoryId)
        .where('t.name', 'in', cosignTags(d))
        .where('m.artifact_kind', 'in', ['SIGNATURE', 'SBOM'])
        .where((eb) => eb.not(listedByIndex(eb, repositoryId)))
        .execute();
      const rows = [...bySubject, ...byTag];
      for (const r of rows) {
        if (r.digest === digest || found.has(r.id)) continue;
        found.set(r.id, r.digest);
        next.push(r.digest);
      }
    }
    frontier = next;
  }
  return [...found].map(([id, d]) => ({ id, digest: d }));
}
