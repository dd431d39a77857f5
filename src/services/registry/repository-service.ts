import { principalName, type Principal } from '../../domain/identity/principal.js';
import type { RepositoryStore } from '../../db/repositories.js';
import { AppError } from '../../platform/errors.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { ProjectService } from '../identity/project-service.js';

/** Repositories as the management API sees them (Harbor's /projects/{p}/repositories). */
export function createRepositoryService(deps: {
  repositories: Pick<RepositoryStore, 'delete'>;
  projects: Pick<ProjectService, 'resolve'>;
  audit: AuditLog;
}) {
  const { repositories, projects, audit } = deps;

  return {
    /**
     * Deletes a repository with all its manifests, tags and blob links (the bytes stay for
     * garbage collection). `name` is the part after the project, as in Harbor's path.
     */
    async delete(actor: Principal, projectName: string, name: string, ip: string): Promise<void> {
      const { project } = await projects.resolve(actor, projectName, true, 'repository', 'delete');
      const full = `${project.name}/${name}`;
      if (!(await repositories.delete(full))) throw new AppError('NOT_FOUND', `repository ${full.slice(0, 300)} not found`);
      audit.record({ projectId: project.id, operation: 'delete', resourceType: 'repository', resource: full, username: principalName(actor), clientIp: ip, success: true });
    },
  };
}

export type RepositoryService = ReturnType<typeof createRepositoryService>;
