import type { BlobContent } from '../../content/blob-content.js';
import { createArtifactStore } from '../../db/artifacts.js';
import type { Db } from '../../db/database.js';
import { createManifestStore } from '../../db/manifests.js';
import type { Logger } from '../../platform/logger.js';
import type { ProjectService } from '../identity/project-service.js';
import { createArtifactDescriber } from '../registry/artifact-description.js';
import { createArtifactReads } from './artifact-reads.js';

/** The artifact model's two halves: what a push records (describe) and the API's reads. */
export function createArtifactArea(deps: { db: Db; content: BlobContent; projects: Pick<ProjectService, 'resolve'>; log: Logger }) {
  const artifacts = createArtifactStore(deps.db);
  const manifests = createManifestStore(deps.db);
  return {
    describe: createArtifactDescriber({
      content: deps.content,
      childSizes: (repo, digests) => artifacts.childSizes(repo, digests),
      manifestBytes: async (repo, digest) => (await manifests.byDigest(repo, digest))?.content ?? null,
      log: deps.log,
    }),
    reads: createArtifactReads({ artifacts, projects: deps.projects }),
  };
}
