import { isSysadmin, principalName, type Principal } from '../../domain/identity/principal.js';
import { findCondition, parseQuery, parseSort, type Condition } from '../../domain/query/harbor-query.js';
import type { RepositoryDetails, RepositoryFilter, RepositorySortColumn, RepositoryStore } from '../../db/repositories.js';
import { AppError } from '../../platform/errors.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { ProjectService } from '../identity/project-service.js';
import type { RegistryForgets } from './read-cache.js';

const sortColumns: Record<string, RepositorySortColumn> = {
  name: 'name',
  creation_time: 'created_at',
  update_time: 'updated_at',
  pull_count: 'pull_count',
  id: 'id',
};

/** Harbor's Repository JSON. */
export interface RepositoryView {
  id: number;
  project_id: number;
  name: string;
  description: string;
  artifact_count: number;
  pull_count: number;
  creation_time: string;
  update_time: string;
}

function toView(r: RepositoryDetails): RepositoryView {
  return {
    id: r.id,
    project_id: r.projectId,
    name: r.name,
    description: r.description,
    artifact_count: r.artifactCount,
    pull_count: r.pullCount,
    creation_time: new Date(r.createdAt).toISOString(),
    update_time: new Date(r.updatedAt).toISOString(),
  };
}

/** `name=x` or `name=~x` (the full "project/repo" name, as Harbor stores it). */
function nameFilter(conds: Condition[], f: RepositoryFilter): void {
  const name = findCondition(conds, 'name');
  if (name?.op === 'eq') f.name = name.value;
  else if (name?.op === 'like') f.nameLike = name.value;
  else if (name) throw new AppError('BAD_REQUEST', 'name takes an exact (name=x) or fuzzy (name=~x) value');
}

function sortOf(sort: string | undefined): { column: RepositorySortColumn; desc: boolean } {
  const [first] = parseSort(sort, Object.keys(sortColumns));
  // Harbor's default: newest first.
  return first ? { column: sortColumns[first.key] as RepositorySortColumn, desc: first.desc } : { column: 'created_at', desc: true };
}

const notFound = (full: string) => new AppError('NOT_FOUND', `repository ${full.slice(0, 300)} not found`);

/** Repositories as the management API sees them (Harbor's /projects/{p}/repositories). */
export function createRepositoryService(deps: {
  repositories: Pick<RepositoryStore, 'delete' | 'list' | 'get' | 'setDescription'>;
  projects: Pick<ProjectService, 'resolve'>;
  audit: AuditLog;
  /** The registry read cache's forgets: the deleted repository's manifests must not be served on. */
  forgets?: RegistryForgets;
}) {
  const { repositories, projects, audit } = deps;

  return {
    async list(actor: Principal, projectName: string, opts: { q?: string | undefined; sort?: string | undefined }, page: { offset: number; limit: number }) {
      const { project } = await projects.resolve(actor, projectName, true, 'repository', 'list');
      const f: RepositoryFilter = { projectId: project.id };
      nameFilter(parseQuery(opts.q, ['name']), f);
      const { items, total } = await repositories.list(f, page, sortOf(opts.sort));
      return { items: items.map(toView), total };
    },

    /**
     * Harbor's /repositories: every repository of the projects the caller can see (public ones,
     * their memberships, a robot's granted projects; everything for administrators).
     */
    async listAll(actor: Principal, opts: { q?: string | undefined; sort?: string | undefined }, page: { offset: number; limit: number }) {
      const conds = parseQuery(opts.q, ['name', 'project_id']);
      const f: RepositoryFilter = {};
      nameFilter(conds, f);
      const pid = findCondition(conds, 'project_id');
      if (pid) {
        if (pid.op !== 'eq' || !/^\d{1,10}$/.test(pid.value)) throw new AppError('BAD_REQUEST', 'project_id takes one integer (project_id=N)');
        f.projectId = Number(pid.value);
      }
      if (!isSysadmin(actor)) {
        if (actor.kind === 'robot') {
          // Only the grants that let it list repositories; any other grant shows nothing more.
          const names = [...new Set(actor.grants.filter((g) => g.resource === 'repository' && g.action === 'list').map((g) => g.namespace))];
          if (!(names.includes('*') && actor.level === 'system')) f.visibleTo = { userId: null, projectNames: names.filter((n) => n !== '*') };
        } else {
          f.visibleTo = { userId: actor.kind === 'user' ? actor.id : null, projectNames: [] };
        }
      }
      const { items, total } = await repositories.list(f, page, sortOf(opts.sort));
      return { items: items.map(toView), total };
    },

    async get(actor: Principal, projectName: string, name: string): Promise<RepositoryView> {
      const { project } = await projects.resolve(actor, projectName, true, 'repository', 'read');
      const full = `${project.name}/${name}`;
      const r = await repositories.get(project.id, full);
      if (!r) throw notFound(full);
      return toView(r);
    },

    /** Harbor's PUT takes a whole Repository but changes only the description. */
    async update(actor: Principal, projectName: string, name: string, description: string, ip: string): Promise<void> {
      const { project } = await projects.resolve(actor, projectName, true, 'repository', 'update');
      const full = `${project.name}/${name}`;
      if (!(await repositories.setDescription(project.id, full, description))) throw notFound(full);
      audit.record({ projectId: project.id, operation: 'update', resourceType: 'repository', resource: full, username: principalName(actor), clientIp: ip, success: true });
    },

    /**
     * Deletes a repository with all its manifests, tags and blob links (the bytes stay for
     * garbage collection). `name` is the part after the project, as in Harbor's path.
     */
    async delete(actor: Principal, projectName: string, name: string, ip: string): Promise<void> {
      const { project } = await projects.resolve(actor, projectName, true, 'repository', 'delete');
      const full = `${project.name}/${name}`;
      if (!(await repositories.delete(full))) throw notFound(full);
      await deps.forgets?.repository(full);
      audit.record({ projectId: project.id, operation: 'delete', resourceType: 'repository', resource: full, username: principalName(actor), clientIp: ip, success: true });
    },
  };
}

export type RepositoryService = ReturnType<typeof createRepositoryService>;
