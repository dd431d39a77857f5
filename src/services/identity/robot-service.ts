import { robotPrefix } from '../../auth/authenticator.js';
import { generateSecret, hashSecret } from '../../auth/secrets.js';
import { isSysadmin, principalName, type Principal, type RobotGrant } from '../../domain/identity/principal.js';
import { findCondition, parseQuery } from '../../domain/query/harbor-query.js';
import { allPermissions } from '../../domain/rbac/matrix.js';
import type { RobotStore } from '../../db/robots.js';
import type { RobotRow } from '../../db/schema.js';
import type { UserStore } from '../../db/users.js';
import { AppError, isAppError } from '../../platform/errors.js';
import type { IdentityCache } from '../../auth/identity-cache.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { ProjectAccess } from './authorizer.js';
import { requireLogin, requireSysadmin } from './guards.js';
import type { ProjectService } from './project-service.js';

/** Harbor's robot name rule: lowercase, digits and single separators; never "+", which joins project and name. */
const robotNamePattern = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
/** Harbor's default robot lifetime (robot_token_duration) when a request says duration 0. */
const defaultDurationDays = 30;
const dayMs = 86_400_000;
const knownPermissions = new Set<string>(allPermissions);

export interface RobotAccessEntry {
  resource: string;
  action: string;
  effect?: string | undefined;
}

export interface RobotPermissionEntry {
  kind: string;
  namespace: string;
  access: RobotAccessEntry[];
}

export interface RobotCreateRequest {
  name: string;
  description?: string | undefined;
  secret?: string | undefined;
  level: string;
  disable?: boolean | undefined;
  duration?: number | undefined;
  permissions: RobotPermissionEntry[];
}

export interface RobotUpdateRequest {
  name?: string | undefined;
  description?: string | undefined;
  level?: string | undefined;
  disable?: boolean | undefined;
  duration?: number | null | undefined;
  permissions?: RobotPermissionEntry[] | undefined;
}

export interface RobotView {
  id: number;
  name: string;
  description: string;
  level: 'system' | 'project';
  duration: number;
  editable: boolean;
  disable: boolean;
  /** Epoch seconds, or -1 for never. */
  expires_at: number;
  permissions: Array<{ kind: 'project'; namespace: string; access: Array<{ resource: string; action: string; effect: 'allow' }> }>;
  creator_type: string;
  creator_ref: number;
  creation_time: string;
  update_time: string;
}

export interface RobotCreated {
  id: number;
  name: string;
  secret: string;
  creation_time: string;
  expires_at: number;
}

const robotNotFound = (id: number) => new AppError('NOT_FOUND', `robot ${id} not found`);

/** Robots authenticate as robots but never administer robots (nor anything else in identity). */
function requireManager(actor: Principal): asserts actor is Extract<Principal, { kind: 'user' }> {
  requireLogin(actor);
  if (actor.kind !== 'user') throw new AppError('FORBIDDEN', 'robot accounts cannot manage robot accounts');
}

/** Harbor's rule for caller-chosen secrets: 8 to 128 characters with a lowercase letter, an uppercase letter and a digit. */
function checkSecret(secret: string): void {
  if (secret.length < 8 || secret.length > 128 || !/[a-z]/.test(secret) || !/[A-Z]/.test(secret) || !/\d/.test(secret)) {
    throw new AppError('BAD_REQUEST', 'the secret must be 8 to 128 characters with at least 1 uppercase letter, 1 lowercase letter and 1 number');
  }
}

function checkDuration(d: number): void {
  if (!Number.isInteger(d) || d < -1 || d >= 2 ** 31 - 1) throw new AppError('BAD_REQUEST', `duration must be -1 (never expires), 0 (the default, ${defaultDurationDays} days) or a positive number of days`);
}

/** Resolves a requested duration into the stored (duration, expires_at in epoch ms) pair. */
function lifetime(duration: number, from: number): { duration: number; expiresAt: number } {
  checkDuration(duration);
  if (duration === -1) return { duration: -1, expiresAt: -1 };
  const days = duration === 0 ? defaultDurationDays : duration;
  return { duration: days, expiresAt: from + days * dayMs };
}

function checkLevel(level: string): asserts level is 'system' | 'project' {
  if (level !== 'system' && level !== 'project') throw new AppError('BAD_REQUEST', `level must be "system" or "project", not "${level.slice(0, 50)}"`);
}

/**
 * Validates the shape of a permission list and flattens it into grants (namespace, resource,
 * action). Every access must be a (resource, action) pair of the permission matrix.
 */
function toGrants(level: 'system' | 'project', permissions: RobotPermissionEntry[]): RobotGrant[] {
  if (permissions.length === 0) throw new AppError('BAD_REQUEST', 'permissions must not be empty');
  if (level === 'project' && permissions.length !== 1) {
    throw new AppError('BAD_REQUEST', 'a project robot takes exactly one permission entry, of kind "project" naming its project');
  }
  const seen = new Set<string>();
  const grants: RobotGrant[] = [];
  for (const p of permissions) {
    if (p.kind === 'system') throw new AppError('BAD_REQUEST', 'permissions of kind "system" are not supported; use kind "project" with a project name or "*"');
    if (p.kind !== 'project') throw new AppError('BAD_REQUEST', `unknown permission kind "${p.kind.slice(0, 50)}"`);
    if (p.namespace === '') throw new AppError('BAD_REQUEST', 'a permission needs a namespace (a project name, or "*" for every project)');
    if (p.namespace === '*' && level === 'project') throw new AppError('BAD_REQUEST', 'a project robot cannot have namespace "*"; name its project');
    if (p.access.length === 0) throw new AppError('BAD_REQUEST', `permission for ${p.namespace.slice(0, 255)} has an empty access list`);
    for (const a of p.access) {
      if (a.effect !== undefined && a.effect !== '' && a.effect !== 'allow') throw new AppError('BAD_REQUEST', 'only effect "allow" is supported');
      const perm = `${a.resource}:${a.action}`;
      if (!knownPermissions.has(perm)) throw new AppError('BAD_REQUEST', `unknown permission ${perm.slice(0, 130)}`);
      const key = `${p.namespace}\0${perm}`;
      if (seen.has(key)) continue;
      seen.add(key);
      grants.push({ namespace: p.namespace, resource: a.resource, action: a.action });
    }
  }
  return grants;
}

/** A creator grants only what it holds: every access must be allowed to the caller on that project. */
function requireHeld(access: ProjectAccess, grants: RobotGrant[]): void {
  for (const g of grants) {
    if (!access.can(g.resource, g.action)) {
      throw new AppError('FORBIDDEN', `you cannot grant ${g.resource}:${g.action} on project ${access.project.name}: you do not hold it`);
    }
  }
}

export function createRobotService(deps: {
  robots: RobotStore;
  users: Pick<UserStore, 'idsByName'>;
  projects: Pick<ProjectService, 'resolve' | 'exists'>;
  audit: AuditLog;
  /** Drops remembered logins, so an old secret stops working at once. */
  forgetLogins: (name: string) => Promise<void>;
  /** Told of every robot disabled, re-dated or deleted: its registry tokens follow at once. */
  identity: Pick<IdentityCache, 'forgetRobot'>;
}) {
  const { robots, users, projects, audit } = deps;

  function record(actor: Principal, r: Pick<RobotRow, 'project_id' | 'name'>, operation: string, ip: string) {
    audit.record({ projectId: r.project_id, operation, resourceType: 'robot', resource: r.name, username: principalName(actor), clientIp: ip, success: true });
  }

  async function load(id: number): Promise<RobotRow> {
    const r = await robots.byId(id);
    if (!r) throw robotNotFound(id);
    return r;
  }

  /**
   * System robots are the administrators' alone; project robots need robot:<action> on their
   * project. Whoever may not know of the robot (a system robot to a non-administrator, a robot of
   * a project hidden from the caller) is told it does not exist, as for an unknown id.
   */
  async function authorize(actor: Principal, r: RobotRow, action: 'read' | 'update' | 'delete'): Promise<ProjectAccess | null> {
    if (r.level === 'system' || r.project_id === null) {
      if (!isSysadmin(actor)) throw robotNotFound(r.id);
      return null;
    }
    try {
      return await projects.resolve(actor, String(r.project_id), false, 'robot', action);
    } catch (err) {
      if (isAppError(err) && err.code === 'NOT_FOUND') throw robotNotFound(r.id);
      throw err;
    }
  }

  /** System robots may name several projects; each must exist ("*" means every project). */
  async function requireProjectsExist(grants: RobotGrant[]): Promise<void> {
    for (const ns of new Set(grants.map((g) => g.namespace))) {
      if (ns !== '*' && !(await projects.exists(ns))) throw new AppError('NOT_FOUND', `project ${ns.slice(0, 255)} not found`);
    }
  }

  /** Views of several robots in two queries (their grants, their creators), whatever their number. */
  async function views(rows: RobotRow[]): Promise<RobotView[]> {
    if (rows.length === 0) return [];
    const [grants, creators] = await Promise.all([robots.grantsOfMany(rows.map((r) => r.id)), users.idsByName([...new Set(rows.map((r) => r.creator))])]);
    return rows.map((r) => view(r, grants.get(r.id) ?? [], creators.get(r.creator) ?? 0));
  }

  function view(r: RobotRow, grants: Array<RobotGrant & { live: boolean }>, creatorId: number): RobotView {
    const byNamespace = new Map<string, Array<{ resource: string; action: string; effect: 'allow' }>>();
    // As Harbor does, a grant on a project that no longer exists is not shown.
    for (const g of grants) {
      if (r.level === 'system' && !g.live) continue;
      const list = byNamespace.get(g.namespace) ?? [];
      list.push({ resource: g.resource, action: g.action, effect: 'allow' });
      byNamespace.set(g.namespace, list);
    }
    const permissions: RobotView['permissions'] = [...byNamespace].map(([namespace, access]) => ({ kind: 'project', namespace, access }));
    return {
      id: r.id,
      name: r.name,
      description: r.description,
      level: r.level,
      duration: r.duration,
      editable: true,
      disable: r.disabled === 1,
      expires_at: r.expires_at === -1 ? -1 : Math.floor(r.expires_at / 1000),
      permissions,
      creator_type: 'local',
      creator_ref: creatorId,
      creation_time: new Date(r.created_at).toISOString(),
      update_time: new Date(r.updated_at).toISOString(),
    };
  }

  async function listWhere(filter: Parameters<RobotStore['list']>[0], page: { offset: number; limit: number }): Promise<{ items: RobotView[]; total: number }> {
    const { rows, total } = await robots.list(filter, page);
    return { items: await views(rows), total };
  }

  /** The project a project-scoped call (/projects/{p}/robots) names, with robot:<action> on it checked. */
  async function projectFor(actor: Principal, ref: string, byName: boolean, action: string) {
    return (await projects.resolve(actor, ref, byName, 'robot', action)).project;
  }

  const service = {
    /** The robots of one project (GET /projects/{p}/robots): robot:list on it. */
    async listOfProject(actor: Principal, ref: string, byName: boolean, page: { offset: number; limit: number }): Promise<{ items: RobotView[]; total: number }> {
      requireManager(actor);
      const project = await projectFor(actor, ref, byName, 'list');
      return listWhere({ level: 'project', projectId: project.id }, page);
    },

    /**
     * POST /projects/{p}/robots: a project robot of the project in the path. Permissions default
     * to pulling from it; given ones must name it.
     */
    async createInProject(actor: Principal, ref: string, byName: boolean, req: Omit<RobotCreateRequest, 'level' | 'permissions'> & { permissions?: RobotPermissionEntry[] | undefined }, ip: string): Promise<RobotCreated> {
      requireManager(actor);
      const project = await projectFor(actor, ref, byName, 'list');
      if (req.permissions?.some((p) => p.namespace !== project.name)) {
        throw new AppError('BAD_REQUEST', `permissions of a robot created under /projects/${project.name} must name that project`);
      }
      const permissions = req.permissions ?? [{ kind: 'project', namespace: project.name, access: [{ resource: 'repository', action: 'pull' }] }];
      return service.create(actor, { ...req, level: 'project', permissions }, ip);
    },

    /**
     * Harbor's list: `q=level=project,project_id=N` lists a project's robots (robot:list on it);
     * otherwise system robots, for administrators. Harbor's UI spells the keys Level/ProjectID.
     */
    async list(actor: Principal, q: string | undefined, page: { offset: number; limit: number }): Promise<{ items: RobotView[]; total: number }> {
      requireManager(actor);
      const conds = parseQuery(q, ['name', 'level', 'project_id', 'Name', 'Level', 'ProjectID']);
      const cond = (a: string, b: string) => findCondition(conds, a) ?? findCondition(conds, b);
      const eqValue = (a: string, b: string): string | undefined => {
        const c = cond(a, b);
        if (c === undefined) return undefined;
        if (c.op !== 'eq') throw new AppError('BAD_REQUEST', `${a} takes an exact value`);
        return c.value;
      };
      const level = eqValue('level', 'Level');
      if (level !== undefined) checkLevel(level);
      const pid = eqValue('project_id', 'ProjectID');
      const filter: Parameters<RobotStore['list']>[0] = {};
      if (level === 'project' || (level === undefined && pid !== undefined)) {
        if (pid === undefined) throw new AppError('BAD_REQUEST', 'listing project robots needs project_id in q (q=level=project,project_id=N)');
        if (!/^\d{1,10}$/.test(pid)) throw new AppError('BAD_REQUEST', 'project_id must be an integer');
        const { project } = await projects.resolve(actor, pid, false, 'robot', 'list');
        filter.level = 'project';
        filter.projectId = project.id;
      } else {
        requireSysadmin(actor);
        filter.level = 'system';
      }
      const name = cond('name', 'Name');
      if (name?.op === 'eq') filter.name = name.value.startsWith(robotPrefix) ? name.value : robotPrefix + name.value;
      else if (name?.op === 'like') filter.nameLike = name.value;
      else if (name) throw new AppError('BAD_REQUEST', 'name takes an exact (name=x) or fuzzy (name=~x) value');
      return listWhere(filter, page);
    },

    async get(actor: Principal, id: number): Promise<RobotView> {
      requireManager(actor);
      const r = await load(id);
      await authorize(actor, r, 'read');
      return (await views([r]))[0]!;
    },

    async create(actor: Principal, req: RobotCreateRequest, ip: string, now = Date.now()): Promise<RobotCreated> {
      requireManager(actor);
      if (!robotNamePattern.test(req.name)) throw new AppError('BAD_REQUEST', 'robot name must be lowercase letters and digits, separated by single ".", "_" or "-"');
      checkLevel(req.level);
      const level = req.level;
      const life = lifetime(req.duration ?? 0, now);
      if (req.secret !== undefined && req.secret !== '') checkSecret(req.secret);
      const grants = toGrants(level, req.permissions);

      let projectId: number | null = null;
      let fullName: string;
      if (level === 'system') {
        requireSysadmin(actor);
        await requireProjectsExist(grants);
        fullName = `${robotPrefix}${req.name}`;
      } else {
        const access = await projects.resolve(actor, grants[0]!.namespace, true, 'robot', 'create');
        requireHeld(access, grants);
        projectId = access.project.id;
        fullName = `${robotPrefix}${access.project.name}+${req.name}`;
        for (const g of grants) g.namespace = access.project.name;
      }
      if (fullName.length > 255) throw new AppError('BAD_REQUEST', 'robot name is too long (at most 255 characters with its prefix)');
      if (await robots.byName(fullName)) throw new AppError('CONFLICT', `robot ${fullName} already exists`);

      const secret = req.secret ? req.secret : generateSecret();
      const id = await robots
        .create(
          {
            name: fullName,
            description: req.description ?? '',
            secretHash: await hashSecret(secret),
            level,
            projectId,
            duration: life.duration,
            expiresAt: life.expiresAt,
            disabled: req.disable ?? false,
            creator: actor.name,
            grants,
          },
          now,
        )
        .catch(async (err: unknown) => {
          // Two creations of one name racing: the unique index decides, as a 409.
          if (await robots.byName(fullName)) throw new AppError('CONFLICT', `robot ${fullName} already exists`);
          throw err;
        });
      record(actor, { project_id: projectId, name: fullName }, 'create', ip);
      return { id, name: fullName, secret, creation_time: new Date(now).toISOString(), expires_at: life.expiresAt === -1 ? -1 : Math.floor(life.expiresAt / 1000) };
    },

    /**
     * Updates description, disable, duration and permissions; name and level never change. Fields
     * left out keep their value (Harbor clients send the whole Robot back, which works the same).
     */
    async update(actor: Principal, id: number, req: RobotUpdateRequest, ip: string): Promise<void> {
      requireManager(actor);
      const r = await load(id);
      const access = await authorize(actor, r, 'update');
      if (req.level !== undefined && req.level !== r.level) throw new AppError('BAD_REQUEST', 'the level of a robot cannot be changed');
      if (req.name !== undefined && req.name !== r.name && robotPrefix + req.name !== r.name) {
        throw new AppError('BAD_REQUEST', 'the name of a robot cannot be changed');
      }
      const changes: Parameters<RobotStore['update']>[1] = {};
      if (req.description !== undefined) changes.description = req.description;
      if (req.disable !== undefined) changes.disabled = req.disable;
      if (req.duration !== undefined && req.duration !== null && req.duration !== r.duration) {
        const life = lifetime(req.duration, r.created_at);
        changes.duration = life.duration;
        changes.expiresAt = life.expiresAt;
      }
      if (req.permissions !== undefined) {
        const grants = toGrants(r.level, req.permissions);
        if (access) {
          if (grants[0]!.namespace !== access.project.name) {
            throw new AppError('BAD_REQUEST', `a project robot's permission must name its own project, ${access.project.name}`);
          }
          requireHeld(access, grants);
        } else {
          await requireProjectsExist(grants);
        }
        changes.grants = grants;
      }
      await robots.update(r.id, changes);
      await deps.identity.forgetRobot(r.id);
      record(actor, r, 'update', ip);
    },

    /** Harbor's PATCH: no secret (or "") generates one and returns it; a given secret is set and not echoed. */
    async refreshSecret(actor: Principal, id: number, secret: string | undefined, ip: string): Promise<{ secret?: string }> {
      requireManager(actor);
      const r = await load(id);
      await authorize(actor, r, 'update');
      if (secret) checkSecret(secret);
      const next = secret ? secret : generateSecret();
      await robots.update(r.id, { secretHash: await hashSecret(next) });
      await deps.forgetLogins(r.name);
      record(actor, r, 'update', ip);
      return secret ? {} : { secret: next };
    },

    async delete(actor: Principal, id: number, ip: string): Promise<void> {
      requireManager(actor);
      const r = await load(id);
      await authorize(actor, r, 'delete');
      await robots.delete(r.id);
      await deps.identity.forgetRobot(r.id);
      await deps.forgetLogins(r.name);
      record(actor, r, 'delete', ip);
    },
  };
  return service;
}

export type RobotService = ReturnType<typeof createRobotService>;
