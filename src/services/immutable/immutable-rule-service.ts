import { principalName, type Principal } from '../../domain/identity/principal.js';
import { type ImmutableRuleInput, type ImmutableSelector, InvalidRuleError, maxRulesPerProject, validateRule } from '../../domain/immutable/rules.js';
import { findCondition, parseQuery, parseSort } from '../../domain/query/harbor-query.js';
import type { ImmutableRuleStore, StoredImmutableRule } from '../../db/immutable-rules.js';
import { AppError } from '../../platform/errors.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { ProjectService } from '../identity/project-service.js';

/** Harbor's ImmutableRule, as the API answers it. */
export interface ImmutableRuleView {
  id: number;
  priority: number;
  disabled: boolean;
  action: string;
  template: string;
  tag_selectors: ImmutableSelector[];
  scope_selectors: Record<string, ImmutableSelector[]>;
}

export interface ImmutableRuleRequest extends ImmutableRuleInput {
  id?: number | undefined;
  priority?: number | undefined;
  disabled?: boolean | undefined;
}

const view = (r: StoredImmutableRule): ImmutableRuleView => ({
  id: r.id,
  priority: r.priority,
  disabled: r.disabled,
  action: r.spec.action,
  template: r.spec.template,
  tag_selectors: r.spec.tag_selectors,
  scope_selectors: r.spec.scope_selectors,
});

const ruleNotFound = (id: number) => new AppError('NOT_FOUND', `immutable rule ${id} not found`);

function checked(input: ImmutableRuleInput) {
  try {
    return validateRule(input);
  } catch (e) {
    if (e instanceof InvalidRuleError) throw new AppError('BAD_REQUEST', e.message);
    throw e;
  }
}

function checkPriority(p: number | undefined): void {
  if (p !== undefined && (!Number.isInteger(p) || p < 0 || p > 2 ** 31 - 1)) throw new AppError('BAD_REQUEST', 'priority must be a non-negative integer');
}

/**
 * Harbor's immutable tag rules API (/projects/{p}/immutabletagrules), under the `immutable-tag`
 * permission. Rules are addressed within the project of the path, so another project's rule id
 * is 404 there and nothing changes. Every change is audited (resource type immutable_rule).
 */
export function createImmutableRuleService(deps: { rules: ImmutableRuleStore; projects: Pick<ProjectService, 'resolve'>; audit: AuditLog }) {
  const { rules, projects, audit } = deps;
  const record = (actor: Principal, project: { id: number; name: string }, operation: string, id: number, ip: string) =>
    audit.record({ projectId: project.id, operation, resourceType: 'immutable_rule', resource: `${project.name}/immutabletagrules/${id}`, username: principalName(actor), clientIp: ip, success: true });
  const projectOf = async (actor: Principal, ref: string, byName: boolean, action: string) =>
    (await projects.resolve(actor, ref, byName, 'immutable-tag', action)).project;

  return {
    async list(actor: Principal, ref: string, byName: boolean, opts: { q?: string | undefined; sort?: string | undefined }, page: { offset: number; limit: number }) {
      const project = await projectOf(actor, ref, byName, 'list');
      const disabled = findCondition(parseQuery(opts.q, ['disabled']), 'disabled');
      if (disabled && (disabled.op !== 'eq' || (disabled.value !== 'true' && disabled.value !== 'false'))) {
        throw new AppError('BAD_REQUEST', 'disabled must be true or false');
      }
      const sort = parseSort(opts.sort, ['id', 'priority']) as Array<{ key: 'id' | 'priority'; desc: boolean }>;
      const found = await rules.list(project.id, { disabled: disabled?.op === 'eq' ? disabled.value === 'true' : undefined, sort }, page);
      return { items: found.items.map(view), total: found.total };
    },

    /** Returns the new rule's id (for Location). */
    async create(actor: Principal, ref: string, byName: boolean, body: ImmutableRuleRequest, ip: string): Promise<number> {
      const project = await projectOf(actor, ref, byName, 'create');
      const spec = checked(body);
      checkPriority(body.priority);
      const r = await rules.create(project.id, spec, body.priority ?? 0);
      if (r.kind === 'full') throw new AppError('BAD_REQUEST', `only ${maxRulesPerProject} rules are allowed at most`);
      if (r.kind === 'duplicate') throw new AppError('CONFLICT', 'immutable rule already exists');
      record(actor, project, 'create', r.id, ip);
      return r.id;
    },

    /**
     * As Harbor: the body's id must be the path's; a body whose `disabled` differs from the rule's
     * only enables or disables it; otherwise its selectors (all of them) replace the rule's.
     */
    async update(actor: Principal, ref: string, byName: boolean, id: number, body: ImmutableRuleRequest, ip: string): Promise<void> {
      if (body.id !== id) throw new AppError('BAD_REQUEST', "the immutable_rule_id doesn't match the id in the payload body of ImmutableRule");
      const project = await projectOf(actor, ref, byName, 'update');
      // Content that comes along is checked even when the store then only toggles the rule.
      const hasContent = body.tag_selectors !== undefined || body.scope_selectors !== undefined;
      const spec = hasContent ? checked(body) : undefined;
      checkPriority(body.priority);
      const r = await rules.update(project.id, id, { disabled: body.disabled, priority: body.priority, spec });
      if (r.kind === 'missing') throw ruleNotFound(id);
      if (r.kind === 'duplicate') throw new AppError('CONFLICT', 'immutable rule already exists');
      record(actor, project, 'update', id, ip);
    },

    async delete(actor: Principal, ref: string, byName: boolean, id: number, ip: string): Promise<void> {
      const project = await projectOf(actor, ref, byName, 'delete');
      if (!(await rules.delete(project.id, id))) throw ruleNotFound(id);
      record(actor, project, 'delete', id, ip);
    },
  };
}

export type ImmutableRuleService = ReturnType<typeof createImmutableRuleService>;
