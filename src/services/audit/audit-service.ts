import type { AuditQuery, AuditStore, TextFilter } from '../../db/audit.js';
import type { AuditLogRow } from '../../db/schema.js';
import { isSysadmin, type Principal } from '../../domain/identity/principal.js';
import { roleIds } from '../../domain/identity/roles.js';
import { parseQuery, parseSort, type Condition } from '../../domain/query/harbor-query.js';
import { roleAllows } from '../../domain/rbac/matrix.js';
import { AppError } from '../../platform/errors.js';
import type { ProjectService } from '../identity/project-service.js';
import { requireLogin } from '../identity/guards.js';

/** Harbor's AuditLog (swagger), plus operation_result (Harbor's own name, from AuditLogExt). */
export interface AuditLogView {
  id: number;
  username: string;
  resource: string;
  resource_type: string;
  operation: string;
  op_time: string;
  operation_result: boolean;
}

export interface AuditListOptions {
  q?: string | undefined;
  sort?: string | undefined;
}

type Page = { offset: number; limit: number };

const textKeys = { operation: 'operation', resource: 'resource', resource_type: 'resourceType', username: 'username' } as const;
const queryKeys = [...Object.keys(textKeys), 'op_time'];

/** The project roles whose matrix row holds log:list (Harbor: projectAdmin). */
const logRoleIds = Object.entries(roleIds)
  .filter(([, role]) => roleAllows(role, 'log', 'list'))
  .map(([id]) => Number(id));

/**
 * `2024-01-01 00:00:00` (Harbor's layout, read as UTC like Harbor's Go parser does), a date, or an
 * ISO 8601 timestamp. A bound given to the second covers that whole second.
 */
export function parseOpTime(s: string, bound: 'min' | 'max'): number {
  const plain = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2})?))?$/.exec(s);
  let ms: number;
  let wholeUnit = 0;
  if (plain) {
    const time = plain[2] ?? '00:00:00';
    ms = Date.parse(`${plain[1]}T${time.length === 5 ? `${time}:00` : time}Z`);
    wholeUnit = plain[2] === undefined ? 86_400_000 : time.length === 5 ? 60_000 : 1000;
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/.test(s)) {
    ms = Date.parse(s);
    if (!s.includes('.')) wholeUnit = 1000;
  } else {
    ms = Number.NaN;
  }
  if (!Number.isFinite(ms)) {
    throw new AppError('BAD_REQUEST', `op_time "${s.slice(0, 40)}" is not a time; use "YYYY-MM-DD hh:mm:ss" (UTC) or ISO 8601`);
  }
  return bound === 'max' && wholeUnit > 0 ? ms + wholeUnit - 1 : ms;
}

function textFilter(c: Condition): TextFilter {
  switch (c.op) {
    case 'eq':
      return { eq: c.value };
    case 'like':
      return { like: c.value };
    case 'any':
      return { any: c.values };
    default:
      throw new AppError('BAD_REQUEST', `"${c.key}" takes a value, ~value or {v1 v2}, not a range`);
  }
}

/** Turns Harbor's q into store filters; every value stays a value (bound parameter). */
export function auditQueryOf(q: string | undefined): AuditQuery {
  const out: AuditQuery = {};
  for (const c of parseQuery(q, queryKeys)) {
    if (c.key === 'op_time') {
      if (c.op === 'range') {
        if (c.min !== null) out.from = Math.max(out.from ?? -Infinity, parseOpTime(c.min, 'min'));
        if (c.max !== null) out.to = Math.min(out.to ?? Infinity, parseOpTime(c.max, 'max'));
      } else if (c.op === 'eq') {
        out.from = parseOpTime(c.value, 'min');
        out.to = parseOpTime(c.value, 'max');
      } else {
        throw new AppError('BAD_REQUEST', 'op_time takes a time or a range [from~to]');
      }
    } else {
      out[textKeys[c.key as keyof typeof textKeys]] = textFilter(c);
    }
  }
  return out;
}

function view(r: AuditLogRow): AuditLogView {
  return {
    id: r.id,
    username: r.username,
    resource: r.resource,
    resource_type: r.resource_type,
    operation: r.operation,
    op_time: new Date(r.op_time).toISOString(),
    operation_result: r.success === 1,
  };
}

/** Reading the audit log, as Harbor's /audit-logs and /projects/{name}/logs answer. */
export function createAuditService(deps: {
  audit: Pick<AuditStore, 'list'>;
  projects: Pick<ProjectService, 'resolve'>;
  /** Writes the records still queued, so a query shows what has already happened. */
  flushPending?: () => Promise<void>;
}) {
  const { audit, projects } = deps;

  async function run(filters: AuditQuery, sort: string | undefined, page: Page) {
    // Records are written in batches; without this, a push seconds ago could be missing from the
    // answer (on this instance: other instances' queues are theirs to flush).
    await deps.flushPending?.();
    const [first] = parseSort(sort, ['op_time']);
    const { rows, total } = await audit.list(filters, page, first ? first.desc : true);
    return { items: rows.map(view), total };
  }

  return {
    /**
     * Every record for system administrators. For other users, as Harbor answers, the records of
     * the projects where their role holds log:list (project admins), so never user records or
     * logins; robots (which Harbor's answer also leaves out) read a project's via listProject.
     */
    async list(actor: Principal, opts: AuditListOptions, page: Page) {
      requireLogin(actor);
      const filters = auditQueryOf(opts.q);
      if (!isSysadmin(actor)) {
        if (actor.kind !== 'user') return { items: [], total: 0 };
        filters.memberOf = { userId: actor.id, roleIds: logRoleIds };
      }
      return run(filters, opts.sort, page);
    },

    /** The records of one project (by name, as Harbor's path says); needs log:list there. */
    async listProject(actor: Principal, projectName: string, opts: AuditListOptions, page: Page) {
      const { project } = await projects.resolve(actor, projectName, true, 'log', 'list');
      const filters = auditQueryOf(opts.q);
      filters.projectId = project.id;
      return run(filters, opts.sort, page);
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
