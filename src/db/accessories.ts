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
      const rows = await tx
        .selectFrom('manifests as m')
        .select(['m.id', 'm.digest'])
        .where('m.repository_id', '=', repositoryId)
        .where((eb) =>
          eb.or([
            eb('m.subject_digest', '=', d),
            eb.exists(
              eb
                .selectFrom('tags as t')
                .select('t.id')
                .whereRef('t.manifest_id', '=', 'm.id')
                .where('t.name', 'in', cosignTags(d)),
            ),
          ]),
        )
        .where((eb) => eb.not(listedByIndex(eb, repositoryId)))
        .execute();
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
