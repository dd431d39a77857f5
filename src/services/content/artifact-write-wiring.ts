import type { BlobContent } from '../../content/blob-content.js';
import type { ArtifactWriteStore } from '../../db/artifact-writes.js';
import type { Db } from '../../db/database.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { ProjectService } from '../identity/project-service.js';
import { createArtifactWriteService } from './artifact-writes.js';
import { createIconService } from './icons.js';

/** The artifact-write area's services for the API (one line in app.ts). */
export function createArtifactWrites(deps: { db: Db; artifacts: ArtifactWriteStore; content: Pick<BlobContent, 'driver'>; projects: Pick<ProjectService, 'resolve'>; audit: AuditLog }) {
  return {
    artifacts: createArtifactWriteService(deps),
    icons: createIconService(deps),
  };
}
