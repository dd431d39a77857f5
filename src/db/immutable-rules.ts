import { transaction } from './transaction.js';
import { type ImmutableRuleSpec, maxRulesPerProject, ruleKey } from '../domain/immutable/rules.js';
import type { Db } from './database.js';

export interface StoredImmutableRule {
  id: number;
  projectId: number;
  priority: number;
  disabled: boolean;
  spec: ImmutableRuleSpec;
}

export type RuleCreate = { kind: 'created'; id: number } | { kind: 'full' } | { kind: 'duplicate' };
export type RuleUpdate = { kind: 'updated' } | { kind: 'missing' } | { kind: 'duplicate' };

/** A change to a rule: Harbor either toggles `disabled` or replaces the rule's content, never both. */
export interface RuleChange {
  disabled?: boolean | undefined;
  priority?: number | undefined;
  spec?: ImmutableRuleSpec | undefined;
}

type Row = { id: number; project_id: number; priority: number; disabled: number; rule: string };
const toRule = (r: Row): StoredImmutableRule => ({
  id: r.id,
  projectId: r.project_id,
  priority: r.priority,
  disabled: r.disabled === 1,
  spec: JSON.parse(r.rule) as ImmutableRuleSpec,
});

/**
 * Immutable tag rules, always addressed within their project: a rule id of another project is
 * simply not found. The cap and the duplicate check run in the transaction of the write.
 */
export function createImmutableRuleStore(db: Db) {
  const ofProject = (tx: Db, projectId: number) =>
    tx.selectFrom('immutable_rules').select(['id', 'project_id', 'priority', 'disabled', 'rule']).where('project_id', '=', projectId);

  return {
    /** A page of the project's rules, by id unless `sort` says otherwise (allow-listed keys only). */
    async list(
      projectId: number,
      filter: { disabled?: boolean | undefined; sort?: Array<{ key: 'id' | 'priority'; desc: boolean }> },
      page: { offset: number; limit: number },
    ): Promise<{ items: StoredImmutableRule[]; total: number }> {
      let q = ofProject(db, projectId);
      if (filter.disabled !== undefined) q = q.where('disabled', '=', filter.disabled ? 1 : 0);
      let rowsQ = q;
      for (const s of filter.sort ?? []) rowsQ = rowsQ.orderBy(s.key, s.desc ? 'desc' : 'asc');
      const rows = await rowsQ.orderBy('id').limit(page.limit).offset(page.offset).execute();
      const { n } = await q
        .clearSelect()
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow();
      return { items: rows.map(toRule), total: Number(n) };
    },

    async get(projectId: number, id: number): Promise<StoredImmutableRule | null> {
      const row = await ofProject(db, projectId).where('id', '=', id).executeTakeFirst();
      return row ? toRule(row) : null;
    },

    /** New rules start enabled, as Harbor's DAO makes them. */
    async create(projectId: number, spec: ImmutableRuleSpec, priority: number, now = Date.now()): Promise<RuleCreate> {
      return transaction(db, async (tx) => {
        const existing = (await ofProject(tx, projectId).execute()).map(toRule);
        if (existing.length >= maxRulesPerProject) return { kind: 'full' };
        const key = ruleKey(spec);
        if (existing.some((r) => ruleKey(r.spec) === key)) return { kind: 'duplicate' };
        const { id } = await tx
          .insertInto('immutable_rules')
          .values({ project_id: projectId, disabled: 0, priority, rule: JSON.stringify(spec), created_at: now, updated_at: now })
          .returning('id')
          .executeTakeFirstOrThrow();
        return { kind: 'created', id };
      });
    },

    /**
     * Harbor's UpdateImmutableRule: when `disabled` differs from the stored value only the rule's
     * state is toggled; otherwise its content (and priority) is replaced, if given.
     */
    async update(projectId: number, id: number, change: RuleChange, now = Date.now()): Promise<RuleUpdate> {
      return transaction(db, async (tx) => {
        const rules = (await ofProject(tx, projectId).execute()).map(toRule);
        const rule = rules.find((r) => r.id === id);
        if (!rule) return { kind: 'missing' };
        if (change.disabled !== undefined && change.disabled !== rule.disabled) {
          await tx.updateTable('immutable_rules').set({ disabled: change.disabled ? 1 : 0, updated_at: now }).where('id', '=', id).execute();
          return { kind: 'updated' };
        }
        if (change.spec === undefined && change.priority === undefined) return { kind: 'updated' };
        const spec = change.spec ?? rule.spec;
        const key = ruleKey(spec);
        if (rules.some((r) => r.id !== id && ruleKey(r.spec) === key)) return { kind: 'duplicate' };
        await tx
          .updateTable('immutable_rules')
          .set({ rule: JSON.stringify(spec), priority: change.priority ?? rule.priority, updated_at: now })
          .where('id', '=', id)
          .execute();
        return { kind: 'updated' };
      });
    },

    async delete(projectId: number, id: number): Promise<boolean> {
      const r = await db.deleteFrom('immutable_rules').where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}

export type ImmutableRuleStore = ReturnType<typeof createImmutableRuleStore>;
