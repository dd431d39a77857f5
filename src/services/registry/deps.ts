import type { BlobContent } from '../../content/blob-content.js';
import type { BlobMetadataStore } from '../../db/blobs.js';
import type { ManifestMetadataStore } from '../../db/manifests.js';
import type { RepositoryStore } from '../../db/repositories.js';
import type { TagStore } from '../../db/tags.js';
import type { UploadStore } from '../../db/uploads.js';
import type { Logger } from '../../platform/logger.js';

/** Everything the registry use cases touch; each service picks only what it uses. */
export interface RegistryDeps {
  repositories: RepositoryStore;
  blobs: BlobMetadataStore;
  manifests: ManifestMetadataStore;
  tags: TagStore;
  uploads: UploadStore;
  content: BlobContent;
  log: Logger;
}

/** Answers whether the caller may read a repository; mounts consult it so they never leak blobs. */
export type CanRead = (repository: string) => Promise<boolean>;
