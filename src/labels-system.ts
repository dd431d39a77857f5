import type { IdentityCache } from './auth/identity-cache.js';
import type { Db } from './db/database.js';
import { createLabelStore } from './db/labels.js';
import { createProjectMetadataStore } from './db/project-metadata.js';
import { createSearchStore } from './db/search.js';
import type { SettingStore } from './db/settings.js';
import type { LabelsSystemApi } from './http/api/labels-system-routes.js';
import type { AuditLog } from './services/audit/audit-log.js';
import { createLabelService } from './services/content/label-service.js';
import { createSearchService } from './services/content/search-service.js';
import { createProjectMetadataService } from './services/identity/project-metadata-service.js';
import type { ProjectService } from './services/identity/project-service.js';
import { createReadOnlySwitch } from './services/system/read-only.js';

/** The read-only switch over the settings table, re-read every 2 s (and at once after this instance changes it). */
export const createReadOnly = (settings: SettingStore) => createReadOnlySwitch(async () => (await settings.all()).read_only === 'true');

/** The services behind labels, project metadata, /search and /statistics. */
export function createLabelsSystem(db: Db, deps: { projects: ProjectService; audit: AuditLog; identity: Pick<IdentityCache, 'forgetProject'> }): LabelsSystemApi {
  return {
    labels: createLabelService({ labels: createLabelStore(db), projects: deps.projects }),
    metadata: createProjectMetadataService({ metadata: createProjectMetadataStore(db), projects: deps.projects, audit: deps.audit, identity: deps.identity }),
    search: createSearchService({ search: createSearchStore(db), projects: deps.projects }),
  };
}
