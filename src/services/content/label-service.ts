import type { Principal } from '../../domain/identity/principal.js';
import { findCondition, parseQuery, parseSort } from '../../domain/query/harbor-query.js';
import type { LabelFilter, LabelRow, LabelSortColumn, LabelStore } from '../../db/labels.js';
import { AppError, isAppError, isUniqueViolation } from '../../platform/errors.js';
import type { ProjectService } from '../identity/project-service.js';
import { requireLogin, requireSysadmin } from '../identity/guards.js';

/** Harbor's Label JSON: a global label has project_id 0. */
export interface LabelView {
  id: number;
  name: string;
  description: string;
  color: string;
  scope: 'g' | 'p';
  project_id: number;
  creation_time: string;
  update_time: string;
}

export interface LabelRequest {
  name?: string | undefined;
  description?: string | undefined;
  color?: string | undefined;
  scope?: string | undefined;
  project_id?: number | undefined;
}

const sortColumns: Record<string, LabelSortColumn> = { name: 'name', creation_time: 'created_at', update_time: 'updated_at', id: 'id' };

const labelNotFound = (id: number) => new AppError('NOT_FOUND', `label ${id} not found`);

function toView(l: LabelRow): LabelView {
  return {
    id: l.id,
    name: l.name,
    description: l.description,
    color: l.color,
    scope: l.scope,
    project_id: l.project_id ?? 0,
    creation_time: new Date(l.created_at).toISOString(),
    update_time: new Date(l.updated_at).toISOString(),
  };
}

/** Harbor's Label.Valid: a name of 1 to 128 characters (stored as given, never interpreted). */
function checkName(name: string | undefined): string {
  if (name === undefined || name.length === 0) throw new AppError('BAD_REQUEST', 'label name cannot be empty');
  if (name.length > 128) throw new AppError('BAD_REQUEST', 'label name: max length is 128');
  return name;
}

/**
 * Harbor's labels: global ones (scope "g") are the system administrator's, project ones (scope
 * "p") follow the project's `label` permissions; attaching one to an artifact needs
 * `artifact-label` on the artifact's project, and only global labels or the project's own fit.
 */
export function createLabelService(deps: { labels: LabelStore; projects: Pick<ProjectService, 'resolve'> }) {
  const { labels, projects } = deps;

  /**
   * A project label's permission check on its project. A label of a project the caller may not
   * see answers exactly as a missing label, so ids cannot be probed across projects.
   */
  async function requireOnLabel(actor: Principal, label: LabelRow, action: string): Promise<void> {
    if (label.scope === 'g') {
      // Harbor checks global labels against system-level rights: an administrator's.
      requireSysadmin(actor);
      return;
    }
    try {
      await projects.resolve(actor, String(label.project_id), false, 'label', action);
    } catch (err) {
      if (isAppError(err) && err.code === 'NOT_FOUND') throw labelNotFound(label.id);
      throw err;
    }
  }

  /** No login asked first: a project label follows its project's rights (anyone reads a public project's). */
  async function load(actor: Principal, id: number, action: string): Promise<LabelRow> {
    const label = await labels.byId(id);
    if (!label) throw labelNotFound(id);
    await requireOnLabel(actor, label, action);
    return label;
  }

  const conflict = (name: string) => new AppError('CONFLICT', `label ${name} already exists`);

  return {
    async list(
      actor: Principal,
      opts: { scope?: string | undefined; projectId?: number | undefined; name?: string | undefined; q?: string | undefined; sort?: string | undefined },
      page: { offset: number; limit: number },
    ): Promise<{ items: LabelView[]; total: number }> {
      const scope = opts.scope ?? '';
      if (scope !== 'g' && scope !== 'p') throw new AppError('BAD_REQUEST', `invalid scope: ${scope.slice(0, 16)}`);
      const f: LabelFilter = { scope };
      // Global labels are listed to everyone logged in; a project's as its project allows (public: anyone).
      if (scope === 'g') requireLogin(actor);
      else {
        if (!opts.projectId) throw new AppError('BAD_REQUEST', 'must with project ID when to query project labels');
        const { project } = await projects.resolve(actor, String(opts.projectId), false, 'label', 'list');
        f.projectId = project.id;
      }
      const name = findCondition(parseQuery(opts.q, ['name']), 'name');
      if (name?.op === 'eq') f.name = name.value;
      else if (name?.op === 'like') f.nameLike = name.value;
      else if (name) throw new AppError('BAD_REQUEST', 'name takes an exact (name=x) or fuzzy (name=~x) value');
      if (opts.name) f.nameLike = opts.name;
      const [first] = parseSort(opts.sort, Object.keys(sortColumns));
      const sort = first ? { column: sortColumns[first.key]!, desc: first.desc } : { column: 'id' as const, desc: false };
      const { rows, total } = await labels.list(f, page, sort);
      return { items: rows.map(toView), total };
    },

    async get(actor: Principal, id: number): Promise<LabelView> {
      return toView(await load(actor, id, 'read'));
    },

    async create(actor: Principal, req: LabelRequest): Promise<number> {
      requireLogin(actor);
      const name = checkName(req.name);
      const scope = req.scope;
      if (scope !== 'g' && scope !== 'p') throw new AppError('BAD_REQUEST', `invalid scope: ${String(scope ?? '').slice(0, 16)}`);
      let projectId: number | null = null;
      if (scope === 'g') {
        requireSysadmin(actor);
      } else {
        if (!req.project_id || req.project_id <= 0) throw new AppError('BAD_REQUEST', `invalid project_id: ${req.project_id ?? 0}`);
        projectId = (await projects.resolve(actor, String(req.project_id), false, 'label', 'create')).project.id;
      }
      try {
        return await labels.create({ name, description: req.description ?? '', color: req.color ?? '', scope, projectId });
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict(name);
        throw err;
      }
    },

    /** Name, description and color change; scope and project never do (as Harbor). */
    async update(actor: Principal, id: number, req: LabelRequest): Promise<void> {
      const label = await load(actor, id, 'update');
      const name = checkName(req.name ?? label.name);
      try {
        const done = await labels.update(id, { name, description: req.description ?? label.description, color: req.color ?? label.color });
        if (!done) throw labelNotFound(id);
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict(name);
        throw err;
      }
    },

    async delete(actor: Principal, id: number): Promise<void> {
      await load(actor, id, 'delete');
      if (!(await labels.delete(id))) throw labelNotFound(id);
    },

    async attach(actor: Principal, projectName: string, repository: string, reference: string, labelId: number): Promise<void> {
      const { project } = await projects.resolve(actor, projectName, true, 'artifact-label', 'create');
      const r = await labels.attach(project.id, `${project.name}/${repository}`, reference, labelId);
      if (r === 'label-unknown') throw labelNotFound(labelId);
      // A label of another project is answered exactly as a missing one (Harbor's own message,
      // "project id A, label B not found", would tell which ids exist in projects one cannot see).
      if (r === 'label-elsewhere') throw labelNotFound(labelId);
      if (r === 'artifact-unknown') throw artifactNotFound(project.name, repository, reference);
      if (r === 'already-attached') throw new AppError('CONFLICT', `label ${labelId} is already added to the artifact ${reference.slice(0, 150)}`);
    },

    async detach(actor: Principal, projectName: string, repository: string, reference: string, labelId: number): Promise<void> {
      const { project } = await projects.resolve(actor, projectName, true, 'artifact-label', 'delete');
      const r = await labels.detach(project.id, `${project.name}/${repository}`, reference, labelId);
      if (r === 'artifact-unknown') throw artifactNotFound(project.name, repository, reference);
      if (r === 'not-attached') throw new AppError('NOT_FOUND', `label reference ${labelId} not found`);
    },
  };
}

function artifactNotFound(project: string, repository: string, reference: string): AppError {
  return new AppError('NOT_FOUND', `artifact ${project}/${repository.slice(0, 255)}${reference.includes(':') ? '@' : ':'}${reference.slice(0, 150)} not found`);
}

export type LabelService = ReturnType<typeof createLabelService>;
