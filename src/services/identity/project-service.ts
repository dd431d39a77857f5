import { isSysadmin, principalName, type Principal } from '../../domain/identity/principal.js';
import { sees } from '../../domain/identity/access-policy.js';
import { roleIds } from '../../domain/identity/roles.js';
import { allPermissions } from '../../domain/rbac/matrix.js';
import { findCondition, parseQuery, parseSort } from '../../domain/query/harbor-query.js';
import type { MemberStore } from '../../db/members.js';
import type { ProjectDetails, ProjectStore } from '../../db/projects.js';
import type { ProjectRow } from '../../db/schema.js';
import { AppError } from '../../platform/errors.js';
import type { IdentityCache } from '../../auth/identity-cache.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Authorizer, ProjectAccess } from './authorizer.js';
import { requireLogin } from './guards.js';
import { checkProjectSettings, type ProjectSettingsRequest } from './project-settings.js';

const projectNamePattern = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const sortColumns = { name: 'name', creation_time: 'created_at', update_time: 'updated_at', project_id: 'id' } as const;

export interface ProjectView {
  project_id: number;
  owner_id: number;
  /** Absent in a list asked for with_detail=false, as Harbor's. */
  owner_name?: string;
  name: string;
  creation_time: string;
  update_time: string;
  deleted: boolean;
  togglable: boolean;
  current_user_role_id: number;
  current_user_role_ids: number[];
  repo_count: number;
  metadata?: Record<string, string>;
}

export interface ProjectRequest extends ProjectSettingsRequest {
  project_name?: string | undefined;
  public?: boolean | undefined;
}

/** The one answer for a project that is missing or hidden from the caller: only `ref`, as typed. */
export function projectNotFound(ref: string): AppError {
  return new AppError('NOT_FOUND', `project ${ref.slice(0, 255)} not found`);
}

/** Harbor spells booleans in metadata as strings; "public" mirrors the column. */
function metadataOf(p: ProjectRow): Record<string, string> {
  return { ...(JSON.parse(p.metadata) as Record<string, string>), public: p.public === 1 ? 'true' : 'false' };
}

export function createProjectService(deps: {
  projects: ProjectStore;
  members: MemberStore;
  authorizer: Authorizer;
  audit: AuditLog;
  creationRestricted: () => Promise<boolean>;
  /** The hard storage limit of a new project's quota when the request names none (Harbor's storage_per_project). */
  defaultStorageLimit?: () => Promise<number>;
  /** A project's storage quota and usage in bytes (hard -1: unlimited), for the summary. */
  quotaOf?: (projectId: number) => Promise<{ hard: number; used: number } | null>;
  /** Told of every project created or deleted: tokens bound to a deleted project stop at once. */
  identity: Pick<IdentityCache, 'forgetProject'>;
}) {
  const { projects, members, authorizer, audit } = deps;

  function toView(p: ProjectDetails): ProjectView {
    return {
      project_id: p.id,
      owner_id: p.owner_id ?? 0,
      owner_name: p.ownerName ?? '',
      name: p.name,
      creation_time: new Date(p.created_at).toISOString(),
      update_time: new Date(p.updated_at).toISOString(),
      deleted: false,
      togglable: true,
      current_user_role_id: p.viewerRoleId ?? 0,
      current_user_role_ids: p.viewerRoleId ? [p.viewerRoleId] : [],
      repo_count: p.repoCount,
      metadata: metadataOf(p),
    };
  }

  const viewerOf = (actor: Principal) => (actor.kind === 'user' ? actor.id : null);

  async function view(actor: Principal, p: ProjectRow): Promise<ProjectView> {
    const details = await projects.details(p.id, viewerOf(actor));
    if (!details) throw projectNotFound(p.name);
    return toView(details);
  }

  /** A taken name is caught by the unique index, whichever of two concurrent creates loses. */
  async function createProject(name: string, ownerId: number, isPublic: boolean, metadata: Record<string, string>, storageLimit = -1): Promise<number> {
    try {
      return await projects.createWithAdmin(name, ownerId, isPublic, metadata, undefined, storageLimit);
    } catch (err) {
      if (await projects.byName(name)) throw new AppError('CONFLICT', `project ${name} already exists`);
      throw err;
    } finally {
      await deps.identity.forgetProject(name);
    }
  }

  /**
   * Finds a project and checks one permission on it. A project the caller may not know of is
   * answered exactly as a missing one (404, naming only what the caller typed); a refusal on a
   * project it does see is 401 for anonymous callers (log in and retry) and 403 for others.
   */
  async function resolve(actor: Principal, ref: string, byName: boolean, resource: string, action: string): Promise<ProjectAccess> {
    let row: ProjectRow | null = null;
    if (byName) row = await projects.byName(ref);
    else if (/^\d{1,10}$/.test(ref)) row = await projects.byId(Number(ref));
    else row = await projects.byName(ref);
    const access = row ? await authorizer.access(actor, row) : null;
    if (!access || !sees(actor, access.facts)) throw projectNotFound(ref);
    if (!access.can(resource, action)) {
      if (actor.kind === 'anonymous') throw new AppError('UNAUTHORIZED', 'authentication required');
      throw new AppError('FORBIDDEN', `not allowed to ${action} ${resource} of project ${access.project.name}`);
    }
    return access;
  }

  function record(actor: Principal, projectId: number | null, operation: string, resource: string, ip: string) {
    audit.record({ projectId, operation, resourceType: 'project', resource, username: principalName(actor), clientIp: ip, success: true });
  }

  return {
    resolve,
    view,

    async list(
      actor: Principal,
      opts: { q?: string | undefined; name?: string | undefined; public?: boolean | undefined; owner?: string | undefined; withDetail?: boolean | undefined; sort?: string | undefined },
      page: { offset: number; limit: number },
    ) {
      const conds = parseQuery(opts.q, ['name', 'public', 'project_id']);
      const f: Parameters<ProjectStore['list']>[0] = {};
      const name = findCondition(conds, 'name');
      if (name?.op === 'eq') f.name = name.value;
      else if (name?.op === 'like') f.nameLike = name.value;
      else if (name) throw new AppError('BAD_REQUEST', 'name takes an exact (name=x) or fuzzy (name=~x) value');
      if (opts.name) f.nameLike = opts.name;
      const pub = findCondition(conds, 'public');
      if (pub?.op === 'eq') f.public = pub.value === 'true';
      else if (pub) throw new AppError('BAD_REQUEST', 'public takes true or false');
      if (opts.public !== undefined) f.public = opts.public;
      if (opts.owner) f.ownerName = opts.owner;
      // A condition the store cannot express must never be dropped: that would list every project.
      const pid = findCondition(conds, 'project_id');
      if (pid) {
        if (pid.op !== 'eq' || !/^\d{1,10}$/.test(pid.value)) throw new AppError('BAD_REQUEST', 'project_id takes one integer (project_id=N)');
        const row = await projects.byId(Number(pid.value));
        if (!row || (f.name !== undefined && f.name !== row.name)) return { items: [], total: 0 };
        f.name = row.name;
      }
      if (!isSysadmin(actor)) f.visibleTo = { userId: actor.kind === 'user' ? actor.id : null };
      if (actor.kind === 'robot') f.visibleTo = { userId: null };
      const [first] = parseSort(opts.sort, Object.keys(sortColumns));
      const sort = first ? { column: sortColumns[first.key as keyof typeof sortColumns], desc: first.desc } : { column: 'name' as const, desc: false };
      const { rows, total } = await projects.list(f, page, sort, viewerOf(actor));
      // Harbor's with_detail=false leaves out what its detail loads: metadata and the owner's name.
      const brief = ({ metadata: _m, owner_name: _o, ...rest }: ProjectView): ProjectView => rest;
      return { items: rows.map((r) => (opts.withDetail === false ? brief(toView(r)) : toView(r))), total };
    },

    /** Harbor's /users/current/permissions for scope "/project/{id}" (others: none here). */
    async currentPermissions(actor: Principal, scope: string | undefined, relative: boolean) {
      requireLogin(actor);
      const m = scope ? /^\/project\/(\d{1,10})$/.exec(scope) : null;
      if (!m) return [];
      const row = await projects.byId(Number(m[1]));
      const access = row ? await authorizer.access(actor, row) : null;
      if (!access) return [];
      return allPermissions
        .map((p) => p.split(':') as [string, string])
        .filter(([resource, action]) => access.can(resource, action))
        .map(([resource, action]) => ({ resource: relative ? resource : `${scope}/${resource}`, action }));
    },

    async get(actor: Principal, ref: string, byName: boolean): Promise<ProjectView> {
      const { project } = await resolve(actor, ref, byName, 'self', 'read');
      return view(actor, project);
    },

    /** Harbor's HEAD /projects: only logged-in users may probe project names (private ones included). */
    async probe(actor: Principal, name: string): Promise<boolean> {
      requireLogin(actor);
      return (await projects.byName(name)) !== null;
    },

    async exists(name: string): Promise<boolean> {
      return (await projects.byName(name)) !== null;
    },

    async create(actor: Principal, req: ProjectRequest, ip: string): Promise<number> {
      requireLogin(actor);
      if (actor.kind !== 'user') throw new AppError('FORBIDDEN', 'robots cannot create projects');
      if (!isSysadmin(actor) && (await deps.creationRestricted())) throw new AppError('FORBIDDEN', 'only administrators may create projects');
      const name = req.project_name ?? '';
      if (!projectNamePattern.test(name) || name.length > 255) {
        throw new AppError('BAD_REQUEST', 'project_name must be lowercase letters and digits, separated by single ".", "_" or "-", at most 255 characters');
      }
      checkProjectSettings(req);
      if (await projects.byName(name)) throw new AppError('CONFLICT', `project ${name} already exists`);
      const metadata = { ...(req.metadata ?? {}) };
      const isPublic = req.public ?? metadata.public === 'true';
      delete metadata.public;
      // As Harbor: only a sysadmin's non-zero storage_limit counts; everyone else gets the default.
      const limit = req.storage_limit;
      const storageLimit = isSysadmin(actor) && limit !== undefined && limit !== null && limit !== 0 ? limit : await (deps.defaultStorageLimit?.() ?? -1);
      const id = await createProject(name, actor.id, isPublic, metadata, storageLimit);
      record(actor, id, 'create', name, ip);
      return id;
    },

    async update(actor: Principal, ref: string, byName: boolean, req: ProjectRequest, ip: string) {
      const { project } = await resolve(actor, ref, byName, 'self', 'update');
      checkProjectSettings(req);
      // Harbor ignores it here; Haven says so rather than let a caller believe a limit was set.
      if (req.storage_limit !== undefined && req.storage_limit !== null && req.storage_limit !== 0 && req.storage_limit !== -1) {
        throw new AppError('BAD_REQUEST', 'storage_limit is not changed by updating a project; set it with PUT /quotas/{id}');
      }
      const metadata = { ...(JSON.parse(project.metadata) as Record<string, string>), ...(req.metadata ?? {}) };
      const isPublic = req.metadata?.public !== undefined ? req.metadata.public === 'true' : req.public;
      delete metadata.public;
      await projects.update(project.id, { metadata, ...(isPublic !== undefined ? { public: isPublic } : {}) });
      // Its visibility is what anonymous pulls are decided on, from the identity cache.
      await deps.identity.forgetProject(project.name);
      record(actor, project.id, 'update', project.name, ip);
    },

    async delete(actor: Principal, ref: string, byName: boolean, ip: string) {
      const { project } = await resolve(actor, ref, byName, 'self', 'delete');
      const r = await projects.deleteIfEmpty(project.id);
      if (!r.deleted) throw new AppError('PRECONDITION', `project ${project.name} still has ${r.repositories} repositories; delete them first`);
      await deps.identity.forgetProject(project.name);
      record(actor, project.id, 'delete', project.name, ip);
    },

    async deletable(actor: Principal, ref: string, byName: boolean) {
      const { project } = await resolve(actor, ref, byName, 'self', 'delete');
      const repos = await projects.repositoryCount(project.id);
      return repos > 0 ? { deletable: false, message: `the project contains ${repos} repositories` } : { deletable: true, message: '' };
    },

    async summary(actor: Principal, ref: string, byName: boolean) {
      const access = await resolve(actor, ref, byName, 'self', 'read');
      const { project } = access;
      const repoCount = await projects.repositoryCount(project.id);
      // Haven's addition for the portal's summary; Harbor's portal counts them page by page.
      const artifactCount = await projects.artifactCount(project.id);
      // As Harbor: the quota for those who may read it, in its ResourceList shape.
      const q = access.can('quota', 'read') && deps.quotaOf ? await deps.quotaOf(project.id) : null;
      const quota = q ? { quota: { hard: { storage: q.hard }, used: { storage: q.used } } } : {};
      // As Harbor: the member counts only for those who may list the members.
      if (!access.can('member', 'list')) return { repo_count: repoCount, artifact_count: artifactCount, ...quota };
      const counts: Record<string, number> = { projectAdmin: 0, maintainer: 0, developer: 0, guest: 0, limitedGuest: 0 };
      for (const m of await members.list(project.id)) {
        const role = roleIds[m.roleId];
        if (role) counts[role] = (counts[role] ?? 0) + 1;
      }
      return {
        repo_count: repoCount,
        artifact_count: artifactCount,
        project_admin_count: counts.projectAdmin,
        maintainer_count: counts.maintainer,
        developer_count: counts.developer,
        guest_count: counts.guest,
        limited_guest_count: counts.limitedGuest,
        ...quota,
      };
    },

    /** Creates the public `library` project at first start, as Harbor ships it. */
    async ensureLibrary(ownerId: number): Promise<void> {
      if (!(await projects.byName('library'))) await createProject('library', ownerId, true, {});
    },
  };
}

export type ProjectService = ReturnType<typeof createProjectService>;
