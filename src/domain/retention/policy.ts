import { z } from 'zod';
import { AppError } from '../../platform/errors.js';
import { BadPatternError, compileDoublestar } from '../immutable/doublestar.js';
import { paramRule, templateIds } from './templates.js';

/**
 * Harbor's tag retention policy (src/pkg/retention/policy/models.go, rule/models.go) as its API
 * carries it, field for field. Harbor's v2 handler checks little (15 rules, duplicates, scope,
 * cron) and finds a bad template or parameter only when the job runs; Haven refuses them when the
 * policy is written, with the messages Harbor's own validators (rule/index.Valid) would give.
 */

export interface RetentionSelector {
  /** "doublestar" (tags and repositories) or "label" (tags; see labelSelector below). */
  kind: string;
  decoration: string;
  pattern: string;
  /** JSON text: `{"untagged":true}` says what the selector does with untagged artifacts. */
  extras?: string | undefined;
}

export interface RetentionRule {
  id: number;
  priority: number;
  disabled: boolean;
  action: 'retain';
  template: string;
  params: Record<string, unknown>;
  tag_selectors: RetentionSelector[];
  /** Only "repository" at project level; absent or empty means every repository (Harbor's launcher). */
  scope_selectors: { repository?: RetentionSelector[] | undefined };
}

export interface RetentionTrigger {
  kind: 'Schedule';
  /** `cron` empty or absent: no schedule, runs only when asked. */
  settings: { cron?: string | undefined; [key: string]: unknown };
  references?: Record<string, unknown> | undefined;
}

export interface RetentionPolicy {
  id?: number | undefined;
  algorithm: 'or';
  rules: RetentionRule[];
  trigger: RetentionTrigger;
  scope: { level: 'project'; ref: number };
}

/** Harbor's handler: `only 15 rules are allowed at most`. */
export const maxRules = 15;

export const tagDecorations = ['matches', 'excludes'] as const;
export const repositoryDecorations = ['repoMatches', 'repoExcludes'] as const;
/**
 * Harbor has a label selector (src/lib/selector/selectors/label) but leaves it unregistered, so
 * its API refuses kind "label". Haven accepts it in tag_selectors, as issue 11 asks: pattern is a
 * comma-separated list of label names, and every one must be there (withLabels) or none
 * (withoutLabels).
 */
export const labelDecorations = ['withLabels', 'withoutLabels'] as const;

/**
 * Checks a cron string the way Harbor's utils.ValidateCronString does and returns the reason it
 * is bad, or undefined. The job service owns the real parser; pass it to retentionPolicySchema.
 */
export type CronCheck = (cron: string) => string | undefined;

/** Without the job service's parser: Harbor's shape rule only (six fields, seconds fixed at 0). */
export const cronShape: CronCheck = (cron) => {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 6) return `expected exactly 6 fields, found ${fields.length}: [${fields.join(' ')}]`;
  if (fields[0] !== '0') return 'the 1st field (indicating Seconds of time) of the cron setting must be 0';
  return undefined;
};

const required = 'Can not be empty';

const selector = z.object({
  kind: z.string({ error: required }),
  decoration: z.string({ error: required }),
  pattern: z.string({ error: required }),
  extras: z.string().optional(),
});

const rule = z.object({
  id: z.number().int().default(0),
  priority: z.number().int().default(0),
  disabled: z.boolean().default(false),
  action: z.string({ error: required }),
  template: z.string({ error: required }),
  params: z.record(z.string(), z.unknown()).nullish().transform((p) => p ?? {}),
  tag_selectors: z.array(selector, { error: required }),
  scope_selectors: z.record(z.string(), z.array(selector).nullable()).nullish().transform((s) => s ?? {}),
});

const quote = (s: string) => JSON.stringify(s.slice(0, 100));

type Issue = (message: string, path?: Array<string | number>) => void;

/** The `untagged` flag of a selector's extras; undefined when extras is absent or empty. */
export function untaggedExtra(extras: string | undefined): boolean | undefined {
  if (extras === undefined || extras === '') return undefined;
  const parsed: unknown = JSON.parse(extras);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SyntaxError('not an object');
  const u = (parsed as { untagged?: unknown }).untagged;
  // Harbor unmarshals into {Untagged bool}: a missing key is false.
  return u === true;
}

function checkSelector(s: z.infer<typeof selector>, where: Array<string | number>, allowed: Record<string, readonly string[]>, issue: Issue): void {
  const decorations = allowed[s.kind];
  if (!decorations) {
    issue(`selector ${quote(s.kind)} is not registered`, [...where, 'kind']);
    return;
  }
  if (!decorations.includes(s.decoration)) {
    issue(`decoration ${quote(s.decoration)} of selector ${s.kind} is not supported; use ${decorations.map((d) => `"${d}"`).join(' or ')}`, [...where, 'decoration']);
  }
  if (s.pattern === '') issue(required, [...where, 'pattern']);
  else if (s.kind === 'doublestar') {
    try {
      compileDoublestar(s.pattern);
    } catch (e) {
      if (!(e instanceof BadPatternError)) throw e;
      issue(`invalid pattern ${quote(s.pattern)}: ${e.message}`, [...where, 'pattern']);
    }
  }
  if (s.extras !== undefined) {
    try {
      untaggedExtra(s.extras);
    } catch {
      issue(`extras ${quote(s.extras)} is not a JSON object such as {"untagged":true}`, [...where, 'extras']);
    }
  }
}

function checkRule(r: z.infer<typeof rule>, n: number, issue: Issue): void {
  if (r.action !== 'retain') issue(`action ${quote(r.action)} is not supported; use "retain"`, ['rules', n, 'action']);
  if (r.template === '') issue('empty rule template ID');
  else if (!templateIds.includes(r.template)) issue(`rule evaluator ${r.template} is not registered`);
  else {
    const refusal = paramRule(r.template, r.params);
    if (refusal) issue(refusal);
  }
  if (r.tag_selectors.length === 0) issue(required, ['rules', n, 'tag_selectors']);
  r.tag_selectors.forEach((s, i) => checkSelector(s, ['rules', n, 'tag_selectors', i], { doublestar: tagDecorations, label: labelDecorations }, issue));
  for (const [key, list] of Object.entries(r.scope_selectors)) {
    if (key !== 'repository') {
      issue(`scope selector ${quote(key)} is not supported at project level; use "repository"`, ['rules', n, 'scope_selectors']);
      continue;
    }
    (list ?? []).forEach((s, i) => checkSelector(s, ['rules', n, 'scope_selectors', 'repository', i], { doublestar: repositoryDecorations }, issue));
  }
}

/**
 * The zod schema of a policy in an API body (POST /retentions, PUT /retentions/{id}). Harbor's
 * own wording where Harbor has one, without a path (its messages name the rule template);
 * structural refusals carry the field path, as the API's other schemas do.
 */
export function retentionPolicySchema(opts: { checkCron?: CronCheck } = {}) {
  const checkCron = opts.checkCron ?? cronShape;
  return z
    .object({
      id: z.number().int().optional(),
      algorithm: z.string({ error: required }),
      rules: z.array(rule).nullish().transform((r) => r ?? []),
      trigger: z.object(
        {
          kind: z.string({ error: required }),
          settings: z.record(z.string(), z.unknown()).nullish().transform((s) => s ?? {}),
          references: z.record(z.string(), z.unknown()).nullish(),
        },
        { error: required },
      ),
      scope: z.object({ level: z.string({ error: required }), ref: z.number({ error: required }).int() }, { error: required }),
    })
    .superRefine((p, ctx) => {
      const issue: Issue = (message, path = []) => ctx.addIssue({ code: 'custom', message, path });
      if (p.algorithm !== 'or') issue(`algorithm ${quote(p.algorithm)} is not supported; use "or"`, ['algorithm']);
      if (p.rules.length > maxRules) issue(`only ${maxRules} rules are allowed at most`);
      if (p.scope.level !== 'project') issue(`scope ${p.scope.level} is not support`);
      else if (p.scope.ref <= 0) issue(`invalid Project id ${p.scope.ref}`);
      // Harbor's UpdateRetention knows "Schedule" and ""; Haven stores the one kind there is.
      if (p.trigger.kind !== 'Schedule' && p.trigger.kind !== '') issue(`not support Trigger ${p.trigger.kind}`, ['trigger', 'kind']);
      const cron = p.trigger.settings.cron;
      if (cron !== undefined && cron !== null) {
        if (typeof cron !== 'string') issue('invalid cron type for scheduled tag retention: must be a string');
        else if (cron !== '') {
          const why = checkCron(cron);
          if (why) issue(`invalid cron string for scheduled tag retention: ${cron}, error: ${why}`);
        }
      }
      p.rules.forEach((r, n) => checkRule(r, n, issue));
    })
    .transform(
      (p): RetentionPolicy => ({
        ...(p.id === undefined ? {} : { id: p.id }),
        algorithm: 'or',
        rules: p.rules.map((r) => ({
          id: r.id,
          priority: r.priority,
          disabled: r.disabled,
          action: 'retain',
          template: r.template,
          params: r.params,
          tag_selectors: r.tag_selectors.map(cleanSelector),
          scope_selectors: r.scope_selectors.repository ? { repository: r.scope_selectors.repository.map(cleanSelector) } : {},
        })),
        trigger: {
          kind: 'Schedule',
          settings: p.trigger.settings as RetentionTrigger['settings'],
          ...(p.trigger.references ? { references: p.trigger.references } : {}),
        },
        scope: { level: 'project', ref: p.scope.ref },
      }),
    );
}

function cleanSelector(s: z.infer<typeof selector>): RetentionSelector {
  return { kind: s.kind, decoration: s.decoration, pattern: s.pattern, ...(s.extras === undefined ? {} : { extras: s.extras }) };
}

/** A policy from an API body, or the AppError (400) the client is shown; then the 409 check. */
export function parseRetentionPolicy(body: unknown, opts: { checkCron?: CronCheck } = {}): RetentionPolicy {
  const r = retentionPolicySchema(opts).safeParse(body);
  if (!r.success) {
    const parts = r.error.issues.slice(0, 5).map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message));
    if (r.error.issues.length > 5) parts.push(`and ${r.error.issues.length - 5} more`);
    throw new AppError('BAD_REQUEST', parts.join('; '));
  }
  const conflict = ruleConflict(r.data);
  if (conflict) throw new AppError('CONFLICT', conflict);
  return r.data;
}

/** Canonical JSON: object keys sorted, so two rules written in a different key order compare equal. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * Harbor's checkRuleConflict (a 409): two rules equal in everything but their id. Its message,
 * "rule 1 is conflict with rule 0", counts rules from 0.
 */
export function ruleConflict(policy: RetentionPolicy): string | undefined {
  const seen = new Map<string, number>();
  for (const [n, r] of policy.rules.entries()) {
    const key = canonical({ ...r, id: 0 });
    const old = seen.get(key);
    if (old !== undefined) return `rule ${n} is conflict with rule ${old}`;
    seen.set(key, n);
  }
  return undefined;
}
