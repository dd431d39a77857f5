import { AppError } from '../../platform/errors.js';
import { parseDigest } from '../../platform/digest.js';
import { mediaTypes } from '../../domain/oci/media-types.js';
import type { RegistryDeps } from './deps.js';

export interface Page<T> {
  items: T[];
  /** The `last` value for the next page, when there is one. */
  next: string | null;
}

export const maxPageSize = 10_000;

export function createDiscoveryService(deps: Pick<RegistryDeps, 'repositories' | 'tags' | 'manifests'>) {
  const { repositories, tags, manifests } = deps;

  async function page<T extends string>(fetch: (limit: number) => Promise<T[]>, n: number | undefined): Promise<Page<T>> {
    const limit = Math.min(n ?? maxPageSize, maxPageSize);
    if (limit === 0) return { items: [], next: null };
    const rows = await fetch(limit + 1);
    const items = rows.slice(0, limit);
    return { items, next: rows.length > limit ? items[items.length - 1]! : null };
  }

  return {
    async listTags(repository: string, n?: number, last?: string): Promise<Page<string>> {
      const id = await repositories.findId(repository);
      if (id === null) throw new AppError('NAME_UNKNOWN', `repository ${repository} not found`);
      return page((limit) => tags.list(id, limit, last), n);
    },

    catalog(n?: number, last?: string): Promise<Page<string>> {
      return page((limit) => repositories.listNames(limit, last), n);
    },

    /** The referrers API's image index, optionally filtered by artifactType. */
    async referrers(repository: string, subject: string, artifactType?: string) {
      parseDigest(subject);
      const rows = await manifests.referrers(repository, subject, artifactType);
      return {
        schemaVersion: 2,
        mediaType: mediaTypes.ociIndex,
        manifests: rows.map((r) => ({
          mediaType: r.mediaType,
          digest: r.digest,
          size: r.size,
          ...(r.artifactType ? { artifactType: r.artifactType } : {}),
          ...(r.annotations ? { annotations: JSON.parse(r.annotations) as Record<string, string> } : {}),
        })),
      };
    },
  };
}

export type DiscoveryService = ReturnType<typeof createDiscoveryService>;
